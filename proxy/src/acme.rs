//! ACME HTTP-01 challenges (RFC 8555 §8.3): the key authorizations the control API was given
//! for a site, answered at `/.well-known/acme-challenge/TOKEN` on that site's domains before
//! rules and cache. Kept in memory only (an order lasts seconds; a restart during one fails
//! it, and the operator orders again), bounded in number and in age.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The path prefix the ACME server fetches.
pub const PREFIX: &str = "/.well-known/acme-challenge/";

/// Challenges kept at most at once; a new one beyond replaces the oldest.
const MAX: usize = 256;
/// A challenge older than this is forgotten (an order that never finished).
const TTL: Duration = Duration::from_secs(3600);

/// Tokens and key authorizations by site.
#[derive(Debug, Default)]
pub struct Challenges {
    inner: Mutex<HashMap<(String, String), (String, Instant)>>,
}

/// Why a challenge was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ChallengeError {
    #[error("the token must be 1 to 128 base64url characters")]
    Token,
    #[error("the key authorization must be `TOKEN.THUMBPRINT` in base64url")]
    KeyAuthorization,
}

fn base64url(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Challenges {
    /// Answers `token` for `site` with `key_authorization` from now on.
    pub fn set(&self, site: &str, token: &str, key_authorization: &str) -> Result<(), ChallengeError> {
        if !base64url(token) {
            return Err(ChallengeError::Token);
        }
        match key_authorization.split_once('.') {
            Some((t, thumb)) if t == token && base64url(thumb) => {}
            _ => return Err(ChallengeError::KeyAuthorization),
        }
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        map.retain(|_, (_, at)| now.duration_since(*at) < TTL);
        if map.len() >= MAX
            && let Some(oldest) = map.iter().min_by_key(|(_, (_, at))| *at).map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        map.insert((site.to_string(), token.to_string()), (key_authorization.to_string(), now));
        Ok(())
    }

    /// Forgets `token` for `site`; true if it was there.
    pub fn remove(&self, site: &str, token: &str) -> bool {
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&(site.to_string(), token.to_string())).is_some()
    }

    /// The key authorization to answer for a request path on `site`, if it is a challenge
    /// this proxy was given.
    pub fn answer(&self, site: &str, path: &str) -> Option<String> {
        let token = path.strip_prefix(PREFIX)?;
        let map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (ka, at) = map.get(&(site.to_string(), token.to_string()))?;
        (at.elapsed() < TTL).then(|| ka.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_only_its_site_and_token() {
        let c = Challenges::default();
        c.set("www", "tok_1-A", "tok_1-A.thumb").expect("set");
        assert_eq!(c.answer("www", "/.well-known/acme-challenge/tok_1-A").as_deref(), Some("tok_1-A.thumb"));
        assert_eq!(c.answer("blog", "/.well-known/acme-challenge/tok_1-A"), None);
        assert_eq!(c.answer("www", "/.well-known/acme-challenge/other"), None);
        assert_eq!(c.answer("www", "/tok_1-A"), None);
        assert!(c.remove("www", "tok_1-A"));
        assert_eq!(c.answer("www", "/.well-known/acme-challenge/tok_1-A"), None);
    }

    #[test]
    fn refuses_what_is_not_a_challenge() {
        let c = Challenges::default();
        assert_eq!(c.set("www", "../etc", "../etc.x"), Err(ChallengeError::Token));
        assert_eq!(c.set("www", "", ".x"), Err(ChallengeError::Token));
        assert_eq!(c.set("www", "tok", "other.x"), Err(ChallengeError::KeyAuthorization));
        assert_eq!(c.set("www", "tok", "tok.<script>"), Err(ChallengeError::KeyAuthorization));
        assert_eq!(c.set("www", "tok", "tok"), Err(ChallengeError::KeyAuthorization));
    }

    #[test]
    fn stays_bounded() {
        let c = Challenges::default();
        for i in 0..(MAX + 10) {
            let t = format!("t{i}");
            c.set("www", &t, &format!("{t}.k")).expect("set");
        }
        assert_eq!(c.inner.lock().expect("lock").len(), MAX);
        assert_eq!(c.answer("www", "/.well-known/acme-challenge/t0"), None, "the oldest went first");
        assert!(c.answer("www", &format!("/.well-known/acme-challenge/t{}", MAX + 9)).is_some());
    }
}
