//! The request lifecycle, in named phases:
//!
//! 1. **route**: the site by `Host` (and SNI on TLS); unknown host → 404, SNI mismatch → 421;
//! 2. **protect**: rate limit (429), deny rules (403), declared body size (413);
//! 3. **choose**: a deactivated site or a method other than GET/HEAD is passed through
//!    ([`Exchange::pass`]); a successful unsafe method invalidates the URL (RFC 9111 §4.4);
//! 4. **lookup**: a fresh stored variant is a HIT (with `Range` and conditional requests
//!    answered from it); a stale one within `stale-while-revalidate` is served while a
//!    background revalidation runs; otherwise
//! 5. **fetch**: one origin request per key at a time (followers wait, then look up again),
//!    conditional when a stale copy has validators; 304 refreshes the stored copy; the body is
//!    streamed to the client while being stored; origin failure serves stale content within
//!    `stale-if-error` or the site's stale limit;
//! 6. **log**: when the response body ends, the access log line and the statistics.

use crate::body::{BoxError, Counted, ProxyBody};
use crate::cache::key::{self, Key, Scheme};
use crate::cache::object::{self, Body, Object};
use crate::cache::policy::{self, RequestFacts, RuleVerdict};
use crate::cache::{Flight, FlightGuard, PurgeMode, Scope};
use crate::headers;
use crate::range::{self, RangeAnswer};
use crate::stats::Outcome;
use crate::upstream::{self, OriginBody};
use crate::{Proxy, Site, accesslog};
use bytes::{Bytes, BytesMut};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, Uri, Version, header};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::mpsc;

/// How long a follower waits for the fetch in flight before fetching itself.
const FOLLOW_TIMEOUT: Duration = Duration::from_secs(30);
/// Chunks buffered between the origin and a slow client.
const CHANNEL_CHUNKS: usize = 8;

/// What the server knows about the connection.
#[derive(Debug, Clone)]
pub struct Conn {
    pub peer: SocketAddr,
    pub tls: bool,
    /// The TLS server name the client asked for.
    pub sni: Option<String>,
}

/// One request being answered.
#[derive(Debug)]
pub struct Exchange {
    proxy: Arc<Proxy>,
    conn: Arc<Conn>,
    site: Option<Arc<Site>>,
    method: Method,
    uri: Uri,
    /// The path and query, normalised ([`key::normalize_path_and_query`]): what the rules see,
    /// what the cache keys on and what the origin is asked for.
    target: String,
    version: Version,
    headers: HeaderMap,
    host: String,
    start: Instant,
    time: SystemTime,
    /// A background revalidation: no client, so no log line and no statistics.
    quiet: bool,
}

/// The hyper service function.
pub async fn handle(
    proxy: Arc<Proxy>,
    conn: Arc<Conn>,
    req: Request<Incoming>,
) -> Result<Response<Counted>, Infallible> {
    let (parts, body) = req.into_parts();
    let host = host_of(&parts.uri, &parts.headers);
    let target = key::normalize_path_and_query(parts.uri.path_and_query().map_or("/", |p| p.as_str())).into_owned();
    let mut ex = Exchange {
        site: None,
        method: parts.method,
        target,
        uri: parts.uri,
        version: parts.version,
        headers: parts.headers,
        host,
        start: Instant::now(),
        time: SystemTime::now(),
        proxy,
        conn,
        quiet: false,
    };
    Ok(ex.run(body).await)
}

/// The `Host` (or HTTP/2 `:authority`), lowercase, without port.
fn host_of(uri: &Uri, headers: &HeaderMap) -> String {
    let raw = uri
        .authority()
        .map(|a| a.host())
        .or_else(|| headers.get(header::HOST).and_then(|h| h.to_str().ok()))
        .unwrap_or("");
    key::normalize_host(raw)
}

pub(crate) fn text(status: StatusCode, message: &str) -> Response<ProxyBody> {
    let mut r = Response::new(ProxyBody::text(message));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}

impl Exchange {
    async fn run(&mut self, body: Incoming) -> Response<Counted> {
        // Rate limit first: a flood of requests for unknown hosts costs nothing either.
        if let Some(rate) = self.proxy.rate.load().as_ref()
            && let Err(wait) = rate.check(self.conn.peer.ip(), Instant::now())
        {
            let mut r = text(StatusCode::TOO_MANY_REQUESTS, "too many requests\n");
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait));
            return self.finish(r, Outcome::Error);
        }
        // Header limits, answered here so that the 431 is logged (see server.rs).
        let head_bytes: usize = self.uri.path_and_query().map_or(1, |p| p.as_str().len())
            + self.headers.iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum::<usize>();
        let limits = self.proxy.limits.load();
        if self.headers.len() > limits.max_headers || head_bytes > limits.max_header_bytes {
            self.site = self.proxy.sites.load().for_host(&self.host).cloned();
            return self.finish(
                text(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "request header fields too large\n"),
                Outcome::Error,
            );
        }
        // 1. route
        let table = self.proxy.sites.load();
        let Some(site) = table.for_host(&self.host).cloned() else {
            return self.finish(
                text(StatusCode::NOT_FOUND, "unknown site: no site of this proxy answers for this host\n"),
                Outcome::Error,
            );
        };
        if let Some(sni) = &self.conn.sni
            && !table.for_host(&sni.to_ascii_lowercase()).is_some_and(|s| Arc::ptr_eq(s, &site))
        {
            return self.finish(
                text(
                    StatusCode::MISDIRECTED_REQUEST,
                    "misdirected request: the Host does not match the TLS server name\n",
                ),
                Outcome::Error,
            );
        }
        self.site = Some(site.clone());
        // An ACME HTTP-01 challenge this proxy was given for the site: before the redirect,
        // the rules and the cache (the CA fetches it over plain HTTP). Any other path under
        // the prefix goes on to the origin, which may run its own ACME client.
        if matches!(self.method, Method::GET | Method::HEAD)
            && self.target.starts_with(crate::acme::PREFIX)
            && let Some(ka) = self.proxy.challenges.answer(&site.config.name, &self.target)
        {
            let mut r = Response::new(ProxyBody::text(&ka));
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
            return self.finish(r, Outcome::Pass);
        }
        // HTTPS only, when the site says so: before rules and cache (RFC 9110 §15.4.2, .9).
        if site.config.https_redirect && !self.conn.tls {
            let status = if matches!(self.method, Method::GET | Method::HEAD) {
                StatusCode::MOVED_PERMANENTLY
            } else {
                StatusCode::PERMANENT_REDIRECT
            };
            let location = format!("https://{}{}", self.host, self.target);
            let mut r = text(status, "moved to HTTPS\n");
            if let Ok(v) = HeaderValue::from_str(&location) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            return self.finish(r, Outcome::Pass);
        }
        // 2. protect
        let (path, query) = match self.target.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (self.target.as_str(), None),
        };
        if site.config.rules.denied(self.method.as_str(), path, query).is_some() {
            return self.finish(text(StatusCode::FORBIDDEN, "forbidden by the site's rules\n"), Outcome::Error);
        }
        let declared =
            self.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.body_limit(&site)) {
            return self.finish(text(StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n"), Outcome::Error);
        }
        if self.method == Method::CONNECT {
            return self.finish(text(StatusCode::METHOD_NOT_ALLOWED, "CONNECT is not supported\n"), Outcome::Error);
        }
        // A static site: from its current release, never from an origin or the cache.
        if let Some(st) = &site.config.static_root {
            drop(body);
            let r = crate::statics::respond(st, &self.method, &self.target, &self.headers).await;
            let outcome = if r.status().is_client_error() || r.status().is_server_error() {
                Outcome::Error
            } else {
                Outcome::Pass
            };
            return self.finish(r, outcome);
        }
        // 3. choose
        let cacheable_method = self.method == Method::GET || self.method == Method::HEAD;
        if !site.config.active || !cacheable_method {
            return self.pass(&site, body).await;
        }
        drop(body);
        self.cached(&site).await
    }

    /// The cache key: normalised path and query, host, scheme (also for the catch-all site:
    /// each host its own objects).
    fn key(&self) -> Key {
        Key::new(if self.conn.tls { Scheme::Https } else { Scheme::Http }, &self.host, &self.target)
    }

    async fn cached(&mut self, site: &Arc<Site>) -> Response<Counted> {
        let key = self.key();
        let cache = self.proxy.cache.clone();
        let mut partial = None;
        for _round in 0..3 {
            let now = SystemTime::now();
            let found = match cache.lookup(&site.name, &key, &self.headers) {
                // A stored partial response answers only ranges inside it, while fresh; otherwise
                // the fetch may complete it (RFC 9111 §3.4).
                Some(obj) if obj.partial.is_some() && !(obj.is_fresh(now) && self.partial_answer(&obj).is_some()) => {
                    partial = Some(obj);
                    None
                }
                found => found,
            };
            let stale = match found {
                Some(obj) if obj.is_fresh(now) => match self.serve(obj.clone(), Outcome::Hit).await {
                    Some(r) => return r,
                    None => None,
                },
                Some(obj) => {
                    let within_swr = obj.freshness.staleness(now) < obj.freshness.stale_while_revalidate
                        && !obj.freshness.must_revalidate
                        && !obj.freshness.no_cache
                        && !obj.invalidated.load(Ordering::Relaxed);
                    if within_swr {
                        if let Flight::Leader(guard) = cache.flight(format!("{}\0{}", site.name, key.as_str())) {
                            self.revalidate_in_background(site, obj.clone(), guard);
                        }
                        if let Some(r) = self.serve(obj, Outcome::Stale).await {
                            return r;
                        }
                        None
                    } else {
                        Some(obj)
                    }
                }
                None => None,
            };
            match cache.flight(format!("{}\0{}", site.name, key.as_str())) {
                Flight::Leader(guard) => return self.fetch(site, stale, partial, guard).await,
                Flight::Follower(wait) => {
                    if tokio::time::timeout(FOLLOW_TIMEOUT, wait.wait()).await.is_err() {
                        break;
                    }
                }
            }
        }
        // Waited long enough, or the object keeps not being stored: fetch without coalescing.
        let stale = cache.lookup(&site.name, &key, &self.headers).filter(|o| o.partial.is_none());
        match cache.flight(format!("{}\0{}\0{:?}", site.name, key.as_str(), Instant::now())) {
            Flight::Leader(guard) => self.fetch(site, stale, None, guard).await,
            Flight::Follower(_) => self.finish(text(StatusCode::SERVICE_UNAVAILABLE, "busy\n"), Outcome::Error),
        }
    }

    /// Answers from a stored object; `None` when its disk file is gone (it is dropped).
    async fn serve(&self, obj: Arc<Object>, outcome: Outcome) -> Option<Response<Counted>> {
        self.serve_with(obj, outcome, None).await
    }

    /// Like [`Exchange::serve`], adding the `Set-Cookie` fields of the origin's answer to this
    /// client (never stored, so never shown to another).
    async fn serve_with(
        &self,
        obj: Arc<Object>,
        outcome: Outcome,
        cookies: Option<&HeaderMap>,
    ) -> Option<Response<Counted>> {
        let obj = match &obj.body {
            // A small body on disk only: read it once (from the page cache, as a blocking read
            // like nginx's) and keep it in memory; later hits cost no file access.
            Body::Disk(loc) if loc.len <= PROMOTE_MAX.min(self.proxy.cache.memory_max_object) => {
                match read_body(&loc.path, loc.offset, loc.len, Some(loc.crc)) {
                    Ok(bytes) => self.proxy.cache.promote(&obj, bytes),
                    Err(e) => {
                        tracing::warn!(file = %loc.path.display(), error = %e, "cache file damaged: dropped");
                        self.proxy.cache.drop_damaged(&obj);
                        return None;
                    }
                }
            }
            _ => obj,
        };
        let now = SystemTime::now();
        let mut h = obj.headers.clone();
        headers::strip_purge_tags(&mut h);
        h.insert(header::AGE, HeaderValue::from(obj.freshness.age(now).as_secs()));
        if let Some(cookies) = cookies {
            for v in cookies.get_all(header::SET_COOKIE) {
                h.append(header::SET_COOKIE, v.clone());
            }
        }
        if let Some(partial) = obj.partial {
            return self.serve_partial(&obj, partial, h, outcome).await;
        }
        // Conditional requests from the client (RFC 9110 §13).
        let not_modified = match (self.headers.get(header::IF_NONE_MATCH), obj.etag()) {
            (Some(inm), Some(etag)) => headers::none_match(inm, etag),
            (Some(_), None) => false,
            (None, _) => match (
                policy::http_date(&self.headers, header::IF_MODIFIED_SINCE),
                policy::http_date(&obj.headers, header::LAST_MODIFIED),
            ) {
                (Some(since), Some(lm)) => lm <= since,
                _ => false,
            },
        };
        if not_modified && obj.status == StatusCode::OK {
            let mut r = Response::new(ProxyBody::Empty);
            *r.status_mut() = StatusCode::NOT_MODIFIED;
            for name in [
                header::ETAG,
                header::LAST_MODIFIED,
                header::CACHE_CONTROL,
                header::EXPIRES,
                header::VARY,
                header::AGE,
                header::DATE,
            ] {
                if let Some(v) = h.get(&name) {
                    r.headers_mut().insert(name, v.clone());
                }
            }
            for v in h.get_all(header::SET_COOKIE) {
                r.headers_mut().append(header::SET_COOKIE, v.clone());
            }
            return Some(self.finish(r, outcome));
        }
        let len = obj.body.len();
        let mut status = obj.status;
        let (mut start, mut end) = (0, len.saturating_sub(1));
        if self.method == Method::GET && obj.status == StatusCode::OK {
            h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
            if let Some(rg) = self.headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
                let if_range_ok = match self.headers.get(header::IF_RANGE) {
                    None => true,
                    Some(v) => {
                        obj.etag().is_some_and(|e| e == v && !v.as_bytes().starts_with(b"W/"))
                            || obj.last_modified().is_some_and(|lm| lm == v)
                    }
                };
                if if_range_ok {
                    match range::answer(rg, len) {
                        RangeAnswer::Full => {}
                        RangeAnswer::Unsatisfiable => {
                            let mut r = text(StatusCode::RANGE_NOT_SATISFIABLE, "range not satisfiable\n");
                            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                                r.headers_mut().insert(header::CONTENT_RANGE, v);
                            }
                            return Some(self.finish(r, outcome));
                        }
                        RangeAnswer::Partial { start: s, end: e } => {
                            status = StatusCode::PARTIAL_CONTENT;
                            (start, end) = (s, e);
                            if let Ok(v) = HeaderValue::from_str(&format!("bytes {s}-{e}/{len}")) {
                                h.insert(header::CONTENT_RANGE, v);
                            }
                        }
                    }
                }
            }
        }
        let count = if len == 0 { 0 } else { end - start + 1 };
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
        let body = if self.method == Method::HEAD || count == 0 {
            ProxyBody::Empty
        } else {
            match &obj.body {
                Body::Memory(b) => ProxyBody::full(b.slice(start as usize..=end as usize)),
                Body::Disk(loc) => match open_at(&loc.path, loc.offset, loc.len, loc.offset + start).await {
                    Ok(file) => {
                        let verify = Some(loc.crc).filter(|_| start == 0 && count == loc.len).map(|expected| {
                            let (cache, damaged, file) = (self.proxy.cache.clone(), obj.clone(), loc.path.clone());
                            crate::body::Verify {
                                hasher: crc32fast::Hasher::new(),
                                expected,
                                on_damage: Some(Box::new(move || {
                                    tracing::warn!(file = %file.display(), "cache file damaged (checksum): dropped");
                                    cache.drop_damaged(&damaged);
                                })),
                            }
                        });
                        ProxyBody::File { file: Box::pin(file), remaining: count, buf: Vec::new(), verify }
                    }
                    Err(e) => {
                        tracing::warn!(file = %loc.path.display(), error = %e, "cache file unreadable: dropped");
                        self.proxy.cache.drop_damaged(&obj);
                        return None;
                    }
                },
            }
        };
        let mut r = Response::new(body);
        *r.status_mut() = status;
        *r.headers_mut() = h;
        Some(self.finish(r, outcome))
    }

    /// The bytes `start..=end` a stored partial response can answer this request with: a GET
    /// with one satisfiable range inside what is stored (RFC 9111 §3.3).
    fn partial_answer(&self, obj: &Object) -> Option<(u64, u64)> {
        let partial = obj.partial?;
        if self.method != Method::GET || self.headers.contains_key(header::IF_RANGE) {
            return None;
        }
        let rg = self.headers.get(header::RANGE)?.to_str().ok()?;
        match range::answer(rg, partial.total) {
            RangeAnswer::Partial { start, end } if start >= partial.start && end < partial.start + obj.body.len() => {
                Some((start, end))
            }
            _ => None,
        }
    }

    /// Answers from a stored partial response (the caller checked [`Exchange::partial_answer`]).
    async fn serve_partial(
        &self,
        obj: &Object,
        partial: object::Partial,
        mut h: HeaderMap,
        outcome: Outcome,
    ) -> Option<Response<Counted>> {
        let (start, end) = self.partial_answer(obj)?;
        let Body::Memory(bytes) = &obj.body else { return None };
        let from = (start - partial.start) as usize;
        let to = (end - partial.start) as usize;
        let body = ProxyBody::full(bytes.slice(from..=to));
        if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{}", partial.total)) {
            h.insert(header::CONTENT_RANGE, v);
        }
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start + 1));
        let mut r = Response::new(body);
        *r.status_mut() = StatusCode::PARTIAL_CONTENT;
        *r.headers_mut() = h;
        Some(self.finish(r, outcome))
    }

    fn rule_verdict(site: &Site, path: &str, content_type: Option<&str>) -> RuleVerdict {
        let d = site.config.rules.decide(path, content_type);
        if matches!(d.source, amoe_rules::Source::None) {
            return RuleVerdict::default();
        }
        RuleVerdict {
            cache: Some(d.cache),
            ttl: d.ttl,
            statuses: d.statuses,
            force: d.force,
            stale_if_error: d.stale_if_error,
        }
    }

    /// The request to send to an origin for a cacheable fetch.
    fn origin_request(&self, origin: &upstream::Origin, stale: Option<&Object>) -> Option<Request<OriginBody>> {
        let mut h = self.headers.clone();
        headers::strip_hop_by_hop(&mut h);
        for n in [
            // Sent without a body: no framing of the client's body may reach the origin.
            header::CONTENT_LENGTH,
            header::TRANSFER_ENCODING,
            header::RANGE,
            header::IF_RANGE,
            header::IF_NONE_MATCH,
            header::IF_MODIFIED_SINCE,
            header::IF_MATCH,
            header::IF_UNMODIFIED_SINCE,
        ] {
            h.remove(n);
        }
        if let Some(obj) = stale {
            if let Some(etag) = obj.etag() {
                h.insert(header::IF_NONE_MATCH, etag.clone());
            }
            if let Some(lm) = obj.last_modified() {
                h.insert(header::IF_MODIFIED_SINCE, lm.clone());
            }
        }
        headers::add_forwarding(&mut h, self.conn.peer.ip(), self.conn.tls, &self.host);
        let mut req = Request::new(upstream::empty());
        *req.method_mut() = Method::GET;
        *req.uri_mut() = origin.uri_for(&self.target).ok()?;
        *req.headers_mut() = h;
        Some(req)
    }

    /// Serves a stale copy when the origin failed, if allowed.
    async fn stale_on_error(&self, site: &Site, stale: Option<Arc<Object>>) -> Option<Response<Counted>> {
        let obj = stale?;
        let f = &obj.freshness;
        // The origin's (or the rule's) stale-if-error, or the site's continuity limit: the longer.
        let limit = f.stale_if_error.unwrap_or_default().max(site.config.stale_limit);
        if f.must_revalidate || f.staleness(SystemTime::now()) > limit {
            return None;
        }
        self.serve(obj, Outcome::Stale).await
    }

    async fn fetch(
        &self,
        site: &Arc<Site>,
        stale: Option<Arc<Object>>,
        partial: Option<Arc<Object>>,
        guard: FlightGuard,
    ) -> Response<Counted> {
        let request_time = SystemTime::now();
        let mark = self.proxy.cache.mark(&site.name);
        let sent = site.upstream.send(true, |o| self.origin_request(o, stale.as_deref())).await;
        let (answer, in_flight) = match sent {
            Ok(a) => a,
            Err(e) => {
                drop(guard);
                if let Some(r) = self.stale_on_error(site, stale).await {
                    return r;
                }
                let status = if e.is_timeout() { StatusCode::GATEWAY_TIMEOUT } else { StatusCode::BAD_GATEWAY };
                tracing::warn!(site = %site.name, error = %e, "origin failed");
                return self.finish(text(status, "the origin did not answer\n"), Outcome::Error);
            }
        };
        let response_time = SystemTime::now();
        let (parts, body) = answer.response.into_parts();
        let facts = RequestFacts { method: &Method::GET, headers: &self.headers, request_time };
        let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        let verdict = Self::rule_verdict(site, &self.target, content_type);
        // 304: the stored copy is still good; refresh its headers and freshness (RFC 9111 §4.3.4).
        if parts.status == StatusCode::NOT_MODIFIED
            && let Some(old) = &stale
        {
            drop(body);
            let merged = headers::detach(&headers::merge_304(&old.headers, &parts.headers));
            let refreshed = Object {
                site: old.site.clone(),
                key: old.key.clone(),
                status: old.status,
                tags: object::tags_of(&merged),
                vary: old.vary.clone(),
                freshness: Default::default(),
                body: old.body.clone(),
                disk: old.disk_copy(),
                referenced: old.referenced.clone(),
                partial: old.partial,
                headers: merged,
                ..Object::default()
            };
            let obj = match policy::evaluate(facts, old.status, &refreshed.headers, response_time, verdict) {
                Ok(freshness) => self.proxy.cache.insert(Object { freshness, ..refreshed }, Some(mark)),
                // No longer storable (the 304 says `no-store` now, say): this client gets the
                // refreshed response, the stored copy goes.
                Err(_) => {
                    self.proxy.cache.drop_object(old);
                    Arc::new(Object { freshness: old.freshness.clone(), ..refreshed })
                }
            };
            drop(guard);
            if let Some(r) = self.serve_with(obj, Outcome::Hit, Some(&parts.headers)).await {
                return r;
            }
            return self.finish(
                text(StatusCode::BAD_GATEWAY, "the origin's 304 could not refresh the stored copy\n"),
                Outcome::Error,
            );
        }
        if matches!(parts.status.as_u16(), 500 | 502 | 503 | 504) {
            let stale = stale.clone();
            if let Some(r) = self.stale_on_error(site, stale).await {
                drop(guard);
                return r;
            }
        }
        let range = if parts.status == StatusCode::PARTIAL_CONTENT {
            headers::content_range(&parts.headers).map(|(start, _end, total)| object::Partial { start, total })
        } else {
            None
        };
        let storable = match (parts.status, range) {
            (StatusCode::PARTIAL_CONTENT, None) => Err(policy::NotStored::Status),
            _ => policy::evaluate(facts, parts.status, &parts.headers, response_time, verdict),
        };
        let mut client_headers = parts.headers.clone();
        headers::strip_hop_by_hop(&mut client_headers);
        let mut stored_headers = client_headers.clone();
        headers::strip_purge_tags(&mut client_headers);
        // Never stored: one visitor's cookie must not be replayed to everyone (even with `force`).
        stored_headers.remove(header::SET_COOKIE);
        stored_headers.remove(header::AGE);
        let declared =
            parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
        let cache = &self.proxy.cache;
        let fits = |n: u64| n <= cache.memory_max_object || (cache.disk.is_some() && range.is_none());
        let plan = match storable {
            Ok(freshness) if declared.is_none_or(fits) => {
                stored_headers.remove(header::CONTENT_LENGTH);
                // The age this client is told, as later clients will be (RFC 9111 §5.1).
                client_headers.insert(header::AGE, HeaderValue::from(freshness.age(SystemTime::now()).as_secs()));
                Some(Object {
                    site: site.name.clone(),
                    key: self.key(),
                    status: parts.status,
                    vary: object::vary_of(&parts.headers, &self.headers),
                    tags: object::tags_of(&parts.headers),
                    headers: headers::detach(&stored_headers),
                    freshness,
                    partial: range,
                    ..Object::default()
                })
            }
            _ => None,
        };
        let outcome = if plan.is_some() || stale.is_some() { Outcome::Miss } else { Outcome::Pass };
        let want_body = self.method != Method::HEAD;
        let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
        let task = Filler {
            proxy: self.proxy.clone(),
            timeout: self.proxy.limits.load().origin_body_timeout,
            plan,
            guard: Some(guard),
            _in_flight: in_flight,
            mark: Some(mark),
            complete: partial,
        };
        tokio::spawn(task.run(body, want_body.then_some(tx)));
        let mut r = Response::new(if want_body { ProxyBody::Channel(rx) } else { ProxyBody::Empty });
        *r.status_mut() = parts.status;
        *r.headers_mut() = client_headers;
        if let Some(n) = declared {
            r.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(n));
        }
        self.finish(r, outcome)
    }

    fn revalidate_in_background(&self, site: &Arc<Site>, stale: Arc<Object>, guard: FlightGuard) {
        let ex = Exchange {
            proxy: self.proxy.clone(),
            conn: self.conn.clone(),
            site: Some(site.clone()),
            method: Method::HEAD,
            uri: self.uri.clone(),
            target: self.target.clone(),
            version: self.version,
            headers: self.headers.clone(),
            host: self.host.clone(),
            start: Instant::now(),
            time: SystemTime::now(),
            quiet: true,
        };
        let site = site.clone();
        tokio::spawn(async move {
            // HEAD: the filler still stores the full body; nothing is sent or logged to a client.
            let _ = ex.fetch(&site, Some(stale), None, guard).await;
        });
    }

    /// Passes the request through to the origin (deactivated site, methods other than GET
    /// and HEAD); a successful unsafe method invalidates what the cache holds for the URL.
    async fn pass(&self, site: &Arc<Site>, body: Incoming) -> Response<Counted> {
        let pq = self.target.clone();
        let mut h = self.headers.clone();
        headers::strip_hop_by_hop(&mut h);
        headers::add_forwarding(&mut h, self.conn.peer.ip(), self.conn.tls, &self.host);
        let has_body =
            self.headers.contains_key(header::CONTENT_LENGTH) || self.headers.contains_key(header::TRANSFER_ENCODING);
        let retry = policy::is_idempotent(&self.method) && !has_body;
        let limits = self.proxy.limits.load_full();
        let violation = Arc::new(std::sync::Mutex::new(None::<StatusCode>));
        let mut body = Some(guarded_body(body, self.body_limit(site), limits.body_timeout, violation.clone()));
        let method = self.method.clone();
        let sent = site
            .upstream
            .send(retry, |o| {
                let mut req = Request::new(body.take().unwrap_or_else(upstream::empty));
                *req.method_mut() = method.clone();
                *req.uri_mut() = o.uri_for(&pq).ok()?;
                *req.headers_mut() = h.clone();
                Some(req)
            })
            .await;
        let (answer, in_flight) = match sent {
            Ok(a) => a,
            Err(e) => {
                if let Some(status) = *violation.lock().unwrap_or_else(|e| e.into_inner()) {
                    let msg = if status == StatusCode::PAYLOAD_TOO_LARGE {
                        "request body too large\n"
                    } else {
                        "request body timed out\n"
                    };
                    return self.finish(text(status, msg), Outcome::Error);
                }
                let status = if e.is_timeout() { StatusCode::GATEWAY_TIMEOUT } else { StatusCode::BAD_GATEWAY };
                return self.finish(text(status, "the origin did not answer\n"), Outcome::Error);
            }
        };
        let (parts, body) = answer.response.into_parts();
        if policy::is_unsafe(&self.method) && (parts.status.is_success() || parts.status.is_redirection()) {
            self.invalidate(site, &parts.headers);
        }
        let mut client_headers = parts.headers;
        headers::strip_hop_by_hop(&mut client_headers);
        headers::strip_purge_tags(&mut client_headers);
        let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
        let task = Filler {
            proxy: self.proxy.clone(),
            timeout: limits.origin_body_timeout,
            plan: None,
            guard: None,
            _in_flight: in_flight,
            mark: None,
            complete: None,
        };
        let want_body = self.method != Method::HEAD;
        tokio::spawn(task.run(body, want_body.then_some(tx)));
        let mut r = Response::new(if want_body { ProxyBody::Channel(rx) } else { ProxyBody::Empty });
        *r.status_mut() = parts.status;
        *r.headers_mut() = client_headers;
        self.finish(r, Outcome::Pass)
    }

    /// RFC 9111 §4.4: the target URI, and `Location` / `Content-Location` on the same host;
    /// each on both schemes (one resource). Only fills of these keys are affected.
    fn invalidate(&self, site: &Site, resp: &HeaderMap) {
        let cache = &self.proxy.cache;
        let url = |pq: String| Scope::Url { path_and_query: pq, host: self.host.clone() };
        cache.purge(&site.name, url(self.target.clone()), PurgeMode::Hard);
        for name in [header::LOCATION, header::CONTENT_LOCATION] {
            let Some(v) = resp.get(name).and_then(|v| v.to_str().ok()) else { continue };
            let path = if v.starts_with('/') {
                Some(v.to_string())
            } else {
                v.parse::<Uri>()
                    .ok()
                    .filter(|u| u.host().is_some_and(|h| h.eq_ignore_ascii_case(&self.host)))
                    .map(|u| u.path_and_query().map_or("/".to_string(), |p| p.as_str().to_string()))
            };
            if let Some(p) = path {
                cache.purge(&site.name, url(key::normalize_path_and_query(&p).into_owned()), PurgeMode::Hard);
            }
        }
    }

    /// The largest request body the site takes: its own limit within the proxy's.
    fn body_limit(&self, site: &Site) -> u64 {
        let global = self.proxy.limits.load().max_body_bytes;
        site.config.max_body_bytes.map_or(global, |l| l.min(global))
    }

    /// Adds `X-Cache` (and HSTS on HTTPS when the site asks) and arranges the log line and
    /// statistics for when the body ends.
    fn finish(&self, mut r: Response<ProxyBody>, outcome: Outcome) -> Response<Counted> {
        r.headers_mut().insert("x-cache", HeaderValue::from_static(outcome.header()));
        if self.conn.tls
            && let Some(hsts) = self.site.as_ref().and_then(|s| s.config.hsts)
            && let Ok(v) = HeaderValue::from_str(&hsts.header_value())
        {
            r.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, v);
        }
        if self.quiet {
            return r.map(|b| Counted::new(b, None));
        }
        let status = r.status().as_u16();
        let stats = self.site.as_ref().map(|s| s.stats.clone());
        let log = self.proxy.log.clone();
        let proxy = self.proxy.clone();
        let record = log.as_ref().map(|_| accesslog::Record {
            site: self.site.as_ref().map_or_else(|| "_unknown".to_string(), |s| s.name.to_string()),
            time: self.time,
            client_ip: self.conn.peer.ip(),
            method: self.method.as_str().to_string(),
            target: self.uri.path_and_query().map_or_else(|| "/".to_string(), |p| p.as_str().to_string()),
            protocol: match self.version {
                Version::HTTP_2 => "HTTP/2.0",
                Version::HTTP_10 => "HTTP/1.0",
                _ => "HTTP/1.1",
            }
            .to_string(),
            status,
            bytes: 0,
            duration: Duration::ZERO,
            cache: match outcome {
                Outcome::Hit => accesslog::CacheStatus::Hit,
                Outcome::Miss => accesslog::CacheStatus::Miss,
                Outcome::Stale => accesslog::CacheStatus::Stale,
                Outcome::Pass => accesslog::CacheStatus::Pass,
                Outcome::Error => accesslog::CacheStatus::Error,
            },
            host: self.host.clone(),
            referer: self.headers.get(header::REFERER).and_then(|v| v.to_str().ok()).map(str::to_string),
            user_agent: self.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_string),
        });
        let start = self.start;
        let on_done = Box::new(move |bytes: u64, _complete: bool| {
            let took = start.elapsed();
            match &stats {
                Some(s) => s.record(outcome, status, bytes, took),
                None => proxy.unknown.record(outcome, status, bytes, took),
            }
            if let (Some(log), Some(mut rec)) = (log, record) {
                rec.bytes = bytes;
                rec.duration = took;
                log.log(rec);
            }
        });
        r.map(|b| Counted::new(b, Some(on_done)))
    }
}

/// Disk bodies up to this size are read whole and kept in memory on a hit.
const PROMOTE_MAX: u64 = 1 << 20;

/// Reads `len` bytes of a cache file at `offset`; the file must be exactly that long and the
/// body match its checksum (a file truncated, extended or overwritten since it was indexed is
/// an error, never a torn body).
fn read_body(path: &std::path::Path, offset: u64, len: u64, checksum: Option<u32>) -> std::io::Result<Bytes> {
    use std::os::unix::fs::FileExt;
    let file = std::fs::File::open(path)?;
    if file.metadata()?.len() != offset + len {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "cache file changed size"));
    }
    let mut buf = vec![0u8; len as usize];
    file.read_exact_at(&mut buf, offset)?;
    if checksum.is_some_and(|c| c != crc32fast::hash(&buf)) {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "checksum mismatch"));
    }
    Ok(Bytes::from(buf))
}

/// Opens a cache file at `at`, after checking it still has the length it was indexed with.
async fn open_at(path: &std::path::Path, offset: u64, len: u64, at: u64) -> std::io::Result<tokio::fs::File> {
    use tokio::io::AsyncSeekExt;
    let mut f = tokio::fs::File::open(path).await?;
    if f.metadata().await?.len() != offset + len {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "cache file changed size"));
    }
    f.seek(std::io::SeekFrom::Start(at)).await?;
    Ok(f)
}

/// A request body with a size limit and a time-out between pieces; a violation is recorded so
/// that the proxy answers 413 or 408 instead of 502.
fn guarded_body(
    body: Incoming,
    max: u64,
    pause: Duration,
    violation: Arc<std::sync::Mutex<Option<StatusCode>>>,
) -> OriginBody {
    let (tx, rx) = mpsc::channel::<Result<Bytes, BoxError>>(CHANNEL_CHUNKS);
    tokio::spawn(async move {
        let mut body = body;
        let mut seen = 0u64;
        loop {
            match tokio::time::timeout(pause, body.frame()).await {
                Err(_) => {
                    *violation.lock().unwrap_or_else(|e| e.into_inner()) = Some(StatusCode::REQUEST_TIMEOUT);
                    let _ = tx.send(Err("request body timed out".into())).await;
                    return;
                }
                Ok(None) => return,
                Ok(Some(Err(e))) => {
                    let _ = tx.send(Err(e.into())).await;
                    return;
                }
                Ok(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        seen += data.len() as u64;
                        if seen > max {
                            *violation.lock().unwrap_or_else(|e| e.into_inner()) = Some(StatusCode::PAYLOAD_TOO_LARGE);
                            let _ = tx.send(Err("request body too large".into())).await;
                            return;
                        }
                        if tx.send(Ok(data)).await.is_err() {
                            return;
                        }
                    }
                }
            }
        }
    });
    http_body_util::StreamBody::new(ChannelFrames(rx)).boxed_unsync()
}

/// Adapts a channel of chunks to a stream of frames.
struct ChannelFrames(mpsc::Receiver<Result<Bytes, BoxError>>);

impl futures_core::Stream for ChannelFrames {
    type Item = Result<http_body::Frame<Bytes>, BoxError>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx).map(|o| o.map(|r| r.map(http_body::Frame::data)))
    }
}

/// Reads an origin body: forwards it to the client (if any) and, when planned, stores it
/// (memory, or the disk tier for large bodies). Followers of the fetch wake when it ends.
struct Filler {
    proxy: Arc<Proxy>,
    timeout: Duration,
    plan: Option<Object>,
    guard: Option<FlightGuard>,
    _in_flight: upstream::InFlight,
    /// The site's purge sequence when the fetch started ([`crate::cache::Cache::mark`]).
    mark: Option<u64>,
    /// A stored partial response that a partial answer may complete (RFC 9111 §3.4).
    complete: Option<Arc<Object>>,
}

impl Filler {
    async fn run(mut self, mut body: Incoming, mut client: Option<mpsc::Sender<Result<Bytes, BoxError>>>) {
        let cache = self.proxy.cache.clone();
        // Bodies up to `memory_max_object` are gathered in memory (and written to the disk tier
        // behind, by its writer thread); larger ones stream to a disk file as they arrive.
        let mut memory: Option<BytesMut> = self.plan.as_ref().map(|_| BytesMut::new());
        let mut gathered = cache.gathering();
        let mut disk: Option<AsyncWriter> = None;
        let mut complete = false;
        loop {
            let frame = match tokio::time::timeout(self.timeout, body.frame()).await {
                Err(_) => {
                    if let Some(tx) = &client {
                        let _ = tx.send(Err("origin body timed out".into())).await;
                    }
                    break;
                }
                Ok(None) => {
                    complete = true;
                    break;
                }
                Ok(Some(Err(e))) => {
                    if let Some(tx) = &client {
                        let _ = tx.send(Err(e.into())).await;
                    }
                    break;
                }
                Ok(Some(Ok(frame))) => frame,
            };
            let Ok(data) = frame.into_data() else { continue };
            if let Some(m) = &mut memory {
                if (m.len() + data.len()) as u64 <= cache.memory_max_object && gathered.take(data.len() as u64) {
                    m.extend_from_slice(&data);
                } else {
                    // Too large for memory: on to a disk file (not for partial responses).
                    let so_far = memory.take().map(BytesMut::freeze).unwrap_or_default();
                    if let Some(plan) = self.plan.as_ref().filter(|p| p.partial.is_none()) {
                        disk = AsyncWriter::start(&cache, plan).await;
                        if let Some(w) = &mut disk
                            && (w.append(&so_far).await.is_err() || w.append(&data).await.is_err())
                        {
                            disk = None;
                        }
                    }
                }
            } else if let Some(w) = &mut disk
                && w.append(&data).await.is_err()
            {
                disk = None;
            }
            if memory.is_none() && disk.is_none() {
                self.plan = None;
            }
            // A client that stops reading is dropped after the body time-out; the cache still fills.
            if let Some(tx) = &client
                && !matches!(tokio::time::timeout(self.timeout, tx.send(Ok(data))).await, Ok(Ok(())))
            {
                client = None;
            }
            if client.is_none() && self.plan.is_none() {
                break;
            }
        }
        drop(client);
        match (complete, self.plan.take()) {
            (true, Some(mut obj)) => {
                if let Some(m) = memory {
                    obj.body = Body::Memory(m.freeze());
                    if let Some(stored) = &self.complete {
                        combine_partial(&mut obj, stored);
                    }
                    // A purge of this key since the fetch started stores it as stale (the purge
                    // may have been meant for what was arriving); checked under the index lock.
                    let partial = obj.partial.is_some();
                    let obj = cache.insert(obj, self.mark);
                    // Followers find it now; the disk copy follows.
                    drop(self.guard.take());
                    if !partial && let Body::Memory(bytes) = &obj.body {
                        cache.write_behind(obj.clone(), bytes.clone());
                    }
                } else if let Some(w) = disk
                    && let Ok(loc) = w.finish().await
                {
                    let loc = Arc::new(loc);
                    obj.body = Body::Disk(loc.clone());
                    let _ = obj.disk.set(loc.clone());
                    let evicted = cache.disk.as_ref().map(|d| d.account(&obj, &loc)).unwrap_or_default();
                    // Not counted when a newer copy of the variant is on disk: that one stays.
                    if cache.disk.as_ref().is_some_and(|d| d.has(loc.id)) {
                        cache.insert(obj, self.mark);
                    }
                    cache.evict(evicted);
                }
            }
            (_, _) => {
                if let Some(w) = disk {
                    w.abort().await;
                }
            }
        }
        drop(self.guard.take());
    }
}

/// RFC 9111 §3.4: a new partial response and a stored one of the same representation (same
/// strong validator, same length) that overlap or touch become one; when they cover the whole
/// representation, a complete 200 response.
fn combine_partial(new: &mut Object, stored: &Object) {
    let (Some(a), Some(b)) = (new.partial, stored.partial) else { return };
    let strong = |o: &Object| o.etag().filter(|e| !e.as_bytes().starts_with(b"W/")).cloned();
    if a.total != b.total || strong(new).is_none() || strong(new) != strong(stored) {
        return;
    }
    let (Body::Memory(na), Body::Memory(sb)) = (&new.body, &stored.body) else { return };
    let (a_end, b_end) = (a.start + na.len() as u64, b.start + sb.len() as u64);
    if a.start > b_end || b.start > a_end {
        return;
    }
    let start = a.start.min(b.start);
    let end = a_end.max(b_end);
    let mut out = BytesMut::with_capacity((end - start) as usize);
    // The stored part first, then the new one over it (the newer bytes win where they overlap).
    out.resize((end - start) as usize, 0);
    out[(b.start - start) as usize..(b_end - start) as usize].copy_from_slice(sb);
    out[(a.start - start) as usize..(a_end - start) as usize].copy_from_slice(na);
    new.body = Body::Memory(out.freeze());
    if start == 0 && end == a.total {
        new.partial = None;
        new.status = StatusCode::OK;
        new.headers.remove(header::CONTENT_RANGE);
    } else {
        new.partial = Some(object::Partial { start, total: a.total });
    }
}

/// Runs the disk writer's blocking calls off the async threads.
struct AsyncWriter(Option<crate::cache::disk::Writer>);

impl AsyncWriter {
    /// Creates the object's file on the blocking pool; `None` if it cannot be created.
    async fn start(cache: &Arc<crate::cache::Cache>, plan: &Object) -> Option<AsyncWriter> {
        cache.disk.as_ref()?;
        let meta = plan.with_body(Body::default());
        let cache = cache.clone();
        let w = tokio::task::spawn_blocking(move || cache.disk.as_ref().map(|d| d.writer(&meta))).await;
        match w {
            Ok(Some(Ok(w))) => Some(AsyncWriter(Some(w))),
            _ => None,
        }
    }

    async fn append(&mut self, data: &Bytes) -> std::io::Result<()> {
        let Some(mut w) = self.0.take() else { return Err(std::io::Error::other("writer gone")) };
        let data = data.clone();
        let (w, r) = tokio::task::spawn_blocking(move || {
            let r = w.append(&data);
            (w, r)
        })
        .await
        .map_err(std::io::Error::other)?;
        self.0 = Some(w);
        r
    }

    async fn finish(mut self) -> std::io::Result<object::DiskLoc> {
        let w = self.0.take().ok_or_else(|| std::io::Error::other("writer gone"))?;
        tokio::task::spawn_blocking(move || w.finish()).await.map_err(std::io::Error::other)?
    }

    async fn abort(mut self) {
        if let Some(w) = self.0.take() {
            let _ = tokio::task::spawn_blocking(move || w.abort()).await;
        }
    }
}
