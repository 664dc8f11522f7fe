//! The control API between `amoe` and `amoe-agent`: versioned JSON under `/v1`, over HTTPS
//! with mutual TLS. These types are the contract; their JSON Schemas are generated into
//! `schemas/`. Wire formats tolerate unknown fields (an older agent talks to a newer CLI), so
//! no type here denies them.
//!
//! | method and path | body → answer | role |
//! | --- | --- | --- |
//! | `GET /v1/status` | → [`Status`] | operator |
//! | `GET /v1/sites` | → `[SiteSpec]` | operator |
//! | `GET /v1/sites/{name}` | → [`SiteSpec`] | operator |
//! | `PUT /v1/sites/{name}` | [`SiteSpec`] → [`SiteSpec`] | operator |
//! | `DELETE /v1/sites/{name}` | → 204 | operator |
//! | `POST /v1/sites/{name}/activate`, `/deactivate` | → [`SiteSpec`] | operator |
//! | `POST /v1/sites/{name}/flush` | [`FlushRequest`] → [`FlushResult`] | operator, ci |
//! | `GET /v1/sites/{name}/stats` | → [`SiteStats`] | operator |
//! | `PUT /v1/sites/{name}/cert` | [`SiteCert`] → [`CertStatus`] | operator |
//! | `GET /v1/sites/{name}/cert` | → [`CertStatus`] | operator |
//! | `PUT /v1/crl` | PEM text → 204 | operator |
//! | `GET /v1/sites/{name}/releases` | → `[ReleaseInfo]` | operator, ci |
//! | `PUT /v1/sites/{name}/releases/{id}` | a tar bundle, streamed → [`ReleaseInfo`] | operator, ci |
//! | `PUT /v1/sites/{name}/current` | [`SwitchRequest`] → [`SwitchResult`] | operator, ci |
//!
//! Errors are [`ErrorBody`] with the HTTP status chosen by the agent in one place.

#![forbid(unsafe_code)]

pub mod pack;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The API version in every path.
pub const VERSION: &str = "v1";

/// A site as the agent runs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SiteSpec {
    pub name: String,
    pub domains: Vec<String>,
    pub origins: Vec<String>,
    /// A deactivated site is passed through to its origin without caching.
    #[serde(default = "yes")]
    pub active: bool,
    /// Served from its current release (`amoe deploy`), not from origins (which it may lack).
    #[serde(default)]
    pub static_site: bool,
    /// A static site's 404 page, a path in the release (`/404.html`).
    #[serde(default)]
    pub not_found_page: Option<String>,
    /// The site's rules file (TOML, see `site-rules.schema.json`), if any.
    #[serde(default)]
    pub rules: Option<String>,
    /// `round-robin` (default) or `least-connections`.
    #[serde(default)]
    pub balance: Option<String>,
    /// How long stale content is served when every origin fails (default 86400).
    #[serde(default)]
    pub stale_limit_secs: Option<u64>,
    /// Plain-HTTP requests are redirected to HTTPS.
    #[serde(default)]
    pub https_redirect: bool,
    /// HSTS max-age on HTTPS responses (seconds); none when absent.
    #[serde(default)]
    pub hsts_max_age_secs: Option<u64>,
    #[serde(default)]
    pub hsts_include_subdomains: bool,
    /// Active health checks of the origins on this path; none when absent.
    #[serde(default)]
    pub health_path: Option<String>,
    #[serde(default)]
    pub health_interval_secs: Option<u64>,
    /// Consecutive failures before an origin is taken out.
    #[serde(default)]
    pub health_failures: Option<u32>,
    /// Largest request body (bytes).
    #[serde(default)]
    pub max_body_bytes: Option<u64>,
    /// Accept any certificate from the site's HTTPS origins (logged as a warning on the host).
    #[serde(default)]
    pub origin_insecure: bool,
    /// Extra CA certificates (PEM) trusted for the site's HTTPS origins.
    #[serde(default)]
    pub origin_ca_pem: Option<String>,
    /// Name sent by SNI to the origins and verified, instead of the origin URL's host.
    #[serde(default)]
    pub origin_sni: Option<String>,
}

/// A site's HTTPS certificate and key, as pushed (`PUT /v1/sites/{name}/cert`). The key is in
/// this body only on the wire: the CLI keeps it in a 0600 file, never in its store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SiteCert {
    /// PEM chain, the site's certificate first.
    pub cert_pem: String,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key_pem: String,
}

/// An ACME HTTP-01 challenge for a site (`PUT /v1/sites/{name}/acme/{token}`): the proxy
/// answers `/.well-known/acme-challenge/{token}` on the site's domains with this key
/// authorization until `DELETE` (or an hour).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AcmeChallenge {
    /// `TOKEN.THUMBPRINT` (RFC 8555 §8.1).
    pub key_authorization: String,
}

/// The certificate a host serves for a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CertStatus {
    pub site: String,
    /// DNS names of the certificate.
    pub names: Vec<String>,
    pub issuer: String,
    /// UTC, RFC 3339.
    pub not_before: String,
    pub not_after: String,
    /// SHA-256 of the certificate, hexadecimal.
    pub fingerprint: String,
}

fn yes() -> bool {
    true
}

/// `GET /v1/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Status {
    pub version: String,
    pub uptime_secs: u64,
    pub sites: Vec<String>,
    pub cache_objects: u64,
    pub cache_memory_bytes: u64,
    pub cache_disk_bytes: u64,
    /// When the agent's server certificate expires (RFC 3339 UTC).
    pub certificate_not_after: Option<String>,
    /// The number of the installed revocation list, if one is installed.
    #[serde(default)]
    pub crl_number: Option<u64>,
    /// When the installed revocation list must be replaced (RFC 3339 UTC).
    #[serde(default)]
    pub crl_next_update: Option<String>,
}

/// `POST /v1/sites/{name}/flush`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FlushRequest {
    /// URLs (`https://host/path?q`) or paths (`/path?q`, every domain of the site).
    #[serde(default)]
    pub urls: Vec<String>,
    /// Directory prefixes (`/static/`).
    #[serde(default)]
    pub prefixes: Vec<String>,
    /// Tags (`Surrogate-Key` / `Cache-Tag`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// The whole site.
    #[serde(default)]
    pub all: bool,
    /// Mark stale instead of deleting.
    #[serde(default)]
    pub soft: bool,
    /// A retry with the same key is answered from the first result, not applied again.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

/// The answer to a flush.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FlushResult {
    /// Objects deleted or marked stale.
    pub objects: u64,
    /// True when this key had already been applied: `objects` is the first result.
    pub replayed: bool,
}

/// `GET /v1/sites/{name}/stats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SiteStats {
    pub requests: u64,
    pub bytes: u64,
    pub hit: u64,
    pub miss: u64,
    pub stale: u64,
    pub pass: u64,
    pub error: u64,
    /// Responses by status class, 1xx to 5xx.
    pub status: Vec<u64>,
    /// Share of requests answered in under 2 s.
    pub under_2s: f64,
}

/// Every error of the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorDetail {
    /// A stable word: `forbidden`, `not_found`, `bad_request`, `invalid_rules`, …
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub hint: Option<String>,
}

/// Header, or trailer, of `PUT …/releases/{id}`: the bundle's SHA-256 (hexadecimal). The agent
/// hashes what it unpacks and renames the release into place only if they match. A bundle
/// packed while it is sent has its hash only at the end: it comes as a trailer.
pub const RELEASE_SHA256: &str = "amoe-release-sha256";
/// Header of `PUT …/releases/{id}`: who deploys and why, kept with the release (JSON of
/// [`ReleaseMeta`]).
pub const RELEASE_META: &str = "amoe-release-meta";
/// Header of `PUT …/releases/{id}`: `1` if this host keeps the bundle itself (as `ID.bundle`,
/// for `amoe deploy promote`); the CLI asks one host of the site, for an archive it was given.
/// A folder's bundle is not kept: it is made again from the release ([`pack`]).
pub const RELEASE_KEEP_BUNDLE: &str = "amoe-release-keep-bundle";

/// What the CLI says of a release when it sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReleaseMeta {
    /// Who deployed (the operator or pipeline).
    #[serde(default)]
    pub by: String,
    /// The deploy message.
    #[serde(default)]
    pub message: Option<String>,
    /// The bundle is the canonical pack of a folder ([`pack`]): a host can make it again from
    /// the release.
    #[serde(default)]
    pub packed: bool,
}

/// A release on a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReleaseInfo {
    /// Its id (`YYYYMMDDTHHMMSSZ-` and the start of its SHA-256).
    pub id: String,
    /// SHA-256 of the bundle as received.
    pub sha256: String,
    /// Bytes of the bundle.
    pub size: u64,
    /// Files unpacked.
    pub files: u64,
    /// When the host received it (UTC).
    pub received_at: String,
    /// When it was last made current, if ever (a release never made current is staged).
    #[serde(default)]
    pub switched_at: Option<String>,
    /// It is the one served.
    #[serde(default)]
    pub current: bool,
    /// This host can send the bundle as it was received (for `amoe deploy promote`): it kept
    /// it, or the release is a canonical pack of a folder, made again on demand.
    #[serde(default)]
    pub bundle: bool,
    #[serde(default)]
    pub meta: ReleaseMeta,
}

/// `PUT /v1/sites/{name}/current`: make a release current (idempotent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SwitchRequest {
    pub release: String,
    /// Releases to keep after the switch, the current and staged ones never removed
    /// (default 5).
    #[serde(default)]
    pub keep: Option<usize>,
}

/// The answer to a switch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SwitchResult {
    /// The release current before (none for the first).
    pub previous: Option<String>,
    pub current: String,
    /// Old releases removed.
    #[serde(default)]
    pub removed: Vec<String>,
    /// The site's hooks run after the switch (from `agent.toml`), with their output.
    #[serde(default)]
    pub hooks: Vec<HookRun>,
}

/// One hook run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HookRun {
    pub command: Vec<String>,
    /// Exit code; none when it was killed at its time-out or could not start.
    pub code: Option<i32>,
    /// Standard output and error, at most 8 KiB.
    pub output: String,
}
