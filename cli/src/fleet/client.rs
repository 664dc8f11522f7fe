//! The CLI side of the control API: HTTPS with mutual TLS to each host's agent, the project CA
//! as the only trust anchor, concurrent calls with a bounded time-out per host.

use bytes::Bytes;
use http::{Method, Request};
use http_body_util::{BodyExt, Full};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::deploy::bundle::Chunk;

/// Where the client's identity comes from.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The project CA certificate (PEM).
    pub ca: PathBuf,
    /// This operator's or pipeline's certificate and key (from `amoe ca issue`).
    pub cert: PathBuf,
    pub key: PathBuf,
    /// The CA's revocation list (PEM, `CA_DIR/crl.pem`, written by `amoe ca revoke`), when
    /// there is one: an agent whose certificate it revokes is refused.
    pub crl: Option<PathBuf>,
}

/// Why a call to a host failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    #[error("cannot connect to {address}: {reason}")]
    Connect { address: String, reason: String },
    #[error("TLS with {address} failed: {reason}")]
    Tls { address: String, reason: String },
    #[error("{address} did not answer within {0:?}", .timeout)]
    Timeout { address: String, timeout: Duration },
    #[error("{address}: {reason}")]
    Http { address: String, reason: String },
}

/// An answer: status and body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Bytes,
    pub latency: Duration,
}

/// A configured client.
#[derive(Debug, Clone)]
pub struct Client {
    tls: Arc<rustls::ClientConfig>,
    pub timeout: Duration,
    /// The CA directory, where `site cert` keeps the sites' keys (`sites/SITE/`): the only
    /// place a queued certificate's key is read from.
    pub key_dir: Option<PathBuf>,
}

fn read_pem_err(what: &str, path: &Path, e: impl std::fmt::Display) -> String {
    format!("{what} `{}`: {e}", path.display())
}

impl Client {
    pub fn new(creds: &Credentials, timeout: Duration) -> Result<Client, String> {
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_file_iter(&creds.ca).map_err(|e| read_pem_err("CA", &creds.ca, e))? {
            roots
                .add(c.map_err(|e| read_pem_err("CA", &creds.ca, e))?)
                .map_err(|e| read_pem_err("CA", &creds.ca, e))?;
        }
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&creds.cert)
            .map_err(|e| read_pem_err("certificate", &creds.cert, e))?
            .collect::<Result<_, _>>()
            .map_err(|e| read_pem_err("certificate", &creds.cert, e))?;
        let key = PrivateKeyDer::from_pem_file(&creds.key).map_err(|e| read_pem_err("key", &creds.key, e))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut verifier =
            rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone());
        if let Some(crl) = &creds.crl {
            use rustls_pki_types::CertificateRevocationListDer;
            let crls: Vec<CertificateRevocationListDer<'static>> = CertificateRevocationListDer::pem_file_iter(crl)
                .map_err(|e| read_pem_err("revocation list", crl, e))?
                .collect::<Result<_, _>>()
                .map_err(|e| read_pem_err("revocation list", crl, e))?;
            verifier = verifier.with_crls(crls).only_check_end_entity_revocation();
        }
        let verifier = verifier.build().map_err(|e| format!("TLS verifier: {e}"))?;
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| e.to_string())?
            .with_webpki_verifier(verifier)
            .with_client_auth_cert(chain, key)
            .map_err(|e| format!("client certificate: {e}"))?;
        Ok(Client { tls: Arc::new(tls), timeout, key_dir: creds.ca.parent().map(Path::to_path_buf) })
    }

    /// One call to the agent at `address` (`host:port`), whose certificate must name `host`.
    pub async fn call(
        &self,
        address: &str,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Answer, CallError> {
        self.call_with(address, method, path, body, &[]).await
    }

    /// [`Client::call`] with extra request headers.
    pub async fn call_with(
        &self,
        address: &str,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&'static str, String)],
    ) -> Result<Answer, CallError> {
        let started = Instant::now();
        let timeout = self.timeout;
        match tokio::time::timeout(timeout, self.call_inner(address, method, path, body, headers)).await {
            Ok(Ok((status, body))) => Ok(Answer { status, body, latency: started.elapsed() }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(CallError::Timeout { address: address.to_string(), timeout }),
        }
    }

    async fn call_inner(
        &self,
        address: &str,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&'static str, String)],
    ) -> Result<(u16, Bytes), CallError> {
        let addr = || address.to_string();
        let (host, mut send) = self.connect::<Full<Bytes>>(address).await?;
        let mut req = Request::builder().method(method).uri(path).header(http::header::HOST, &host);
        if body.is_some() {
            req = req.header(http::header::CONTENT_TYPE, "application/json");
        }
        for (name, value) in headers {
            req = req.header(*name, value.as_str());
        }
        let req = req
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| CallError::Http { address: addr(), reason: e.to_string() })?;
        let res =
            send.send_request(req).await.map_err(|e| CallError::Http { address: addr(), reason: e.to_string() })?;
        let status = res.status().as_u16();
        // An agent's answer is bounded: a misbehaving or hostile host cannot exhaust the CLI.
        let body = http_body_util::Limited::new(res.into_body(), MAX_ANSWER)
            .collect()
            .await
            .map_err(|e| CallError::Http { address: addr(), reason: e.to_string() })?
            .to_bytes();
        Ok((status, body))
    }
}

/// A bundle sent as a request body in the chunks it is made of, then its SHA-256 as a trailer;
/// every chunk sent marks the shared progress (bytes) and the time of the last activity.
struct ChunkBody {
    rx: tokio::sync::mpsc::Receiver<Chunk>,
    progress: Arc<Progress>,
}

/// How an upload goes: bytes sent, and when the last ones left (milliseconds since `start`).
#[derive(Debug)]
pub struct Progress {
    pub sent: std::sync::atomic::AtomicU64,
    last_ms: std::sync::atomic::AtomicU64,
    done: std::sync::atomic::AtomicBool,
    /// Waiting for the next chunk (the bundle is made as it is sent): not idle.
    waiting: std::sync::atomic::AtomicBool,
    start: Instant,
}

impl Progress {
    pub fn new() -> Arc<Progress> {
        Arc::new(Progress {
            sent: Default::default(),
            last_ms: Default::default(),
            done: Default::default(),
            waiting: Default::default(),
            start: Instant::now(),
        })
    }

    fn touch(&self) {
        self.last_ms.store(self.start.elapsed().as_millis() as u64, std::sync::atomic::Ordering::Relaxed);
    }

    fn idle(&self) -> Duration {
        if self.waiting.load(std::sync::atomic::Ordering::Relaxed) {
            return Duration::ZERO;
        }
        let last = Duration::from_millis(self.last_ms.load(std::sync::atomic::Ordering::Relaxed));
        self.start.elapsed().saturating_sub(last)
    }
}

impl hyper::body::Body for ChunkBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, std::io::Error>>> {
        use std::sync::atomic::Ordering::Relaxed;
        use std::task::Poll;
        let p = self.progress.clone();
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(Chunk::Data(chunk))) => {
                p.waiting.store(false, Relaxed);
                p.sent.fetch_add(chunk.len() as u64, Relaxed);
                p.touch();
                Poll::Ready(Some(Ok(hyper::body::Frame::data(chunk))))
            }
            Poll::Ready(Some(Chunk::End(sha256))) => {
                p.waiting.store(false, Relaxed);
                p.done.store(true, Relaxed);
                p.touch();
                let mut t = http::HeaderMap::new();
                match http::HeaderValue::from_str(&sha256) {
                    Ok(v) => {
                        t.insert(amoe_proto::RELEASE_SHA256, v);
                        Poll::Ready(Some(Ok(hyper::body::Frame::trailers(t))))
                    }
                    Err(e) => Poll::Ready(Some(Err(std::io::Error::other(e)))),
                }
            }
            // Ended without its SHA-256: the bundle could not be made whole; the host must not
            // take it.
            Poll::Ready(None) if !p.done.load(Relaxed) => {
                p.waiting.store(false, Relaxed);
                Poll::Ready(Some(Err(std::io::Error::other("the bundle was cut short"))))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                p.waiting.store(true, Relaxed);
                Poll::Pending
            }
        }
    }
}

/// How long an agent may take to answer once the whole bundle is sent (it unpacks it).
const UNPACK_WAIT: Duration = Duration::from_secs(600);

impl Client {
    /// `PUT`s the bundle coming through `rx` to `path` on the agent at `address`, streamed
    /// (chunked, its SHA-256 in a trailer): the client's time-out counts inactivity (no byte
    /// sent for that long while there was one to send), then the agent has [`UNPACK_WAIT`] to
    /// answer.
    pub async fn upload(
        &self,
        address: &str,
        path: &str,
        rx: tokio::sync::mpsc::Receiver<Chunk>,
        headers: &[(&'static str, String)],
        progress: Arc<Progress>,
    ) -> Result<Answer, CallError> {
        let started = Instant::now();
        let addr = || address.to_string();
        progress.touch();
        let body = ChunkBody { rx, progress: progress.clone() };
        let call = async {
            let (host, mut send) = self.connect(address).await?;
            let mut req = Request::builder()
                .method(Method::PUT)
                .uri(path)
                .header(http::header::HOST, host)
                .header(http::header::CONTENT_TYPE, "application/x-tar")
                .header(http::header::TRAILER, amoe_proto::RELEASE_SHA256);
            for (name, value) in headers {
                req = req.header(*name, value.as_str());
            }
            let req = req.body(body).map_err(|e| CallError::Http { address: addr(), reason: e.to_string() })?;
            let res =
                send.send_request(req).await.map_err(|e| CallError::Http { address: addr(), reason: e.to_string() })?;
            let status = res.status().as_u16();
            let body = http_body_util::Limited::new(res.into_body(), MAX_ANSWER)
                .collect()
                .await
                .map_err(|e| CallError::Http { address: addr(), reason: e.to_string() })?
                .to_bytes();
            Ok((status, body))
        };
        tokio::pin!(call);
        let mut tick = tokio::time::interval(Duration::from_millis(200));
        loop {
            tokio::select! {
                r = &mut call => {
                    let (status, body) = r?;
                    return Ok(Answer { status, body, latency: started.elapsed() });
                }
                _ = tick.tick() => {
                    let done = progress.done.load(std::sync::atomic::Ordering::Relaxed);
                    let limit = if done { UNPACK_WAIT } else { self.timeout };
                    if progress.idle() > limit {
                        return Err(CallError::Timeout { address: addr(), timeout: limit });
                    }
                }
            }
        }
    }

    /// `GET`s `path` from the agent at `address` into the new file `dest`, streamed; the time-out
    /// counts inactivity. Returns the status and, for an error, its body (up to 64 KiB).
    pub async fn download(&self, address: &str, path: &str, dest: &Path) -> Result<(u16, Bytes), CallError> {
        use tokio::io::AsyncWriteExt;
        let addr = || address.to_string();
        let http = |e: &dyn std::fmt::Display| CallError::Http { address: addr(), reason: e.to_string() };
        let (host, mut send) = tokio::time::timeout(self.timeout, self.connect::<Full<Bytes>>(address))
            .await
            .map_err(|_| CallError::Timeout { address: addr(), timeout: self.timeout })??;
        let req = Request::builder()
            .method(Method::GET)
            .uri(path)
            .header(http::header::HOST, &host)
            .body(Full::new(Bytes::new()))
            .map_err(|e| http(&e))?;
        let res = tokio::time::timeout(self.timeout, send.send_request(req))
            .await
            .map_err(|_| CallError::Timeout { address: addr(), timeout: self.timeout })?
            .map_err(|e| http(&e))?;
        let status = res.status().as_u16();
        let mut body = res.into_body();
        if status != 200 {
            let b = tokio::time::timeout(self.timeout, http_body_util::Limited::new(body, 64 << 10).collect())
                .await
                .map_err(|_| CallError::Timeout { address: addr(), timeout: self.timeout })?
                .map_err(|e| http(&e))?
                .to_bytes();
            return Ok((status, b));
        }
        let mut file =
            tokio::fs::OpenOptions::new().write(true).create_new(true).open(dest).await.map_err(|e| http(&e))?;
        loop {
            let frame = tokio::time::timeout(self.timeout, body.frame())
                .await
                .map_err(|_| CallError::Timeout { address: addr(), timeout: self.timeout })?;
            match frame {
                None => break,
                Some(Err(e)) => return Err(http(&e)),
                Some(Ok(f)) => {
                    if let Ok(data) = f.into_data() {
                        file.write_all(&data).await.map_err(|e| http(&e))?;
                    }
                }
            }
        }
        file.flush().await.map_err(|e| http(&e))?;
        Ok((status, Bytes::new()))
    }

    /// A TLS connection to the agent at `address`, ready for one HTTP/1.1 request.
    async fn connect<B>(&self, address: &str) -> Result<(String, hyper::client::conn::http1::SendRequest<B>), CallError>
    where
        B: hyper::body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let addr = || address.to_string();
        let host = address.rsplit_once(':').map_or(address, |(h, _)| h).trim_start_matches('[').trim_end_matches(']');
        let name = ServerName::try_from(host.to_string())
            .map_err(|e| CallError::Tls { address: addr(), reason: e.to_string() })?;
        let tcp = tokio::net::TcpStream::connect(address)
            .await
            .map_err(|e| CallError::Connect { address: addr(), reason: e.to_string() })?;
        let _ = tcp.set_nodelay(true);
        let stream = tokio_rustls::TlsConnector::from(self.tls.clone())
            .connect(name, tcp)
            .await
            .map_err(|e| CallError::Tls { address: addr(), reason: e.to_string() })?;
        let (send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| CallError::Http { address: addr(), reason: e.to_string() })?;
        tokio::spawn(conn);
        Ok((host.to_string(), send))
    }
}

/// Largest answer read from an agent.
const MAX_ANSWER: usize = 16 << 20;

/// Longest error text shown from an agent.
const MAX_ERROR_TEXT: usize = 500;

/// The message of an API error body, or the body itself, made safe for a terminal: control
/// characters (escape sequences) replaced, at most [`MAX_ERROR_TEXT`] characters.
pub fn error_message(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<amoe_proto::ErrorBody>(body) {
        Ok(e) => match e.error.hint {
            Some(h) => format!("{} (hint: {h})", e.error.message),
            None => e.error.message,
        },
        Err(_) => String::from_utf8_lossy(body).trim().to_string(),
    };
    let mut safe: String =
        text.chars().map(|c| if c.is_control() { '\u{FFFD}' } else { c }).take(MAX_ERROR_TEXT).collect();
    if text.chars().count() > MAX_ERROR_TEXT {
        safe.push('…');
    }
    safe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_error_text_is_made_safe_for_a_terminal() {
        let body = br#"{"error":{"code":"x","message":"bad \u001b[31mred\u001b[0m\nline"}}"#;
        let m = error_message(body);
        assert!(!m.chars().any(char::is_control), "{m:?}");
        assert!(m.starts_with("bad ") && m.contains("red"), "{m:?}");
        let long = "x".repeat(10_000);
        let m = error_message(long.as_bytes());
        assert_eq!(m.chars().count(), MAX_ERROR_TEXT + 1);
    }
}
