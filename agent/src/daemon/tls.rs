//! Mutual TLS for the control API: TLS 1.2 and 1.3 only, a client certificate signed by the
//! project CA required, the revocation list checked on every handshake. The configuration is
//! rebuilt on reload (SIGHUP, or a new revocation list) and swapped atomically: connections
//! already open keep theirs.
//!
//! A client's identity is its certificate's subject: CN = the name, OU = the role (`operator`
//! or `ci`), as `amoe ca issue` writes them.

use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;

/// What a client certificate may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Operator,
    Ci,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Ci => "ci",
        }
    }
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    /// `None` when the certificate names no known role: such a client may do nothing.
    pub role: Option<Role>,
}

/// Reads CN and OU from a client certificate.
pub fn identity(cert: &CertificateDer<'_>) -> Identity {
    let parsed = x509_parser::parse_x509_certificate(cert.as_ref()).ok();
    let Some((_, cert)) = parsed else { return Identity { name: "?".into(), role: None } };
    let subject = cert.subject();
    let first = |it: &mut dyn Iterator<Item = &x509_parser::x509::AttributeTypeAndValue<'_>>| {
        it.next().and_then(|a| a.as_str().ok()).unwrap_or("").to_string()
    };
    let name = first(&mut subject.iter_common_name());
    let role = match first(&mut subject.iter_organizational_unit()).as_str() {
        "operator" => Some(Role::Operator),
        "ci" => Some(Role::Ci),
        _ => None,
    };
    Identity { name, role }
}

/// The expiry of a certificate file's first certificate, as a UNIX time.
pub fn not_after(cert_pem: &Path) -> Option<i64> {
    let der = CertificateDer::from_pem_file(cert_pem).ok()?;
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
    Some(cert.validity().not_after.timestamp())
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
