//! `amoe site add|list|show|update|remove`.

use super::Ctx;
use crate::cli::SiteCmd;
use crate::error::Exit;
use crate::ops::site as ops;
use crate::output::{Cell, Tabular};
use amoe_core::{Name, Site};
use amoe_store::sites::SiteReads;
use anyhow::Result;

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
    if let SiteCmd::Add { name, settings, .. } | SiteCmd::Update { name, settings, .. } = &cmd
        && settings.origin_verify == Some(false)
    {
        eprintln!("warning: site `{name}`: the certificates of its HTTPS origins will not be verified");
    }
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
            let caller = super::fleet::inventory_caller(ctx)?;
            let (site, owed) = ops::add(&mut store, &ctx.draft("site add", target(&name)), caller.as_ref(), &new)?;
            let domains: Vec<String> = site.domains.iter().map(ToString::to_string).collect();
            ctx.out.done(&format!("added site `{}` ({})", site.name, domains.join(", ")), &site)?;
            let push =
                super::fleet::Owed { command: "site add", site: &name, ids: &owed, no_push, signed: caller.is_some() };
            return super::fleet::deliver_owed(ctx, &mut store, push, !site.hosts.is_empty());
        }
        SiteCmd::List { beneficiary, host } => {
            let store = ctx.open()?;
            let sites = ops::list(&store, beneficiary.as_deref(), host.as_deref())?;
            ctx.out.list(&sites)?;
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
            let caller = super::fleet::inventory_caller(ctx)?;
            let (site, owed) =
                ops::update(&mut store, &ctx.draft("site update", target(&name)), caller.as_ref(), &name, &changes)?;
            ctx.out.done(&format!("updated site `{}`", site.name), &site)?;
            let push = super::fleet::Owed {
                command: "site update",
                site: &name,
                ids: &owed,
                no_push,
                signed: caller.is_some(),
            };
            return super::fleet::deliver_owed(ctx, &mut store, push, !site.hosts.is_empty());
        }
        SiteCmd::Push { name, dry_run } => return super::fleet::push(ctx, &name, None, dry_run),
        SiteCmd::Activate { name, dry_run } => return super::fleet::push(ctx, &name, Some(true), dry_run),
        SiteCmd::Deactivate { name, dry_run } => return super::fleet::push(ctx, &name, Some(false), dry_run),
        SiteCmd::Rules { name, show: true, .. } => return super::fleet::show_rules(ctx, &name),
        SiteCmd::Rules { name, rollback: true, dry_run, .. } => {
            return super::fleet::rollback_rules(ctx, &name, dry_run);
        }
        SiteCmd::Rules { name, file: Some(file), dry_run, .. } => {
            return super::fleet::rules(ctx, &name, &file, dry_run);
        }
        SiteCmd::Rules { .. } => {
            return Err(crate::error::Failure::usage("`site rules` needs --file, --show or --rollback").into());
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
            return Err(crate::error::Failure::usage(
                "`site cert` needs a site with --cert and --key or --acme, or `list` or `renew`",
            )
            .hint("amoe site cert SITE --cert FULLCHAIN.pem --key KEY.pem; amoe site cert SITE --acme; amoe site cert list")
            .into());
        }
        SiteCmd::Explain { name, url, content_type } => {
            return super::fleet::explain(ctx, &name, &url, content_type.as_deref());
        }
        SiteCmd::Remove { name, yes, no_push } => {
            let mut store = ctx.open()?;
            ctx.confirm(&format!("remove site `{name}`"), yes)?;
            let caller = super::fleet::inventory_caller(ctx)?;
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
