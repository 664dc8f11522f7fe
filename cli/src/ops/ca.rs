//! The project's certificate authority: `ca init|issue|list|revoke` and `host enroll|renew`.
//!
//! The CA lives in files (`CA_DIR/ca.pem`, `CA_DIR/ca.key` mode 0600 in a 0700 directory,
//! `CA_DIR/crl.pem`); the store keeps what was issued (serial, name, kind, validity,
//! fingerprint, revocation), never a key. Each command checks, signs, writes its files and
//! records the certificate in one journaled transaction; files it created are removed again if
//! anything after them fails. Existing certificates and keys are never overwritten.

use crate::error::Failure;
use amoe_core::Name;
use amoe_core::time::{format_utc, now_utc};
use amoe_pki::{Ca, Issued, Role};
use amoe_store::certificates::{CertKind, Certificate, CertificateReads};
use amoe_store::hosts::HostReads;
use amoe_store::{AuditDraft, Store};
use anyhow::{Context, Result};
use schemars::JsonSchema;
use serde::Serialize;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// How long a revocation list stays valid. `ca revoke` writes a new one each time.
const CRL_DAYS: u32 = 365;

/// A certificate just issued (or the CA just created), and the files written.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IssueReport {
    #[serde(flatten)]
    pub certificate: Certificate,
    /// Files written, in order.
    pub files: Vec<PathBuf>,
}

/// A certificate as `ca list` shows it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CertificateStatus {
    #[serde(flatten)]
    pub certificate: Certificate,
    /// True when `not_after` is past.
    pub expired: bool,
}

/// What `ca revoke` did.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RevokeReport {
    pub name: String,
    /// Serials revoked by this command.
    pub serials: Vec<String>,
    /// The revocation list written, with every revoked serial.
    pub crl: PathBuf,
    pub crl_number: u64,
}

fn ca_paths(dir: &Path) -> (PathBuf, PathBuf) {
    (dir.join("ca.pem"), dir.join("ca.key"))
}

fn exists_failure(path: &Path) -> anyhow::Error {
    Failure::new(format!("`{}` already exists", path.display()))
        .hint("amoe never overwrites a certificate or a key: choose another `--out` directory or move the files away")
        .into()
}

/// Files created by one command, removed again unless [`NewFiles::keep`] is called.
#[derive(Debug, Default)]
struct NewFiles {
    created: Vec<PathBuf>,
    kept: bool,
}

impl NewFiles {
    /// Writes a new file with `mode`; never replaces one.
    fn write(&mut self, path: &Path, contents: &str, mode: u32) -> Result<()> {
        let mut file =
            fs::OpenOptions::new().write(true).create_new(true).mode(mode).open(path).map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => exists_failure(path),
                _ => unwritable(path, &e).into(),
            })?;
        self.created.push(path.to_path_buf());
        file.write_all(contents.as_bytes()).and_then(|()| file.sync_all()).map_err(|e| unwritable(path, &e).into())
    }

    fn keep(mut self) -> Vec<PathBuf> {
        self.kept = true;
        std::mem::take(&mut self.created)
    }
}

impl Drop for NewFiles {
    fn drop(&mut self) {
        if !self.kept {
            for path in &self.created {
                // Best effort: the error that brought us here is the one to report.
                let _ = fs::remove_file(path);
            }
        }
    }
}

fn unwritable(path: &Path, e: &std::io::Error) -> Failure {
    Failure::new(format!("cannot write `{}`: {e}", path.display()))
        .hint("check that the directory is writable, or choose another one with `--out`")
}

/// Creates `dir` (mode 0700 for what is created) if needed.
fn make_dir(dir: &Path) -> Result<()> {
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|e| {
        Failure::new(format!("cannot create the directory `{}`: {e}", dir.display()))
            .hint("check the permissions of its parent, or choose another directory")
            .into()
    })
}

/// Refuses when any of `paths` exists.
fn refuse_existing(paths: &[&Path]) -> Result<()> {
    match paths.iter().find(|p| p.exists()) {
        Some(p) => Err(exists_failure(p)),
        None => Ok(()),
    }
}

/// Loads the CA of `dir`.
fn load_ca(dir: &Path) -> Result<Ca> {
    let (cert, key) = ca_paths(dir);
    if !cert.exists() || !key.exists() {
        return Err(Failure::new(format!("no CA in `{}`", dir.display()))
            .hint("create it with `amoe ca init` (or point `AMOE_CA_DIR` at the CA's directory)")
            .into());
    }
    let read = |p: &Path| fs::read_to_string(p).with_context(|| format!("cannot read `{}`", p.display()));
    Ca::load(&read(&cert)?, &read(&key)?).with_context(|| format!("the CA in `{}` is unusable", dir.display()))
}

fn record(name: &str, kind: CertKind, issued: &Issued) -> Certificate {
    Certificate {
        serial: issued.serial_hex.clone(),
        name: name.to_string(),
        kind,
        not_before: format_utc(issued.not_before),
        not_after: format_utc(issued.not_after),
        fingerprint: issued.sha256_fingerprint.clone(),
        revoked_at: None,
    }
}

/// Writes `ca.pem` into a bundle unless the same CA certificate is already there.
fn write_ca_copy(files: &mut NewFiles, path: &Path, ca_pem: &str) -> Result<()> {
    match fs::read_to_string(path) {
        Ok(existing) if existing == ca_pem => Ok(()),
        Ok(_) => Err(exists_failure(path)),
        Err(_) => files.write(path, ca_pem, 0o644),
    }
}

/// `ca init`: creates the CA in `dir` and records its certificate.
pub fn init(store: &mut Store, draft: &AuditDraft, dir: &Path, name: &str) -> Result<IssueReport> {
    store.mutate(draft, |tx| {
        let name: Name = name.parse()?;
        let (cert_path, key_path) = ca_paths(dir);
        for p in [&cert_path, &key_path] {
            if p.exists() {
                return Err(Failure::new(format!("a CA already exists: `{}`", p.display()))
                    .hint("amoe never replaces a CA: every certificate issued depends on it; to start over, move its directory away")
                    .into());
            }
        }
        make_dir(dir)?;
        let (cert_pem, key_pem) = Ca::create(name.as_str())?;
        let ca = Ca::load(&cert_pem, &key_pem)?;
        let info = ca.info();
        let certificate = Certificate {
            serial: info.serial_hex.clone(),
            name: name.to_string(),
            kind: CertKind::Ca,
            not_before: format_utc(info.not_before),
            not_after: format_utc(info.not_after),
            fingerprint: info.sha256_fingerprint.clone(),
            revoked_at: None,
        };
        let mut files = NewFiles::default();
        files.write(&key_path, &key_pem, 0o600)?;
        files.write(&cert_path, &cert_pem, 0o644)?;
        tx.add_certificate(&certificate)?;
        Ok((certificate, files))
    })
    // The files are kept only once the store has committed their record: a certificate the
    // store does not know could never be revoked.
    .map(|(certificate, files)| IssueReport { certificate, files: files.keep() })
}

/// Refuses `name` when it already has certificates of the other family (host or client), so
/// that `ca revoke NAME` always means one party.
fn refuse_other_family(tx: &impl CertificateReads, name: &str, kind: CertKind) -> Result<()> {
    let client = |k: CertKind| matches!(k, CertKind::Operator | CertKind::Ci);
    if let Some(other) = tx.certificates_of(name)?.into_iter().find(|c| client(c.kind) != client(kind)) {
        return Err(Failure::new(format!("`{name}` already has a {} certificate", other.kind))
            .hint("use another name: a name is either a host or a client")
            .into());
    }
    Ok(())
}

/// `ca issue`: a client certificate written as `out/NAME.pem`, `out/NAME.key` and `out/ca.pem`.
pub fn issue(
    store: &mut Store,
    draft: &AuditDraft,
    ca_dir: &Path,
    name: &str,
    role: &str,
    days: u32,
    out: &Path,
) -> Result<IssueReport> {
    store
        .mutate(draft, |tx| {
            let name: Name = name.parse()?;
            let role: Role = role.parse().map_err(|_| Failure::usage(format!("unknown role `{role}`")))?;
            let kind = match role {
                Role::Operator => CertKind::Operator,
                Role::Ci => CertKind::Ci,
            };
            refuse_other_family(tx, name.as_str(), kind)?;
            let ca = load_ca(ca_dir)?;
            let (cert_path, key_path, ca_path) =
                (out.join(format!("{name}.pem")), out.join(format!("{name}.key")), out.join("ca.pem"));
            refuse_existing(&[&cert_path, &key_path])?;
            let issued = ca.issue_client(name.as_str(), role, days)?;
            make_dir(out)?;
            let mut files = NewFiles::default();
            files.write(&key_path, &issued.key_pem, 0o600)?;
            files.write(&cert_path, &issued.cert_pem, 0o644)?;
            write_ca_copy(&mut files, &ca_path, ca.cert_pem())?;
            let certificate = record(name.as_str(), kind, &issued);
            tx.add_certificate(&certificate)?;
            Ok((certificate, files))
        })
        // The files are kept only once the store has committed their record: a certificate the
        // store does not know could never be revoked.
        .map(|(certificate, files)| IssueReport { certificate, files: files.keep() })
}

/// `ca list`: every certificate, with whether it has expired.
pub fn list(store: &Store) -> Result<Vec<CertificateStatus>> {
    let now = now_utc();
    Ok(store
        .certificates()?
        .into_iter()
        .map(|c| CertificateStatus { expired: c.not_after < now, certificate: c })
        .collect())
}

/// `ca revoke`: revokes every valid certificate of `name` and rewrites `CA_DIR/crl.pem`.
pub fn revoke(store: &mut Store, draft: &AuditDraft, ca_dir: &Path, name: &str) -> Result<RevokeReport> {
    store.mutate(draft, |tx| {
        // No CA, nothing to revoke with: say so before looking at the certificates.
        load_ca(ca_dir)?;
        let serials = tx.revoke_certificates(name, &now_utc())?;
        if serials.is_empty() {
            return Err(Failure::new(format!("`{name}` has no valid certificate to revoke"))
                .hint("`amoe ca list` shows the certificates and which are revoked already")
                .into());
        }
        // What it queued and no host confirmed yet goes too (journaled): the agents would
        // refuse it, and it must not stand in front of the list.
        let dropped = tx.drop_items_queued_by(name)?;
        if !dropped.is_empty() {
            let list: Vec<String> = dropped.iter().map(|i| format!("{} {} for {}", i.id, i.kind, i.host)).collect();
            let outbox =
                AuditDraft { command: "outbox drop".into(), target: Some(format!("cert:{name}")), ..draft.clone() };
            tx.journal(
                &outbox,
                &format!("ok: {} items queued by the revoked `{name}` dropped: {}", dropped.len(), list.join(", ")),
            )?;
        }
        let (path, crl_number) = write_and_queue_crl(tx, ca_dir)?;
        Ok(RevokeReport { name: name.to_string(), serials, crl: path, crl_number })
    })
}

/// `ca crl`: issues the revocation list again (a new number and validity), e.g. before the
/// current one expires.
pub fn refresh_crl(store: &mut Store, draft: &AuditDraft, ca_dir: &Path) -> Result<RevokeReport> {
    store.mutate(draft, |tx| {
        let (path, crl_number) = write_and_queue_crl(tx, ca_dir)?;
        Ok(RevokeReport { name: String::new(), serials: Vec::new(), crl: path, crl_number })
    })
}

/// Writes `CA_DIR/crl.pem` and queues its push to every host, in the caller's transaction: a
/// revocation the store records is always owed to every host (no window where it is recorded
/// but not queued).
fn write_and_queue_crl(tx: &amoe_store::Tx<'_>, ca_dir: &Path) -> Result<(PathBuf, u64)> {
    let (path, number) = write_crl(tx, ca_dir)?;
    let pem = fs::read_to_string(&path).map_err(|e| unwritable(&path, &e))?;
    let ca = crate::fleet::Caller::ca();
    for item in crate::fleet::items_for(
        &tx.hosts()?,
        &ca,
        None,
        amoe_store::outbox::ItemKind::Crl,
        "PUT",
        "/v1/crl",
        Some(&pem),
    ) {
        tx.enqueue(&item)?;
    }
    Ok((path, number))
}

/// Writes `CA_DIR/crl.pem` with every revoked serial, under the next CRL number.
fn write_crl(tx: &amoe_store::Tx<'_>, ca_dir: &Path) -> Result<(PathBuf, u64)> {
    let ca = load_ca(ca_dir)?;
    let crl_number = tx.next_crl_number()?;
    let revoked = tx
        .revoked_certificates()?
        .into_iter()
        .map(|(serial, at)| {
            let at = at.parse().with_context(|| format!("revocation time `{at}` of `{serial}`"))?;
            Ok((serial, at))
        })
        .collect::<Result<Vec<_>>>()?;
    let crl = ca.crl(&revoked, crl_number, CRL_DAYS)?;
    // Replaced atomically: an agent reading it never sees half a list.
    let path = ca_dir.join("crl.pem");
    let tmp = ca_dir.join(format!(".crl.pem.{}", std::process::id()));
    let mut files = NewFiles::default();
    files.write(&tmp, &crl, 0o644)?;
    fs::rename(&tmp, &path).map_err(|e| unwritable(&path, &e))?;
    drop(files);
    Ok((path, crl_number))
}

/// `host enroll` (`renew` false) and `host renew` (`renew` true): the host's server
/// certificate, written as `out/ca.pem`, `out/server.pem`, `out/server.key`.
pub fn enroll(
    store: &mut Store,
    draft: &AuditDraft,
    ca_dir: &Path,
    name: &str,
    out: Option<&Path>,
    days: u32,
    renew: bool,
) -> Result<IssueReport> {
    store
        .mutate(draft, |tx| {
            let name: Name = name.parse()?;
            let host = tx.host(&name)?;
            refuse_other_family(tx, name.as_str(), CertKind::Host)?;
            let current = tx.latest_certificate(name.as_str(), Some(CertKind::Host))?;
            match (&current, renew) {
                (Some(_), false) => {
                    return Err(Failure::new(format!("host `{name}` is already enrolled"))
                        .hint(format!("to issue a new certificate, use `amoe host renew {name}`"))
                        .into());
                }
                (None, true) => {
                    return Err(Failure::new(format!("host `{name}` is not enrolled"))
                        .hint(format!("enroll it first with `amoe host enroll {name}`"))
                        .into());
                }
                _ => {}
            }
            let ca = load_ca(ca_dir)?;
            let out = out.map_or_else(|| PathBuf::from(format!("{name}-bundle")), Path::to_path_buf);
            let (ca_path, cert_path, key_path) = (out.join("ca.pem"), out.join("server.pem"), out.join("server.key"));
            refuse_existing(&[&cert_path, &key_path])?;
            let issued = ca.issue_server(name.as_str(), &[host.address.host().to_string()], days)?;
            make_dir(&out)?;
            let mut files = NewFiles::default();
            write_ca_copy(&mut files, &ca_path, ca.cert_pem())?;
            files.write(&cert_path, &issued.cert_pem, 0o644)?;
            files.write(&key_path, &issued.key_pem, 0o600)?;
            // The bundle carries the current revocation list (a first one is issued if there is
            // none): a new host refuses what was revoked before it was enrolled.
            let crl = match fs::read(ca_dir.join("crl.pem")) {
                Ok(pem) if amoe_pki::check_crl(ca.cert_pem(), &pem).is_ok() => pem,
                _ => fs::read(write_crl(tx, ca_dir)?.0).map_err(|e| unwritable(&ca_dir.join("crl.pem"), &e))?,
            };
            let crl_path = out.join("crl.pem");
            if crl_path.exists() {
                fs::write(&crl_path, &crl).map_err(|e| unwritable(&crl_path, &e))?;
            } else {
                files.write(&crl_path, &String::from_utf8_lossy(&crl), 0o644)?;
            }
            let certificate = record(name.as_str(), CertKind::Host, &issued);
            tx.add_certificate(&certificate)?;
            Ok((certificate, files))
        })
        // The files are kept only once the store has committed their record: a certificate the
        // store does not know could never be revoked.
        .map(|(certificate, files)| IssueReport { certificate, files: files.keep() })
}
