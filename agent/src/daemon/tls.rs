//! Mutual TLS for the control API: TLS 1.2 and 1.3 only, a client certificate signed by the
//! project CA required, the revocation list checked on every handshake. The configuration is
//! rebuilt on reload (SIGHUP, or a new revocation list) and swapped atomically: connections
//! already open keep theirs.
//!
//! A client's identity is its certificate's subject: CN = the name, OU = the role (`operator`
//! or `ci`), as `amoe ca issue` writes them; `amoe_pki` reads it, for both sides.

use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;

pub use amoe_pki::Role;

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    /// `None` when the certificate names no known role: such a client may do nothing.
    pub role: Option<Role>,
}

/// Reads CN and OU from a client certificate (the contract is `amoe_pki`'s).
pub fn identity(cert: &CertificateDer<'_>) -> Identity {
    match amoe_pki::info_of(cert.as_ref()) {
        Ok(info) => Identity {
            role: info.organizational_unit.as_deref().and_then(|ou| ou.parse().ok()),
            name: info.common_name.unwrap_or_else(|| "?".into()),
        },
        Err(_) => Identity { name: "?".into(), role: None },
    }
}

/// The expiry of a certificate file's first certificate, as a UNIX time.
pub fn not_after(cert_pem: &Path) -> Option<i64> {
    let der = CertificateDer::from_pem_file(cert_pem).ok()?;
    amoe_pki::info_of(der.as_ref()).ok().map(|i| i.not_after.as_second())
}

/// Builds the control listener's TLS configuration.
pub fn server_config(
    ca: &Path,
    cert: &Path,
    key: &Path,
    crl: Option<&Path>,
) -> Result<Arc<rustls::ServerConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(ca).map_err(|e| format!("CA `{}`: {e}", ca.display()))? {
        roots
            .add(c.map_err(|e| format!("CA `{}`: {e}", ca.display()))?)
            .map_err(|e| format!("CA `{}`: {e}", ca.display()))?;
    }
    let mut verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
    if let Some(crl) = crl.filter(|p| p.exists()) {
        let crls: Vec<CertificateRevocationListDer<'static>> = CertificateRevocationListDer::pem_file_iter(crl)
            .map_err(|e| format!("revocation list `{}`: {e}", crl.display()))?
            .collect::<Result<_, _>>()
            .map_err(|e| format!("revocation list `{}`: {e}", crl.display()))?;
        verifier = verifier.with_crls(crls);
    }
    let verifier = verifier.build().map_err(|e| format!("client verifier: {e}"))?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("certificate `{}`: {e}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("certificate `{}`: {e}", cert.display()))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("key `{}`: {e}", key.display()))?;
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12, &rustls::version::TLS13])
        .map_err(|e| e.to_string())?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| format!("server certificate: {e}"))?;
    Ok(Arc::new(config))
}
