//! Who a fleet command acts as: its client certificate's name and role, checked against the
//! project CA and its revocation list, and the key it signs queued items with.

use amoe_pki::Role;

/// Who a fleet command acts as: the name and role of its client certificate, checked against
/// the project CA, and what it signs the items it queues with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub role: Role,
    /// The certificate (DER) and its private key (PEM); `None` for the CA itself.
    pub(super) signer: Option<(Vec<u8>, Vec<u8>)>,
    /// The CA directory (where the sites' certificates are kept), when known.
    pub ca_dir: Option<std::path::PathBuf>,
}

impl Caller {
    /// Read from the certificate and key files the command will use; the certificate must be
    /// one the project CA (`ca_pem`) issued, so that its role is not the caller's say-so.
    pub fn from_files(
        cert: &std::path::Path,
        key: &std::path::Path,
        ca_pem: &std::path::Path,
        crl: Option<&std::path::Path>,
    ) -> Result<Caller, String> {
        use rustls_pki_types::CertificateDer;
        use rustls_pki_types::pem::PemObject;
        let der = CertificateDer::from_pem_file(cert).map_err(|e| format!("certificate `{}`: {e}", cert.display()))?;
        let ca = CertificateDer::from_pem_file(ca_pem).map_err(|e| format!("CA `{}`: {e}", ca_pem.display()))?;
        let key_pem = std::fs::read(key).map_err(|e| format!("key `{}`: {e}", key.display()))?;
        // The key signs, the CA's check of the certificate tells who signs.
        let probe = amoe_pki::item_sig::message("", "GET", "/", b"");
        let sig = amoe_pki::item_sig::sign(&key_pem, &probe).map_err(|e| format!("key `{}`: {e}", key.display()))?;
        // Revoked certificates queue nothing (the agents would refuse what they queued).
        let revoked = match crl {
            Some(path) => {
                let ca_text = std::fs::read_to_string(ca_pem).map_err(|e| format!("CA `{}`: {e}", ca_pem.display()))?;
                let list = std::fs::read(path).map_err(|e| format!("revocation list `{}`: {e}", path.display()))?;
                amoe_pki::check_crl(&ca_text, &list)
                    .map_err(|e| format!("revocation list `{}`: {e}", path.display()))?
                    .revoked
            }
            None => Vec::new(),
        };
        let is_revoked = |s: &str| revoked.iter().any(|r| r == s);
        let id = amoe_pki::item_sig::verify(&ca, &der, &probe, &sig, &is_revoked, jiff::Timestamp::now())
            .map_err(|e| format!("certificate `{}`: {e}", cert.display()))?;
        Ok(Caller {
            name: id.name,
            role: id.role,
            signer: Some((der.to_vec(), key_pem)),
            ca_dir: ca_pem.parent().map(std::path::Path::to_path_buf),
        })
    }

    /// The CA itself, for revocation lists queued by `ca revoke` / `ca crl`: the list is signed
    /// by the CA and checked by the agent, so the item itself is not signed.
    pub fn ca() -> Caller {
        Caller { name: "ca".into(), role: Role::Operator, signer: None, ca_dir: None }
    }

    /// An operator without a certificate, for dry runs only (nothing is queued).
    pub fn rehearsal(name: &str) -> Caller {
        Caller { name: name.into(), role: Role::Operator, signer: None, ca_dir: None }
    }

    /// `name (role)`, for the audit journal.
    pub fn identity(&self) -> String {
        format!("{} ({})", self.name, self.role)
    }
}
