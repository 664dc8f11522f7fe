//! The cache key, built once per request and used by lookup, fill, invalidation and purge.
//!
//! A key is the normalised path and query, the host (lowercase, without port or trailing dot)
//! and the scheme, encoded as `PATH?QUERY \0 HOST \0 SCHEME`. The path comes first so that the
//! per-site ordered index answers the purges as ranges: a path for every domain and scheme of
//! the site is the range `PATH?QUERY\0…`, a directory is the range of paths that start with it.
//! The scheme is part of the key because an origin may answer `http://` and `https://`
//! differently (a cacheable redirect to HTTPS must not be served to HTTPS clients).
//!
//! [`normalize_path`] is applied before the site's rules and the key, so that `/%77p-admin`,
//! `//wp-admin` and `/x/../wp-admin` are all `/wp-admin` to the deny rules and to the cache.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::sync::Arc;

/// How the client reached the proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// A cache key; see the module documentation for its layout and order.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(Arc<str>);

impl Key {
    /// The key of `scheme://host` + `path_and_query`; the host must already be normalised with
    /// [`normalize_host`] and the path with [`normalize_path`].
    pub fn new(scheme: Scheme, host: &str, path_and_query: &str) -> Key {
        let mut s = String::with_capacity(path_and_query.len() + host.len() + 8);
        s.push_str(path_and_query);
        s.push('\0');
        s.push_str(host);
        s.push('\0');
        s.push_str(scheme.as_str());
        Key(Arc::from(s))
    }

    /// A key read back from storage; `None` when it is not one this version writes.
    pub fn from_stored(s: &str) -> Option<Key> {
        let mut parts = s.split('\0');
        let (_pq, _host, scheme) = (parts.next()?, parts.next()?, parts.next()?);
        (parts.next().is_none() && matches!(scheme, "http" | "https")).then(|| Key(Arc::from(s)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path and query.
    pub fn path_and_query(&self) -> &str {
        self.0.split('\0').next().unwrap_or_default()
    }

    pub fn host(&self) -> &str {
        self.0.split('\0').nth(1).unwrap_or_default()
    }

    /// The range prefix of every key of one path and query, on every host and scheme.
    pub fn url_prefix(path_and_query: &str) -> String {
        format!("{path_and_query}\0")
    }

    /// The range prefix of every key of one path and query on one host, both schemes.
    pub fn url_host_prefix(path_and_query: &str, host: &str) -> String {
        format!("{path_and_query}\0{host}\0")
    }

    /// Whether this key is under the directory `prefix` (see [`under_directory`]).
    pub fn is_under(&self, prefix: &str) -> bool {
        under_directory(self.as_str(), prefix)
    }
}

impl Default for Key {
    fn default() -> Self {
        Key::new(Scheme::Http, "", "/")
    }
}

impl Borrow<str> for Key {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.0.rsplit('\0').next().unwrap_or_default(), self.host(), self.path_and_query())
    }
}

/// Whether an encoded key (or a path) lies under a directory prefix: `/news` covers `/news`,
/// `/news?x` and `/news/…` but not `/newsletter`; `/news/` covers what starts with it.
pub fn under_directory(key: &str, prefix: &str) -> bool {
    let Some(rest) = key.strip_prefix(prefix) else { return false };
    prefix.ends_with('/') || rest.is_empty() || rest.starts_with(['/', '?', '\0'])
}

/// A `Host` value as the key holds it: lowercase, without port, brackets or trailing dot.
pub fn normalize_host(raw: &str) -> String {
    let host = if raw.starts_with('[') {
        raw.split_once(']').map_or(raw, |(h, _)| h).trim_start_matches('[')
    } else {
        raw.rsplit_once(':').map_or(raw, |(h, _)| h)
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Normalises a request path (not the query): percent-encoded unreserved characters decoded
/// and other escapes upper-cased (RFC 3986 §6.2.2), dot segments removed (§5.2.4) and repeated
/// slashes merged (as nginx's `merge_slashes`). A path that does not start with `/` (`*`) is
/// returned as it is. Borrows when nothing changes.
pub fn normalize_path(path: &str) -> Cow<'_, str> {
    let b = path.as_bytes();
    if !path.starts_with('/') {
        return Cow::Borrowed(path);
    }
    let needs = b.contains(&b'%') || path.contains("//") || path.contains("/.") || path.ends_with("/.");
    if !needs {
        return Cow::Borrowed(path);
    }
    // 1. Escapes.
    let mut decoded = String::with_capacity(path.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex))
        {
            let c = h * 16 + l;
            if unreserved(c) {
                decoded.push(c as char);
            } else {
                decoded.push('%');
                decoded.push(b[i + 1].to_ascii_uppercase() as char);
                decoded.push(b[i + 2].to_ascii_uppercase() as char);
            }
            i += 3;
            continue;
        }
        // Multi-byte characters are copied whole.
        let ch_len = path[i..].chars().next().map_or(1, char::len_utf8);
        decoded.push_str(&path[i..i + ch_len]);
        i += ch_len;
    }
    // 2. Segments: empty ones (repeated slashes) and "." dropped, ".." pops.
    let trailing = decoded.ends_with('/') || decoded.ends_with("/.") || decoded.ends_with("/..");
    let mut out: Vec<&str> = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let mut s = String::with_capacity(decoded.len());
    for seg in &out {
        s.push('/');
        s.push_str(seg);
    }
    if trailing || out.is_empty() {
        s.push('/');
    }
    if s == path { Cow::Borrowed(path) } else { Cow::Owned(s) }
}

/// Normalises a path with its query: only the path part changes.
pub fn normalize_path_and_query(pq: &str) -> Cow<'_, str> {
    match pq.split_once('?') {
        None => normalize_path(pq),
        Some((path, query)) => match normalize_path(path) {
            Cow::Borrowed(_) => Cow::Borrowed(pq),
            Cow::Owned(p) => Cow::Owned(format!("{p}?{query}")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised() {
        for (raw, want) in [
            ("/wp-admin", "/wp-admin"),
            ("/%77p-admin", "/wp-admin"),
            ("//wp-admin", "/wp-admin"),
            ("/a//b///c", "/a/b/c"),
            ("/x/../wp-admin", "/wp-admin"),
            ("/x/%2e%2e/wp-admin", "/wp-admin"),
            ("/./a/./b/.", "/a/b/"),
            ("/../../a", "/a"),
            ("/a/b/..", "/a/"),
            ("/a%2fb", "/a%2Fb"),
            ("/caf%c3%a9", "/caf%C3%A9"),
            ("/%zz", "/%zz"),
            ("/%", "/%"),
            ("/é//x", "/é/x"),
            ("/", "/"),
            ("*", "*"),
        ] {
            assert_eq!(normalize_path(raw), want, "{raw}");
        }
        assert!(matches!(normalize_path("/plain/path.html"), Cow::Borrowed(_)));
        assert_eq!(normalize_path_and_query("//a?x=//y/../"), "/a?x=//y/../");
    }

    #[test]
    fn keys_order_by_path_then_host() {
        let k = Key::new(Scheme::Https, "example.fr", "/a?b");
        assert_eq!(k.path_and_query(), "/a?b");
        assert_eq!(k.host(), "example.fr");
        assert_eq!(format!("{k:?}"), "https://example.fr/a?b");
        assert!(k.as_str().starts_with(&Key::url_prefix("/a?b")));
        assert!(k.as_str().starts_with(&Key::url_host_prefix("/a?b", "example.fr")));
        assert!(!k.as_str().starts_with(&Key::url_prefix("/a")));
        assert_eq!(Key::from_stored(k.as_str()), Some(k));
        assert_eq!(Key::from_stored("example.fr/a"), None);
    }

    #[test]
    fn directories_stop_at_a_segment() {
        let key = |p: &str| Key::new(Scheme::Http, "h", p);
        assert!(key("/news").is_under("/news"));
        assert!(key("/news?page=2").is_under("/news"));
        assert!(key("/news/a").is_under("/news"));
        assert!(!key("/newsletter").is_under("/news"));
        assert!(key("/news/a").is_under("/news/"));
        assert!(!key("/news").is_under("/news/"));
    }

    #[test]
    fn hosts_are_normalised() {
        assert_eq!(normalize_host("Example.FR:8080"), "example.fr");
        assert_eq!(normalize_host("example.fr."), "example.fr");
        assert_eq!(normalize_host("[::1]:80"), "::1");
    }
}
