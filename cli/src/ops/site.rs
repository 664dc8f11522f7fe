//! Sites: add, update, remove, list with filters.

use super::{dedup, parse_all};
use crate::cli::SiteSettingsArgs;
use crate::error::Failure;
use crate::fleet::Caller;
use amoe_core::{Category, DomainName, Name, Origin, Siret, Site, SiteSettings};
use amoe_store::sites::SiteReads;
use amoe_store::{AuditDraft, Reads, Store};
use anyhow::Result;

/// What `site add` was given.
#[derive(Debug)]
pub struct NewSite<'a> {
    pub name: &'a str,
    pub domains: &'a [String],
    pub beneficiary: &'a str,
    pub origins: &'a [String],
    pub category: &'a str,
    pub hosts: &'a [String],
    pub active: bool,
    pub settings: &'a SiteSettingsArgs,
}

fn check(site: &Site) -> Result<()> {
    if site.domains.is_empty() {
        return Err(Failure::new(format!("site `{}` would have no domain", site.name)).into());
    }
    if site.origins.is_empty() && !site.settings.static_site {
        return Err(Failure::new(format!("site `{}` would have no origin", site.name))
            .hint("add an origin (`--origin`, `--add-origin`), or serve it from its releases with `--static`")
            .into());
    }
    Ok(())
}

/// A site change as recorded: the site, and the ids of what its hosts are now owed (queued in
/// the same transaction; empty when there was no certificate to sign with, or no host).
pub type Recorded<T> = (T, Vec<String>);

/// Queues the site's configuration for each of its hosts, signed by `caller` (nothing without
/// one: the change stays in the store until `amoe site push`).
fn push_to_hosts(tx: &amoe_store::Tx<'_>, caller: Option<&Caller>, site: &Site) -> Result<Vec<String>> {
    let Some(caller) = caller else { return Ok(Vec::new()) };
    if site.hosts.is_empty() {
        return Ok(Vec::new());
    }
    if !caller.role.allows(amoe_pki::Action::Change) {
        return Err(Failure::new(format!("`{}` (role {}) may not change what hosts serve", caller.name, caller.role))
            .hint("use an operator certificate (`AMOE_CLIENT_CERT`); nothing was changed")
            .into());
    }
    let items = crate::fleet::put_site_items(tx, site, caller)?;
    for item in &items {
        tx.enqueue(item)?;
    }
    Ok(items.into_iter().map(|i| i.id).collect())
}

pub fn add(
    store: &mut Store,
    draft: &AuditDraft,
    caller: Option<&Caller>,
    new: &NewSite<'_>,
) -> Result<Recorded<Site>> {
    store.mutate(draft, |tx| {
        let site = Site {
            name: new.name.parse()?,
            domains: dedup(parse_all(new.domains)?),
            beneficiary: new.beneficiary.parse()?,
            category: new.category.parse()?,
            origins: dedup(parse_all(new.origins)?),
            hosts: dedup(parse_all(new.hosts)?),
            active: new.active,
            settings: settings(SiteSettings::default(), new.settings)?,
        };
        check(&site)?;
        tx.add_site(&site)?;
        let owed = push_to_hosts(tx, caller, &site)?;
        Ok((site, owed))
    })
}

/// A size like `512K`, `10M`, `1G` or a number of bytes, above zero.
fn size(flag: &str, s: &str) -> Result<u64> {
    match amoe_core::size::parse_size(s) {
        Some(n) if n > 0 => Ok(n),
        _ => Err(Failure::usage(format!("{flag} `{}` is not a size above zero", s.trim()))
            .hint("give a size like 512K, 10M or 1G")
            .into()),
    }
}

/// `settings` with the flags given applied; out-of-range values are usage errors naming
/// their flag.
pub fn settings(mut s: SiteSettings, a: &SiteSettingsArgs) -> Result<SiteSettings> {
    let at_least_one = |flag: &str, v: u64| -> Result<u64> {
        if v == 0 {
            return Err(Failure::usage(format!("{flag} must be at least 1")).into());
        }
        Ok(v)
    };
    if let Some(v) = a.https_redirect {
        s.https_redirect = v;
    }
    if let Some(v) = a.hsts_max_age {
        s.hsts_max_age_secs = Some(v);
    }
    if let Some(v) = a.hsts_subdomains {
        s.hsts_include_subdomains = v;
    }
    if let Some(p) = &a.health_path {
        s.health_path = match p.as_str() {
            "none" | "" => None,
            p if p.starts_with('/') && !p.chars().any(char::is_whitespace) => Some(p.to_string()),
            p => {
                return Err(Failure::usage(format!("--health-path `{p}` is not a path"))
                    .hint("give a path such as /health, or `none`")
                    .into());
            }
        };
    }
    if let Some(v) = a.health_interval {
        s.health_interval_secs = Some(at_least_one("--health-interval", v)?);
    }
    if let Some(v) = a.health_failures {
        s.health_failures = Some(at_least_one("--health-failures", u64::from(v))? as u32);
    }
    if let Some(v) = &a.max_body {
        s.max_body_bytes = Some(size("--max-body", v)?);
    }
    if let Some(v) = a.stale_limit {
        s.stale_limit_secs = Some(v);
    }
    if let Some(v) = &a.balance {
        s.balance = Some(v.clone());
    }
    if let Some(v) = a.origin_verify {
        s.origin_insecure = !v;
    }
    if let Some(path) = &a.origin_ca {
        s.origin_ca_pem = if path.as_os_str() == "none" { None } else { Some(origin_ca(path)?) };
    }
    if let Some(v) = a.static_site {
        s.static_site = v;
    }
    if let Some(p) = &a.not_found_page {
        s.not_found_page = match p.as_str() {
            "none" | "" => None,
            p if p.starts_with('/') && !p.split('/').any(|seg| seg == "..") => Some(p.to_string()),
            p => {
                return Err(Failure::usage(format!("--not-found-page `{p}` is not a path in the release"))
                    .hint("give a path such as /404.html, or `none`")
                    .into());
            }
        };
    }
    if let Some(name) = &a.origin_sni {
        s.origin_sni = match name.as_str() {
            "none" | "" => None,
            n if rustls_pki_types::ServerName::try_from(n).is_ok() && !n.contains(['/', ':', ' ']) => {
                Some(n.to_ascii_lowercase())
            }
            n => {
                return Err(Failure::usage(format!("--origin-sni `{n}` is not a DNS name"))
                    .hint("give the name the origin's certificate carries, or `none`")
                    .into());
            }
        };
    }
    Ok(s)
}

/// Reads and checks an origin CA bundle: PEM certificates only, at least one.
fn origin_ca(path: &std::path::Path) -> Result<String> {
    use rustls_pki_types::pem::PemObject;
    let refuse = |why: String| -> anyhow::Error {
        Failure::usage(format!("--origin-ca `{}`: {why}", path.display()))
            .hint("give a PEM file of CA certificates, or `none`")
            .into()
    };
    let text = std::fs::read_to_string(path).map_err(|e| refuse(e.to_string()))?;
    // Certificates only: the bundle is kept in the store and sent to every host, so a key
    // pasted in with it must not travel along.
    if let Some(other) = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("-----BEGIN ").and_then(|l| l.strip_suffix("-----")))
        .find(|label| *label != "CERTIFICATE")
    {
        return Err(refuse(format!("it holds a `{other}` block; give CA certificates only")));
    }
    let certs: Vec<_> = rustls_pki_types::CertificateDer::pem_slice_iter(text.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| refuse(e.to_string()))?;
    if certs.is_empty() {
        return Err(refuse("no PEM certificate in it".into()));
    }
    for c in &certs {
        amoe_pki::info_of(c).map_err(|e| refuse(e.to_string()))?;
    }
    Ok(text)
}

/// What `site update` changes.
#[derive(Debug, Default)]
pub struct Changes<'a> {
    pub add_domains: &'a [String],
    pub remove_domains: &'a [String],
    pub add_origins: &'a [String],
    pub remove_origins: &'a [String],
    pub add_hosts: &'a [String],
    pub remove_hosts: &'a [String],
    pub category: Option<&'a str>,
    pub beneficiary: Option<&'a str>,
    pub active: Option<bool>,
    pub settings: SiteSettingsArgs,
}

/// Adds `add` to `list` and takes `remove` out of it; removing an absent item is an error.
fn edit<T: PartialEq + std::str::FromStr + std::fmt::Display>(
    list: Vec<T>,
    add: &[String],
    remove: &[String],
    what: &str,
    site: &Name,
) -> Result<Vec<T>>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let mut list = list;
    list.extend(parse_all::<T>(add)?);
    for gone in parse_all::<T>(remove)? {
        if !list.contains(&gone) {
            return Err(Failure::new(format!("{what} `{gone}` is not on site `{site}`")).into());
        }
        list.retain(|x| *x != gone);
    }
    Ok(dedup(list))
}

pub fn update(
    store: &mut Store,
    draft: &AuditDraft,
    caller: Option<&Caller>,
    name: &str,
    ch: &Changes<'_>,
) -> Result<Recorded<Site>> {
    store.mutate(draft, |tx| {
        let mut site = tx.site(&name.parse::<Name>()?)?;
        let before = site.hosts.clone();
        site.domains = edit::<DomainName>(site.domains, ch.add_domains, ch.remove_domains, "domain", &site.name)?;
        site.origins = edit::<Origin>(site.origins, ch.add_origins, ch.remove_origins, "origin", &site.name)?;
        site.hosts = edit::<Name>(site.hosts, ch.add_hosts, ch.remove_hosts, "host", &site.name)?;
        if let Some(c) = ch.category {
            site.category = c.parse::<Category>()?;
        }
        if let Some(b) = ch.beneficiary {
            site.beneficiary = b.parse::<Siret>()?;
        }
        if let Some(a) = ch.active {
            site.active = a;
        }
        site.settings = settings(site.settings.clone(), &ch.settings)?;
        check(&site)?;
        tx.update_site(&site)?;
        let dropped: Vec<Name> = before.into_iter().filter(|h| !site.hosts.contains(h)).collect();
        let mut owed = forget_on_hosts(tx, caller, &site.name, &dropped)?;
        owed.extend(push_to_hosts(tx, caller, &site)?);
        Ok((site, owed))
    })
}

pub fn remove(store: &mut Store, draft: &AuditDraft, caller: Option<&Caller>, name: &str) -> Result<Recorded<Name>> {
    store.mutate(draft, |tx| {
        let name: Name = name.parse()?;
        let hosts = tx.site(&name)?.hosts;
        tx.remove_site(&name)?;
        let owed = forget_on_hosts(tx, caller, &name, &hosts)?;
        Ok((name, owed))
    })
}

/// Hosts that no longer serve a site are owed its removal: queued in the outbox (delivered by
/// `amoe outbox run` or the next fleet command that touches them), in `caller`'s name, whose
/// role must allow it.
fn forget_on_hosts(
    tx: &amoe_store::Tx<'_>,
    caller: Option<&Caller>,
    site: &Name,
    hosts: &[Name],
) -> Result<Vec<String>> {
    if hosts.is_empty() {
        return Ok(Vec::new());
    }
    let Some(caller) = caller else {
        return Err(Failure::new(format!(
            "removing site `{site}` from hosts queues a signed removal for each: a client certificate is needed"
        ))
        .hint("set `AMOE_CLIENT_CERT` and `AMOE_CLIENT_KEY` (an operator certificate); nothing was changed")
        .into());
    };
    if !caller.role.allows(amoe_pki::Action::Change) {
        return Err(Failure::new(format!(
            "`{}` (role {}) may not remove site `{site}` from hosts",
            caller.name, caller.role
        ))
        .hint("use an operator certificate (`AMOE_CLIENT_CERT`); nothing was changed")
        .into());
    }
    let path = format!("/v1/sites/{site}");
    let mut owed = Vec::new();
    for host in hosts {
        let item = crate::fleet::item(
            host.as_str(),
            caller,
            Some(site.as_str()),
            amoe_store::outbox::ItemKind::DeleteSite,
            "DELETE",
            &path,
            None,
        );
        tx.enqueue(&item)?;
        owed.push(item.id);
    }
    Ok(owed)
}

/// Every site, optionally only those of a beneficiary or served by a host.
pub fn list(store: &impl Reads, beneficiary: Option<&str>, host: Option<&str>) -> Result<Vec<Site>> {
    let beneficiary = beneficiary.map(str::parse::<Siret>).transpose()?;
    let host = host.map(str::parse::<Name>).transpose()?;
    let mut sites = store.sites()?;
    sites.retain(|s| {
        beneficiary.as_ref().is_none_or(|b| s.beneficiary == *b) && host.as_ref().is_none_or(|h| s.hosts.contains(h))
    });
    Ok(sites)
}

/// One site on one host: the certificate it serves, or why it is not known.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct CertRow {
    pub site: String,
    pub host: String,
    pub certificate: Option<amoe_proto::CertStatus>,
    pub error: Option<String>,
}

/// What every host of `sites` serves, asked live (`GET /v1/sites/NAME/cert`, all at once):
/// the hosts hold the truth (`amoe site cert list`, the extranet's site page).
pub fn served_certs(store: &Store, settings: &crate::settings::Settings, sites: &[Site]) -> Result<Vec<CertRow>> {
    use crate::fleet;
    let mut asks = Vec::new();
    for site in sites {
        for h in &site.hosts {
            let host = amoe_store::hosts::HostReads::host(store, h)?;
            asks.push((site.name.to_string(), host, format!("/v1/sites/{}/cert", site.name)));
        }
    }
    let (client, _) = super::fleet::client(settings)?;
    Ok(fleet::ask_all(&client, asks)?
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
        .collect())
}
