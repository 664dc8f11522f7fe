//! `amoe-agent --config FILE`: the daemon. It runs the proxy on its listeners, the control
//! API on its own mutual-TLS listener, and Prometheus metrics on a loopback admin listener.
//!
//! - Site configurations received over the API are kept in the state directory and loaded
//!   again at start.
//! - SIGHUP reloads the configuration file's certificates, the revocation list and the sites
//!   without dropping connections (new handshakes use the new TLS configuration).
//! - SIGTERM (or Ctrl-C) stops accepting, drains in-flight requests (10 s at most), flushes
//!   the access logs and exits 0.
//! - With systemd (`Type=notify`), `READY=1` is sent once every listener is bound.
//! - The server certificate's expiry is checked at start and every 12 hours: a warning is
//!   logged within 14 days of it (`amoe host renew` renews without downtime).

pub mod config;
pub mod control;
mod idempotency;
mod metrics;
pub mod releases;
pub mod state;
pub mod tls;

use amoe_proto::{FlushRequest, FlushResult, SiteSpec, Status};
use amoe_proxy::config::{Balance, ProxyConfig, SiteConfig, StorageConfig};
use amoe_proxy::{Proxy, server};
use arc_swap::ArcSwap;
use config::AgentConfig;
use control::ApiError;
use rustls_pki_types::pem::PemObject;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// The running agent.
#[derive(Debug)]
pub struct Agent {
    pub proxy: Arc<Proxy>,
    pub state: state::State,
    config_path: PathBuf,
    config: Mutex<AgentConfig>,
    sites: Mutex<BTreeMap<String, SiteSpec>>,
    applied: Mutex<idempotency::Keys>,
    control_tls: ArcSwap<rustls::ServerConfig>,
    started: Instant,
    calls_ok: AtomicU64,
    calls_refused: AtomicU64,
    /// SIGHUP reloads refused.
    reload_failures: AtomicU64,
    handshakes_refused: AtomicU64,
    /// Journal lines of refused handshakes: a budget per second, the rest counted and
    /// summarised in the next line written (an unauthenticated client cannot fill the disk).
    refusals: Mutex<RefusalLog>,
    /// Open control connections per client address.
    per_ip: Arc<amoe_proxy::protect::ConnLimiter>,
    /// The serials the installed revocation list revokes: open control connections of a
    /// serial in it are closed when a new list is installed.
    installed_crl: tokio::sync::watch::Sender<Arc<InstalledCrl>>,
    /// Releases of deployed sites (`STATE/releases/`).
    pub releases: releases::Releases,
}

/// The installed revocation list, read and checked once (at start and on each install).
#[derive(Debug, Default)]
pub struct InstalledCrl {
    pub info: Option<amoe_pki::CrlInfo>,
    pub serials: std::collections::HashSet<String>,
}

/// Refused handshakes journaled per second at most; the rest are counted.
const REFUSALS_PER_SECOND: u32 = 20;
/// Control connections one address may hold open at once.
const CONTROL_CONNECTIONS_PER_IP: usize = 32;

#[derive(Debug, Default)]
struct RefusalLog {
    second: u64,
    written: u32,
    suppressed: u64,
}

/// A control connection idle this long is closed.
const CONTROL_IDLE: Duration = Duration::from_secs(60);
/// Requests one control connection may carry; then it is closed (the client reconnects).
const CONTROL_REQUESTS_PER_CONNECTION: u64 = 1000;

/// Turns a wire site into the proxy's settings; bad rules are refused with their lines.
fn site_config(spec: &SiteSpec, releases: &releases::Releases) -> Result<SiteConfig, ApiError> {
    let bad = |m: String| ApiError { code: "invalid_site", message: m, hint: None };
    if spec.domains.is_empty() || (spec.origins.is_empty() && !spec.static_site) {
        return Err(bad(format!("site `{}` needs at least one domain, and one origin unless it is static", spec.name)));
    }
    let domains: Vec<&str> = spec.domains.iter().map(String::as_str).collect();
    // A static site without origins never fetches: the proxy's site still wants one address,
    // the discard port of this machine.
    let origins: Vec<&str> = if spec.origins.is_empty() {
        vec!["http://127.0.0.1:9"]
    } else {
        spec.origins.iter().map(String::as_str).collect()
    };
    let mut c = SiteConfig::new(&spec.name, &domains, &origins);
    if spec.static_site {
        if let Some(page) = &spec.not_found_page
            && !page.starts_with('/')
        {
            return Err(bad(format!("the 404 page `{page}` does not start with /")));
        }
        c.static_root = Some(amoe_proxy::statics::StaticRoot {
            root: releases.current_link(&spec.name),
            not_found: spec.not_found_page.clone(),
        });
    }
    c.active = spec.active;
    if let Some(text) = &spec.rules {
        let rules = amoe_rules::Rules::parse(text).map_err(|e| ApiError {
            code: "invalid_rules",
            message: format!("the rules of site `{}` are invalid:\n{e}", spec.name),
            hint: Some("check them locally with `amoe site rules SITE --file FILE --dry-run`".into()),
        })?;
        c.rules = Arc::new(rules);
    }
    c.balance = match spec.balance.as_deref() {
        None | Some("round-robin") => Balance::RoundRobin,
        Some("least-connections") => Balance::LeastConnections,
        Some(other) => return Err(bad(format!("unknown balance `{other}`: round-robin or least-connections"))),
    };
    if let Some(s) = spec.stale_limit_secs {
        c.stale_limit = Duration::from_secs(s);
    }
    c.https_redirect = spec.https_redirect;
    c.hsts = spec.hsts_max_age_secs.map(|s| amoe_proxy::config::Hsts {
        max_age: Duration::from_secs(s),
        include_subdomains: spec.hsts_include_subdomains,
    });
    c.max_body_bytes = spec.max_body_bytes;
    if let Some(path) = &spec.health_path {
        if !path.starts_with('/') {
            return Err(bad(format!("health path `{path}` does not start with /")));
        }
        c.health.path = Some(path.clone());
    }
    if let Some(i) = spec.health_interval_secs {
        if i == 0 {
            return Err(bad("health interval must be at least 1 s".into()));
        }
        c.health.interval = Duration::from_secs(i);
    }
    if let Some(n) = spec.health_failures {
        if n == 0 {
            return Err(bad("health failures must be at least 1".into()));
        }
        c.health.failures_to_eject = n;
    }
    c.origin_tls = amoe_proxy::config::OriginTls {
        insecure: spec.origin_insecure,
        ca_pem: spec.origin_ca_pem.clone(),
        sni: spec.origin_sni.clone(),
    };
    if let Some(name) = &spec.origin_sni
        && rustls_pki_types::ServerName::try_from(name.as_str()).is_err()
    {
        return Err(bad(format!("origin SNI name `{name}` is not a DNS name or an address")));
    }
    if let Some(pem) = &spec.origin_ca_pem {
        use rustls_pki_types::pem::PemObject;
        let certs: Result<Vec<_>, _> = rustls_pki_types::CertificateDer::pem_slice_iter(pem.as_bytes()).collect();
        if !certs.is_ok_and(|c| !c.is_empty()) {
            return Err(bad("the origin CA is not a PEM certificate bundle".into()));
        }
    }
    if spec.origin_insecure {
        tracing::warn!(site = %spec.name, "origin certificates are NOT verified for this site (origin_insecure)");
    }
    Ok(c)
}

fn cert_status(site: &str, info: &amoe_pki::site_cert::SiteCertInfo) -> amoe_proto::CertStatus {
    amoe_proto::CertStatus {
        site: site.to_string(),
        names: info.names.clone(),
        issuer: info.issuer.clone(),
        not_before: info.not_before.to_string(),
        not_after: info.not_after.to_string(),
        fingerprint: info.fingerprint.clone(),
    }
}

impl Agent {
    /// `[deploy]` of agent.toml as loaded (SIGHUP reloads it).
    pub fn deploy_config(&self) -> config::DeploySection {
        self.config.lock().unwrap_or_else(|e| e.into_inner()).deploy.clone()
    }

    fn reload_tls(&self) -> Result<(), String> {
        let c = self.config.lock().unwrap_or_else(|e| e.into_inner()).control.clone();
        let crl = self.state.crl_path();
        let tls = tls::server_config(&c.ca, &c.cert, &c.key, Some(&crl))?;
        self.control_tls.store(tls);
        Ok(())
    }

    fn apply_sites(&self, sites: &BTreeMap<String, SiteSpec>) -> Result<(), ApiError> {
        let mut configs = sites.values().map(|s| site_config(s, &self.releases)).collect::<Result<Vec<_>, _>>()?;
        for c in &mut configs {
            let (cert, key) = self.state.cert_paths(&c.name);
            if cert.exists() && key.exists() {
                // A pair that does not match (a crash between the two writes) is not served;
                // the site still is, over HTTP.
                match amoe_proxy::tls::load_certified_key(&cert, &key).map(|ck| ck.keys_match().is_ok()) {
                    Ok(true) => c.tls = Some(amoe_proxy::config::TlsFiles { cert, key }),
                    _ => {
                        tracing::error!(site = %c.name, "the site's certificate and key do not load as a pair; not served")
                    }
                }
            }
        }
        self.proxy.set_sites(configs).map_err(|e| ApiError { code: "invalid_site", message: e.to_string(), hint: None })
    }

    pub fn sites(&self) -> BTreeMap<String, SiteSpec> {
        self.sites.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Adds or replaces a site: validates, saves, then applies it; on any failure nothing is
    /// served and the saved state is what it was.
    pub fn put_site(&self, spec: SiteSpec) -> Result<(), ApiError> {
        let invalid = |message: String| ApiError { code: "invalid_site", message, hint: None };
        spec.name.parse::<amoe_core::names::Name>().map_err(|e| invalid(e.to_string()))?;
        if spec.domains.is_empty() {
            return Err(invalid(format!("site `{}` has no domain", spec.name)));
        }
        for d in &spec.domains {
            d.parse::<amoe_core::names::DomainName>().map_err(|e| invalid(e.to_string()))?;
        }
        let mut sites = self.sites.lock().unwrap_or_else(|e| e.into_inner());
        let mut next = sites.clone();
        next.insert(spec.name.clone(), spec.clone());
        let internal = |e: std::io::Error| ApiError {
            code: "internal",
            message: format!("cannot save the site: {e}"),
            hint: None,
        };
        self.state.save_site(&spec).map_err(internal)?;
        if let Err(e) = self.apply_sites(&next) {
            // Put the saved state back as it was.
            let _ = match sites.get(&spec.name) {
                Some(previous) => self.state.save_site(previous),
                None => self.state.delete_site(&spec.name),
            };
            return Err(e);
        }
        *sites = next;
        Ok(())
    }

    /// Activates or deactivates a site under the sites lock (no lost update with a PUT).
    pub fn set_active(&self, name: &str, active: bool) -> Result<Option<SiteSpec>, ApiError> {
        let mut sites = self.sites.lock().unwrap_or_else(|e| e.into_inner());
        let Some(mut spec) = sites.get(name).cloned() else { return Ok(None) };
        spec.active = active;
        let mut next = sites.clone();
        next.insert(name.to_string(), spec.clone());
        self.state.save_site(&spec).map_err(|e| ApiError {
            code: "internal",
            message: format!("cannot save the site: {e}"),
            hint: None,
        })?;
        self.apply_sites(&next)?;
        *sites = next;
        Ok(Some(spec))
    }

    pub fn delete_site(&self, name: &str) -> Result<(), ApiError> {
        let mut sites = self.sites.lock().unwrap_or_else(|e| e.into_inner());
        if !sites.contains_key(name) {
            return Err(ApiError { code: "not_found", message: format!("no site `{name}` on this host"), hint: None });
        }
        // Forget it on disk first: a removal the host confirmed must survive a restart.
        match self.state.delete_site(name) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(ApiError {
                    code: "internal",
                    message: format!("cannot remove the site's file: {e}"),
                    hint: None,
                });
            }
        }
        let mut next = sites.clone();
        next.remove(name);
        self.apply_sites(&next)?;
        *sites = next;
        if let Err(e) = self.state.delete_cert(name) {
            tracing::warn!(site = name, error = %e, "cannot remove the certificate of a removed site");
        }
        // Its cached objects go too: a new site of that name must not see them.
        self.proxy.cache.purge(name, amoe_proxy::cache::Scope::All, amoe_proxy::cache::PurgeMode::Hard);
        Ok(())
    }

    /// Installs a site's HTTPS certificate: checked against the site's domains and the time,
    /// saved (key 0600), then served by SNI from the next handshake; the previous one is put
    /// back if anything fails.
    pub fn put_cert(&self, site: &str, cert: &amoe_proto::SiteCert) -> Result<amoe_proto::CertStatus, ApiError> {
        let sites = self.sites.lock().unwrap_or_else(|e| e.into_inner());
        let spec = sites.get(site).ok_or_else(|| ApiError {
            code: "not_found",
            message: format!("no site `{site}` on this host"),
            hint: Some("push it with `amoe site push` first".into()),
        })?;
        let info = amoe_pki::site_cert::check_site_cert(
            cert.cert_pem.as_bytes(),
            cert.key_pem.as_bytes(),
            &spec.domains,
            jiff::Timestamp::now(),
        )
        .map_err(|e| ApiError { code: "bad_certificate", message: e.to_string(), hint: None })?;
        let internal = |e: std::io::Error| ApiError {
            code: "internal",
            message: format!("cannot save the certificate: {e}"),
            hint: None,
        };
        let (cert_path, key_path) = self.state.cert_paths(site);
        let previous = (std::fs::read(&cert_path).ok(), std::fs::read(&key_path).ok());
        self.state.save_cert(site, cert.cert_pem.as_bytes(), cert.key_pem.as_bytes()).map_err(internal)?;
        if let Err(e) = self.apply_sites(&sites) {
            let _ = match previous {
                (Some(c), Some(k)) => self.state.save_cert(site, &c, &k),
                _ => self.state.delete_cert(site),
            };
            let _ = self.apply_sites(&sites);
            return Err(e);
        }
        Ok(cert_status(site, &info))
    }

    /// The certificate served for a site, if any.
    pub fn cert(&self, site: &str) -> Result<amoe_proto::CertStatus, ApiError> {
        let (cert_path, _) = self.state.cert_paths(site);
        let pem = std::fs::read(&cert_path).map_err(|_| ApiError {
            code: "not_found",
            message: format!("site `{site}` has no certificate on this host"),
            hint: Some("push one with `amoe site cert SITE --cert FULLCHAIN --key KEY`".into()),
        })?;
        let der =
            rustls_pki_types::CertificateDer::pem_slice_iter(&pem).next().and_then(Result::ok).ok_or_else(|| {
                ApiError { code: "internal", message: "the stored certificate is unreadable".into(), hint: None }
            })?;
        let info =
            amoe_pki::info_of(&der).map_err(|e| ApiError { code: "internal", message: e.to_string(), hint: None })?;
        let issuer = amoe_pki::issuer_of(&der).unwrap_or_default();
        Ok(amoe_proto::CertStatus {
            site: site.to_string(),
            names: info.sans,
            issuer,
            not_before: info.not_before.to_string(),
            not_after: info.not_after.to_string(),
            fingerprint: info.sha256_fingerprint,
        })
    }

    /// Flushes once per idempotency key (see `idempotency`): a retry of the same request gets
    /// the first result, marked replayed; a key reused for another request is refused.
    pub fn flush(&self, site: &str, req: &FlushRequest) -> Result<FlushResult, ApiError> {
        let mut applied = self.applied.lock().unwrap_or_else(|e| e.into_inner());
        let now = jiff::Timestamp::now();
        let hash = idempotency::request_hash(site, req);
        if let Some(key) = &req.idempotency_key {
            match applied.lookup(key, site, &hash, now) {
                idempotency::Lookup::Replay(first) => {
                    return Ok(FlushResult { objects: first.objects, replayed: true });
                }
                idempotency::Lookup::Conflict => {
                    return Err(ApiError {
                        code: "conflict",
                        message: format!("idempotency key `{key}` was used for another flush"),
                        hint: Some("use a new key for a new request".into()),
                    });
                }
                idempotency::Lookup::New => {}
            }
        }
        let result = control::apply_flush(self, site, req)?;
        if let Some(key) = &req.idempotency_key {
            let entry = idempotency::Applied {
                key: key.clone(),
                site: site.to_string(),
                hash,
                at: now.as_second(),
                result: result.clone(),
            };
            applied.record(&self.state, entry);
        }
        Ok(result)
    }

    /// Every certificate the agent serves and when it expires (Unix seconds): `control` and
    /// `site:NAME` for each site with one.
    pub fn certificate_expiries(&self) -> Vec<(String, i64)> {
        let expiry = |path: &Path| -> Option<i64> {
            let der = rustls_pki_types::CertificateDer::pem_file_iter(path).ok()?.next()?.ok()?;
            amoe_pki::info_of(&der).ok().map(|i| i.not_after.as_second())
        };
        let control = self.config.lock().unwrap_or_else(|e| e.into_inner()).control.cert.clone();
        let mut out: Vec<(String, i64)> = expiry(&control).map(|t| ("control".to_string(), t)).into_iter().collect();
        let sites: Vec<String> = self.sites().keys().cloned().collect();
        for site in sites {
            if let Some(t) = expiry(&self.state.cert_paths(&site).0) {
                out.push((format!("site:{site}"), t));
            }
        }
        out
    }

    /// Why the agent should not get traffic now (empty: ready): an expired certificate, or a
    /// revocation list it is configured to enforce that has expired.
    pub fn readiness(&self) -> Vec<String> {
        let now = jiff::Timestamp::now().as_second();
        let mut problems: Vec<String> = self
            .certificate_expiries()
            .into_iter()
            .filter(|(_, t)| *t <= now)
            .map(|(name, _)| format!("certificate `{name}` has expired"))
            .collect();
        if self.crl_expired_and_enforced() {
            problems.push("the revocation list has expired (refuse_when_crl_expired)".into());
        }
        problems
    }

    /// This host's name: its server certificate's CN (from `amoe host enroll`).
    pub fn host_name(&self) -> String {
        let cert = self.config.lock().unwrap_or_else(|e| e.into_inner()).control.cert.clone();
        rustls_pki_types::CertificateDer::pem_file_iter(&cert)
            .ok()
            .and_then(|mut it| it.next())
            .and_then(Result::ok)
            .and_then(|der| amoe_pki::info_of(&der).ok())
            .and_then(|i| i.common_name)
            .unwrap_or_default()
    }

    /// The control CA's certificate (DER), read from `control.ca`.
    pub fn control_ca_der(&self) -> Result<Vec<u8>, String> {
        let path = self.config.lock().unwrap_or_else(|e| e.into_inner()).control.ca.clone();
        rustls_pki_types::CertificateDer::from_pem_file(&path)
            .map(|c| c.to_vec())
            .map_err(|e| format!("cannot read the control CA `{}`: {e}", path.display()))
    }

    /// The serials the installed revocation list revokes.
    pub fn revoked_serials(&self) -> std::collections::HashSet<String> {
        self.installed_crl.borrow().serials.clone()
    }

    /// True when `control.refuse_when_crl_expired` is set and the installed list is past its
    /// next update (or there is none).
    pub fn crl_expired_and_enforced(&self) -> bool {
        if !self.config.lock().unwrap_or_else(|e| e.into_inner()).control.refuse_when_crl_expired {
            return false;
        }
        let crl = self.installed_crl.borrow();
        crl.info.as_ref().is_none_or(|i| i.next_update.is_some_and(|t| t < jiff::Timestamp::now()))
    }

    pub fn set_crl(&self, pem: &[u8]) -> Result<(), ApiError> {
        let bad = |m: String| ApiError { code: "bad_request", message: m, hint: None };
        let text = std::str::from_utf8(pem).map_err(|_| bad("the revocation list is not PEM text".into()))?;
        if !text.contains("-----BEGIN X509 CRL-----") {
            return Err(bad("the body is not a PEM revocation list".into()));
        }
        // Only the control CA's own lists, newer than the installed one, not expired: a list
        // from anyone else could refuse every client (or revoke nothing).
        let ca_path = self.config.lock().unwrap_or_else(|e| e.into_inner()).control.ca.clone();
        // The host's own failures are 5xx: the CLI retries them (a 4xx parks the list for good).
        let internal = |m: String| ApiError { code: "internal", message: m, hint: None };
        let ca = std::fs::read_to_string(&ca_path).map_err(|e| internal(format!("cannot read the control CA: {e}")))?;
        let info = amoe_pki::check_crl(&ca, pem).map_err(|e| bad(format!("the revocation list was refused: {e}")))?;
        if info.next_update.is_some_and(|t| t < jiff::Timestamp::now()) {
            return Err(bad("the revocation list was refused: it has expired (its nextUpdate is past)".into()));
        }
        let previous = std::fs::read(self.state.crl_path()).ok();
        // The installed list delivered again (an outbox retry after a lost answer): done.
        if previous.as_deref() == Some(pem) {
            return Ok(());
        }
        if let Some(installed) = &self.installed_crl.borrow().info
            && info.number <= installed.number
        {
            return Err(bad(format!(
                "the revocation list was refused: its number {} is not above the installed list's {}",
                info.number, installed.number
            )));
        }
        self.state.save_crl(pem).map_err(|e| internal(format!("cannot save the revocation list: {e}")))?;
        if let Err(e) = self.reload_tls() {
            // Keep the last good list.
            if let Some(p) = previous {
                let _ = self.state.save_crl(&p);
            }
            return Err(internal(format!("cannot install the revocation list: {e}")));
        }
        self.note_revoked();
        Ok(())
    }

    /// Journals a refusal of an unauthenticated peer, within the per-second budget; the lines
    /// left out are counted in the next one written (`suppressed`).
    fn journal_refusal(&self, peer: std::net::SocketAddr, outcome: String) {
        self.handshakes_refused.fetch_add(1, Ordering::Relaxed);
        let now = jiff::Timestamp::now();
        let suppressed = {
            let mut log = self.refusals.lock().unwrap_or_else(|e| e.into_inner());
            let second = now.as_second().max(0) as u64;
            if log.second != second {
                log.second = second;
                log.written = 0;
            }
            if log.written >= REFUSALS_PER_SECOND {
                log.suppressed += 1;
                return;
            }
            log.written += 1;
            std::mem::take(&mut log.suppressed)
        };
        let mut entry = serde_json::json!({
            "at": now.to_string(),
            "peer": peer.to_string(),
            "client": null,
            "outcome": outcome,
        });
        if suppressed > 0 {
            entry["suppressed_since_last"] = serde_json::json!(suppressed);
        }
        self.state.journal(&entry);
    }

    /// Reads and checks the installed list (after a start or an install); open connections
    /// watch it.
    fn note_revoked(&self) {
        let ca_path = self.config.lock().unwrap_or_else(|e| e.into_inner()).control.ca.clone();
        let info = std::fs::read_to_string(&ca_path)
            .ok()
            .zip(std::fs::read(self.state.crl_path()).ok())
            .and_then(|(ca, crl)| amoe_pki::check_crl(&ca, &crl).ok());
        let serials = info.as_ref().map(|i| i.revoked.iter().cloned().collect()).unwrap_or_default();
        self.installed_crl.send_replace(Arc::new(InstalledCrl { info, serials }));
    }

    pub fn status(&self) -> Status {
        let (objects, memory, disk) = self.proxy.cache.usage();
        let cert = self.config.lock().unwrap_or_else(|e| e.into_inner()).control.cert.clone();
        let crl = self.installed_crl.borrow().info.clone();
        Status {
            version: env!("CARGO_PKG_VERSION").to_string(),
            uptime_secs: self.started.elapsed().as_secs(),
            sites: self.sites().keys().cloned().collect(),
            cache_objects: objects,
            cache_memory_bytes: memory,
            cache_disk_bytes: disk,
            certificate_not_after: tls::not_after(&cert)
                .and_then(|t| jiff::Timestamp::from_second(t).ok())
                .map(|t| t.to_string()),
            crl_number: crl.as_ref().map(|c| c.number),
            crl_next_update: crl.and_then(|c| c.next_update).map(|t| t.to_string()),
        }
    }

    pub fn count_call(&self, ok: bool) {
        if ok { &self.calls_ok } else { &self.calls_refused }.fetch_add(1, Ordering::Relaxed);
    }

    /// SIGHUP: the configuration file's certificates and the revocation list, and the sites.
    /// A file that does not load changes nothing: the running configuration is kept, and the
    /// refusal is logged as an error (never "reloaded") and counted
    /// (`amoe_agent_reload_failures_total`).
    fn reload(&self) {
        let mut refused = Vec::new();
        match checked_config(&self.config_path) {
            Ok(c) => {
                if let Ok(limits) = c.proxy.limits.to_limits() {
                    self.proxy.set_limits(limits);
                }
                *self.config.lock().unwrap_or_else(|e| e.into_inner()) = c;
            }
            Err(e) => refused.push(format!("configuration: {e}")),
        }
        if refused.is_empty()
            && let Err(e) = self.reload_tls()
        {
            refused.push(format!("TLS: {e}"));
        }
        // Under the sites lock, so that a PUT answered meanwhile is not overwritten.
        let mut current = self.sites.lock().unwrap_or_else(|e| e.into_inner());
        match self.state.sites() {
            Ok(sites) => match self.apply_sites(&sites) {
                Ok(()) => *current = sites,
                Err(e) => refused.push(format!("sites: {}", e.message)),
            },
            Err(e) => refused.push(format!("sites: {e}")),
        }
        drop(current);
        if refused.is_empty() {
            tracing::info!(config = %self.config_path.display(), "reloaded");
        } else {
            self.reload_failures.fetch_add(1, Ordering::Relaxed);
            for r in &refused {
                tracing::error!("RELOAD REFUSED, this part keeps running as before: {r}");
            }
        }
    }

    fn check_certificate(&self) {
        let cert = self.config.lock().unwrap_or_else(|e| e.into_inner()).control.cert.clone();
        if let Some(t) = tls::not_after(&cert) {
            let left = t - jiff::Timestamp::now().as_second();
            if left < 14 * 86_400 {
                tracing::warn!(days_left = left / 86_400, cert = %cert.display(), "the server certificate expires soon: run `amoe host renew`");
            }
        }
    }
}

/// Sends `READY=1` to systemd when started by it.
fn notify_ready() {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else { return };
    let sock = std::os::unix::net::UnixDatagram::unbound();
    if let Ok(sock) = sock {
        let _ = sock.send_to(b"READY=1", PathBuf::from(path));
    }
}

/// `--check-config`: the file parses with known keys, the control certificate, key and CA
/// load together, and the bundle's revocation list (if named) is the CA's. Returns a summary.
pub fn check_config(path: &Path) -> Result<String, String> {
    let config = checked_config(path)?;
    let listeners: Vec<String> =
        config.proxy.listen.iter().chain(&config.proxy.tls_listen).map(ToString::to_string).collect();
    Ok(format!(
        "configuration `{}` is valid: proxy on {}, control on {}",
        path.display(),
        listeners.join(", "),
        config.control.listen
    ))
}

/// The configuration file, loaded and checked with the files it names (`--check-config`,
/// SIGHUP).
fn checked_config(path: &Path) -> Result<AgentConfig, String> {
    let config = config::load(path)?;
    let c = &config.control;
    tls::server_config(&c.ca, &c.cert, &c.key, None)?;
    if let Some(crl) = &c.crl {
        let ca = std::fs::read_to_string(&c.ca).map_err(|e| format!("control CA `{}`: {e}", c.ca.display()))?;
        let pem = std::fs::read(crl).map_err(|e| format!("revocation list `{}`: {e}", crl.display()))?;
        amoe_pki::check_crl(&ca, &pem).map_err(|e| format!("revocation list `{}`: {e}", crl.display()))?;
    }
    Ok(config)
}

/// Runs the daemon until SIGTERM.
pub async fn run(config_path: &Path) -> Result<(), String> {
    let config = config::load(config_path)?;
    let state = state::State::open(&config.state_dir)
        .map_err(|e| format!("state directory `{}`: {e}", config.state_dir.display()))?;
    let proxy = Proxy::new(ProxyConfig {
        sites: Vec::new(),
        storage: StorageConfig {
            memory_bytes: config.proxy.memory_bytes.unwrap_or(256 << 20),
            disk: config.proxy.cache_dir.clone().map(|d| (d, config.proxy.disk_bytes.unwrap_or(10 << 30))),
            index_bytes: config.proxy.index_bytes.unwrap_or(256 << 20),
            ..StorageConfig::default()
        },
        log_dir: config.proxy.log_dir.clone(),
        limits: config.proxy.limits.to_limits()?,
        ..ProxyConfig::default()
    })
    .map_err(|e| e.to_string())?;
    // Directories made by an older agent (0755) are closed too: a 0700 directory hides what it
    // holds, whatever the files' own modes.
    for dir in
        [Some(&config.state_dir), config.proxy.cache_dir.as_ref(), config.proxy.log_dir.as_ref()].into_iter().flatten()
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(e) = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(state::DIR_MODE)) {
            tracing::warn!(dir = %dir.display(), error = %e, "cannot make the directory owner-only");
        }
    }
    install_bundle_crl(&config, &state)?;
    let tls =
        tls::server_config(&config.control.ca, &config.control.cert, &config.control.key, Some(&state.crl_path()))?;
    let agent = Arc::new(Agent {
        releases: releases::Releases::new(&config.state_dir),
        proxy: proxy.clone(),
        applied: Mutex::new(idempotency::Keys::load(&state, jiff::Timestamp::now())),
        sites: Mutex::new(BTreeMap::new()),
        state,
        config_path: config_path.to_path_buf(),
        config: Mutex::new(config.clone()),
        control_tls: ArcSwap::new(tls),
        started: Instant::now(),
        calls_ok: AtomicU64::new(0),
        calls_refused: AtomicU64::new(0),
        reload_failures: AtomicU64::new(0),
        handshakes_refused: AtomicU64::new(0),
        installed_crl: tokio::sync::watch::Sender::new(Arc::default()),
        refusals: Mutex::default(),
        per_ip: Arc::new(amoe_proxy::protect::ConnLimiter::new(CONTROL_CONNECTIONS_PER_IP)),
    });
    agent.note_revoked();
    let sites = agent.state.sites().map_err(|e| format!("reading the sites: {e}"))?;
    agent.apply_sites(&sites).map_err(|e| format!("a saved site is invalid: {}", e.message))?;
    *agent.sites.lock().unwrap_or_else(|e| e.into_inner()) = sites;
    agent.check_certificate();

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let mut tasks = Vec::new();
    for addr in &config.proxy.listen {
        let l = TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        tasks.push(tokio::spawn(server::serve(
            proxy.clone(),
            l,
            None,
            stopped(stop_rx.clone()),
            Duration::from_secs(10),
        )));
    }
    for addr in &config.proxy.tls_listen {
        let l = TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let acceptor = proxy.tls_acceptor().map_err(|e| e.to_string())?;
        tasks.push(tokio::spawn(server::serve(
            proxy.clone(),
            l,
            Some(acceptor),
            stopped(stop_rx.clone()),
            Duration::from_secs(10),
        )));
    }
    let control = TcpListener::bind(config.control.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.control.listen))?;
    let control_task = tokio::spawn(serve_control(agent.clone(), control, stopped(stop_rx.clone())));
    if let Some(addr) = config.admin.listen {
        let l = TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        tokio::spawn(metrics::serve(agent.clone(), l, stopped(stop_rx.clone())));
    }
    tracing::info!(
        control = %config.control.listen,
        proxy = ?config.proxy.listen,
        https = ?config.proxy.tls_listen,
        admin = ?config.admin.listen,
        "amoe-agent ready"
    );
    // The handlers are in place before systemd hears we are ready: a reload or a stop sent
    // right after READY=1 must not meet the default action (which ends the process).
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).map_err(|e| e.to_string())?;
    let mut term =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).map_err(|e| e.to_string())?;
    notify_ready();
    let mut check = tokio::time::interval(Duration::from_secs(12 * 3600));
    loop {
        tokio::select! {
            _ = hup.recv() => agent.reload(),
            _ = term.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
            _ = check.tick() => agent.check_certificate(),
        }
    }
    tracing::info!("stopping: draining in-flight requests");
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = t.await;
    }
    let _ = control_task.await;
    proxy.shutdown();
    Ok(())
}

/// Makes sure a revocation list is installed before the control API opens: the enrolment
/// bundle's (`control.crl`) when it is newer than the kept one. Without any, the agent does not
/// start: revocation would silently check nothing.
fn install_bundle_crl(config: &AgentConfig, state: &state::State) -> Result<(), String> {
    let ca = std::fs::read_to_string(&config.control.ca)
        .map_err(|e| format!("control CA `{}`: {e}", config.control.ca.display()))?;
    let kept = std::fs::read(state.crl_path()).ok().and_then(|pem| amoe_pki::check_crl(&ca, &pem).ok());
    if let Some(path) = &config.control.crl {
        let pem = std::fs::read(path).map_err(|e| format!("revocation list `{}`: {e}", path.display()))?;
        let info = amoe_pki::check_crl(&ca, &pem).map_err(|e| format!("revocation list `{}`: {e}", path.display()))?;
        if kept.as_ref().is_none_or(|k| info.number > k.number) {
            state.save_crl(&pem).map_err(|e| format!("installing the revocation list: {e}"))?;
        }
        return Ok(());
    }
    if kept.is_none() {
        return Err(format!(
            "no revocation list: set `crl` in [control] to the enrolment bundle's crl.pem \
             (`amoe host enroll` writes it; `amoe ca crl` issues a new one in the CA directory), \
             or place one at `{}`",
            state.crl_path().display()
        ));
    }
    Ok(())
}

/// The control listener: mutual TLS, then the API. Refused handshakes are journaled too.
async fn serve_control(agent: Arc<Agent>, listener: TcpListener, stop: impl Future<Output = ()>) {
    tokio::pin!(stop);
    loop {
        let (tcp, peer) = tokio::select! {
            a = listener.accept() => match a {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors, say: back off rather than spin.
                    tracing::warn!(error = %e, "control listener: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => return,
        };
        let _ = tcp.set_nodelay(true);
        let agent = agent.clone();
        let Some(slot) = agent.per_ip.acquire(peer.ip()) else {
            agent.journal_refusal(peer, "refused: too many connections from this address".into());
            continue;
        };
        tokio::spawn(async move {
            let _slot = slot;
            let acceptor = tokio_rustls::TlsAcceptor::from(agent.control_tls.load_full());
            let stream = match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => {
                    agent.journal_refusal(peer, format!("refused: TLS handshake: {e}"));
                    return;
                }
                Err(_) => return,
            };
            let cert = stream.get_ref().1.peer_certificates().and_then(|c| c.first()).cloned();
            let who = cert.as_ref().map(tls::identity).unwrap_or(tls::Identity { name: "?".into(), role: None });
            let serial = cert.as_ref().and_then(|c| amoe_pki::info_of(c).ok()).map(|i| i.serial_hex);
            let who = Arc::new(who);
            // Activity and request count, for the idle time-out and the per-connection cap.
            let last = Arc::new(Mutex::new(Instant::now()));
            let count = Arc::new(AtomicU64::new(0));
            let (a2, w2, l2, c2) = (agent.clone(), who.clone(), last.clone(), count.clone());
            let svc = hyper::service::service_fn(move |req| {
                *l2.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
                let n = c2.fetch_add(1, Ordering::Relaxed) + 1;
                let (agent, who) = (a2.clone(), w2.clone());
                async move {
                    let mut r = control::handle(agent, who, peer, req).await?;
                    if n >= CONTROL_REQUESTS_PER_CONNECTION {
                        r.headers_mut().insert(http::header::CONNECTION, http::HeaderValue::from_static("close"));
                    }
                    Ok::<_, std::convert::Infallible>(r)
                }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), svc);
            tokio::pin!(conn);
            let mut revoked = agent.installed_crl.subscribe();
            let is_revoked = |crl: &InstalledCrl| serial.as_ref().is_some_and(|s| crl.serials.contains(s));
            if is_revoked(&revoked.borrow_and_update()) {
                return;
            }
            loop {
                let idle_until = *last.lock().unwrap_or_else(|e| e.into_inner()) + CONTROL_IDLE;
                tokio::select! {
                    _ = conn.as_mut() => return,
                    changed = revoked.changed() => {
                        if changed.is_err() || is_revoked(&revoked.borrow_and_update()) {
                            agent.state.journal(&serde_json::json!({
                                "at": jiff::Timestamp::now().to_string(),
                                "peer": peer.to_string(),
                                "client": who.name,
                                "outcome": "closed: its certificate was revoked",
                            }));
                            return;
                        }
                    }
                    () = tokio::time::sleep_until(idle_until.into()) => {
                        if last.lock().unwrap_or_else(|e| e.into_inner()).elapsed() >= CONTROL_IDLE {
                            return;
                        }
                    }
                }
            }
        });
    }
}
