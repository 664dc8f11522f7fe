//! Signed outbox items: whoever queues an operation for a host signs it with the key of the
//! client certificate it acts as; the agent checks that signature and that certificate (issued
//! by the control CA, valid, not revoked) and allows the call only if that certificate's role
//! allows it, whoever delivers it. A row written into the store by hand (a `ci` holder with
//! write access to the store, say) cannot claim an operator's role.
//!
//! The signed message is `amoe-outbox-v1\n{host}\n{METHOD}\n{path}\n{hex SHA-256 of the body
//! sent}`: an item queued for one host cannot be copied to another (the agent uses its own name,
//! its certificate's CN). Replaying an old item to the same host stays possible for whoever can
//! write the store; its effect is an older configuration, which the next push corrects.

use crate::{ClientIdentity, Error, Result};
use jiff::Timestamp;
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;
use x509_parser::prelude::{FromDer, X509Certificate};

/// The bytes signed for a call to `host`.
pub fn message(host: &str, method: &str, path: &str, body: &[u8]) -> Vec<u8> {
    let digest = crate::sha256_hex(body);
    format!("amoe-outbox-v1\n{host}\n{method}\n{path}\n{digest}").into_bytes()
}

/// Signs `msg` with a PEM private key (ECDSA P-256/P-384, Ed25519 or RSA-PSS).
pub fn sign(key_pem: &[u8], msg: &[u8]) -> Result<Vec<u8>> {
    use rustls::SignatureScheme as S;
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|_| Error::BadKey)?;
    let signing = rustls::crypto::ring::sign::any_supported_type(&key).map_err(|_| Error::BadKey)?;
    let signer = signing
        .choose_scheme(&[S::ECDSA_NISTP256_SHA256, S::ECDSA_NISTP384_SHA384, S::ED25519, S::RSA_PSS_SHA256])
        .ok_or(Error::BadKey)?;
    signer.sign(msg).map_err(|e| Error::BadCertificate(e.to_string()))
}

/// Why a signed item is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ItemSigError {
    #[error("the queuing certificate is unreadable: {0}")]
    BadCertificate(String),
    #[error("the queuing certificate was not issued by this host's control CA")]
    NotFromCa,
    #[error("the queuing certificate is not valid now")]
    Expired,
    #[error("the queuing certificate is revoked")]
    Revoked,
    #[error("the signature does not match the call")]
    BadSignature,
}

/// Checks a signed call: `cert_der` issued by the CA (`ca_der`), valid at `now`, its serial
/// (lowercase hex) not in `revoked`, and `sig` its key's signature of `msg`. Returns who it is.
pub fn verify(
    ca_der: &[u8],
    cert_der: &[u8],
    msg: &[u8],
    sig: &[u8],
    revoked: &dyn Fn(&str) -> bool,
    now: Timestamp,
) -> std::result::Result<ClientIdentity, ItemSigError> {
    let bad = |e: &dyn std::fmt::Display| ItemSigError::BadCertificate(e.to_string());
    let (_, ca) = X509Certificate::from_der(ca_der).map_err(|e| bad(&e))?;
    let (_, cert) = X509Certificate::from_der(cert_der).map_err(|e| bad(&e))?;
    if cert.issuer() != ca.subject() || cert.verify_signature(Some(ca.public_key())).is_err() {
        return Err(ItemSigError::NotFromCa);
    }
    let t = now.as_second();
    if t < cert.validity().not_before.timestamp() || t > cert.validity().not_after.timestamp() {
        return Err(ItemSigError::Expired);
    }
    let serial = crate::hex(cert.raw_serial());
    if revoked(serial.trim_start_matches("00")) || revoked(&serial) {
        return Err(ItemSigError::Revoked);
    }
    let spki = cert.public_key();
    let key = spki.subject_public_key.data.as_ref();
    use ring::signature as r;
    let algs: &[&dyn r::VerificationAlgorithm] = match spki.algorithm.algorithm.to_id_string().as_str() {
        // id-ecPublicKey: the curve decides.
        "1.2.840.10045.2.1" => &[&r::ECDSA_P256_SHA256_ASN1, &r::ECDSA_P384_SHA384_ASN1],
        "1.3.101.112" => &[&r::ED25519],
        "1.2.840.113549.1.1.1" => &[&r::RSA_PSS_2048_8192_SHA256],
        _ => return Err(ItemSigError::BadSignature),
    };
    if !algs.iter().any(|alg| r::UnparsedPublicKey::new(*alg, key).verify(msg, sig).is_ok()) {
        return Err(ItemSigError::BadSignature);
    }
    crate::client_identity(cert_der).map_err(|e| bad(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Ca, Role};

    fn der(pem: &str) -> Vec<u8> {
        rustls_pki_types::CertificateDer::from_pem_slice(pem.as_bytes()).expect("pem").to_vec()
    }

    #[test]
    fn signed_calls_name_their_queuer() {
        let (ca_pem, ca_key) = Ca::create("test").expect("ca");
        let ca = Ca::load(&ca_pem, &ca_key).expect("load");
        let ci = ca.issue_client("pipeline", Role::Ci, 30).expect("issue");
        let msg = message("pop1", "PUT", "/v1/sites/www", b"{}");
        let sig = sign(ci.key_pem.as_bytes(), &msg).expect("sign");
        let now = Timestamp::now();
        let none = |_: &str| false;
        let who = verify(&der(&ca_pem), &der(&ci.cert_pem), &msg, &sig, &none, now).expect("verify");
        assert_eq!((who.name.as_str(), who.role), ("pipeline", Role::Ci));
        // Another call, another body: refused.
        let other = message("pop1", "PUT", "/v1/sites/www", b"{\"x\":1}");
        assert_eq!(
            verify(&der(&ca_pem), &der(&ci.cert_pem), &other, &sig, &none, now),
            Err(ItemSigError::BadSignature)
        );
        // A certificate from another CA, even with the same name.
        let (other_ca, other_key) = Ca::create("test").expect("ca");
        let forged = Ca::load(&other_ca, &other_key).expect("load").issue_client("op", Role::Operator, 30).expect("i");
        let fsig = sign(forged.key_pem.as_bytes(), &msg).expect("sign");
        assert_eq!(
            verify(&der(&ca_pem), &der(&forged.cert_pem), &msg, &fsig, &none, now),
            Err(ItemSigError::NotFromCa)
        );
        // Revoked.
        let all = |_: &str| true;
        assert_eq!(verify(&der(&ca_pem), &der(&ci.cert_pem), &msg, &sig, &all, now), Err(ItemSigError::Revoked));
    }
}
