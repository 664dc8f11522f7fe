//! The proxy's settings, as typed values. The agent turns its TOML configuration (or the quick
//! mode's flags) into these; nothing here parses files.

use amoe_rules::Rules;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How requests are spread over a site's origins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Balance {
    #[default]
    RoundRobin,
    LeastConnections,
}

/// One site served by the proxy.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub name: String,
    /// Hostnames it answers for; `*` alone makes it the catch-all site (quick mode).
    pub domains: Vec<String>,
    /// Origin base URLs, e.g. `https://origin.example.fr/` (a path prefix is kept).
    pub origins: Vec<String>,
    pub balance: Balance,
    /// A deactivated site is passed through to its origin without caching.
    pub active: bool,
    pub rules: Arc<Rules>,
    /// Longest time stale content is served when every origin fails (default 24 h).
    pub stale_limit: Duration,
    /// PEM certificate chain and key for HTTPS, chosen by SNI.
    pub tls: Option<TlsFiles>,
    /// Active health checks of the origins.
    pub health: HealthCheck,
    /// Plain-HTTP requests are redirected to HTTPS (301 for GET and HEAD, 308 otherwise).
    pub https_redirect: bool,
    /// `Strict-Transport-Security` on HTTPS responses.
    pub hsts: Option<Hsts>,
    /// Largest request body for this site (413 beyond); the proxy-wide limit still applies.
    pub max_body_bytes: Option<u64>,
    /// How this site's HTTPS origins are verified.
    pub origin_tls: OriginTls,
    /// Served from a release folder, not from its origins (see [`crate::statics`]).
    pub static_root: Option<crate::statics::StaticRoot>,
}

/// TLS to a site's HTTPS origins. The default (verified against the system's roots and the
/// host-wide `origin_ca`, the name taken from the origin URL) shares the proxy's client; any
/// other setting gives the site its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginTls {
    /// Accept any certificate (an origin with a self-signed or expired one). Never silent: the
    /// agent logs a warning each time such a site is loaded.
    pub insecure: bool,
    /// Extra CA certificates (PEM text) trusted for this site's origins.
    pub ca_pem: Option<String>,
    /// The name sent by SNI and verified, instead of the origin URL's host (an origin reached
    /// by address whose certificate names its public name).
    pub sni: Option<String>,
}

/// HTTP Strict Transport Security (RFC 6797).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hsts {
    pub max_age: Duration,
    pub include_subdomains: bool,
}

impl Hsts {
    pub fn header_value(&self) -> String {
        let mut v = format!("max-age={}", self.max_age.as_secs());
        if self.include_subdomains {
            v.push_str("; includeSubDomains");
        }
        v
    }
}

impl SiteConfig {
    /// A site with RFC 9111 defaults and no rules.
    pub fn new(name: &str, domains: &[&str], origins: &[&str]) -> SiteConfig {
        SiteConfig {
            name: name.to_string(),
            domains: domains.iter().map(|d| d.to_string()).collect(),
            origins: origins.iter().map(|o| o.to_string()).collect(),
            balance: Balance::RoundRobin,
            active: true,
            rules: Arc::new(Rules::default()),
            stale_limit: Duration::from_secs(24 * 3600),
            tls: None,
            health: HealthCheck::default(),
            https_redirect: false,
            hsts: None,
            max_body_bytes: None,
            origin_tls: OriginTls::default(),
            static_root: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheck {
    /// Path requested on each origin; `None` disables active checks.
    pub path: Option<String>,
    pub interval: Duration,
    pub timeout: Duration,
    /// Consecutive failures (active or passive) before an origin is ejected.
    pub failures_to_eject: u32,
    /// How long a passively ejected origin rests before it is tried again.
    pub ejection: Duration,
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            path: None,
            interval: Duration::from_secs(5),
            timeout: Duration::from_secs(2),
            failures_to_eject: 3,
            ejection: Duration::from_secs(10),
        }
    }
}

/// Limits that protect the proxy and the origins (seed 003 §3.2.8).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Requests per second per client IP (token bucket rate) and the burst; `None`: unlimited.
    pub rate_per_ip: Option<(f64, f64)>,
    /// Open connections per client IP; `None`: unlimited.
    pub connections_per_ip: Option<usize>,
    /// Time to receive the whole request head (slowloris).
    pub header_timeout: Duration,
    /// Longest pause between two pieces of a request body.
    pub body_timeout: Duration,
    /// Largest request head in bytes (431 beyond).
    pub max_header_bytes: usize,
    /// Most header fields in a request (431 beyond).
    pub max_headers: usize,
    /// Largest request body in bytes (413 beyond).
    pub max_body_bytes: u64,
    /// Time for the origin to answer with its head.
    pub origin_timeout: Duration,
    pub connect_timeout: Duration,
    /// Longest pause between two pieces of an origin's body.
    pub origin_body_timeout: Duration,
    /// A client connection (HTTP/1.1 keep-alive or HTTP/2, clear or TLS) on which nothing was
    /// read or written for this long is closed. Longer than the origin time-outs, so that a
    /// client waiting for a slow origin is not cut.
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            rate_per_ip: None,
            connections_per_ip: None,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_header_bytes: 32 * 1024,
            max_headers: 100,
            max_body_bytes: 100 * 1024 * 1024,
            origin_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            origin_body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(75),
        }
    }
}

/// The cache's storage.
#[derive(Debug, Clone)]
pub struct StorageConfig {
    /// Bytes of bodies kept in memory.
    pub memory_bytes: u64,
    /// Largest object kept in memory; larger ones live on disk only (or are not cached
    /// without a disk tier).
    pub memory_max_object: u64,
    /// The disk tier: directory and byte budget. It survives restarts.
    pub disk: Option<(PathBuf, u64)>,
    /// Memory for the index of what the disk tier holds (keys, headers, file records): when
    /// full, the oldest disk objects go, as when the disk budget is full.
    pub index_bytes: u64,
    /// Response bodies being gathered in memory by fills, all fills together: beyond it a fill
    /// streams to the disk tier, or through without being stored.
    pub inflight_bytes: u64,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            memory_bytes: 256 * 1024 * 1024,
            memory_max_object: 8 * 1024 * 1024,
            disk: None,
            index_bytes: 256 * 1024 * 1024,
            inflight_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Everything the proxy runs with.
#[derive(Debug, Clone, Default)]
pub struct ProxyConfig {
    pub sites: Vec<SiteConfig>,
    pub limits: Limits,
    pub storage: StorageConfig,
    /// Where access logs go; `None`: no access logs.
    pub log_dir: Option<PathBuf>,
    /// Days access logs are kept (default 183: six months).
    pub log_retention_days: u32,
    /// Extra CA certificates (PEM) trusted for HTTPS origins, besides the system's.
    pub origin_ca: Option<PathBuf>,
}
