//! The extranet's secrets: random tokens (links, sessions, CSRF), their SHA-256 (what the store
//! keeps), and argon2id password hashes.

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

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_verify_and_tokens_differ() {
        let h = super::hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(super::verify_password("correct horse battery", &h));
        assert!(!super::verify_password("correct horse batterY", &h));
        assert!(!super::verify_password("x", "not a hash"));
        let (a, b) = (super::token().expect("t"), super::token().expect("t"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(super::same(&a, &a.clone()) && !super::same(&a, &b) && !super::same("ab", "abc"));
    }
}
