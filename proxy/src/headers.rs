//! Header handling shared by the lifecycle: hop-by-hop fields (RFC 9110 §7.6.1), what a
//! stored response gets updated with on a 304 (RFC 9111 §3.2), forwarding headers.

use http::{HeaderMap, HeaderName, HeaderValue, header};

const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Removes the hop-by-hop fields, including those named by `Connection`.
pub fn strip_hop_by_hop(h: &mut HeaderMap) {
    let named: Vec<HeaderName> = h
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for n in named {
        h.remove(n);
    }
    for n in HOP_BY_HOP {
        h.remove(n);
    }
}

/// A copy of `h` whose values own their bytes. Header values parsed by hyper are slices of the
/// connection's read buffer: stored as they are, each cached object would keep a whole buffer
/// (kilobytes) alive. What the cache keeps must be detached this way.
pub fn detach(h: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::with_capacity(h.len());
    for (k, v) in h {
        let mut copy = HeaderValue::from_bytes(v.as_bytes()).unwrap_or_else(|_| v.clone());
        copy.set_sensitive(v.is_sensitive());
        out.append(k.clone(), copy);
    }
    out
}

/// Fields that tag objects for purging; not shown to clients.
pub fn strip_purge_tags(h: &mut HeaderMap) {
    h.remove("surrogate-key");
    h.remove("cache-tag");
}

/// Updates stored headers with those of a 304 (RFC 9111 §3.2), except the framing ones.
pub fn merge_304(stored: &HeaderMap, fresh: &HeaderMap) -> HeaderMap {
    let mut out = stored.clone();
    for name in fresh.keys() {
        // Framing fields describe the 304 itself; a cookie is for this client only.
        if matches!(name.as_str(), "content-length" | "transfer-encoding" | "content-range" | "set-cookie" | "age") {
            continue;
        }
        out.remove(name);
        for v in fresh.get_all(name) {
            out.append(name.clone(), v.clone());
        }
    }
    strip_hop_by_hop(&mut out);
    out
}

/// Request fields that some origins and frameworks take as the URL, host, scheme, port or
/// method, yet that are not part of the cache key: a client could make the origin answer for
/// another URL and have that answer stored for everyone. They never reach an origin.
pub const UNKEYED_OVERRIDES: [&str; 12] = [
    "x-original-url",
    "x-rewrite-url",
    "x-forwarded-scheme",
    "x-forwarded-port",
    "x-forwarded-server",
    "x-forwarded-prefix",
    "x-host",
    "x-http-host-override",
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
    "forwarded",
];

/// Sets what the origin learns of the client and the request: appends the client's address to
/// `X-Forwarded-For`, sets `X-Forwarded-Proto`, `X-Forwarded-Host` (the request's own host,
/// never the client's value), `Host` and `Via`, and drops [`UNKEYED_OVERRIDES`].
pub fn add_forwarding(h: &mut HeaderMap, client: std::net::IpAddr, tls: bool, host: &str) {
    for n in UNKEYED_OVERRIDES {
        h.remove(n);
    }
    if let Ok(v) = HeaderValue::from_str(host) {
        h.insert("x-forwarded-host", v.clone());
        h.insert(header::HOST, v);
    } else {
        h.remove("x-forwarded-host");
    }
    let xff = match h.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
        Some(prev) => format!("{prev}, {client}"),
        None => client.to_string(),
    };
    if let Ok(v) = HeaderValue::from_str(&xff) {
        h.insert("x-forwarded-for", v);
    }
    h.insert("x-forwarded-proto", HeaderValue::from_static(if tls { "https" } else { "http" }));
    h.append(header::VIA, HeaderValue::from_static("1.1 amoe"));
}

/// A single-range `Content-Range: bytes FIRST-LAST/TOTAL` (a known total): the three numbers.
pub fn content_range(h: &HeaderMap) -> Option<(u64, u64, u64)> {
    let v = h.get(header::CONTENT_RANGE)?.to_str().ok()?;
    let (range, total) = v.trim().strip_prefix("bytes ")?.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    let (first, last, total) = (first.trim().parse().ok()?, last.trim().parse().ok()?, total.trim().parse().ok()?);
    (first <= last && last < total).then_some((first, last, total))
}

/// Weak comparison of entity tags (RFC 9110 §8.8.3.2) against an `If-None-Match` list.
pub fn none_match(if_none_match: &HeaderValue, etag: &HeaderValue) -> bool {
    let Ok(list) = if_none_match.to_str() else { return false };
    if list.trim() == "*" {
        return true;
    }
    let strip = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let Ok(etag) = etag.to_str() else { return false };
    let etag = strip(etag);
    list.split(',').any(|t| strip(t) == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_and_connection_named_fields_go() {
        let mut h = HeaderMap::new();
        h.insert(header::CONNECTION, HeaderValue::from_static("close, x-secret"));
        h.insert("x-secret", HeaderValue::from_static("1"));
        h.insert("keep-alive", HeaderValue::from_static("timeout=5"));
        h.insert("x-kept", HeaderValue::from_static("1"));
        strip_hop_by_hop(&mut h);
        assert_eq!(h.len(), 1);
        assert!(h.contains_key("x-kept"));
    }

    #[test]
    fn etags_compare_weakly() {
        let etag = HeaderValue::from_static("\"v1\"");
        assert!(none_match(&HeaderValue::from_static("W/\"v1\""), &etag));
        assert!(none_match(&HeaderValue::from_static("\"v0\", \"v1\""), &etag));
        assert!(!none_match(&HeaderValue::from_static("\"v2\""), &etag));
        assert!(none_match(&HeaderValue::from_static("*"), &etag));
    }
}
