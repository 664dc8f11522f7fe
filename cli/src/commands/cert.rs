//! `amoe site cert`: a site's HTTPS certificate, checked, kept beside the CA (the key never
//! enters the store), queued for every host of the site and delivered; `site cert list` asks
//! the hosts what they serve.

use super::Ctx;
use super::fleet::{Operation, client, run_operation, site_and_hosts};
use crate::error::{Exit, Failure};
use crate::output::{Cell, Tabular};
use crate::{acme, fleet};
use amoe_store::sites::SiteReads;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// Days before expiry under which a certificate is installed with a warning.
const WARN_DAYS: i64 = 30;

use crate::fleet::QueuedCert;

fn read(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        Failure::usage(format!("cannot read the {what} `{}`: {e}", path.display())).hint("nothing was pushed").into()
    })
}

pub(super) fn install(ctx: &mut Ctx, name: &str, cert: &Path, key: &Path, dry_run: bool) -> Result<Exit> {
    let (cert_pem, key_pem) = (read(cert, "certificate")?, read(key, "key")?);
    let mut store = ctx.open()?;
    let (site, hosts) = site_and_hosts(&store, name)?;
    let mut prepared = prepare(ctx, &site, &cert_pem, &key_pem, dry_run)?;
    // An uploaded certificate takes the site off ACME: `renew` must not replace it.
    prepared.uploaded = true;
    if site.settings.acme.is_some() {
        eprintln!("note: site `{name}` no longer takes its certificates from ACME (`site cert renew` leaves it)");
    }
    let op = Operation { command: "site cert", site: site.name.as_str(), hosts: &hosts, dry_run, timing: false };
    run_operation(ctx, &mut store, op, |tx, caller| prepared.items(tx, &hosts, caller))
}

/// A checked certificate, kept beside the CA, ready to be queued for the site's hosts.
struct Prepared {
    site: amoe_core::Name,
    stem: String,
    body: String,
    /// Uploaded by the operator (not from ACME): the site's ACME settings are cleared.
    uploaded: bool,
    /// The certificate's expiry (RFC 3339).
    not_after: String,
}

impl Prepared {
    /// Records the certificate with the site (every later push, to a new host too, carries
    /// it) and makes one item per host.
    fn items(
        &self,
        tx: &amoe_store::Tx<'_>,
        hosts: &[amoe_core::Host],
        caller: &fleet::Caller,
    ) -> Result<Vec<amoe_store::outbox::NewOutboxItem>> {
        let mut s = tx.site(&self.site)?;
        s.settings.certificate = Some(self.stem.clone());
        if self.uploaded {
            s.settings.acme = None;
        }
        tx.update_site(&s)?;
        let path = format!("/v1/sites/{}/cert", self.site);
        Ok(fleet::items_for(
            hosts,
            caller,
            Some(self.site.as_str()),
            amoe_store::outbox::ItemKind::PutCert,
            "PUT",
            &path,
            Some(&self.body),
        ))
    }
}

/// Checks a chain and key for `site` (the key matches, every domain is covered, valid now; a
/// warning under 30 days) and keeps them in `CA_DIR/sites/SITE/` by fingerprint, so that an
/// older queued push still finds its own key.
fn prepare(ctx: &Ctx, site: &amoe_core::Site, cert_pem: &[u8], key_pem: &[u8], dry_run: bool) -> Result<Prepared> {
    let name = site.name.as_str();
    let domains: Vec<String> = site.domains.iter().map(ToString::to_string).collect();
    let now = jiff::Timestamp::now();
    let info = amoe_pki::site_cert::check_site_cert(cert_pem, key_pem, &domains, now).map_err(|e| {
        Failure::usage(format!("the certificate for site `{name}` was refused: {e}")).hint("nothing was pushed")
    })?;
    if info.not_after < now + jiff::SignedDuration::from_hours(24 * WARN_DAYS) {
        eprintln!(
            "warning: the certificate of site `{name}` expires {}",
            amoe_core::time::display_local(&info.not_after.to_string())
        );
    }
    let dir = ca_dir(ctx)?.join("sites").join(name);
    let stem = info.fingerprint[..16.min(info.fingerprint.len())].to_string();
    let key_file = dir.join(format!("{stem}.key"));
    if !dry_run {
        let kept = |e: std::io::Error| {
            Failure::new(format!("cannot keep the certificate in `{}`: {e}", dir.display()))
                .hint("check the CA directory's permissions; nothing was pushed")
        };
        crate::ops::write_private(&dir.join(format!("{stem}.pem")), cert_pem).map_err(kept)?;
        crate::ops::write_private(&key_file, key_pem).map_err(kept)?;
    }
    let body =
        serde_json::to_string(&QueuedCert { cert_pem: String::from_utf8_lossy(cert_pem).into_owned(), key_file })?;
    Ok(Prepared { site: site.name.clone(), stem, body, uploaded: false, not_after: info.not_after.to_string() })
}

fn ca_dir(ctx: &Ctx) -> Result<PathBuf> {
    Ok(ctx.settings.ca_dir.clone().ok_or_else(|| Failure::new("no CA directory").hint("set `AMOE_CA_DIR`"))?)
}

/// Where certificates are ordered, and as whom.
fn directory(ctx: &Ctx, settings: &amoe_core::AcmeSettings, trust: Option<PathBuf>) -> Result<acme::Directory> {
    Ok(acme::Directory {
        url: settings.directory.clone(),
        email: settings.email.clone(),
        trust: trust.or_else(|| std::env::var_os("AMOE_ACME_CA").map(PathBuf::from)),
        account_dir: ca_dir(ctx)?.join("acme"),
    })
}

/// Runs one ACME order for a site and its hosts.
fn order_for(
    d: &acme::Directory,
    client: &fleet::client::Client,
    site: &amoe_core::Site,
    hosts: &[amoe_core::Host],
) -> Result<acme::Issued, acme::AcmeError> {
    let domains: Vec<String> = site.domains.iter().map(ToString::to_string).collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| acme::AcmeError::Local(e.to_string()))?;
    rt.block_on(acme::order(d, client, site.name.as_str(), hosts, &domains))
}

/// `amoe site cert SITE --acme`: the ACME settings recorded with the site first (so that
/// `renew` retries an order that fails), then one order, then the certificate installed like
/// an uploaded one.
pub(super) fn order(
    ctx: &mut Ctx,
    name: &str,
    url: Option<String>,
    email: Option<String>,
    trust: Option<PathBuf>,
) -> Result<Exit> {
    let mut store = ctx.open()?;
    let (site, hosts) = site_and_hosts(&store, name)?;
    if hosts.is_empty() {
        return Err(Failure::usage(format!("site `{name}` has no host to answer the ACME challenges"))
            .hint(format!("add one: amoe site update {name} --add-host HOST"))
            .into());
    }
    let (client, caller) = client(&ctx.settings)?;
    if !caller.role.allows(amoe_pki::Action::Change) {
        return Err(Failure::new(format!("`{}` ({}) may not install certificates", caller.name, caller.role))
            .hint("use an operator certificate; nothing was ordered")
            .into());
    }
    let settings = amoe_core::AcmeSettings { directory: url.unwrap_or_else(|| acme::DEFAULT_DIRECTORY.into()), email };
    let d = directory(ctx, &settings, trust)?;
    let mut draft = ctx.draft("site cert --acme", Some(format!("site:{name}")));
    draft.identity = Some(caller.identity());
    store.mutate(&draft, |tx| -> Result<()> {
        let mut s = tx.site(&site.name)?;
        s.settings.acme = Some(settings.clone());
        Ok(tx.update_site(&s)?)
    })?;
    let issued = match order_for(&d, &client, &site, &hosts) {
        Ok(issued) => issued,
        Err(e) => {
            store.journal(&draft, &format!("failed: the order: {e}"))?;
            return Err(Failure::new(format!("the ACME order for site `{name}` failed: {e}"))
                .hint(ORDER_FAILED_HINT)
                .into());
        }
    };
    let prepared = prepare(ctx, &site, issued.cert_pem.as_bytes(), issued.key_pem.as_bytes(), false)?;
    let op = Operation { command: "site cert", site: site.name.as_str(), hosts: &hosts, dry_run: false, timing: false };
    run_operation(ctx, &mut store, op, |tx, caller| prepared.items(tx, &hosts, caller))
}

const ORDER_FAILED_HINT: &str = "nothing was installed and the hosts keep their certificate; `amoe site cert renew` \
orders again (a host down for long: take it off the site with `amoe site update SITE --remove-host HOST`)";

/// Parses `30d`, `12h` or a number of days.
fn parse_within(s: &str) -> Result<jiff::SignedDuration> {
    let t = s.trim();
    let (n, hours) = match t.strip_suffix('d') {
        Some(n) => (n, 24),
        None => match t.strip_suffix('h') {
            Some(n) => (n, 1),
            None => (t, 24),
        },
    };
    match n.parse::<i64>().ok().and_then(|n| n.checked_mul(hours)) {
        Some(h) if (0..=3650 * 24).contains(&h) => Ok(jiff::SignedDuration::from_hours(h)),
        _ => Err(Failure::usage(format!("--within `{s}` is not a duration of at most ten years"))
            .hint("write it like `30d` or `12h`")
            .into()),
    }
}

/// Why a site's certificate is due, if it is: none yet, no longer fit for the site, or
/// expiring before `limit`. With the current expiry, when there is one.
fn due(ca_dir: &Path, site: &amoe_core::Site, limit: jiff::Timestamp) -> (Option<String>, Option<String>) {
    let Some(stem) = &site.settings.certificate else {
        return (Some("no certificate yet".into()), None);
    };
    let dir = ca_dir.join("sites").join(site.name.as_str());
    let (Ok(cert), Ok(key)) =
        (std::fs::read(dir.join(format!("{stem}.pem"))), std::fs::read(dir.join(format!("{stem}.key"))))
    else {
        return (Some(format!("its files are missing from `{}`", dir.display())), None);
    };
    let domains: Vec<String> = site.domains.iter().map(ToString::to_string).collect();
    match amoe_pki::site_cert::check_site_cert(&cert, &key, &domains, jiff::Timestamp::now()) {
        Err(e) => (Some(e.to_string()), None),
        Ok(info) => {
            let expires = Some(info.not_after.to_string());
            if info.not_after < limit { (Some("expires soon".into()), expires) } else { (None, expires) }
        }
    }
}

/// One site of `site cert renew`.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct RenewRow {
    pub site: String,
    /// `renewed`, `not-due` or `failed`.
    pub action: String,
    /// Why it was due.
    pub reason: Option<String>,
    /// Expiry of the certificate in force after the run (RFC 3339).
    pub expires: Option<String>,
    /// Hosts that confirmed the new certificate, of the site's hosts.
    pub hosts: Option<String>,
    pub error: Option<String>,
}

impl Tabular for RenewRow {
    const HEADERS: &'static [&'static str] = &["site", "action", "reason", "expires", "hosts", "error"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.site),
            Cell::text(&self.action),
            Cell::opt(self.reason.as_deref()),
            Cell::text(self.expires.as_deref().map(amoe_core::time::display_local).unwrap_or_default()),
            Cell::opt(self.hosts.as_deref()),
            Cell::opt(self.error.as_deref()),
        ]
    }
}

/// `amoe site cert renew`: every ACME site that is due ordered again, one table (or JSON
/// list) for all. Exit 0 when every due site was renewed on every host, 3 when some were not,
/// 1 when none was.
pub(super) fn renew(ctx: &mut Ctx, name: Option<&str>, within: &str, trust: Option<PathBuf>) -> Result<Exit> {
    let within = parse_within(within)?;
    let mut store = ctx.open()?;
    let sites = match name {
        Some(n) => {
            let site = site_and_hosts(&store, n)?.0;
            if site.settings.acme.is_none() {
                return Err(Failure::usage(format!("site `{n}` does not take its certificates from ACME"))
                    .hint(format!("order one first: amoe site cert {n} --acme"))
                    .into());
            }
            vec![site]
        }
        None => store.sites()?.into_iter().filter(|s| s.settings.acme.is_some()).collect(),
    };
    let ca = ca_dir(ctx)?;
    let limit = jiff::Timestamp::now() + within;
    // Who orders: checked once, before any ACME server is asked for anything.
    let caller = client(&ctx.settings)?.1;
    if !caller.role.allows(amoe_pki::Action::Change) {
        return Err(Failure::new(format!("`{}` ({}) may not install certificates", caller.name, caller.role))
            .hint("use an operator certificate; nothing was ordered")
            .into());
    }
    let mut rows = Vec::new();
    let (mut tried, mut failed) = (0, 0);
    for site in sites {
        let (reason, expires) = due(&ca, &site, limit);
        let mut row = RenewRow {
            site: site.name.to_string(),
            action: "not-due".into(),
            reason: reason.clone(),
            expires,
            hosts: None,
            error: None,
        };
        if reason.is_some() {
            tried += 1;
            match renew_one(ctx, &mut store, &site, trust.clone()) {
                Ok((report, expires)) => {
                    let ok = report.hosts.len() - report.failed();
                    row.hosts = Some(format!("{ok}/{}", report.hosts.len()));
                    row.expires = Some(expires);
                    row.action = "renewed".into();
                    if report.failed() > 0 {
                        failed += 1;
                        row.error = Some("some hosts did not confirm; the outbox keeps their push".into());
                    }
                }
                Err(e) => {
                    failed += 1;
                    row.action = "failed".into();
                    row.error = Some(format!("{e:#}"));
                    let mut draft = ctx.draft("site cert renew", Some(format!("site:{}", site.name)));
                    draft.identity = Some(caller.identity());
                    store.journal(&draft, &format!("failed: {e:#}"))?;
                }
            }
        }
        rows.push(row);
    }
    ctx.out.list(&rows)?;
    Ok(Exit::of_hosts(failed, tried))
}

fn renew_one(
    ctx: &mut Ctx,
    store: &mut amoe_store::Store,
    site: &amoe_core::Site,
    trust: Option<PathBuf>,
) -> Result<(fleet::FleetReport, String)> {
    let (site, hosts) = site_and_hosts(store, site.name.as_str())?;
    let settings = site.settings.acme.clone().ok_or_else(|| Failure::new("not an ACME site"))?;
    let (client, _) = client(&ctx.settings)?;
    let d = directory(ctx, &settings, trust)?;
    let issued = order_for(&d, &client, &site, &hosts)?;
    let prepared = prepare(ctx, &site, issued.cert_pem.as_bytes(), issued.key_pem.as_bytes(), false)?;
    let expires = prepared.not_after.clone();
    let op = Operation {
        command: "site cert renew",
        site: site.name.as_str(),
        hosts: &hosts,
        dry_run: false,
        timing: false,
    };
    let draft = ctx.draft(op.command, Some(format!("site:{}", op.site)));
    let report = crate::ops::fleet::queue_and_deliver(store, &ctx.settings, draft, &op, |tx, caller| {
        prepared.items(tx, &hosts, caller)
    })?;
    Ok((report, expires))
}

pub use crate::ops::site::CertRow;

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
    let mut rows = crate::ops::site::served_certs(&store, &ctx.settings, &sites)?;
    rows.sort_by(|a, b| (&a.site, &a.host).cmp(&(&b.site, &b.host)));
    ctx.out.list(&rows)?;
    let failed = rows.iter().filter(|r| r.certificate.is_none()).count();
    Ok(Exit::of_hosts(failed, rows.len()))
}
