//! HTTPS for the sites: one certificate per site, chosen by SNI; ALPN offers HTTP/2 and
//! HTTP/1.1; TLS 1.2 and 1.3 only. A name no site has gets no certificate, so the handshake
//! fails rather than show another site's certificate. Certificates are swapped atomically when
//! the sites are reloaded.

use crate::config::SiteConfig;
use arc_swap::ArcSwap;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::collections::HashMap;
use std::sync::Arc;

/// Certificates by server name.
#[derive(Debug, Default)]
pub struct SniResolver {
    certs: ArcSwap<HashMap<String, Arc<CertifiedKey>>>,
}

impl ResolvesServerCert for SniResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let certs = self.certs.load();
        // A catch-all site (`*`, quick mode) with a certificate answers any name, or none.
        match hello.server_name() {
            Some(name) => certs.get(&name.to_ascii_lowercase()).or_else(|| certs.get("*")).cloned(),
            None => certs.get("*").cloned(),
        }
    }
}

/// Loads a PEM certificate chain and private key.
pub fn load_certified_key(cert: &std::path::Path, key: &std::path::Path) -> Result<CertifiedKey, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("certificate `{}`: {e}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("certificate `{}`: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("certificate `{}` holds no certificate", cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("key `{}`: {e}", key.display()))?;
    let signing = rustls::crypto::ring::sign::any_supported_type(&key).map_err(|e| format!("key: {e}"))?;
    Ok(CertifiedKey::new(chain, signing))
}

impl SniResolver {
    /// Loads the certificates of the sites that have one, for each of their domains.
    pub fn load(&self, sites: &[SiteConfig]) -> Result<(), String> {
        let mut map = HashMap::new();
        for site in sites {
            let Some(files) = &site.tls else { continue };
            let ck = Arc::new(
                load_certified_key(&files.cert, &files.key).map_err(|e| format!("site `{}`: {e}", site.name))?,
            );
            for d in &site.domains {
                map.insert(d.to_ascii_lowercase(), ck.clone());
            }
        }
        self.certs.store(Arc::new(map));
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.certs.load().is_empty()
    }
}

/// The server TLS configuration around a resolver. The server's cipher-suite order applies,
/// AES-128-GCM first (as Mozilla's recommended configuration): clients such as OpenSSL ask for
/// AES-256-GCM-SHA384 first, and ring's SHA-384 (no hardware path here) took 13 % of the CPU
/// of a handshake-bound run, against 3 % for SHA-256.
pub fn server_config(resolver: Arc<SniResolver>) -> Result<Arc<rustls::ServerConfig>, String> {
    use rustls::crypto::ring::cipher_suite as cs;
    let mut provider = rustls::crypto::ring::default_provider();
    provider.cipher_suites = vec![
        cs::TLS13_AES_128_GCM_SHA256,
        cs::TLS13_AES_256_GCM_SHA384,
        cs::TLS13_CHACHA20_POLY1305_SHA256,
        cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_cert_resolver(resolver);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config.ignore_client_order = true;
    Ok(Arc::new(config))
}
