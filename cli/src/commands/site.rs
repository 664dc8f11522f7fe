//! `amoe site add|list|show|update|remove` (the inventory), `push|activate|deactivate` and
//! `rules|explain` (what the hosts serve); certificates are in [`super::cert`].

use super::Ctx;
use super::fleet::{Operation, run_operation, site_and_hosts};
use crate::cli::SiteCmd;
use crate::error::{Exit, Failure};
use crate::fleet;
use crate::ops::site as ops;
use crate::output::{Cell, Format, Tabular};
use amoe_core::{Name, Site};
use amoe_store::Store;
use amoe_store::sites::{RulesReads, SiteReads};
use anyhow::{Context, Result};

impl Tabular for Site {
    const HEADERS: &'static [&'static str] =
        &["name", "domains", "beneficiary", "category", "origins", "hosts", "active"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.name),
            Cell::list(&self.domains),
            Cell::text(&self.beneficiary),
            Cell::text(self.category),
            Cell::list(&self.origins),
            Cell::list(&self.hosts),
            Cell::text(if self.active { "yes" } else { "no" }),
        ]
    }
}

pub(super) fn run(ctx: &mut Ctx, cmd: SiteCmd) -> Result<Exit> {
    let target = |s: &str| Some(format!("site:{s}"));
    match cmd {
        SiteCmd::Add { name, domains, beneficiary, origins, category, hosts, inactive, no_push, settings } => {
            let mut store = ctx.open()?;
            let new = ops::NewSite {
                name: &name,
                domains: &domains,
                beneficiary: &beneficiary,
                origins: &origins,
                category: &category,
                hosts: &hosts,
                active: !inactive,
                settings: &settings,
            };
            let caller = super::fleet::inventory_caller(&ctx.settings)?;
            let (site, owed) = ops::add(&mut store, &ctx.draft("site add", target(&name)), caller.as_ref(), &new)?;
            let domains: Vec<String> = site.domains.iter().map(ToString::to_string).collect();
            ctx.out.done(&format!("added site `{}` ({})", site.name, domains.join(", ")), &site)?;
            warn_if_insecure(&site);
            let push =
                super::fleet::Owed { command: "site add", site: &name, ids: &owed, no_push, signed: caller.is_some() };
            return super::fleet::deliver_owed(ctx, &mut store, push, !site.hosts.is_empty());
        }
        SiteCmd::List { beneficiary, host } => {
            let store = ctx.open()?;
            let sites = ops::list(&store, beneficiary.as_deref(), host.as_deref())?;
            ctx.out.list(&sites)?;
            // The process ends next: freeing ten thousand sites one by one would only delay it.
            std::mem::forget(sites);
        }
        SiteCmd::Show { name } => {
            let store = ctx.open()?;
            ctx.out.show(&store.site(&name.parse::<Name>()?)?)?;
        }
        SiteCmd::Update {
            name,
            add_domains,
            remove_domains,
            add_origins,
            remove_origins,
            add_hosts,
            remove_hosts,
            category,
            beneficiary,
            active,
            no_push,
            settings,
        } => {
            let mut store = ctx.open()?;
            let changes = ops::Changes {
                add_domains: &add_domains,
                remove_domains: &remove_domains,
                add_origins: &add_origins,
                remove_origins: &remove_origins,
                add_hosts: &add_hosts,
                remove_hosts: &remove_hosts,
                category: category.as_deref(),
                beneficiary: beneficiary.as_deref(),
                active,
                settings: *settings,
            };
            let caller = super::fleet::inventory_caller(&ctx.settings)?;
            let (site, owed) =
                ops::update(&mut store, &ctx.draft("site update", target(&name)), caller.as_ref(), &name, &changes)?;
            ctx.out.done(&format!("updated site `{}`", site.name), &site)?;
            warn_if_insecure(&site);
            let push = super::fleet::Owed {
                command: "site update",
                site: &name,
                ids: &owed,
                no_push,
                signed: caller.is_some(),
            };
            return super::fleet::deliver_owed(ctx, &mut store, push, !site.hosts.is_empty());
        }
        SiteCmd::Push { name, dry_run } => return push(ctx, &name, None, dry_run),
        SiteCmd::Activate { name, dry_run } => return push(ctx, &name, Some(true), dry_run),
        SiteCmd::Deactivate { name, dry_run } => return push(ctx, &name, Some(false), dry_run),
        SiteCmd::Rules { name, show: true, .. } => return show_rules(ctx, &name),
        SiteCmd::Rules { name, rollback: true, dry_run, .. } => {
            return rollback_rules(ctx, &name, dry_run);
        }
        SiteCmd::Rules { name, file: Some(file), dry_run, .. } => {
            return rules(ctx, &name, &file, dry_run);
        }
        SiteCmd::Rules { .. } => {
            return Err(Failure::usage("`site rules` needs --file, --show or --rollback").into());
        }
        SiteCmd::Cert { list: Some(crate::cli::CertCmd::List { name }), .. } => {
            return super::cert::list(ctx, name.as_deref());
        }
        SiteCmd::Cert { list: Some(crate::cli::CertCmd::Renew { name, within, acme_ca }), .. } => {
            return super::cert::renew(ctx, name.as_deref(), &within, acme_ca);
        }
        SiteCmd::Cert { list: None, name: Some(name), cert: Some(cert), key: Some(key), dry_run, .. } => {
            return super::cert::install(ctx, &name, &cert, &key, dry_run);
        }
        SiteCmd::Cert { list: None, name: Some(name), acme: true, directory, email, acme_ca, .. } => {
            return super::cert::order(ctx, &name, directory, email, acme_ca);
        }
        SiteCmd::Cert { .. } => {
            return Err(Failure::usage(
                "`site cert` needs a site with --cert and --key or --acme, or `list` or `renew`",
            )
            .hint("amoe site cert SITE --cert FULLCHAIN.pem --key KEY.pem; amoe site cert SITE --acme; amoe site cert list")
            .into());
        }
        SiteCmd::Explain { name, url, content_type } => {
            return explain(ctx, &name, &url, content_type.as_deref());
        }
        SiteCmd::Remove { name, yes, no_push } => {
            let mut store = ctx.open()?;
            ctx.confirm(&format!("remove site `{name}`"), yes)?;
            let caller = super::fleet::inventory_caller(&ctx.settings)?;
            let (n, owed) = ops::remove(&mut store, &ctx.draft("site remove", target(&name)), caller.as_ref(), &name)?;
            ctx.out.line(&format!("removed site `{n}`"))?;
            let push = super::fleet::Owed {
                command: "site remove",
                site: &name,
                ids: &owed,
                no_push,
                signed: caller.is_some(),
            };
            return super::fleet::deliver_owed(ctx, &mut store, push, false);
        }
    }
    Ok(Exit::Success)
}

/// `site push`, `activate`, `deactivate`: the site's full configuration to every host.
pub(super) fn push(ctx: &mut Ctx, name: &str, active: Option<bool>, dry_run: bool) -> Result<Exit> {
    let mut store = ctx.open()?;
    let (site, hosts) = site_and_hosts(&store, name)?;
    warn_if_insecure(&site);
    let command = match active {
        Some(true) => "site activate",
        Some(false) => "site deactivate",
        None => "site push",
    };
    run_operation(
        ctx,
        &mut store,
        Operation { command, site: site.name.as_str(), hosts: &hosts, dry_run, timing: false },
        |tx, caller| {
            let mut site = tx.site(&site.name)?;
            if let Some(a) = active {
                site.active = a;
                tx.update_site(&site)?;
            }
            fleet::put_site_items(tx, &site, caller)
        },
    )
}

pub(super) fn rules(ctx: &mut Ctx, name: &str, file: &std::path::Path, dry_run: bool) -> Result<Exit> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read `{}`", file.display()))?;
    if let Err(e) = amoe_rules::Rules::parse(&text) {
        return Err(Failure::usage(format!("`{}` is not a valid rules file:\n{e}", file.display()))
            .hint("the format is in docs/rules.md; nothing was changed or sent")
            .into());
    }
    if dry_run {
        ctx.out.line(&format!("`{}` is valid", file.display()))?;
        return Ok(Exit::Success);
    }
    let mut store = ctx.open()?;
    push_rules(ctx, &mut store, name, "site rules", &text, false)
}

/// Keeps `text` as the site's newest rules version and pushes it, in one transaction; the
/// audit entry records the rules' SHA-256 (as `--rules-sha256=…` after the arguments).
fn push_rules(ctx: &mut Ctx, store: &mut Store, name: &str, command: &str, text: &str, dry_run: bool) -> Result<Exit> {
    let (site, hosts) = site_and_hosts(store, name)?;
    let operator = ctx.settings.operator.clone();
    let digest = amoe_pki::sha256_hex(text.as_bytes());
    ctx.args.push(format!("--rules-sha256={digest}"));
    run_operation(
        ctx,
        store,
        Operation { command, site: site.name.as_str(), hosts: &hosts, dry_run, timing: false },
        |tx, caller| {
            tx.add_site_rules(&site.name, text, &operator)?;
            fleet::put_site_items(tx, &site, caller)
        },
    )
}

/// `site rules NAME --show`: the rules in force (text), or every kept version (JSON).
pub(super) fn show_rules(ctx: &mut Ctx, name: &str) -> Result<Exit> {
    let store = ctx.open()?;
    let site = store.site(&name.parse::<Name>()?)?;
    let versions = amoe_store::sites::rules_versions(&store, &site.name)?;
    if ctx.out.format == Format::Json {
        ctx.out.json(&versions)?;
        return Ok(Exit::Success);
    }
    match versions.last() {
        Some(v) => {
            ctx.out.line(&format!(
                "# site `{}`, rules version {} ({}, {})",
                site.name, v.version, v.created_at, v.operator
            ))?;
            ctx.out.line(v.rules.trim_end())?;
        }
        None => ctx.out.line(&format!("site `{}` has no rules: RFC 9111 defaults apply", site.name))?,
    }
    Ok(Exit::Success)
}

/// `site rules NAME --rollback`: the version before the newest, kept again as the newest and
/// pushed.
pub(super) fn rollback_rules(ctx: &mut Ctx, name: &str, dry_run: bool) -> Result<Exit> {
    let mut store = ctx.open()?;
    let site = store.site(&name.parse::<Name>()?)?;
    let versions = amoe_store::sites::rules_versions(&store, &site.name)?;
    let Some(previous) = versions.len().checked_sub(2).map(|i| versions[i].clone()) else {
        return Err(Failure::new(format!("site `{name}` has no earlier rules version to roll back to"))
            .hint(format!("`amoe site rules {name} --show -o json` lists the versions"))
            .into());
    };
    eprintln!("rolling back site `{name}` to the rules of version {}", previous.version);
    push_rules(ctx, &mut store, name, "site rules rollback", &previous.rules, dry_run)
}

pub(super) fn explain(ctx: &mut Ctx, name: &str, url: &str, content_type: Option<&str>) -> Result<Exit> {
    let store = ctx.open()?;
    let site = store.site(&name.parse::<Name>()?)?;
    let rules = match store.site_rules(&site.name)? {
        Some(r) => amoe_rules::Rules::parse(&r.rules)
            .map_err(|e| Failure::new(format!("the stored rules are invalid:\n{e}")))?,
        None => amoe_rules::Rules::default(),
    };
    let explanation = rules.explain(url, content_type);
    if ctx.out.format == Format::Table {
        ctx.out.line(&explanation.to_string())?;
    } else {
        ctx.out.json(&explanation)?;
    }
    Ok(Exit::Success)
}

/// Origin verification off is never silent: said on every change and push of such a site.
fn warn_if_insecure(site: &Site) {
    if site.settings.origin_insecure {
        eprintln!("warning: site `{}`: the certificates of its HTTPS origins are not verified", site.name);
    }
}
