//! amoe's caching reverse proxy, embedded in `amoe-agent` (DESIGN §6).
//!
//! - [`Proxy`] holds the sites (swapped atomically on reload), the cache, the protections, the
//!   access log and the statistics; [`server::serve`] runs it on a listener (HTTP/1.1, and
//!   HTTP/2 by ALPN on TLS, one certificate per site chosen by SNI).
//! - [`handler`] is the request lifecycle: site by `Host`, protections, pass-through or the
//!   cache (RFC 9111 in [`cache::policy`]), coalesced origin fetches, stale serving.
//! - [`cache`] stores objects in memory and on disk; [`upstream`] talks to the origins.
//!
//! No SQLite, no clap and no configuration parsing here: the agent hands typed settings in.

#![forbid(unsafe_code)]

pub mod acme;
pub mod body;
pub mod cache;
pub mod config;
pub mod handler;
mod headers;
pub mod protect;
mod range;
pub mod server;
pub mod statics;
pub mod stats;
pub mod tls;
pub mod upstream;

use arc_swap::ArcSwap;
use cache::{Cache, PurgeMode, Scope, key};
use config::{ProxyConfig, SiteConfig};
use std::collections::HashMap;
use std::sync::Arc;
use upstream::{HttpClient, Upstream};

pub use amoe_accesslog as accesslog;

/// Why the proxy could not start or take a configuration.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("site `{site}`: {problem}")]
    Site { site: String, problem: String },
    #[error("domain `{domain}` belongs to both `{a}` and `{b}`")]
    DomainTwice { domain: String, a: String, b: String },
    #[error("cache directory `{}`", path.display())]
    Disk {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("log directory `{}`", path.display())]
    Log {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("origin client: {0}")]
    Client(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("unknown site `{0}`")]
    UnknownSite(String),
    #[error("{0}")]
    BadPurge(String),
}

/// A site as the proxy runs it.
#[derive(Debug)]
pub struct Site {
    pub name: Arc<str>,
    pub config: SiteConfig,
    pub upstream: Arc<Upstream>,
    pub stats: Arc<stats::Stats>,
}

/// Sites by host.
#[derive(Debug, Default)]
pub struct SiteTable {
    by_host: HashMap<String, Arc<Site>>,
    by_name: HashMap<String, Arc<Site>>,
    catch_all: Option<Arc<Site>>,
}

impl SiteTable {
    /// The site for a `Host` (lowercase, without port).
    pub fn for_host(&self, host: &str) -> Option<&Arc<Site>> {
        self.by_host.get(host).or(self.catch_all.as_ref())
    }

    pub fn by_name(&self, name: &str) -> Option<&Arc<Site>> {
        self.by_name.get(name)
    }

    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.by_name.keys().cloned().collect();
        v.sort();
        v
    }
}

/// What to purge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purge {
    /// A URL (`https://host/path?q`) or a path (`/path?q`, for every domain of the site):
    /// every variant.
    Url(String),
    /// Every URL under a directory (`/static` covers `/static`, `/static?…` and `/static/…`,
    /// not `/staticfoo`), for every domain of the site.
    Prefix(String),
    /// Every object tagged so by `Surrogate-Key` or `Cache-Tag`.
    Tag(String),
    /// The whole site.
    All,
}

/// The proxy.
#[derive(Debug)]
pub struct Proxy {
    pub sites: ArcSwap<SiteTable>,
    pub cache: Arc<Cache>,
    /// Replaced as a whole on reload ([`Proxy::set_limits`]); connections read them when they
    /// start, requests when they arrive.
    pub limits: ArcSwap<config::Limits>,
    pub rate: arc_swap::ArcSwapOption<protect::RateLimiter>,
    pub conns: arc_swap::ArcSwapOption<protect::ConnLimiter>,
    pub log: Option<accesslog::LogHandle>,
    logger: std::sync::Mutex<Option<accesslog::Logger>>,
    client: HttpClient,
    /// Requests for no known site.
    pub unknown: stats::Stats,
    /// Client connections open now.
    pub open_connections: std::sync::atomic::AtomicU64,
    /// HTTPS handshakes that failed or timed out (no certificate for the name, a client that
    /// gave up, a scan).
    pub tls_handshake_failures: std::sync::atomic::AtomicU64,
    /// Site certificates by SNI.
    pub certs: Arc<tls::SniResolver>,
    /// The host-wide extra origin CA (for the sites' own origin clients).
    origin_ca: Option<std::path::PathBuf>,
    /// ACME HTTP-01 challenges being answered.
    pub challenges: acme::Challenges,
}

impl Proxy {
    /// Builds the proxy: opens the disk tier (re-indexing what it holds), starts the access
    /// log and the health checks. Must run inside a tokio runtime.
    pub fn new(config: ProxyConfig) -> Result<Arc<Proxy>, ProxyError> {
        let client =
            upstream::client(config.origin_ca.as_deref(), config.limits.connect_timeout).map_err(ProxyError::Client)?;
        let disk = match &config.storage.disk {
            Some((dir, limit)) => Some(
                cache::disk::Disk::open(dir, *limit, config.storage.index_bytes)
                    .map_err(|source| ProxyError::Disk { path: dir.clone(), source })?,
            ),
            None => None,
        };
        let disk_dir = config.storage.disk.as_ref().map(|(d, _)| d.clone()).unwrap_or_default();
        let mut cache = Cache::new(config.storage.memory_bytes, config.storage.memory_max_object, disk);
        cache.inflight_limit = config.storage.inflight_bytes;
        let cache = Arc::new(cache);
        cache.start_disk_writer().map_err(|source| ProxyError::Disk { path: disk_dir.clone(), source })?;
        cache.start_lurker().map_err(|source| ProxyError::Disk { path: disk_dir.clone(), source })?;
        // The disk tier is re-indexed in the background: the proxy serves at once, and finds
        // stored objects as the scan reaches them.
        if cache.disk.is_some() {
            let c = cache.clone();
            std::thread::Builder::new()
                .name("cache-rebuild".into())
                .spawn(move || {
                    let began = std::time::Instant::now();
                    c.rebuild();
                    let (found, _) = c.rebuild_progress();
                    tracing::info!(objects = found, seconds = began.elapsed().as_secs_f64(), "disk tier re-indexed");
                })
                .map_err(|source| ProxyError::Disk { path: disk_dir, source })?;
        }
        let (logger, log) = match &config.log_dir {
            Some(dir) => {
                let mut lc = accesslog::LoggerConfig::new(dir.clone());
                if config.log_retention_days > 0 {
                    lc.retention_days = config.log_retention_days;
                }
                let logger =
                    accesslog::Logger::start(lc).map_err(|source| ProxyError::Log { path: dir.clone(), source })?;
                let handle = logger.handle();
                (Some(logger), Some(handle))
            }
            None => (None, None),
        };
        let limits = config.limits.clone();
        let proxy = Arc::new(Proxy {
            sites: ArcSwap::from_pointee(SiteTable::default()),
            cache,
            rate: arc_swap::ArcSwapOption::from(
                limits.rate_per_ip.map(|(r, b)| Arc::new(protect::RateLimiter::new(r, b))),
            ),
            conns: arc_swap::ArcSwapOption::from(
                limits.connections_per_ip.map(|n| Arc::new(protect::ConnLimiter::new(n))),
            ),
            limits: ArcSwap::from_pointee(limits),
            log,
            logger: std::sync::Mutex::new(logger),
            client,
            unknown: stats::Stats::default(),
            open_connections: std::sync::atomic::AtomicU64::new(0),
            tls_handshake_failures: std::sync::atomic::AtomicU64::new(0),
            certs: Arc::default(),
            challenges: acme::Challenges::default(),
            origin_ca: config.origin_ca.clone(),
        });
        proxy.set_sites(config.sites)?;
        Ok(proxy)
    }

    /// Replaces the limits (reload): new connections and requests see them at once, open
    /// connections are kept. The per-address rate and connection limiters are rebuilt only
    /// when their own setting changed (a reload does not refill every bucket).
    pub fn set_limits(&self, limits: config::Limits) {
        let old = self.limits.load_full();
        if old.rate_per_ip != limits.rate_per_ip {
            self.rate.store(limits.rate_per_ip.map(|(r, b)| Arc::new(protect::RateLimiter::new(r, b))));
        }
        if old.connections_per_ip != limits.connections_per_ip {
            self.conns.store(limits.connections_per_ip.map(|n| Arc::new(protect::ConnLimiter::new(n))));
        }
        self.limits.store(Arc::new(limits));
    }

    /// Replaces the sites (reload). Statistics and origin health carry over for sites whose
    /// name and origins are unchanged; the cache is kept.
    pub fn set_sites(&self, sites: Vec<SiteConfig>) -> Result<(), ProxyError> {
        self.certs.load(&sites).map_err(ProxyError::Tls)?;
        let old = self.sites.load();
        let mut table = SiteTable::default();
        for config in sites {
            let name = config.name.clone();
            let err = |problem: String| ProxyError::Site { site: name.clone(), problem };
            let previous = old.by_name(&name);
            let upstream = match previous {
                // Kept (with its ejections and counters) unless what it does changed.
                Some(p)
                    if p.config.origins == config.origins
                        && p.config.balance == config.balance
                        && p.config.health == config.health
                        && p.config.origin_tls == config.origin_tls
                        && p.upstream.timeout() == self.limits.load().origin_timeout =>
                {
                    p.upstream.clone()
                }
                _ => {
                    let client = if config.origin_tls == config::OriginTls::default() {
                        self.client.clone()
                    } else {
                        upstream::client_for(
                            self.origin_ca.as_deref(),
                            &config.origin_tls,
                            self.limits.load().connect_timeout,
                        )
                        .map_err(err)?
                    };
                    let up = Arc::new(
                        Upstream::new(
                            &config.origins,
                            config.balance,
                            config.health.clone(),
                            client,
                            self.limits.load().origin_timeout,
                        )
                        .map_err(err)?,
                    );
                    up.spawn_health_checks();
                    up
                }
            };
            let site = Arc::new(Site {
                name: Arc::from(name.as_str()),
                stats: previous.map(|p| p.stats.clone()).unwrap_or_default(),
                upstream,
                config,
            });
            for domain in &site.config.domains {
                let domain = domain.to_ascii_lowercase();
                if domain == "*" {
                    table.catch_all = Some(site.clone());
                    continue;
                }
                if let Some(other) = table.by_host.insert(domain.clone(), site.clone()) {
                    return Err(ProxyError::DomainTwice { domain, a: other.config.name.clone(), b: name });
                }
            }
            table.by_name.insert(name, site);
        }
        self.sites.store(Arc::new(table));
        Ok(())
    }

    /// Purges and returns the number of objects affected. Every purge is checked before any is
    /// applied: a prefix must start with `/`, a URL must be on a domain of the site.
    pub fn purge(&self, site: &str, what: &[Purge], mode: PurgeMode) -> Result<usize, ProxyError> {
        let table = self.sites.load();
        let s = table.by_name(site).ok_or_else(|| ProxyError::UnknownSite(site.to_string()))?;
        let scopes = what.iter().map(|p| Self::scope(s, p)).collect::<Result<Vec<_>, _>>()?;
        Ok(scopes.into_iter().map(|scope| self.cache.purge(site, scope, mode)).sum())
    }

    /// What a purge covers in cache-key terms: the same normalisation as requests.
    fn scope(site: &Site, what: &Purge) -> Result<Scope, ProxyError> {
        let bad = |problem: String| ProxyError::BadPurge(problem);
        let path_and_query = |pq: &str| -> Result<String, ProxyError> {
            if !pq.starts_with('/') {
                return Err(bad(format!("`{pq}` is not a path: it must start with `/`")));
            }
            Ok(key::normalize_path_and_query(pq).into_owned())
        };
        Ok(match what {
            Purge::Url(url) => match url.split_once("://") {
                Some((scheme, rest)) => {
                    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
                        return Err(bad(format!("`{url}`: only http and https URLs are cached")));
                    }
                    let (host, path) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
                    let host = key::normalize_host(host);
                    let catch_all = site.config.domains.iter().any(|d| d == "*");
                    if !catch_all && !site.config.domains.iter().any(|d| d.eq_ignore_ascii_case(&host)) {
                        return Err(bad(format!(
                            "`{url}`: `{host}` is not a domain of site `{}` (its domains: {})",
                            site.name,
                            site.config.domains.join(", ")
                        )));
                    }
                    let path = if path.is_empty() {
                        "/".to_string()
                    } else if path.starts_with('?') {
                        format!("/{path}")
                    } else {
                        path.to_string()
                    };
                    Scope::Url { path_and_query: path_and_query(&path)?, host }
                }
                None => Scope::Path(path_and_query(url)?),
            },
            Purge::Prefix(prefix) => {
                if prefix.contains('?') {
                    return Err(bad(format!("prefix `{prefix}`: a directory has no query string")));
                }
                Scope::Directory(path_and_query(prefix)?)
            }
            Purge::Tag(tag) => {
                if tag.trim().is_empty() {
                    return Err(bad("an empty tag".to_string()));
                }
                Scope::Tag(tag.clone())
            }
            Purge::All => Scope::All,
        })
    }

    /// A TLS acceptor for the sites' certificates (HTTP/2 and HTTP/1.1 by ALPN).
    pub fn tls_acceptor(&self) -> Result<tokio_rustls::TlsAcceptor, ProxyError> {
        tls::server_config(self.certs.clone()).map(tokio_rustls::TlsAcceptor::from).map_err(ProxyError::Tls)
    }

    /// A site's statistics.
    pub fn stats(&self, site: &str) -> Option<stats::Snapshot> {
        self.sites.load().by_name(site).map(|s| s.stats.snapshot())
    }

    /// Flushes and closes the access log; nothing logged before is lost.
    pub fn shutdown(&self) {
        if let Some(logger) = self.logger.lock().unwrap_or_else(|e| e.into_inner()).take() {
            logger.shutdown();
        }
    }
}
