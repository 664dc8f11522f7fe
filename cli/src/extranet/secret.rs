//! The extranet's secrets: random tokens (links, sessions, CSRF), their SHA-256 (what the store
//! keeps), argon2id password hashes, and the second factor: TOTP codes (RFC 6238: HMAC-SHA-1,
//! 30 s steps, 6 digits) from secrets the store keeps sealed (AES-256-GCM) with the server's
//! key, a file of its own beside the store.

/// 32 random bytes from the system, URL-safe base64 (43 characters).
pub fn token() -> anyhow::Result<String> {
    use base64::Engine;
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| anyhow::anyhow!("no randomness from the system: {e}"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}

/// The SHA-256 of a token, hexadecimal: how the store knows it.
pub fn sha256_hex(token: &str) -> String {
    crate::ops::sha256_hex(token.as_bytes())
}

/// An argon2id hash of `password` (the crate's defaults: 19 MiB, 2 passes), as a PHC string.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no randomness from the system: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .to_string())
}

/// Whether `password` matches the PHC string `hash` (false for a malformed hash).
pub fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash).is_ok_and(|h| argon2::Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Compares two strings in a time that does not depend on where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Seconds per TOTP time step.
pub const STEP_SECS: i64 = 30;

/// A new TOTP secret: 20 random bytes (RFC 4226's recommended length).
pub fn totp_secret() -> anyhow::Result<Vec<u8>> {
    let mut b = vec![0u8; 20];
    getrandom::fill(&mut b).map_err(|e| anyhow::anyhow!("no randomness from the system: {e}"))?;
    Ok(b)
}

/// The secret as authenticator apps take it typed: base32, no padding.
pub fn base32(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

/// The 6-digit code of `secret` for time step `step` (RFC 4226 §5.3 truncation).
pub fn totp(secret: &[u8], step: i64) -> u32 {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let mac = ring::hmac::sign(&key, &step.to_be_bytes());
    let h = mac.as_ref();
    let at = usize::from(h[h.len() - 1] & 0x0f);
    let n = u32::from_be_bytes([h[at] & 0x7f, h[at + 1], h[at + 2], h[at + 3]]);
    n % 1_000_000
}

/// The time step of `unix` seconds.
pub fn step_of(unix: i64) -> i64 {
    unix.div_euclid(STEP_SECS)
}

/// The step, among the current one and its neighbours (a clock 30 s off), whose code `typed`
/// is; `None` if it is none of them. Spaces in what was typed are ignored.
pub fn totp_matches(secret: &[u8], typed: &str, now_unix: i64) -> Option<i64> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let code: u32 = digits.parse().ok()?;
    let now = step_of(now_unix);
    // Every candidate is computed: the time taken does not say which one matched.
    let mut found = None;
    for step in [now - 1, now, now + 1] {
        if same(&format!("{:06}", totp(secret, step)), &format!("{code:06}")) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// Where the server's key lives for the store `store`: beside it, `STORE.extranet-key`.
pub fn key_path(store: &std::path::Path) -> std::path::PathBuf {
    let mut name = store.file_name().unwrap_or_default().to_os_string();
    name.push(".extranet-key");
    store.with_file_name(name)
}

/// The server's key (32 bytes) from `path`, made on first use (mode 0600, never replaced: a new
/// key would make every stored second factor unreadable).
pub fn server_key(path: &std::path::Path) -> anyhow::Result<[u8; 32]> {
    use std::io::{Read, Write};
    use std::os::unix::fs::OpenOptionsExt;
    // A PostgreSQL store's files directory may not exist yet.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            crate::error::Failure::new(format!("cannot make the extranet's key `{}`: {e}", path.display()))
        })?;
    }
    match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(mut f) => {
            let mut k = [0u8; 32];
            getrandom::fill(&mut k).map_err(|e| anyhow::anyhow!("no randomness from the system: {e}"))?;
            f.write_all(&k)?;
            f.sync_all()?;
            Ok(k)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let mut k = [0u8; 32];
            let mut f = std::fs::File::open(path)?;
            f.read_exact(&mut k).map_err(|e| {
                crate::error::Failure::new(format!("the extranet's key `{}` is damaged: {e}", path.display()))
                    .hint("restore it from a backup; without it, second factors must be set up again (`amoe user totp-reset`)")
            })?;
            Ok(k)
        }
        Err(e) => {
            Err(crate::error::Failure::new(format!("cannot make the extranet's key `{}`: {e}", path.display())).into())
        }
    }
}

/// `secret` sealed with `key` for `email` (the address is authenticated with it: a sealed
/// secret moved to another account does not open): base64 of nonce and ciphertext.
pub fn seal(key: &[u8; 32], email: &str, secret: &[u8]) -> anyhow::Result<String> {
    use base64::Engine;
    use ring::aead;
    let k =
        aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_256_GCM, key).map_err(|_| anyhow::anyhow!("bad key"))?);
    let mut nonce = [0u8; 12];
    getrandom::fill(&mut nonce).map_err(|e| anyhow::anyhow!("no randomness from the system: {e}"))?;
    let mut buf = secret.to_vec();
    k.seal_in_place_append_tag(aead::Nonce::assume_unique_for_key(nonce), aead::Aad::from(email.as_bytes()), &mut buf)
        .map_err(|_| anyhow::anyhow!("cannot seal"))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&buf);
    Ok(base64::engine::general_purpose::STANDARD_NO_PAD.encode(out))
}

/// The secret [`seal`] sealed, if `key` and `email` are the ones it was sealed with.
pub fn unseal(key: &[u8; 32], email: &str, sealed: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    use ring::aead;
    let raw = base64::engine::general_purpose::STANDARD_NO_PAD.decode(sealed).ok()?;
    if raw.len() < 12 + 16 {
        return None;
    }
    let (nonce, rest) = raw.split_at(12);
    let k = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_256_GCM, key).ok()?);
    let mut buf = rest.to_vec();
    let n = aead::Nonce::try_assume_unique_for_key(nonce).ok()?;
    let plain = k.open_in_place(n, aead::Aad::from(email.as_bytes()), &mut buf).ok()?;
    Some(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totp_codes_are_those_of_rfc_6238() {
        // RFC 6238 appendix B, SHA-1, the 20-byte ASCII secret, 8 digits there: the last 6 here.
        let secret = b"12345678901234567890";
        for (unix, eight) in [
            (59, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
        ] {
            assert_eq!(totp(secret, step_of(unix)), eight % 1_000_000, "at {unix}");
        }
        let now = 1_234_567_890;
        let code = format!("{:06}", totp(secret, step_of(now)));
        assert_eq!(totp_matches(secret, &code, now), Some(step_of(now)));
        assert_eq!(totp_matches(secret, &code, now + 30), Some(step_of(now)), "one step late is taken");
        assert_eq!(totp_matches(secret, &code, now + 90), None, "three steps late is not");
        assert_eq!(totp_matches(secret, "12345", now), None);
        assert_eq!(totp_matches(secret, "abcdef", now), None);
    }

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_account() {
        let key = [7u8; 32];
        let sealed = seal(&key, "a@x.fr", b"secret bytes").expect("seal");
        assert_eq!(unseal(&key, "a@x.fr", &sealed).as_deref(), Some(&b"secret bytes"[..]));
        assert_eq!(unseal(&key, "b@x.fr", &sealed), None, "moved to another account");
        assert_eq!(unseal(&[8u8; 32], "a@x.fr", &sealed), None, "another key");
        assert!(!sealed.contains("secret"));
    }

    #[test]
    fn passwords_verify_and_tokens_differ() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("x", "not a hash"));
        let (a, b) = (token().expect("t"), token().expect("t"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(same(&a, &a.clone()) && !same(&a, &b) && !same("ab", "abc"));
    }
}
