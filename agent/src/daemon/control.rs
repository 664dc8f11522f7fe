//! The control API (`/v1`, see `amoe-proto` for the list of calls): routing, the role check in
//! one place ([`allowed`]), JSON errors with the HTTP status chosen in one place
//! ([`ApiError::status`]), and the journal of every call, accepted or refused, with the
//! caller's certificate identity.

use super::Agent;
use super::tls::{Identity, Role};
use amoe_pki::Action;
use amoe_proto::{ErrorBody, ErrorDetail, FlushRequest, FlushResult, SiteSpec, SiteStats};
use amoe_proxy::Purge;
use amoe_proxy::cache::PurgeMode;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Either, Full, Limited};
use hyper::body::Incoming;
use std::net::SocketAddr;
use std::sync::Arc;

/// Largest request body the control API reads.
const MAX_BODY: usize = 4 * 1024 * 1024;

/// An API error: what the client gets as [`ErrorBody`].
#[derive(Debug)]
pub struct ApiError {
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

impl ApiError {
    pub fn new(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { code, message: message.into(), hint: None }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> ApiError {
        self.hint = Some(hint.into());
        self
    }

    /// The HTTP status of each error code.
    fn status(&self) -> StatusCode {
        match self.code {
            "forbidden" => StatusCode::FORBIDDEN,
            // Temporary: the CLI keeps the call owed until a new list lands.
            "crl_expired" => StatusCode::SERVICE_UNAVAILABLE,
            "not_found" => StatusCode::NOT_FOUND,
            "conflict" => StatusCode::CONFLICT,
            "method_not_allowed" => StatusCode::METHOD_NOT_ALLOWED,
            "bad_request" | "invalid_rules" | "invalid_site" | "bad_certificate" => StatusCode::BAD_REQUEST,
            "too_large" => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// The calls, parsed from method and path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Call {
    Status,
    ListSites,
    GetSite(String),
    PutSite(String),
    DeleteSite(String),
    Activate(String, bool),
    Flush(String),
    Stats(String),
    PutCert(String),
    GetCert(String),
    PutChallenge(String, String),
    DeleteChallenge(String, String),
    PutCrl,
    ListReleases(String),
    PutRelease(String, String),
    GetBundle(String, String),
    Switch(String),
}

fn route(method: &Method, path: &str) -> Result<Call, ApiError> {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let not_found = || {
        ApiError::new("not_found", format!("no such call: {method} {path}"))
            .hint("the API lives under /v1; see amoe-proto")
    };
    if parts.first() != Some(&amoe_proto::VERSION) {
        return Err(not_found());
    }
    // Site names follow the inventory's rules (`amoe-core`): they become file names and
    // Prometheus labels, and a name the CLI cannot make must not exist on a host.
    if let ["sites", s, ..] = &parts[1..]
        && let Err(e) = s.parse::<amoe_core::names::Name>()
    {
        return Err(ApiError::new("invalid_site", e.to_string()));
    }
    let call = match (method, &parts[1..]) {
        (&Method::GET, ["status"]) => Call::Status,
        (&Method::GET, ["sites"]) => Call::ListSites,
        (&Method::GET, ["sites", s]) => Call::GetSite(s.to_string()),
        (&Method::PUT, ["sites", s]) => Call::PutSite(s.to_string()),
        (&Method::DELETE, ["sites", s]) => Call::DeleteSite(s.to_string()),
        (&Method::POST, ["sites", s, "activate"]) => Call::Activate(s.to_string(), true),
        (&Method::POST, ["sites", s, "deactivate"]) => Call::Activate(s.to_string(), false),
        (&Method::POST, ["sites", s, "flush"]) => Call::Flush(s.to_string()),
        (&Method::GET, ["sites", s, "stats"]) => Call::Stats(s.to_string()),
        (&Method::PUT, ["sites", s, "cert"]) => Call::PutCert(s.to_string()),
        (&Method::GET, ["sites", s, "cert"]) => Call::GetCert(s.to_string()),
        (&Method::PUT, ["sites", s, "acme", t]) => Call::PutChallenge(s.to_string(), t.to_string()),
        (&Method::DELETE, ["sites", s, "acme", t]) => Call::DeleteChallenge(s.to_string(), t.to_string()),
        (&Method::PUT, ["crl"]) => Call::PutCrl,
        (&Method::GET, ["sites", s, "releases"]) => Call::ListReleases(s.to_string()),
        (&Method::PUT, ["sites", s, "releases", id]) => Call::PutRelease(s.to_string(), id.to_string()),
        (&Method::GET, ["sites", s, "releases", id, "bundle"]) => Call::GetBundle(s.to_string(), id.to_string()),
        (&Method::PUT, ["sites", s, "current"]) => Call::Switch(s.to_string()),
        _ => return Err(not_found()),
    };
    Ok(call)
}

/// What each call is, for the role check.
fn action(call: &Call) -> Action {
    match call {
        Call::Status | Call::ListSites | Call::GetSite(_) | Call::Stats(_) | Call::GetCert(_) => Action::Read,
        Call::Flush(_) => Action::Flush,
        Call::ListReleases(_) | Call::PutRelease(..) | Call::GetBundle(..) | Call::Switch(_) => Action::Deploy,
        Call::PutSite(_)
        | Call::DeleteSite(_)
        | Call::Activate(..)
        | Call::PutCert(_)
        | Call::PutChallenge(..)
        | Call::DeleteChallenge(..)
        | Call::PutCrl => Action::Change,
    }
}

/// The one place where roles are enforced (the rules are [`Role::allows`]): a certificate
/// without a known role may do nothing.
fn allowed(role: Option<Role>, call: &Call) -> bool {
    role.is_some_and(|r| r.allows(action(call)))
}

/// Headers of an operation the CLI delivers from its outbox: who queued it, that client's
/// certificate (DER, hexadecimal) and its key's signature of the call (see
/// `amoe_pki::item_sig`). The role is taken from the certificate, checked against the control
/// CA and the revocation list, and the call must be allowed to it too: an operator's run never
/// lends its rights to what a `ci` certificate queued, and a row forged in the store claims
/// nothing.
pub const QUEUED_BY: &str = "amoe-queued-by";
pub const QUEUED_CERT: &str = "amoe-queued-cert";
pub const QUEUED_SIG: &str = "amoe-queued-sig";

/// Who queued the call, when the deliverer says so: `Ok(None)` for a direct call, the checked
/// `(name, role)` of a signed one, an error for a claim that does not hold.
fn queued_by(
    agent: &Agent,
    headers: &http::HeaderMap,
    method: &Method,
    path: &str,
    body: &[u8],
) -> Result<Option<(String, Role)>, ApiError> {
    let header = |n: &str| headers.get(n).map(|v| v.to_str().unwrap_or(""));
    let (cert, sig) = match (header(QUEUED_CERT), header(QUEUED_SIG), header(QUEUED_BY)) {
        (None, None, None) => return Ok(None),
        (Some(c), Some(s), _) => (c, s),
        _ => return Err(ApiError::new("forbidden", "a queued call without its certificate and signature")),
    };
    let bad = |e: String| {
        ApiError::new("forbidden", format!("who queued this call cannot be checked: {e}"))
            .hint("drop it with `amoe outbox drop ID`; queue it again with a valid certificate")
    };
    let (cert, sig) =
        amoe_pki::from_hex(cert).zip(amoe_pki::from_hex(sig)).ok_or_else(|| bad("not hexadecimal".into()))?;
    let ca = agent.control_ca_der().map_err(|e| ApiError::new("internal", e))?;
    let msg = amoe_pki::item_sig::message(&agent.host_name(), method.as_str(), path, body);
    let revoked = agent.revoked_serials();
    let id = amoe_pki::item_sig::verify(&ca, &cert, &msg, &sig, &|s| revoked.contains(s), jiff::Timestamp::now())
        .map_err(|e| bad(e.to_string()))?;
    Ok(Some((id.name, id.role)))
}

fn json<T: serde::Serialize>(status: StatusCode, value: &T) -> Response<Full<Bytes>> {
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    r
}

fn error_response(e: &ApiError) -> Response<Full<Bytes>> {
    json(
        e.status(),
        &ErrorBody {
            error: ErrorDetail { code: e.code.to_string(), message: e.message.clone(), hint: e.hint.clone() },
        },
    )
}

fn read_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::new("bad_request", format!("invalid JSON: {e}")))
}

/// Answers one call and journals it.
pub async fn handle(
    agent: Arc<Agent>,
    who: Arc<Identity>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<Response<ApiBody>, std::convert::Infallible> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let mut queued = None;
    let result = match route(&parts.method, &path) {
        Err(e) => Err(e),
        Ok(call) if !allowed(who.role, &call) => Err(ApiError::new(
            "forbidden",
            format!("`{}` (role {}) may not {} {path}", who.name, who.role.map_or("none", Role::as_str), parts.method),
        )
        .hint("use an operator certificate for this call")),
        // A release is streamed to disk, never read whole; it is sent directly, never queued.
        Ok(Call::PutRelease(site, id)) => {
            receive_release(&agent, &parts.headers, &site, &id, body).await.map(|r| r.map(Either::Left))
        }
        // And sent back streamed (`amoe deploy promote`).
        Ok(Call::GetBundle(site, id)) => send_bundle(&agent, &site, &id).await,
        Ok(call) => match Limited::new(body, MAX_BODY).collect().await {
            Err(_) => Err(ApiError::new("too_large", "the request body is too large or broken")),
            Ok(collected) => {
                let bytes = collected.to_bytes();
                match queued_by(&agent, &parts.headers, &parts.method, &path, &bytes) {
                    Err(e) => Err(e),
                    Ok(q) => {
                        queued = q;
                        checked(&agent, call, &parts.method, &path, queued.as_ref(), bytes)
                            .await
                            .map(|r| r.map(Either::Left))
                    }
                }
            }
        },
    };
    let (response, outcome) = match result {
        Ok(r) => (r, "accepted".to_string()),
        Err(e) => (error_response(&e).map(Either::Left), format!("refused: {}", e.message)),
    };
    agent.count_call(response.status().is_success());
    agent.state.journal(&serde_json::json!({
        "at": jiff::Timestamp::now().to_string(),
        "peer": peer.to_string(),
        "client": who.name,
        "role": who.role.map(Role::as_str),
        "queued_by": queued.as_ref().map(|(n, _)| n.as_str()),
        "queued_role": queued.as_ref().map(|(_, r)| r.as_str()),
        "method": parts.method.as_str(),
        "path": path,
        "status": response.status().as_u16(),
        "outcome": outcome,
    }));
    Ok(response)
}

/// What the control API answers: JSON in memory, or a release's bundle streamed from its file.
pub type ApiBody = Either<Full<Bytes>, super::releases::FileBody>;

/// `GET /v1/sites/{site}/releases/{id}/bundle`: the bundle as received, streamed (kept, or
/// made again from a folder's release).
async fn send_bundle(agent: &Arc<Agent>, site: &str, id: &str) -> Result<Response<ApiBody>, ApiError> {
    if agent.crl_expired_and_enforced() {
        return Err(ApiError::new("crl_expired", "the installed revocation list is past its next update"));
    }
    let (body, len, sha) = agent.releases.bundle(site, id).await?;
    let mut answer = Response::builder().status(StatusCode::OK).header(http::header::CONTENT_TYPE, "application/x-tar");
    if let Some(len) = len {
        answer = answer.header(http::header::CONTENT_LENGTH, len);
    }
    answer
        .header(amoe_proto::RELEASE_SHA256, sha)
        .body(Either::Right(body))
        .map_err(|e| ApiError::new("internal", e.to_string()))
}

/// `PUT /v1/sites/{site}/releases/{id}`: the bundle streamed to disk and unpacked.
async fn receive_release(
    agent: &Arc<Agent>,
    headers: &http::HeaderMap,
    site: &str,
    id: &str,
    body: Incoming,
) -> Result<Response<Full<Bytes>>, ApiError> {
    if [QUEUED_BY, QUEUED_CERT, QUEUED_SIG].iter().any(|h| headers.contains_key(*h)) {
        return Err(ApiError::new("forbidden", "releases are sent directly, never from the outbox"));
    }
    if agent.crl_expired_and_enforced() {
        return Err(ApiError::new("crl_expired", "the installed revocation list is past its next update")
            .hint("issue and deliver a new list: `amoe ca crl`"));
    }
    if !agent.sites().contains_key(site) {
        return Err(
            ApiError::new("not_found", format!("no site `{site}` on this host")).hint("push it with `amoe site push`")
        );
    }
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let sha = header(amoe_proto::RELEASE_SHA256);
    let meta: amoe_proto::ReleaseMeta = serde_json::from_str(&header(amoe_proto::RELEASE_META)).unwrap_or_default();
    let keep_bundle = header(amoe_proto::RELEASE_KEEP_BUNDLE) == "1";
    let max = agent.deploy_config().max_bytes();
    let info = agent.releases.receive(site, id, &sha, meta, keep_bundle, body, max).await?;
    Ok(json(StatusCode::OK, &info))
}

/// The checks that need the body (who queued the call) or the agent's state, then the answer.
async fn checked(
    agent: &Arc<Agent>,
    call: Call,
    method: &Method,
    path: &str,
    queued: Option<&(String, Role)>,
    body: Bytes,
) -> Result<Response<Full<Bytes>>, ApiError> {
    if let Some((name, role)) = queued
        && !allowed(Some(*role), &call)
    {
        return Err(ApiError::new(
            "forbidden",
            format!("`{name}` (role {role}) queued {method} {path}, which it may not do"),
        )
        .hint("drop it with `amoe outbox drop ID`; an operator certificate must queue this call"));
    }
    if call != Call::PutCrl && agent.crl_expired_and_enforced() {
        return Err(ApiError::new(
            "crl_expired",
            "the installed revocation list is past its next update, and this agent refuses calls until a new one",
        )
        .hint("issue and deliver a new list: `amoe ca crl` (only `PUT /v1/crl` is accepted meanwhile)"));
    }
    answer(agent, call, body).await
}

async fn answer(agent: &Arc<Agent>, call: Call, body: Bytes) -> Result<Response<Full<Bytes>>, ApiError> {
    let unknown = |s: &str| {
        ApiError::new("not_found", format!("no site `{s}` on this host")).hint("push it with `amoe site push`")
    };
    match call {
        Call::Status => Ok(json(StatusCode::OK, &agent.status())),
        Call::ListSites => Ok(json(StatusCode::OK, &agent.sites().values().cloned().collect::<Vec<_>>())),
        Call::GetSite(s) => agent.sites().get(&s).map(|spec| json(StatusCode::OK, spec)).ok_or_else(|| unknown(&s)),
        Call::PutSite(s) => {
            let spec: SiteSpec = read_json(&body)?;
            if spec.name != s {
                return Err(ApiError::new(
                    "bad_request",
                    format!("the body names site `{}`, the path `{s}`", spec.name),
                ));
            }
            agent.put_site(spec.clone())?;
            Ok(json(StatusCode::OK, &spec))
        }
        Call::DeleteSite(s) => {
            agent.delete_site(&s)?;
            Ok(Response::builder().status(StatusCode::NO_CONTENT).body(Full::new(Bytes::new())).unwrap_or_default())
        }
        Call::Activate(s, active) => {
            let spec = agent.set_active(&s, active)?.ok_or_else(|| unknown(&s))?;
            Ok(json(StatusCode::OK, &spec))
        }
        Call::Flush(s) => {
            let req: FlushRequest = read_json(&body)?;
            if !agent.sites().contains_key(&s) {
                return Err(unknown(&s));
            }
            Ok(json(StatusCode::OK, &agent.flush(&s, &req)?))
        }
        Call::Stats(s) => {
            let snap = agent.proxy.stats(&s).ok_or_else(|| unknown(&s))?;
            Ok(json(
                StatusCode::OK,
                &SiteStats {
                    requests: snap.requests,
                    bytes: snap.bytes,
                    hit: snap.hit,
                    miss: snap.miss,
                    stale: snap.stale,
                    pass: snap.pass,
                    error: snap.error,
                    status: snap.status.to_vec(),
                    under_2s: snap.under_2s,
                },
            ))
        }
        Call::PutCert(s) => {
            let cert: amoe_proto::SiteCert = read_json(&body)?;
            Ok(json(StatusCode::OK, &agent.put_cert(&s, &cert)?))
        }
        Call::GetCert(s) => Ok(json(StatusCode::OK, &agent.cert(&s)?)),
        Call::PutChallenge(s, token) => {
            let c: amoe_proto::AcmeChallenge = read_json(&body)?;
            if !agent.sites().contains_key(&s) {
                return Err(unknown(&s));
            }
            agent
                .proxy
                .challenges
                .set(&s, &token, &c.key_authorization)
                .map_err(|e| ApiError::new("bad_request", e.to_string()))?;
            Ok(Response::builder().status(StatusCode::NO_CONTENT).body(Full::new(Bytes::new())).unwrap_or_default())
        }
        Call::DeleteChallenge(s, token) => {
            agent.proxy.challenges.remove(&s, &token);
            Ok(Response::builder().status(StatusCode::NO_CONTENT).body(Full::new(Bytes::new())).unwrap_or_default())
        }
        Call::ListReleases(s) => Ok(json(StatusCode::OK, &agent.releases.list(&s))),
        // Streamed in `handle`: never here.
        Call::PutRelease(..) | Call::GetBundle(..) => {
            Err(ApiError::new("internal", "a streamed call reached the wrong handler"))
        }
        Call::Switch(s) => {
            let req: amoe_proto::SwitchRequest = read_json(&body)?;
            if !agent.sites().contains_key(&s) {
                return Err(unknown(&s));
            }
            let mut result =
                agent.releases.switch(&s, &req.release, req.keep.unwrap_or(super::releases::DEFAULT_KEEP))?;
            let hooks = agent.deploy_config().hooks.get(&s).cloned().unwrap_or_default();
            for h in hooks {
                let run = super::releases::run_hook(&h, &s, &req.release).await;
                agent.state.journal(&serde_json::json!({
                    "at": jiff::Timestamp::now().to_string(),
                    "hook": run.command,
                    "site": s,
                    "release": req.release,
                    "code": run.code,
                    "output": run.output,
                }));
                result.hooks.push(run);
            }
            Ok(json(StatusCode::OK, &result))
        }
        Call::PutCrl => {
            let bytes = body;
            agent.set_crl(&bytes)?;
            Ok(Response::builder().status(StatusCode::NO_CONTENT).body(Full::new(Bytes::new())).unwrap_or_default())
        }
    }
}

/// Applies a flush once per idempotency key.
pub fn apply_flush(agent: &Agent, site: &str, req: &FlushRequest) -> Result<FlushResult, ApiError> {
    let mode = if req.soft { PurgeMode::Soft } else { PurgeMode::Hard };
    let mut purges: Vec<Purge> = Vec::new();
    purges.extend(req.urls.iter().cloned().map(Purge::Url));
    purges.extend(req.prefixes.iter().cloned().map(Purge::Prefix));
    purges.extend(req.tags.iter().cloned().map(Purge::Tag));
    if req.all {
        purges.push(Purge::All);
    }
    if purges.is_empty() {
        return Err(ApiError::new("bad_request", "a flush names URLs, prefixes, tags or all"));
    }
    let objects = agent.proxy.purge(site, &purges, mode).map_err(|e| match e {
        amoe_proxy::ProxyError::UnknownSite(_) => ApiError::new("not_found", e.to_string()),
        _ => ApiError::new("bad_request", e.to_string()),
    })? as u64;
    Ok(FlushResult { objects, replayed: false })
}

impl From<ApiError> for std::io::Error {
    fn from(e: ApiError) -> Self {
        std::io::Error::other(e.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_enforced_in_one_place() {
        let flush = Call::Flush("s".into());
        let put = Call::PutSite("s".into());
        assert!(allowed(Some(Role::Ci), &flush));
        assert!(!allowed(Some(Role::Ci), &put));
        assert!(!allowed(Some(Role::Ci), &Call::Status));
        assert!(allowed(Some(Role::Operator), &put));
        assert!(!allowed(None, &flush));
    }

    #[test]
    fn routes() {
        assert_eq!(route(&Method::POST, "/v1/sites/www/flush").ok(), Some(Call::Flush("www".into())));
        assert_eq!(route(&Method::GET, "/v1/status/").ok(), Some(Call::Status));
        assert!(route(&Method::GET, "/v2/status").is_err());
        assert!(route(&Method::PATCH, "/v1/sites/www").is_err());
        for ghost in [".", "..", "%2e", "Www", "-x", &"a".repeat(300)] {
            let e = route(&Method::PUT, &format!("/v1/sites/{ghost}")).expect_err(ghost);
            assert_eq!(e.status(), StatusCode::BAD_REQUEST, "{ghost}");
        }
    }
}
