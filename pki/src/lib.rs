//! amoe's certificate authority: the project's own CA, the server certificates of the hosts'
//! agents, the client certificates of operators and CI pipelines, and the revocation list.
//!
//! Everything here is pure: PEM text in, PEM text and metadata out. Reading and writing the
//! files, and remembering what was issued (serials, fingerprints, revocations), is the CLI's
//! and the store's business. Keys are ECDSA P-256, PKCS#8 PEM.
//!
//! # What a certificate says (the contract with `amoe-agent`)
//!
//! - **The CA** ([`Ca::create`]): self-signed, subject CN `amoe CA <name>`, valid 10 years,
//!   basic constraints CA with path length 0, key usages certificate and CRL signing.
//! - **A host's server certificate** ([`Ca::issue_server`]): subject CN = the host's name,
//!   extended key usage server authentication, subject alternative names: the host's name as
//!   a DNS name, then each of the given DNS names and IP addresses (the host part of its
//!   address in the inventory).
//! - **A client certificate** ([`Ca::issue_client`]): subject CN = the client's name (who is
//!   calling, as the agent journals it), **subject OU = the role word, `operator` or `ci`**
//!   (what the caller may do), extended key usage client authentication. The agent reads both
//!   with [`client_identity`].
//! - **The revocation list** ([`Ca::crl`]): a CRL signed by the CA listing the revoked
//!   serials with their revocation times.
//!
//! Serials are 16 random-looking bytes (a SHA-256 of the new public key and the time, first
//! bit clear so that the integer is positive), written as lowercase hex ([`Issued::serial_hex`]).
//! Fingerprints are the SHA-256 of the certificate's DER, lowercase hex.

pub mod item_sig;
pub mod site_cert;

use jiff::{SignedDuration, Timestamp};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, RevokedCertParams, SanType, SerialNumber,
};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use sha2::{Digest, Sha256};
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

/// How long the CA is valid.
pub const CA_DAYS: u32 = 3652;

/// How far back a new certificate's validity starts, for hosts whose clock is a little late.
const BACKDATE: SignedDuration = SignedDuration::from_mins(5);

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot generate the certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("not a PEM certificate: {0}")]
    NotPem(String),
    #[error("cannot read the certificate: {0}")]
    BadCertificate(String),
    #[error("not a PEM private key (PKCS#8)")]
    BadKey,
    #[error("the key does not belong to the CA certificate")]
    KeyMismatch,
    #[error("the certificate is not a CA certificate")]
    NotCa,
    #[error("`{0}` is not a valid DNS name or IP address for a certificate")]
    BadSan(String),
    #[error("serial `{0}` is not hexadecimal")]
    BadSerial(String),
    #[error("validity of {0} days is out of range")]
    BadDays(u32),
    #[error("the certificate has no role (subject OU `operator` or `ci`)")]
    NoRole,
    #[error("the certificate has no subject common name")]
    NoName,
    #[error("not a revocation list: {0}")]
    BadCrl(String),
    #[error("the revocation list was not issued by this CA ({0})")]
    CrlNotFromCa(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a client certificate allows: `operator` (everything) or `ci` (flush and deploy only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Operator,
    Ci,
}

impl Role {
    /// The word written in the certificate's subject OU.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Ci => "ci",
        }
    }
}

/// What a client may ask of an agent, for the role check ([`Role::allows`]), shared by the
/// agent (which enforces it) and the CLI (which checks before queuing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Status, site lists, statistics.
    Read,
    /// Purging cached objects.
    Flush,
    /// Everything that changes what a host serves: site configurations, activation, rules,
    /// deletion, revocation lists.
    Change,
    /// Releases of a site: sending, listing, switching, rolling back (`amoe deploy`).
    Deploy,
}

impl Role {
    /// `ci` may flush and deploy only; `operator` may do everything.
    pub fn allows(self, action: Action) -> bool {
        match self {
            Role::Operator => true,
            Role::Ci => matches!(action, Action::Flush | Action::Deploy),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "operator" => Ok(Role::Operator),
            "ci" => Ok(Role::Ci),
            _ => Err(Error::NoRole),
        }
    }
}

/// A certificate just issued, with its key and what the store keeps of it.
#[derive(Clone)]
pub struct Issued {
    pub cert_pem: String,
    /// PKCS#8 PEM. Write it to a file only the owner can read; never to the store.
    pub key_pem: String,
    pub serial_hex: String,
    pub not_before: Timestamp,
    pub not_after: Timestamp,
    /// SHA-256 of the DER, lowercase hex.
    pub sha256_fingerprint: String,
}

impl fmt::Debug for Issued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issued")
            .field("serial_hex", &self.serial_hex)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .field("sha256_fingerprint", &self.sha256_fingerprint)
            .finish_non_exhaustive()
    }
}

/// What a certificate says, read back from its PEM or DER.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub serial_hex: String,
    pub not_before: Timestamp,
    pub not_after: Timestamp,
    pub sha256_fingerprint: String,
    /// Subject CN.
    pub common_name: Option<String>,
    /// Subject OU (the role of a client certificate).
    pub organizational_unit: Option<String>,
    /// Subject alternative names: DNS names as they are, IP addresses in their usual text.
    pub sans: Vec<String>,
    pub is_ca: bool,
    pub server_auth: bool,
    pub client_auth: bool,
}

/// Who a client certificate names, and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    /// Subject CN.
    pub name: String,
    /// Subject OU.
    pub role: Role,
}

/// The CA, loaded with its key, ready to sign.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    cert_pem: String,
    info: CertInfo,
}

impl fmt::Debug for Ca {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ca").field("info", &self.info).finish_non_exhaustive()
    }
}

fn new_key() -> Result<KeyPair> {
    Ok(KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?)
}

fn to_offset(ts: Timestamp) -> Result<time::OffsetDateTime> {
    time::OffsetDateTime::from_unix_timestamp(ts.as_second())
        .map_err(|e| Error::BadCertificate(format!("time out of range: {e}")))
}

/// The validity window of a certificate issued now for `days` days.
fn validity(days: u32) -> Result<(Timestamp, Timestamp)> {
    if days == 0 || days > 100 * 366 {
        return Err(Error::BadDays(days));
    }
    let now = Timestamp::now();
    let start = Timestamp::from_second(now.as_second()).map_err(|_| Error::BadDays(days))? - BACKDATE;
    let end = now.checked_add(SignedDuration::from_hours(24 * i64::from(days))).map_err(|_| Error::BadDays(days))?;
    Ok((start, Timestamp::from_second(end.as_second()).map_err(|_| Error::BadDays(days))?))
}

/// 16 bytes from the new key and the time; the first bit is clear (a positive integer) and the
/// second set (no leading zero byte), so that the hex written here is the hex in the certificate.
fn serial_for(key: &KeyPair) -> SerialNumber {
    let mut h = Sha256::new();
    h.update(key.public_key_raw());
    h.update(Timestamp::now().as_nanosecond().to_be_bytes());
    let mut bytes = h.finalize()[..16].to_vec();
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    SerialNumber::from_slice(&bytes)
}

/// Lowercase hexadecimal (serials, fingerprints, digests, signatures on the wire).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of non-empty hexadecimal text of even length; `None` otherwise.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect()
}

/// Lowercase hexadecimal SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn unhex(s: &str) -> Result<Vec<u8>> {
    from_hex(s).ok_or_else(|| Error::BadSerial(s.to_string()))
}

fn fingerprint(der: &[u8]) -> String {
    hex(&Sha256::digest(der))
}

fn leaf_params(common_name: &str, days: u32) -> Result<(CertificateParams, KeyPair, Timestamp, Timestamp)> {
    let key = new_key()?;
    let (not_before, not_after) = validity(days)?;
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, common_name);
    params.not_before = to_offset(not_before)?;
    params.not_after = to_offset(not_after)?;
    params.serial_number = Some(serial_for(&key));
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.use_authority_key_identifier_extension = true;
    Ok((params, key, not_before, not_after))
}

fn san(raw: &str) -> Result<SanType> {
    match raw.parse::<IpAddr>() {
        Ok(ip) => Ok(SanType::IpAddress(ip)),
        Err(_) => {
            let bad = || Error::BadSan(raw.to_string());
            rustls_pki_types::DnsName::try_from(raw).map_err(|_| bad())?;
            raw.try_into().map(SanType::DnsName).map_err(|_| bad())
        }
    }
}

impl Ca {
    /// A new self-signed CA named `amoe CA <name>`, valid 10 years: `(cert_pem, key_pem)`.
    pub fn create(name: &str) -> Result<(String, String)> {
        let key = new_key()?;
        let (not_before, not_after) = validity(CA_DAYS)?;
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, format!("amoe CA {name}"));
        params.not_before = to_offset(not_before)?;
        params.not_after = to_offset(not_after)?;
        params.serial_number = Some(serial_for(&key));
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages =
            vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        params.key_identifier_method = KeyIdMethod::Sha256;
        let cert = params.self_signed(&key)?;
        Ok((cert.pem(), key.serialize_pem()))
    }

    /// The CA from its certificate and key; refuses a key that is not the certificate's, or a
    /// certificate that is not a CA.
    pub fn load(cert_pem: &str, key_pem: &str) -> Result<Ca> {
        let der = CertificateDer::from_pem_slice(cert_pem.as_bytes()).map_err(|e| Error::NotPem(e.to_string()))?;
        let key = KeyPair::from_pem(key_pem).map_err(|_| Error::BadKey)?;
        let (_, x509) = X509Certificate::from_der(&der).map_err(|e| Error::BadCertificate(e.to_string()))?;
        if !x509.is_ca() {
            return Err(Error::NotCa);
        }
        if x509.public_key().subject_public_key.data.as_ref() != key.public_key_raw() {
            return Err(Error::KeyMismatch);
        }
        let info = info_of(&der)?;
        let issuer = Issuer::from_ca_cert_der(&der, key)?;
        Ok(Ca { issuer, cert_pem: cert_pem.to_string(), info })
    }

    /// The CA certificate, PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// What the CA certificate says (its serial, validity and fingerprint, for the store).
    pub fn info(&self) -> &CertInfo {
        &self.info
    }

    fn sign(
        &self,
        params: CertificateParams,
        key: KeyPair,
        not_before: Timestamp,
        not_after: Timestamp,
    ) -> Result<Issued> {
        let serial_hex = params.serial_number.as_ref().map(|s| hex(s.as_ref())).unwrap_or_default();
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(Issued {
            sha256_fingerprint: fingerprint(cert.der()),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            serial_hex,
            not_before,
            not_after,
        })
    }

    /// A host's server certificate: CN and first DNS SAN `host_name`, then `sans` (DNS names or
    /// IP addresses; repeats are dropped), server authentication only.
    pub fn issue_server(&self, host_name: &str, sans: &[String], days: u32) -> Result<Issued> {
        let (mut params, key, not_before, not_after) = leaf_params(host_name, days)?;
        let mut names: Vec<SanType> = Vec::new();
        for raw in std::iter::once(host_name).chain(sans.iter().map(String::as_str)) {
            let s = san(raw)?;
            if !names.contains(&s) {
                names.push(s);
            }
        }
        params.subject_alt_names = names;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        self.sign(params, key, not_before, not_after)
    }

    /// A client certificate: CN `name`, OU the role word, client authentication only.
    pub fn issue_client(&self, name: &str, role: Role, days: u32) -> Result<Issued> {
        let (mut params, key, not_before, not_after) = leaf_params(name, days)?;
        params.distinguished_name.push(DnType::OrganizationalUnitName, role.as_str());
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.sign(params, key, not_before, not_after)
    }

    /// The revocation list: `revoked` as `(serial_hex, revoked_at)`, CRL number `number`, valid
    /// for `next_update_days` days. PEM.
    pub fn crl(&self, revoked: &[(String, Timestamp)], number: u64, next_update_days: u32) -> Result<String> {
        let (_, next_update) = validity(next_update_days)?;
        let now = Timestamp::from_second(Timestamp::now().as_second()).map_err(|_| Error::BadDays(next_update_days))?;
        let revoked_certs = revoked
            .iter()
            .map(|(serial, at)| {
                Ok(RevokedCertParams {
                    serial_number: SerialNumber::from_slice(&unhex(serial)?),
                    revocation_time: to_offset(*at)?,
                    reason_code: None,
                    invalidity_date: None,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let params = CertificateRevocationListParams {
            this_update: to_offset(now)?,
            next_update: to_offset(next_update)?,
            crl_number: SerialNumber::from(number),
            issuing_distribution_point: None,
            revoked_certs,
            key_identifier_method: KeyIdMethod::Sha256,
        };
        Ok(params.signed_by(&self.issuer)?.pem()?)
    }
}

/// A revocation list that its CA's signature was checked on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlInfo {
    /// The CRL number (RFC 5280 §5.2.3); a list without one counts as 0.
    pub number: u64,
    /// When it must be replaced (`nextUpdate`), if it says.
    pub next_update: Option<Timestamp>,
    /// The serials it revokes (lowercase hexadecimal, as [`CertInfo::serial_hex`]).
    pub revoked: Vec<String>,
}

/// Checks a PEM revocation list against the CA certificate (PEM) that must have issued it:
/// the issuer's name and the signature (with the CA's public key). Returns its number and
/// next update; the caller decides about freshness and order.
pub fn check_crl(ca_cert_pem: &str, crl_pem: &[u8]) -> Result<CrlInfo> {
    use rustls_pki_types::CertificateRevocationListDer;
    use x509_parser::revocation_list::CertificateRevocationList;
    let ca_der = CertificateDer::from_pem_slice(ca_cert_pem.as_bytes()).map_err(|e| Error::NotPem(e.to_string()))?;
    let (_, ca) = X509Certificate::from_der(&ca_der).map_err(|e| Error::BadCertificate(e.to_string()))?;
    let der = CertificateRevocationListDer::from_pem_slice(crl_pem).map_err(|e| Error::BadCrl(e.to_string()))?;
    let (rest, crl) = CertificateRevocationList::from_der(&der).map_err(|e| Error::BadCrl(e.to_string()))?;
    if !rest.is_empty() {
        return Err(Error::BadCrl("trailing bytes after the list".into()));
    }
    if crl.issuer().as_raw() != ca.subject().as_raw() {
        return Err(Error::CrlNotFromCa(format!("issuer `{}`, CA `{}`", crl.issuer(), ca.subject())));
    }
    crl.verify_signature(ca.public_key()).map_err(|e| Error::CrlNotFromCa(format!("signature: {e}")))?;
    let number = match crl.crl_number() {
        None => 0,
        Some(n) => u64::try_from(n).map_err(|_| Error::BadCrl("CRL number out of range".into()))?,
    };
    let next_update = crl
        .next_update()
        .map(|t| Timestamp::from_second(t.timestamp()))
        .transpose()
        .map_err(|e| Error::BadCrl(e.to_string()))?;
    let revoked = crl.iter_revoked_certificates().map(|r| hex(r.raw_serial())).collect();
    Ok(CrlInfo { number, next_update, revoked })
}

/// Reads a PEM certificate back.
pub fn inspect(cert_pem: &str) -> Result<CertInfo> {
    let der = CertificateDer::from_pem_slice(cert_pem.as_bytes()).map_err(|e| Error::NotPem(e.to_string()))?;
    info_of(&der)
}

/// Reads a DER certificate back.
/// The issuer's distinguished name of a DER certificate, as text.
pub fn issuer_of(der: &[u8]) -> Result<String> {
    let (_, x) = X509Certificate::from_der(der).map_err(|e| Error::BadCertificate(e.to_string()))?;
    Ok(x.issuer().to_string())
}

pub fn info_of(der: &[u8]) -> Result<CertInfo> {
    let bad = |e: &dyn fmt::Display| Error::BadCertificate(e.to_string());
    let (_, x) = X509Certificate::from_der(der).map_err(|e| bad(&e))?;
    let first = |it: &mut dyn Iterator<Item = &x509_parser::x509::AttributeTypeAndValue<'_>>| {
        it.next().and_then(|a| a.as_str().ok()).map(str::to_string)
    };
    let mut sans = Vec::new();
    if let Some(ext) = x.subject_alternative_name().map_err(|e| bad(&e))? {
        for name in &ext.value.general_names {
            match name {
                GeneralName::DNSName(d) => sans.push(d.to_string()),
                GeneralName::IPAddress(b) => {
                    let ip = match b.len() {
                        4 => <[u8; 4]>::try_from(*b).ok().map(IpAddr::from),
                        16 => <[u8; 16]>::try_from(*b).ok().map(IpAddr::from),
                        _ => None,
                    };
                    sans.push(ip.map_or_else(|| hex(b), |ip| ip.to_string()));
                }
                _ => {}
            }
        }
    }
    let eku = x.extended_key_usage().map_err(|e| bad(&e))?;
    let time = |t: &x509_parser::time::ASN1Time| Timestamp::from_second(t.timestamp()).map_err(|e| bad(&e));
    Ok(CertInfo {
        serial_hex: hex(x.raw_serial()),
        not_before: time(&x.validity().not_before)?,
        not_after: time(&x.validity().not_after)?,
        sha256_fingerprint: fingerprint(der),
        common_name: first(&mut x.subject().iter_common_name()),
        organizational_unit: first(&mut x.subject().iter_organizational_unit()),
        sans,
        is_ca: x.is_ca(),
        server_auth: eku.as_ref().is_some_and(|e| e.value.server_auth),
        client_auth: eku.as_ref().is_some_and(|e| e.value.client_auth),
    })
}

/// Who a client certificate (DER, already verified against the CA) names and its role: the
/// subject CN and OU. A certificate without a known role word is refused.
pub fn client_identity(der: &[u8]) -> Result<ClientIdentity> {
    let info = info_of(der)?;
    let name = info.common_name.ok_or(Error::NoName)?;
    let role = info.organizational_unit.as_deref().ok_or(Error::NoRole)?.parse()?;
    Ok(ClientIdentity { name, role })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::RootCertStore;
    use rustls::client::danger::ServerCertVerifier;
    use rustls::crypto::CryptoProvider;
    use rustls::server::WebPkiClientVerifier;
    use rustls::server::danger::ClientCertVerifier;
    use rustls_pki_types::{CertificateRevocationListDer, ServerName, UnixTime};
    use std::sync::Arc;

    fn provider() -> Arc<CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    fn ca(name: &str) -> Ca {
        let (cert, key) = Ca::create(name).expect("create");
        Ca::load(&cert, &key).expect("load")
    }

    fn der(pem: &str) -> CertificateDer<'static> {
        CertificateDer::from_pem_slice(pem.as_bytes()).expect("pem")
    }

    fn roots(ca: &Ca) -> Arc<RootCertStore> {
        let mut roots = RootCertStore::empty();
        roots.add(der(ca.cert_pem())).expect("root");
        Arc::new(roots)
    }

    fn client_verifier(ca: &Ca, crls: Vec<CertificateRevocationListDer<'static>>) -> Arc<dyn ClientCertVerifier> {
        WebPkiClientVerifier::builder_with_provider(roots(ca), provider()).with_crls(crls).build().expect("verifier")
    }

    #[test]
    fn the_ca_is_a_ca_named_after_its_name() {
        let ca = ca("test");
        let info = ca.info();
        assert!(info.is_ca);
        assert_eq!(info.common_name.as_deref(), Some("amoe CA test"));
        let years = info.not_after.duration_since(info.not_before).as_hours() / 24 / 365;
        assert_eq!(years, 10);
        assert_eq!(info.sha256_fingerprint.len(), 64);
    }

    #[test]
    fn load_refuses_a_foreign_key() {
        let (cert, _) = Ca::create("a").expect("a");
        let (_, other_key) = Ca::create("b").expect("b");
        assert!(matches!(Ca::load(&cert, &other_key), Err(Error::KeyMismatch)));
        assert!(matches!(Ca::load("nope", &other_key), Err(Error::NotPem(_))));
    }

    #[test]
    fn client_certificates_carry_their_role_and_chain_to_the_ca() {
        let ca = ca("test");
        let op = ca.issue_client("j.dupont", Role::Operator, 30).expect("issue");
        let ci = ca.issue_client("gitlab", Role::Ci, 30).expect("issue");
        let id = client_identity(&der(&op.cert_pem)).expect("identity");
        assert_eq!(id, ClientIdentity { name: "j.dupont".into(), role: Role::Operator });
        assert_eq!(client_identity(&der(&ci.cert_pem)).expect("identity").role, Role::Ci);
        let info = inspect(&op.cert_pem).expect("inspect");
        assert_eq!(info.serial_hex, op.serial_hex);
        assert_eq!(info.sha256_fingerprint, op.sha256_fingerprint);
        assert_eq!((info.not_before, info.not_after), (op.not_before, op.not_after));
        assert!(info.client_auth && !info.server_auth && !info.is_ca);
        assert_eq!(op.serial_hex.len(), 32);
        assert!(!format!("{op:?}").contains("PRIVATE"), "Debug shows no key");

        let verifier = client_verifier(&ca, vec![]);
        verifier.verify_client_cert(&der(&op.cert_pem), &[], UnixTime::now()).expect("accepted");
        // A certificate from another CA is refused.
        let other = self::ca("other").issue_client("j.dupont", Role::Operator, 30).expect("issue");
        assert!(verifier.verify_client_cert(&der(&other.cert_pem), &[], UnixTime::now()).is_err());
        // A server certificate is not a client certificate.
        let server = ca.issue_server("pop1", &[], 30).expect("issue");
        assert!(verifier.verify_client_cert(&der(&server.cert_pem), &[], UnixTime::now()).is_err());
    }

    #[test]
    fn server_certificates_name_the_host_and_its_address() {
        let ca = ca("test");
        let issued = ca.issue_server("pop1", &["127.0.0.1".into(), "::1".into(), "pop1".into()], 90).expect("issue");
        let info = inspect(&issued.cert_pem).expect("inspect");
        assert_eq!(info.sans, ["pop1", "127.0.0.1", "::1"]);
        assert!(info.server_auth && !info.client_auth);
        let verifier =
            rustls::client::WebPkiServerVerifier::builder_with_provider(roots(&ca), provider()).build().expect("v");
        let cert = der(&issued.cert_pem);
        for name in ["pop1", "127.0.0.1", "::1"] {
            let name = ServerName::try_from(name).expect("name");
            verifier.verify_server_cert(&cert, &[], &name, &[], UnixTime::now()).expect("accepted");
        }
        let wrong = ServerName::try_from("pop2").expect("name");
        assert!(verifier.verify_server_cert(&cert, &[], &wrong, &[], UnixTime::now()).is_err());
        assert!(matches!(ca.issue_server("pop1", &["not a name".into()], 90), Err(Error::BadSan(_))));
    }

    #[test]
    fn the_crl_revokes_what_it_lists() {
        let ca = ca("test");
        let revoked = ca.issue_client("gone", Role::Ci, 30).expect("issue");
        let kept = ca.issue_client("kept", Role::Ci, 30).expect("issue");
        let crl = ca.crl(&[(revoked.serial_hex.clone(), Timestamp::now())], 7, 30).expect("crl");
        let crl = CertificateRevocationListDer::from_pem_slice(crl.as_bytes()).expect("crl pem");
        let verifier = client_verifier(&ca, vec![crl]);
        let err = verifier.verify_client_cert(&der(&revoked.cert_pem), &[], UnixTime::now()).expect_err("revoked");
        assert!(err.to_string().to_lowercase().contains("revoked"), "{err}");
        verifier.verify_client_cert(&der(&kept.cert_pem), &[], UnixTime::now()).expect("kept");
        assert!(matches!(ca.crl(&[("xyz".into(), Timestamp::now())], 1, 30), Err(Error::BadSerial(_))));
    }

    #[test]
    fn validity_is_bounded() {
        let ca = ca("test");
        assert!(matches!(ca.issue_client("a", Role::Ci, 0), Err(Error::BadDays(0))));
        assert_eq!("ci".parse::<Role>().expect("role"), Role::Ci);
        assert!("admin".parse::<Role>().is_err());
    }
}
