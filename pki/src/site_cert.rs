//! Certificates of the sites (HTTPS to visitors), bought or from ACME, not issued by the
//! project CA: checked by the CLI before they are pushed and by the agent before it serves
//! them. A chain, a key that belongs to its first certificate, every domain of the site covered
//! by a subject alternative name (a wildcard covers one label), valid now.

use crate::info_of;
use jiff::Timestamp;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// Why a site certificate is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteCertError {
    #[error("the certificate file holds no PEM certificate")]
    NoCertificate,
    #[error("cannot read the certificate chain: {0}")]
    BadChain(String),
    #[error("cannot read the private key: {0}")]
    BadKey(String),
    #[error("the private key does not belong to the certificate")]
    KeyMismatch,
    #[error("the certificate does not cover `{0}` (it names {1})")]
    DomainNotCovered(String, String),
    #[error("the certificate expired on {0}")]
    Expired(Timestamp),
    #[error("the certificate is not valid before {0}")]
    NotYetValid(Timestamp),
}

/// What a checked site certificate says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteCertInfo {
    /// DNS names of the first certificate.
    pub names: Vec<String>,
    /// The issuer's distinguished name, as text.
    pub issuer: String,
    pub not_before: Timestamp,
    pub not_after: Timestamp,
    /// SHA-256 of the first certificate, hexadecimal.
    pub fingerprint: String,
}

/// Whether a certificate name (`www.example.org`, `*.example.org`) covers `domain`.
pub fn name_covers(name: &str, domain: &str) -> bool {
    let (name, domain) =
        (name.trim_end_matches('.').to_ascii_lowercase(), domain.trim_end_matches('.').to_ascii_lowercase());
    match name.strip_prefix("*.") {
        Some(parent) => domain.split_once('.').is_some_and(|(label, rest)| !label.is_empty() && rest == parent),
        None => name == domain,
    }
}

/// Checks a PEM chain and key for a site serving `domains`, at `now`.
pub fn check_site_cert(
    chain_pem: &[u8],
    key_pem: &[u8],
    domains: &[String],
    now: Timestamp,
) -> Result<SiteCertInfo, SiteCertError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| SiteCertError::BadChain(e.to_string()))?;
    let leaf = chain.first().ok_or(SiteCertError::NoCertificate)?;
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| SiteCertError::BadKey(e.to_string()))?;
    let signing =
        rustls::crypto::ring::sign::any_supported_type(&key).map_err(|e| SiteCertError::BadKey(e.to_string()))?;
    rustls::sign::CertifiedKey::new(chain.clone(), signing).keys_match().map_err(|_| SiteCertError::KeyMismatch)?;
    let info = info_of(leaf).map_err(|e| SiteCertError::BadChain(e.to_string()))?;
    let issuer = crate::issuer_of(leaf).map_err(|e| SiteCertError::BadChain(e.to_string()))?;
    let names: Vec<String> = info.sans.iter().filter(|s| s.parse::<std::net::IpAddr>().is_err()).cloned().collect();
    for d in domains {
        if !names.iter().any(|n| name_covers(n, d)) {
            return Err(SiteCertError::DomainNotCovered(d.clone(), names.join(", ")));
        }
    }
    if info.not_after <= now {
        return Err(SiteCertError::Expired(info.not_after));
    }
    if info.not_before > now {
        return Err(SiteCertError::NotYetValid(info.not_before));
    }
    Ok(SiteCertInfo {
        names,
        issuer,
        not_before: info.not_before,
        not_after: info.not_after,
        fingerprint: info.sha256_fingerprint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(names: &[&str], days: i64) -> (String, String) {
        let key = rcgen::KeyPair::generate().expect("key");
        let mut p = rcgen::CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).expect("p");
        let now = time::OffsetDateTime::now_utc();
        p.not_before = now - time::Duration::days(1);
        p.not_after = now + time::Duration::days(days);
        (p.self_signed(&key).expect("cert").pem(), key.serialize_pem())
    }

    #[test]
    fn wildcards_cover_one_label() {
        assert!(name_covers("*.example.org", "www.example.org"));
        assert!(name_covers("WWW.example.org.", "www.EXAMPLE.org"));
        assert!(!name_covers("*.example.org", "example.org"));
        assert!(!name_covers("*.example.org", "a.b.example.org"));
        assert!(!name_covers("www.example.org", "ww.example.org"));
    }

    #[test]
    fn chains_keys_domains_and_dates_are_checked() {
        let now = Timestamp::now();
        let domains = vec!["www.example.org".to_string(), "example.org".to_string()];
        let (c, k) = cert(&["www.example.org", "example.org"], 90);
        let info = check_site_cert(c.as_bytes(), k.as_bytes(), &domains, now).expect("good");
        assert_eq!(info.names, ["www.example.org", "example.org"]);
        assert!(info.not_after > now);
        let (_, other_key) = cert(&["www.example.org"], 90);
        assert_eq!(check_site_cert(c.as_bytes(), other_key.as_bytes(), &domains, now), Err(SiteCertError::KeyMismatch));
        let (c1, k1) = cert(&["www.example.org"], 90);
        assert!(matches!(
            check_site_cert(c1.as_bytes(), k1.as_bytes(), &domains, now),
            Err(SiteCertError::DomainNotCovered(d, _)) if d == "example.org"
        ));
        let (c2, k2) = cert(&["*.example.org", "example.org"], -1);
        assert!(matches!(check_site_cert(c2.as_bytes(), k2.as_bytes(), &domains, now), Err(SiteCertError::Expired(_))));
        assert_eq!(check_site_cert(b"junk", k.as_bytes(), &domains, now), Err(SiteCertError::NoCertificate));
        assert!(matches!(check_site_cert(c.as_bytes(), b"junk", &domains, now), Err(SiteCertError::BadKey(_))));
    }
}
