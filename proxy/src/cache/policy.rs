//! HTTP caching rules of RFC 9111 as pure functions: parsing `Cache-Control`, whether a
//! response may be stored (§3), its freshness lifetime (§4.2.1, heuristics only where §4.2.2
//! allows them), its age (§4.2.3), and what a site rule changes.
//!
//! This module decides; it stores nothing and does no I/O. Times are `SystemTime` so that a
//! decision survives a restart with the disk tier.

use http::{HeaderMap, Method, StatusCode, header};
use std::time::{Duration, SystemTime};

/// The directives of one or more `Cache-Control` header fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheControl {
    pub no_store: bool,
    pub no_cache: bool,
    pub private: bool,
    pub public: bool,
    pub must_revalidate: bool,
    pub proxy_revalidate: bool,
    pub max_age: Option<u64>,
    pub s_maxage: Option<u64>,
    pub stale_while_revalidate: Option<u64>,
    pub stale_if_error: Option<u64>,
}

/// A delta-seconds value; an invalid one counts as 0 (RFC 9111 §4.2.1: consider it stale).
fn delta_seconds(value: Option<&str>) -> u64 {
    value.map(|v| v.trim_matches('"')).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
}

impl CacheControl {
    /// Parses every `Cache-Control` field of `headers`. Directive names are case-insensitive;
    /// unknown directives are ignored; a repeated directive keeps its smallest value.
    pub fn parse(headers: &HeaderMap) -> CacheControl {
        let mut cc = CacheControl::default();
        for value in headers.get_all(header::CACHE_CONTROL) {
            let Ok(text) = value.to_str() else { continue };
            for part in split_directives(text) {
                let (name, arg) = match part.split_once('=') {
                    Some((n, a)) => (n.trim(), Some(a.trim())),
                    None => (part.trim(), None),
                };
                let min = |slot: &mut Option<u64>, v: u64| *slot = Some(slot.map_or(v, |old| old.min(v)));
                match name.to_ascii_lowercase().as_str() {
                    "no-store" => cc.no_store = true,
                    // `no-cache="field"` is treated as plain no-cache: always revalidate.
                    "no-cache" => cc.no_cache = true,
                    // `private="field"` likewise: a shared cache does not store it.
                    "private" => cc.private = true,
                    "public" => cc.public = true,
                    "must-revalidate" => cc.must_revalidate = true,
                    "proxy-revalidate" => cc.proxy_revalidate = true,
                    "max-age" => min(&mut cc.max_age, delta_seconds(arg)),
                    "s-maxage" => min(&mut cc.s_maxage, delta_seconds(arg)),
                    "stale-while-revalidate" => min(&mut cc.stale_while_revalidate, delta_seconds(arg)),
                    "stale-if-error" => min(&mut cc.stale_if_error, delta_seconds(arg)),
                    _ => {}
                }
            }
        }
        cc
    }

    /// Stale responses must not be served without validation (§4.2.4; s-maxage implies it
    /// for shared caches, §5.2.2.10).
    pub fn revalidate_when_stale(&self) -> bool {
        self.must_revalidate || self.proxy_revalidate || self.s_maxage.is_some()
    }
}

/// Splits on commas outside quoted strings.
fn split_directives(text: &str) -> impl Iterator<Item = &str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter().map(str::trim).filter(|p| !p.is_empty())
}

/// Parses an HTTP-date header.
pub fn http_date(headers: &HeaderMap, name: header::HeaderName) -> Option<SystemTime> {
    headers.get(name).and_then(|v| v.to_str().ok()).and_then(|s| httpdate::parse_http_date(s.trim()).ok())
}

/// Statuses that are heuristically cacheable (RFC 9110 §15.1). A 206 is stored as a partial
/// response (RFC 9111 §3.3).
pub fn heuristically_cacheable(status: StatusCode) -> bool {
    matches!(status.as_u16(), 200 | 203 | 204 | 206 | 300 | 301 | 308 | 404 | 405 | 410 | 414 | 501)
}

/// Statuses this cache knows how to store (the heuristic ones plus redirects and errors that
/// carry explicit freshness).
fn understood(status: StatusCode) -> bool {
    heuristically_cacheable(status) || matches!(status.as_u16(), 302 | 303 | 307 | 400 | 403 | 500 | 502 | 503 | 504)
}

/// What a site rule says for this response (from `amoe-rules`), reduced to what the policy
/// needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleVerdict {
    /// `Some(false)`: never cache; `Some(true)`: may cache; `None`: no rule applies.
    pub cache: Option<bool>,
    /// A TTL that replaces the origin's freshness, for the statuses below.
    pub ttl: Option<Duration>,
    /// The statuses `ttl` applies to; `None`: the heuristically cacheable ones.
    pub statuses: Option<amoe_rules::StatusSet>,
    /// Store even what `no-store`, `private`, `Set-Cookie` or `Authorization` forbid.
    pub force: bool,
    pub stale_if_error: Option<Duration>,
}

/// Why a response is not stored; also the `X-Cache` detail and the log's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotStored {
    Method,
    Status,
    RequestNoStore,
    NoStore,
    Private,
    SetCookie,
    Authorization,
    RuleSaysNo,
    NoFreshness,
    Vary,
}

/// Everything about a response that the cache keeps to serve it later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freshness {
    /// How long it is fresh, counted from the origin's reply (its age at arrival included).
    pub lifetime: Duration,
    /// Its age when it arrived (corrected initial age, §4.2.3).
    pub initial_age: Duration,
    /// When it arrived.
    pub response_time: SystemTime,
    /// Serve stale without revalidating first for this long past expiry (RFC 5861).
    pub stale_while_revalidate: Duration,
    /// Serve stale when the origin fails, for this long past expiry (RFC 5861, or the rule).
    pub stale_if_error: Option<Duration>,
    /// Stale must never be served (must-revalidate, proxy-revalidate, s-maxage).
    pub must_revalidate: bool,
    /// Always revalidate before use (`no-cache`).
    pub no_cache: bool,
}

impl Default for Freshness {
    fn default() -> Self {
        Freshness {
            lifetime: Duration::ZERO,
            initial_age: Duration::ZERO,
            response_time: SystemTime::UNIX_EPOCH,
            stale_while_revalidate: Duration::ZERO,
            stale_if_error: None,
            must_revalidate: false,
            no_cache: false,
        }
    }
}

impl Freshness {
    /// The response's current age (§4.2.3).
    pub fn age(&self, now: SystemTime) -> Duration {
        self.initial_age + now.duration_since(self.response_time).unwrap_or_default()
    }

    pub fn is_fresh(&self, now: SystemTime) -> bool {
        !self.no_cache && self.age(now) < self.lifetime
    }

    /// How long it has been stale (zero while fresh).
    pub fn staleness(&self, now: SystemTime) -> Duration {
        self.age(now).saturating_sub(self.lifetime)
    }
}

/// The request-side facts the policy needs.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts<'a> {
    pub method: &'a Method,
    pub headers: &'a HeaderMap,
    pub request_time: SystemTime,
}

/// Decides whether a response may be stored and, if so, its freshness (RFC 9111 §3, §4.2,
/// with the site rule applied as documented in `amoe-rules`).
pub fn evaluate(
    req: RequestFacts<'_>,
    status: StatusCode,
    resp: &HeaderMap,
    response_time: SystemTime,
    rule: RuleVerdict,
) -> Result<Freshness, NotStored> {
    if *req.method != Method::GET {
        return Err(NotStored::Method);
    }
    if rule.cache == Some(false) {
        return Err(NotStored::RuleSaysNo);
    }
    // A rule's TTL covers the heuristically cacheable statuses, or those the rule lists: an
    // error page or a redirect is never stored for a TTL meant for pages.
    let rule_ttl = rule.ttl.filter(|_| match rule.statuses {
        Some(listed) => listed.contains(status.as_u16()),
        None => heuristically_cacheable(status),
    });
    if !understood(status) && rule_ttl.is_none() {
        return Err(NotStored::Status);
    }
    let cc = CacheControl::parse(resp);
    let req_cc = CacheControl::parse(req.headers);
    if !rule.force {
        if req_cc.no_store {
            return Err(NotStored::RequestNoStore);
        }
        if cc.no_store {
            return Err(NotStored::NoStore);
        }
        if cc.private {
            return Err(NotStored::Private);
        }
        if resp.contains_key(header::SET_COOKIE) {
            return Err(NotStored::SetCookie);
        }
        // §3.5: a shared cache stores a response to an authenticated request only when the
        // response says it may.
        if req.headers.contains_key(header::AUTHORIZATION)
            && !(cc.must_revalidate || cc.public || cc.s_maxage.is_some())
        {
            return Err(NotStored::Authorization);
        }
    }
    if resp.get_all(header::VARY).iter().any(|v| v.to_str().is_ok_and(|s| s.split(',').any(|f| f.trim() == "*"))) {
        return Err(NotStored::Vary);
    }
    let date = http_date(resp, header::DATE);
    let lifetime = match rule_ttl {
        Some(ttl) => ttl,
        None => explicit_lifetime(&cc, resp, date)
            .or_else(|| heuristic_lifetime(&cc, status, resp, date, response_time))
            .ok_or(NotStored::NoFreshness)?,
    };
    let initial_age = initial_age(resp, date, req.request_time, response_time);
    Ok(Freshness {
        lifetime,
        // A rule's TTL counts from arrival: the origin's Age does not shorten it.
        initial_age: if rule_ttl.is_some() { Duration::ZERO } else { initial_age },
        response_time,
        stale_while_revalidate: Duration::from_secs(cc.stale_while_revalidate.unwrap_or(0)),
        stale_if_error: cc.stale_if_error.map(Duration::from_secs).or(rule.stale_if_error),
        must_revalidate: cc.revalidate_when_stale(),
        no_cache: cc.no_cache && !rule.force,
    })
}

/// s-maxage, then max-age, then Expires − Date (§4.2.1).
fn explicit_lifetime(cc: &CacheControl, resp: &HeaderMap, date: Option<SystemTime>) -> Option<Duration> {
    if let Some(s) = cc.s_maxage.or(cc.max_age) {
        return Some(Duration::from_secs(s));
    }
    let expires = resp.get(header::EXPIRES)?;
    // An invalid Expires (e.g. "0") means already expired.
    let Some(expires) = expires.to_str().ok().and_then(|s| httpdate::parse_http_date(s.trim()).ok()) else {
        return Some(Duration::ZERO);
    };
    Some(expires.duration_since(date.unwrap_or(SystemTime::UNIX_EPOCH)).unwrap_or_default())
}

/// §4.2.2: only for heuristically cacheable statuses (or `public`), with a Last-Modified:
/// 10 % of the time since the last modification, at most one day.
fn heuristic_lifetime(
    cc: &CacheControl,
    status: StatusCode,
    resp: &HeaderMap,
    date: Option<SystemTime>,
    response_time: SystemTime,
) -> Option<Duration> {
    if !(heuristically_cacheable(status) || cc.public) {
        return None;
    }
    let last_modified = http_date(resp, header::LAST_MODIFIED)?;
    let since = date.unwrap_or(response_time).duration_since(last_modified).ok()?;
    Some((since / 10).min(Duration::from_secs(86_400)))
}

/// The corrected initial age (§4.2.3).
pub fn initial_age(
    resp: &HeaderMap,
    date: Option<SystemTime>,
    request_time: SystemTime,
    response_time: SystemTime,
) -> Duration {
    let age_value = age_value(resp).map_or(Duration::ZERO, Duration::from_secs);
    let apparent = date.and_then(|d| response_time.duration_since(d).ok()).unwrap_or_default();
    let delay = response_time.duration_since(request_time).unwrap_or_default();
    apparent.max(age_value + delay)
}

/// The `Age` field (RFC 9111 §5.1): the first member of the first line; a value that is not a
/// non-negative integer (negative, decimal, with parameters or junk) is ignored.
pub fn age_value(resp: &HeaderMap) -> Option<u64> {
    let first = resp.get(header::AGE)?.to_str().ok()?.split(',').next()?.trim();
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Larger than any clock: as old as can be (§1.2.2 says to use 2^31 on overflow).
    Some(first.parse::<u64>().unwrap_or(u64::from(u32::MAX)).min(u64::from(u32::MAX)))
}

/// Methods that change state: a successful response invalidates the URI (§4.4).
pub fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE)
}

/// Idempotent methods may be retried on another origin (RFC 9110 §9.2.2).
pub fn is_idempotent(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE | Method::PUT | Method::DELETE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                header::HeaderName::from_bytes(k.as_bytes()).expect("name"),
                HeaderValue::from_str(v).expect("value"),
            );
        }
        h
    }

    fn eval(
        req: &[(&str, &str)],
        status: u16,
        resp: &[(&str, &str)],
        rule: RuleVerdict,
    ) -> Result<Freshness, NotStored> {
        let now = SystemTime::now();
        let req_headers = headers(req);
        let facts = RequestFacts { method: &Method::GET, headers: &req_headers, request_time: now };
        evaluate(facts, StatusCode::from_u16(status).expect("status"), &headers(resp), now, rule)
    }

    #[test]
    fn parses_directives_case_and_quotes() {
        let cc = CacheControl::parse(&headers(&[
            ("cache-control", "Public, MAX-AGE=60, no-cache=\"set-cookie, x\""),
            ("cache-control", "max-age=30, s-maxage=\"10\", stale-if-error=5"),
        ]));
        assert!(cc.public && cc.no_cache);
        assert_eq!((cc.max_age, cc.s_maxage, cc.stale_if_error), (Some(30), Some(10), Some(5)));
        assert_eq!(CacheControl::parse(&headers(&[("cache-control", "max-age=abc")])).max_age, Some(0));
    }

    #[test]
    fn s_maxage_beats_max_age_beats_expires() {
        let f =
            eval(&[], 200, &[("cache-control", "max-age=60, s-maxage=120")], RuleVerdict::default()).expect("stored");
        assert_eq!(f.lifetime, Duration::from_secs(120));
        assert!(f.must_revalidate, "s-maxage implies proxy-revalidate");
        let date = httpdate::fmt_http_date(SystemTime::now());
        let expires = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(300));
        let f = eval(
            &[],
            200,
            &[("date", &date), ("expires", &expires), ("cache-control", "max-age=60")],
            RuleVerdict::default(),
        );
        assert_eq!(f.expect("stored").lifetime, Duration::from_secs(60));
        let f = eval(&[], 200, &[("date", &date), ("expires", &expires)], RuleVerdict::default()).expect("stored");
        assert_eq!(f.lifetime, Duration::from_secs(300));
        let f = eval(&[], 200, &[("date", &date), ("expires", "0")], RuleVerdict::default()).expect("stored");
        assert_eq!(f.lifetime, Duration::ZERO);
    }

    #[test]
    fn heuristics_only_with_last_modified_and_cacheable_status() {
        let now = SystemTime::now();
        let lm = httpdate::fmt_http_date(now - Duration::from_secs(1000));
        let date = httpdate::fmt_http_date(now);
        let f = eval(&[], 200, &[("date", &date), ("last-modified", &lm)], RuleVerdict::default()).expect("heuristic");
        assert!(f.lifetime >= Duration::from_secs(99) && f.lifetime <= Duration::from_secs(101), "{:?}", f.lifetime);
        assert_eq!(eval(&[], 200, &[("date", &date)], RuleVerdict::default()), Err(NotStored::NoFreshness));
        assert_eq!(
            eval(&[], 302, &[("date", &date), ("last-modified", &lm)], RuleVerdict::default()),
            Err(NotStored::NoFreshness)
        );
        let old = httpdate::fmt_http_date(now - Duration::from_secs(100 * 86_400));
        let f = eval(&[], 200, &[("date", &date), ("last-modified", &old)], RuleVerdict::default()).expect("capped");
        assert_eq!(f.lifetime, Duration::from_secs(86_400));
    }

    #[test]
    fn forbidden_unless_forced() {
        let fresh = ("cache-control", "max-age=60");
        assert_eq!(
            eval(&[], 200, &[("cache-control", "no-store, max-age=60")], RuleVerdict::default()),
            Err(NotStored::NoStore)
        );
        assert_eq!(
            eval(&[], 200, &[("cache-control", "private, max-age=60")], RuleVerdict::default()),
            Err(NotStored::Private)
        );
        assert_eq!(eval(&[], 200, &[fresh, ("set-cookie", "a=b")], RuleVerdict::default()), Err(NotStored::SetCookie));
        assert_eq!(
            eval(&[("authorization", "Basic x")], 200, &[fresh], RuleVerdict::default()),
            Err(NotStored::Authorization)
        );
        assert!(
            eval(
                &[("authorization", "Basic x")],
                200,
                &[("cache-control", "public, max-age=60")],
                RuleVerdict::default()
            )
            .is_ok()
        );
        assert_eq!(
            eval(&[("cache-control", "no-store")], 200, &[fresh], RuleVerdict::default()),
            Err(NotStored::RequestNoStore)
        );
        let force = RuleVerdict { force: true, ttl: Some(Duration::from_secs(5)), ..Default::default() };
        for resp in [&[("cache-control", "no-store")][..], &[("cache-control", "private")], &[("set-cookie", "a=b")]] {
            assert!(eval(&[], 200, resp, force).is_ok(), "{resp:?}");
        }
        assert!(eval(&[("authorization", "Basic x")], 200, &[], force).is_ok());
    }

    #[test]
    fn rules_replace_freshness_and_can_refuse() {
        let rule = RuleVerdict { ttl: Some(Duration::from_secs(3600)), cache: Some(true), ..Default::default() };
        let f = eval(&[], 200, &[("cache-control", "max-age=5"), ("age", "100")], rule).expect("stored");
        assert_eq!((f.lifetime, f.initial_age), (Duration::from_secs(3600), Duration::ZERO));
        // A rule TTL stores a response that has no freshness of its own.
        assert!(eval(&[], 200, &[], rule).is_ok());
        // But not one that no-store forbids.
        assert_eq!(eval(&[], 200, &[("cache-control", "no-store")], rule), Err(NotStored::NoStore));
        let never = RuleVerdict { cache: Some(false), ..Default::default() };
        assert_eq!(eval(&[], 200, &[("cache-control", "max-age=60")], never), Err(NotStored::RuleSaysNo));
    }

    #[test]
    fn age_is_corrected() {
        let now = SystemTime::now();
        let h = headers(&[("age", "30"), ("date", &httpdate::fmt_http_date(now - Duration::from_secs(10)))]);
        let age = initial_age(&h, http_date(&h, header::DATE), now - Duration::from_secs(2), now);
        assert_eq!(age, Duration::from_secs(32));
        let f = Freshness {
            lifetime: Duration::from_secs(60),
            initial_age: Duration::from_secs(50),
            response_time: now,
            stale_while_revalidate: Duration::ZERO,
            stale_if_error: None,
            must_revalidate: false,
            no_cache: false,
        };
        assert!(f.is_fresh(now));
        assert!(!f.is_fresh(now + Duration::from_secs(11)));
        assert_eq!(f.staleness(now + Duration::from_secs(15)), Duration::from_secs(5));
    }

    #[test]
    fn rule_ttls_cover_heuristic_statuses_or_those_listed() {
        let rule = RuleVerdict { ttl: Some(Duration::from_secs(86_400)), ..Default::default() };
        for status in [200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501] {
            assert_eq!(eval(&[], status, &[], rule).map(|f| f.lifetime), Ok(Duration::from_secs(86_400)), "{status}");
        }
        // Errors and temporary redirects are not stored for a page TTL...
        for status in [302, 303, 307, 400, 403, 500, 502, 503, 504] {
            assert_eq!(eval(&[], status, &[], rule), Err(NotStored::NoFreshness), "{status}");
        }
        // ...but keep the origin's own explicit freshness.
        let f = eval(&[], 302, &[("cache-control", "max-age=60")], rule).expect("explicit");
        assert_eq!(f.lifetime, Duration::from_secs(60));
        // A rule that lists statuses applies its TTL to those only.
        let mut listed = amoe_rules::StatusSet::default();
        listed.insert(404);
        listed.insert(500);
        let rule = RuleVerdict { ttl: Some(Duration::from_secs(30)), statuses: Some(listed), ..Default::default() };
        assert_eq!(eval(&[], 500, &[], rule).map(|f| f.lifetime), Ok(Duration::from_secs(30)));
        assert_eq!(eval(&[], 200, &[], rule), Err(NotStored::NoFreshness));
    }

    #[test]
    fn age_takes_the_first_member_and_ignores_invalid_values() {
        let age = |v: &[&str]| {
            let mut h = HeaderMap::new();
            for v in v {
                h.append(header::AGE, HeaderValue::from_str(v).expect("value"));
            }
            age_value(&h)
        };
        assert_eq!(age(&["30"]), Some(30));
        assert_eq!(age(&["0", "7200"]), Some(0));
        assert_eq!(age(&["7200", "0"]), Some(7200));
        assert_eq!(age(&["7200, 0"]), Some(7200));
        for bad in ["-7200", "7200.0", "7200;x=1", "abc", " ", "0x10"] {
            assert_eq!(age(&[bad]), None, "{bad}");
        }
        assert_eq!(age(&["99999999999999999999999"]), Some(u64::from(u32::MAX)));
    }

    #[test]
    fn vary_star_and_methods() {
        assert_eq!(
            eval(&[], 200, &[("cache-control", "max-age=6"), ("vary", "*")], RuleVerdict::default()),
            Err(NotStored::Vary)
        );
        assert_eq!(eval(&[], 418, &[("cache-control", "max-age=6")], RuleVerdict::default()), Err(NotStored::Status));
        assert!(is_unsafe(&Method::POST) && !is_unsafe(&Method::GET));
        assert!(is_idempotent(&Method::PUT) && !is_idempotent(&Method::POST));
    }
}
