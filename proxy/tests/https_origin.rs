//! Origins over HTTPS are verified: trusted through the configured CA they serve, untrusted
//! they do not.
#![allow(clippy::unwrap_used)]

mod common;
use amoe_proxy::config::ProxyConfig;
use common::*;
use rustls_pki_types::pem::PemObject;
use std::sync::Arc;

struct Pki {
    ca_pem: String,
    cert_pem: String,
    key_pem: String,
}

fn pki() -> Pki {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "test origin CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, rcgen::KeyPair::generate().unwrap()).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap().signed_by(&key, &ca).unwrap();
    Pki { ca_pem: ca.pem(), cert_pem: cert.pem(), key_pem: key.serialize_pem() }
}

/// An HTTPS origin answering `secure` with max-age=60.
async fn tls_origin(pki: &Pki) -> (std::net::SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
    let certs = vec![rustls_pki_types::CertificateDer::from_pem_slice(pki.cert_pem.as_bytes()).unwrap()];
    let key = rustls_pki_types::PrivateKeyDer::from_pem_slice(pki.key_pem.as_bytes()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let h = hits.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            let (acceptor, h) = (acceptor.clone(), h.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else { return };
                let svc = hyper::service::service_fn(move |_req| {
                    h.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    async { Ok::<_, std::convert::Infallible>(resp(200, &[("cache-control", "max-age=60")], "secure")) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    (addr, hits)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verified_https_origin_is_used_and_cached() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let (addr, hits) = tls_origin(&pki).await;
    let origin = format!("https://localhost:{}", addr.port());
    let cfg = ProxyConfig { origin_ca: Some(ca), ..config(vec![site(&[&origin])]) };
    let p = Running::start(cfg).await;
    let c = Http::default();
    let a = c.get(p.addr, "/s").await;
    assert_eq!((a.status.as_u16(), a.cache(), a.text().as_str()), (200, "MISS", "secure"));
    assert_eq!(c.get(p.addr, "/s").await.cache(), "HIT");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_https_origin_is_refused() {
    let pki = pki();
    let (addr, hits) = tls_origin(&pki).await;
    let origin = format!("https://localhost:{}", addr.port());
    let p = Running::start(config(vec![site(&[&origin])])).await;
    let r = Http::default().get(p.addr, "/s").await;
    assert_eq!(r.status.as_u16(), 502);
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0, "no request was sent over the unverified connection");
}
