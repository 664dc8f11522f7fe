//! `amoe site cert`: a site's HTTPS certificate, checked, kept beside the CA (the key never
//! enters the store), queued for every host of the site and delivered; `site cert list` asks
//! the hosts what they serve.

use super::Ctx;
use super::fleet::{Operation, client, run_operation, site_and_hosts};
use crate::error::{Exit, Failure};
use crate::fleet;
use crate::output::{Cell, Tabular};
use amoe_store::sites::SiteReads;
use anyhow::Result;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Days before expiry under which a certificate is installed with a warning.
const WARN_DAYS: i64 = 30;

/// What an outbox item of kind `put_cert` holds: the chain, and where the key is (read when
/// the item is delivered).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct QueuedCert {
    pub cert_pem: String,
    pub key_file: PathBuf,
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        Failure::usage(format!("cannot read the {what} `{}`: {e}", path.display())).hint("nothing was pushed").into()
    })
}

/// Writes `bytes` to `path` (0600) unless it is already there.
fn keep(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    if std::fs::read(path).is_ok_and(|b| b == bytes) {
        return Ok(());
    }
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

pub(super) fn install(ctx: &mut Ctx, name: &str, cert: &Path, key: &Path, dry_run: bool) -> Result<Exit> {
    let (cert_pem, key_pem) = (read(cert, "certificate")?, read(key, "key")?);
    let mut store = ctx.open()?;
    let (site, hosts) = site_and_hosts(&store, name)?;
    let domains: Vec<String> = site.domains.iter().map(ToString::to_string).collect();
    let now = jiff::Timestamp::now();
    let info = amoe_pki::site_cert::check_site_cert(&cert_pem, &key_pem, &domains, now).map_err(|e| {
        Failure::usage(format!("the certificate for site `{name}` was refused: {e}")).hint("nothing was pushed")
    })?;
    if info.not_after < now + jiff::SignedDuration::from_hours(24 * WARN_DAYS) {
        eprintln!(
            "warning: the certificate of site `{name}` expires {}",
            amoe_core::time::display_local(&info.not_after.to_string())
        );
    }
    // Kept by fingerprint: an older queued push still finds its own key.
    let ca_dir =
        ctx.settings.ca_dir.clone().ok_or_else(|| Failure::new("no CA directory").hint("set `AMOE_CA_DIR`"))?;
    let dir = ca_dir.join("sites").join(site.name.as_str());
    let stem = &info.fingerprint[..16.min(info.fingerprint.len())];
    let key_file = dir.join(format!("{stem}.key"));
    if !dry_run {
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&dir).map_err(|e| {
            Failure::new(format!("cannot create `{}`: {e}", dir.display())).hint("check the CA directory's permissions")
        })?;
        keep(&dir.join(format!("{stem}.pem")), &cert_pem)?;
        keep(&key_file, &key_pem)?;
    }
    let body =
        serde_json::to_string(&QueuedCert { cert_pem: String::from_utf8_lossy(&cert_pem).into_owned(), key_file })?;
    let path = format!("/v1/sites/{}/cert", site.name);
    run_operation(
        ctx,
        &mut store,
        Operation { command: "site cert", site: site.name.as_str(), hosts: &hosts, dry_run, timing: false },
        |tx, caller| {
            // Recorded with the site, so that every later push (a new host) carries it.
            let mut s = tx.site(&site.name)?;
            s.settings.certificate = Some(stem.to_string());
            tx.update_site(&s)?;
            Ok(fleet::items_for(&hosts, caller, Some(site.name.as_str()), "put_cert", "PUT", &path, Some(&body)))
        },
    )
}

/// One site on one host: what it serves.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct CertRow {
    pub site: String,
    pub host: String,
    pub certificate: Option<amoe_proto::CertStatus>,
    pub error: Option<String>,
}

impl Tabular for CertRow {
    const HEADERS: &'static [&'static str] = &["site", "host", "names", "issuer", "expires", "error"];
    fn cells(&self) -> Vec<Cell> {
        let c = self.certificate.as_ref();
        vec![
            Cell::text(&self.site),
            Cell::text(&self.host),
            Cell::list(&c.map(|c| c.names.clone()).unwrap_or_default()),
            Cell::text(c.map_or("", |c| c.issuer.as_str())),
            Cell::text(c.map(|c| amoe_core::time::display_local(&c.not_after)).unwrap_or_default()),
            Cell::opt(self.error.as_deref()),
        ]
    }
}

pub(super) fn list(ctx: &mut Ctx, name: Option<&str>) -> Result<Exit> {
    let store = ctx.open()?;
    let sites = match name {
        Some(n) => vec![site_and_hosts(&store, n)?.0],
        None => store.sites()?,
    };
    let mut asks = Vec::new();
    for site in &sites {
        for h in &site.hosts {
            let host = amoe_store::hosts::HostReads::host(&store, h)?;
            asks.push((site.name.to_string(), host, format!("/v1/sites/{}/cert", site.name)));
        }
    }
    let (client, _) = client(ctx)?;
    let mut rows: Vec<CertRow> = fleet::ask_all(&client, asks)?
        .into_iter()
        .map(|(site, host, r)| {
            let (certificate, error) = match r {
                Ok(a) if a.status == 200 => (serde_json::from_slice(&a.body).ok(), None),
                Ok(a) if a.status == 404 => (None, Some("no certificate".to_string())),
                Ok(a) => (None, Some(format!("HTTP {}: {}", a.status, fleet::client::error_message(&a.body)))),
                Err(e) => (None, Some(e.to_string())),
            };
            CertRow { site, host: host.name.to_string(), certificate, error }
        })
        .collect();
    rows.sort_by(|a, b| (&a.site, &a.host).cmp(&(&b.site, &b.host)));
    ctx.out.list(&rows)?;
    let failed = rows.iter().filter(|r| r.certificate.is_none()).count();
    Ok(Exit::of_hosts(failed, rows.len()))
}
