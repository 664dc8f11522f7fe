//! A site's origins: one shared HTTP client (keep-alive pools, verified HTTPS), load
//! balancing (round robin or least connections), active health checks, passive ejection after
//! consecutive failures, and failover: an idempotent request without a body is retried on the
//! next origin when one fails to answer.

use crate::config::{Balance, HealthCheck, OriginTls};
use bytes::Bytes;
use http::{HeaderValue, Request, Response, Uri, header};
use http_body_util::combinators::UnsyncBoxBody;
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub type OriginBody = UnsyncBoxBody<Bytes, Box<dyn std::error::Error + Send + Sync>>;
pub type HttpClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, OriginBody>;

/// Why no origin answered.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("no origin is available (all ejected or unhealthy)")]
    NoneAvailable,
    #[error("origin {origin} did not answer within {timeout:?}")]
    Timeout { origin: String, timeout: Duration },
    #[error("origin {origin} failed: {source}")]
    Failed {
        origin: String,
        #[source]
        source: hyper_util::client::legacy::Error,
    },
}

impl UpstreamError {
    pub fn is_timeout(&self) -> bool {
        matches!(self, UpstreamError::Timeout { .. })
    }
}

/// One origin server.
#[derive(Debug)]
pub struct Origin {
    pub url: String,
    scheme: http::uri::Scheme,
    authority: http::uri::Authority,
    /// Path prefix without the trailing slash.
    prefix: String,
    in_flight: AtomicUsize,
    failures: AtomicU32,
    /// Ejected until this many ms after the pool's epoch (0: not ejected).
    ejected_until: AtomicU64,
    healthy: AtomicBool,
}

impl Origin {
    fn parse(url: &str) -> Result<Origin, String> {
        let uri: Uri = url.parse().map_err(|e| format!("`{url}`: {e}"))?;
        let scheme = uri.scheme().cloned().ok_or_else(|| format!("`{url}` has no scheme"))?;
        let authority = uri.authority().cloned().ok_or_else(|| format!("`{url}` has no host"))?;
        Ok(Origin {
            url: url.to_string(),
            scheme,
            authority,
            prefix: uri.path().trim_end_matches('/').to_string(),
            in_flight: AtomicUsize::new(0),
            failures: AtomicU32::new(0),
            ejected_until: AtomicU64::new(0),
            healthy: AtomicBool::new(true),
        })
    }

    /// The origin URI for a request's path and query.
    pub fn uri_for(&self, path_and_query: &str) -> Result<Uri, http::Error> {
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(format!("{}{}", self.prefix, path_and_query))
            .build()
    }

    pub fn authority(&self) -> &str {
        self.authority.as_str()
    }
}

/// The origins of one site.
#[derive(Debug)]
pub struct Upstream {
    pub origins: Vec<Origin>,
    balance: Balance,
    next: AtomicUsize,
    health: HealthCheck,
    epoch: Instant,
    pub client: HttpClient,
    timeout: Duration,
}

/// An origin's answer.
#[derive(Debug)]
pub struct Answer {
    pub response: Response<Incoming>,
    pub origin: usize,
}

/// Decrements an origin's in-flight count when the request is done.
#[derive(Debug)]
pub struct InFlight(Arc<Upstream>, usize);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.origins[self.1].in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Upstream {
    pub fn new(
        urls: &[String],
        balance: Balance,
        health: HealthCheck,
        client: HttpClient,
        timeout: Duration,
    ) -> Result<Upstream, String> {
        if urls.is_empty() {
            return Err("a site needs at least one origin".into());
        }
        let origins = urls.iter().map(|u| Origin::parse(u)).collect::<Result<Vec<_>, _>>()?;
        Ok(Upstream { origins, balance, next: AtomicUsize::new(0), health, epoch: Instant::now(), client, timeout })
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64 + 1
    }

    fn available(&self, i: usize) -> bool {
        let o = &self.origins[i];
        o.healthy.load(Ordering::Relaxed) && o.ejected_until.load(Ordering::Relaxed) <= self.now_ms()
    }

    /// Picks an origin not in `tried`; when none is available, the least recently ejected one
    /// is tried anyway rather than failing without trying.
    pub fn pick(&self, tried: &[usize]) -> Option<usize> {
        let n = self.origins.len();
        let candidates: Vec<usize> = (0..n).filter(|i| !tried.contains(i) && self.available(*i)).collect();
        if candidates.is_empty() {
            return (0..n)
                .filter(|i| !tried.contains(i))
                .min_by_key(|i| self.origins[*i].ejected_until.load(Ordering::Relaxed));
        }
        Some(match self.balance {
            Balance::RoundRobin => candidates[self.next.fetch_add(1, Ordering::Relaxed) % candidates.len()],
            Balance::LeastConnections => {
                let start = self.next.fetch_add(1, Ordering::Relaxed);
                *candidates
                    .iter()
                    .enumerate()
                    .min_by_key(|(pos, i)| {
                        (self.origins[**i].in_flight.load(Ordering::Relaxed), (pos + start) % candidates.len())
                    })
                    .map(|(_, i)| i)?
            }
        })
    }

    /// Records the outcome of a request to origin `i` (passive health).
    pub fn report(&self, i: usize, ok: bool) {
        let o = &self.origins[i];
        if ok {
            o.failures.store(0, Ordering::Relaxed);
            o.ejected_until.store(0, Ordering::Relaxed);
        } else if o.failures.fetch_add(1, Ordering::Relaxed) + 1 >= self.health.failures_to_eject {
            o.ejected_until.store(self.now_ms() + self.health.ejection.as_millis() as u64, Ordering::Relaxed);
        }
    }

    /// Sends a request built by `build` for the chosen origin; with `retry`, tries the other
    /// origins in turn when one fails to connect, times out or answers 502/503/504.
    pub async fn send(
        self: &Arc<Self>,
        retry: bool,
        mut build: impl FnMut(&Origin) -> Option<Request<OriginBody>>,
    ) -> Result<(Answer, InFlight), UpstreamError> {
        let mut tried = Vec::new();
        let mut last = UpstreamError::NoneAvailable;
        let attempts = if retry { self.origins.len() } else { 1 };
        for _ in 0..attempts {
            let Some(i) = self.pick(&tried) else { break };
            tried.push(i);
            let origin = &self.origins[i];
            let Some(mut req) = build(origin) else { break };
            if !req.headers().contains_key(header::HOST)
                && let Ok(host) = HeaderValue::from_str(origin.authority())
            {
                req.headers_mut().insert(header::HOST, host);
            }
            origin.in_flight.fetch_add(1, Ordering::Relaxed);
            let guard = InFlight(self.clone(), i);
            match tokio::time::timeout(self.timeout, self.client.request(req)).await {
                Ok(Ok(response)) => {
                    let bad = matches!(response.status().as_u16(), 502..=504);
                    self.report(i, !bad);
                    if bad && retry && tried.len() < attempts && self.pick(&tried).is_some() {
                        continue;
                    }
                    return Ok((Answer { response, origin: i }, guard));
                }
                Ok(Err(source)) => {
                    self.report(i, false);
                    last = UpstreamError::Failed { origin: origin.url.clone(), source };
                }
                Err(_) => {
                    self.report(i, false);
                    last = UpstreamError::Timeout { origin: origin.url.clone(), timeout: self.timeout };
                }
            }
        }
        Err(last)
    }

    /// Runs the active health checks until the upstream is dropped.
    pub fn spawn_health_checks(self: &Arc<Self>) {
        let Some(path) = self.health.path.clone() else { return };
        let weak = Arc::downgrade(self);
        let interval = self.health.interval;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            loop {
                tick.tick().await;
                let Some(up) = weak.upgrade() else { return };
                for (i, o) in up.origins.iter().enumerate() {
                    let ok = match o.uri_for(&path) {
                        Ok(uri) => {
                            let req = Request::get(uri).header(header::HOST, o.authority()).body(empty());
                            match req {
                                Ok(req) => matches!(
                                    tokio::time::timeout(up.health.timeout, up.client.request(req)).await,
                                    Ok(Ok(r)) if r.status().as_u16() < 500
                                ),
                                Err(_) => false,
                            }
                        }
                        Err(_) => false,
                    };
                    o.healthy.store(ok, Ordering::Relaxed);
                    if ok {
                        up.report(i, true);
                    }
                }
            }
        });
    }

    /// How long an origin has to answer with its head.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Whether origin `i` is currently considered up (for statistics and tests).
    pub fn is_available(&self, i: usize) -> bool {
        self.available(i)
    }
}

/// An empty request body.
pub fn empty() -> OriginBody {
    use http_body_util::BodyExt;
    http_body_util::Empty::<Bytes>::new().map_err(|never| match never {}).boxed_unsync()
}

/// The shared client: HTTP/1.1 keep-alive pools, HTTPS verified against the system's roots
/// plus `extra_ca` (PEM).
pub fn client(extra_ca: Option<&std::path::Path>, connect_timeout: Duration) -> Result<HttpClient, String> {
    client_for(extra_ca, &OriginTls::default(), connect_timeout)
}

/// A client for a site's own origin TLS settings (see [`OriginTls`]), on top of the host-wide
/// `extra_ca`.
pub fn client_for(
    extra_ca: Option<&std::path::Path>,
    site: &OriginTls,
    connect_timeout: Duration,
) -> Result<HttpClient, String> {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = extra_ca {
        let certs = rustls_pki_types::CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("origin CA `{}`: {e}", path.display()))?;
        for cert in certs {
            let cert = cert.map_err(|e| format!("origin CA `{}`: {e}", path.display()))?;
            roots.add(cert).map_err(|e| format!("origin CA `{}`: {e}", path.display()))?;
        }
    }
    if let Some(pem) = &site.ca_pem {
        let mut n = 0;
        for cert in rustls_pki_types::CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let cert = cert.map_err(|e| format!("the site's origin CA: {e}"))?;
            roots.add(cert).map_err(|e| format!("the site's origin CA: {e}"))?;
            n += 1;
        }
        if n == 0 {
            return Err("the site's origin CA holds no PEM certificate".into());
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let tls = if site.insecure {
        builder.dangerous().with_custom_certificate_verifier(Arc::new(AnyCertificate(provider))).with_no_client_auth()
    } else {
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(connect_timeout));
    let mut https = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls).https_or_http();
    if let Some(name) = &site.sni {
        let name = rustls_pki_types::ServerName::try_from(name.clone())
            .map_err(|e| format!("origin SNI name `{name}`: {e}"))?;
        https = https.with_server_name_resolver(hyper_rustls::FixedServerNameResolver::new(name));
    }
    let https = https.enable_http1().wrap_connector(http);
    Ok(Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(256)
        .build(https))
}

/// Accepts any origin certificate (`OriginTls::insecure`); the handshake's signature is still
/// checked against the certificate presented.
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls_pki_types::CertificateDer<'_>,
        _intermediates: &[rustls_pki_types::CertificateDer<'_>],
        _server_name: &rustls_pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls_pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls_pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls_pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
