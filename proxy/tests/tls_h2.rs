//! HTTPS: one certificate per site chosen by SNI, no certificate for an unknown name, HTTP/2 by
//! ALPN (with the cache behind it), 421 when `Host` and SNI disagree, no TLS 1.1.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/extra.rs"]
mod extra;

use amoe_proxy::Proxy;
use amoe_proxy::config::{Limits, ProxyConfig, SiteConfig, TlsFiles};
use bytes::Bytes;
use common::*;
use extra::*;
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

struct Fixture {
    _dir: tempfile::TempDir,
    ca: TestCa,
    a: SiteCert,
    b: SiteCert,
    origins: (Origin, Origin),
    p: Running,
}

async fn fixture() -> Fixture {
    fixture_with(Limits::default()).await
}

async fn fixture_with(limits: Limits) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new();
    let a = ca.site(dir.path(), "a.example.test");
    let b = ca.site(dir.path(), "b.example.test");
    let oa = Origin::start(|s, _| resp(200, &[("cache-control", "max-age=60")], &format!("site a {}", s.path))).await;
    let ob = Origin::start(|s, _| resp(200, &[("cache-control", "max-age=60")], &format!("site b {}", s.path))).await;
    let mut sa = SiteConfig::new("a", &["a.example.test"], &[&oa.url()]);
    sa.tls = Some(TlsFiles { cert: a.cert.clone(), key: a.key.clone() });
    let mut sb = SiteConfig::new("b", &["b.example.test"], &[&ob.url()]);
    sb.tls = Some(TlsFiles { cert: b.cert.clone(), key: b.key.clone() });
    let proxy = Proxy::new(ProxyConfig { limits, ..config(vec![sa, sb]) }).unwrap();
    let p = Running::serve(proxy.clone(), Some(proxy.tls_acceptor().unwrap())).await;
    Fixture { _dir: dir, ca, a, b, origins: (oa, ob), p }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client trusting only the test CA.
fn client_config(ca: &TestCa, alpn: &[&[u8]]) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.cert.der().clone()).unwrap();
    let mut c = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    c.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    c
}

async fn connect(
    addr: std::net::SocketAddr,
    config: rustls::ClientConfig,
    sni: &str,
) -> std::io::Result<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(addr).await?;
    let name = ServerName::try_from(sni.to_string()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), TlsConnector::from(Arc::new(config)).connect(name, tcp))
        .await
        .map_err(|_| std::io::Error::other("handshake timed out"))?
}

fn leaf(tls: &TlsStream<TcpStream>) -> Vec<u8> {
    tls.get_ref().1.peer_certificates().and_then(|c| c.first()).map(|c| c.to_vec()).unwrap_or_default()
}

/// A GET over HTTP/1.1 on an established TLS stream.
async fn h1_get(tls: TlsStream<TcpStream>, host: &str, path: &str) -> (StatusCode, String) {
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls)).await.unwrap();
    tokio::spawn(conn);
    let req = Request::get(path).header("host", host).body(Empty::<Bytes>::new()).unwrap();
    let res = send.send_request(req).await.unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sni_picks_each_sites_certificate_and_content() {
    let f = fixture().await;
    for (name, cert, body) in [("a.example.test", &f.a, "site a /x"), ("b.example.test", &f.b, "site b /x")] {
        let tls = connect(f.p.addr, client_config(&f.ca, &[b"http/1.1"]), name).await.unwrap();
        assert_eq!(leaf(&tls), cert.der, "{name} gets its own certificate");
        let (status, text) = h1_get(tls, name, "/x").await;
        assert_eq!((status, text.as_str()), (StatusCode::OK, body));
    }
}

/// Accepts any certificate and remembers what it was shown.
#[derive(Debug)]
struct Recorder {
    seen: Mutex<Vec<Vec<u8>>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.seen.lock().unwrap().push(end_entity.to_vec());
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_sni_fails_the_handshake_without_any_certificate() {
    let f = fixture().await;
    let recorder = Arc::new(Recorder { seen: Mutex::default(), provider: provider() });
    let mut c = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    c.alpn_protocols = vec![b"http/1.1".to_vec()];
    // The recorder sees certificates: a known name shows a's.
    let ok = connect(f.p.addr, c.clone(), "a.example.test").await;
    assert!(ok.is_ok(), "the recording client can connect to a known name");
    assert_eq!(recorder.seen.lock().unwrap().as_slice(), std::slice::from_ref(&f.a.der));
    recorder.seen.lock().unwrap().clear();
    let unknown = connect(f.p.addr, c, "c.example.test").await;
    assert!(unknown.is_err(), "the handshake for a name no site has must fail");
    assert!(recorder.seen.lock().unwrap().is_empty(), "no certificate (of another site) is shown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h2_by_alpn_and_second_get_is_a_hit_on_the_same_connection() {
    let f = fixture().await;
    let tls = connect(f.p.addr, client_config(&f.ca, &[b"h2", b"http/1.1"]), "a.example.test").await.unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let (mut send, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls)).await.unwrap();
    tokio::spawn(conn);
    let mut caches = Vec::new();
    for _ in 0..2 {
        let req = Request::get("https://a.example.test/h2").body(Empty::<Bytes>::new()).unwrap();
        let res = send.send_request(req).await.unwrap();
        assert_eq!(res.version(), http::Version::HTTP_2);
        assert_eq!(res.status(), StatusCode::OK);
        caches.push(res.headers().get("x-cache").and_then(|v| v.to_str().ok()).unwrap_or("").to_string());
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"site a /h2");
    }
    assert_eq!(caches, ["MISS", "HIT"]);
    assert_eq!(f.origins.0.hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_of_another_site_than_the_sni_gets_421() {
    let f = fixture().await;
    let tls = connect(f.p.addr, client_config(&f.ca, &[b"http/1.1"]), "a.example.test").await.unwrap();
    let (status, _) = h1_get(tls, "b.example.test", "/x").await;
    assert_eq!(status, StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(f.origins.1.hits(), 0, "b's origin is never asked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_1_2_and_1_3_are_accepted() {
    let f = fixture().await;
    for version in [&rustls::version::TLS12, &rustls::version::TLS13] {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(f.ca.cert.der().clone()).unwrap();
        let c = rustls::ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(&[version])
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let tls = connect(f.p.addr, c, "a.example.test").await.unwrap();
        assert_eq!(tls.get_ref().1.protocol_version(), Some(version.version));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_1_1_client_hello_gets_an_alert_not_a_server_hello() {
    let f = fixture().await;
    let mut tcp = TcpStream::connect(f.p.addr).await.unwrap();
    tcp.write_all(&tls11_client_hello("a.example.test")).await.unwrap();
    let mut first = [0u8; 7];
    let got = tokio::time::timeout(Duration::from_secs(5), tcp.read_exact(&mut first)).await;
    match got {
        Ok(Ok(_)) => {
            assert_eq!(first[0], 0x15, "an alert record, not a handshake: {first:?}");
            assert_eq!(first[5], 2, "a fatal alert: {first:?}");
            assert_eq!(first[6], 70, "alert protocol_version (so the hello was read, and refused): {first:?}");
        }
        // Closed without an alert: no TLS 1.1 session either.
        Ok(Err(_)) => {}
        Err(_) => panic!("the server neither answered nor closed a TLS 1.1 ClientHello"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_client_after_the_handshake_is_cut_after_the_header_timeout() {
    let f = fixture_with(Limits { header_timeout: Duration::from_millis(300), ..Limits::default() }).await;
    let mut tls = connect(f.p.addr, client_config(&f.ca, &[b"h2", b"http/1.1"]), "a.example.test").await.unwrap();
    let t0 = Instant::now();
    let mut buf = [0u8; 1024];
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match tls.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    let took = t0.elapsed();
    assert!(closed.is_ok(), "a TLS client that never sends a request still holds its connection after 5 s");
    assert!(took >= Duration::from_millis(250), "closed too early ({took:?}): the timeout is 300 ms");
}

/// The scheme is in the cache key: an origin's cacheable redirect of plain HTTP to HTTPS is
/// served to plain-HTTP clients only; HTTPS clients of the same URL get the page (no loop).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_origins_cached_https_redirect_does_not_loop_https_clients() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new();
    let a = ca.site(dir.path(), "a.example.test");
    let origin = Origin::start(|s, _| {
        if s.headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https") {
            resp(200, &[("cache-control", "max-age=60")], "secure page")
        } else {
            resp(301, &[("cache-control", "max-age=3600"), ("location", "https://a.example.test/page")], "")
        }
    })
    .await;
    let mut site = SiteConfig::new("a", &["a.example.test"], &[&origin.url()]);
    site.tls = Some(TlsFiles { cert: a.cert.clone(), key: a.key.clone() });
    let proxy = Proxy::new(config(vec![site])).unwrap();
    let https = Running::serve(proxy.clone(), Some(proxy.tls_acceptor().unwrap())).await;
    let http = Running::serve(proxy.clone(), None).await;
    let plain =
        || async { raw_exchange(http.addr, &get_close("/page", "a.example.test")).await.expect("an answer over HTTP") };
    for expected in ["MISS", "HIT"] {
        let r = plain().await;
        assert_eq!(r.status, 301, "{}", r.text());
        assert_eq!(r.header("x-cache"), Some(expected));
    }
    for _ in 0..2 {
        let tls = connect(https.addr, client_config(&ca, &[b"http/1.1"]), "a.example.test").await.unwrap();
        let (status, body) = h1_get(tls, "a.example.test", "/page").await;
        assert_eq!(status, StatusCode::OK, "HTTPS clients never get the cached redirect");
        assert_eq!(body, "secure page");
    }
    assert_eq!(origin.hits(), 2, "one fill per scheme, then hits");
    assert_eq!(plain().await.status, 301, "the plain-HTTP entry is still there");
}
