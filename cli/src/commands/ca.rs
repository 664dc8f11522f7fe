//! `amoe ca init|issue|list|revoke`, and the rendering of `host enroll|renew`.

use super::Ctx;
use crate::cli::CaCmd;
use crate::error::{Exit, Failure};
use crate::ops::ca::{self as ops, CertificateStatus, IssueReport, RevokeReport};
use crate::output::{Cell, Tabular};
use amoe_core::time::display_local;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// How much of a fingerprint a table shows.
const SHORT_FINGERPRINT: usize = 16;

impl Tabular for IssueReport {
    const HEADERS: &'static [&'static str] = &["name", "kind", "serial", "not_after", "fingerprint", "files"];
    fn cells(&self) -> Vec<Cell> {
        let c = &self.certificate;
        let files: Vec<String> = self.files.iter().map(|f| f.display().to_string()).collect();
        vec![
            Cell::text(&c.name),
            Cell::text(c.kind),
            Cell::text(&c.serial),
            Cell::text(display_local(&c.not_after)),
            Cell::text(&c.fingerprint),
            Cell::list(&files),
        ]
    }
}

impl Tabular for CertificateStatus {
    const HEADERS: &'static [&'static str] =
        &["name", "kind", "serial", "not_after", "fingerprint", "revoked", "expired"];
    fn cells(&self) -> Vec<Cell> {
        let c = &self.certificate;
        let short: String = c.fingerprint.chars().take(SHORT_FINGERPRINT).collect();
        vec![
            Cell::text(&c.name),
            Cell::text(c.kind),
            Cell::text(&c.serial),
            Cell::text(display_local(&c.not_after)),
            Cell::text(format!("{short}…")),
            Cell::text(c.revoked_at.as_deref().map_or_else(|| "no".to_string(), display_local)),
            Cell::text(if self.expired { "yes" } else { "no" }),
        ]
    }
}

impl Tabular for RevokeReport {
    const HEADERS: &'static [&'static str] = &["name", "serials", "crl", "crl_number"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.name),
            Cell::list(&self.serials),
            Cell::text(self.crl.display()),
            Cell::text(self.crl_number),
        ]
    }
}

/// The CA directory, or why there is none.
pub(super) fn ca_dir(ctx: &Ctx) -> Result<PathBuf> {
    ctx.settings.ca_dir.clone().ok_or_else(|| {
        Failure::new("no CA directory: neither `AMOE_CA_DIR`, `ca_dir` in the configuration file nor `$HOME` is set")
            .hint("set `AMOE_CA_DIR` to the CA's directory")
            .into()
    })
}

fn files(r: &IssueReport) -> String {
    r.files.iter().map(|f| format!("`{}`", f.display())).collect::<Vec<_>>().join(", ")
}

pub(super) fn run(ctx: &mut Ctx, cmd: CaCmd) -> Result<Exit> {
    let target = |s: &str| Some(format!("certificate:{s}"));
    match cmd {
        CaCmd::Init { name } => {
            let dir = ca_dir(ctx)?;
            let mut store = ctx.open()?;
            let r = ops::init(&mut store, &ctx.draft("ca init", Some(format!("ca:{name}"))), &dir, &name)?;
            let sentence = format!(
                "created CA `{}` (serial {}, valid until {}) in `{}`: {}",
                r.certificate.name,
                r.certificate.serial,
                display_local(&r.certificate.not_after),
                dir.display(),
                files(&r)
            );
            ctx.out.done(&sentence, &r)?;
        }
        CaCmd::Issue { name, role, days, out } => {
            let dir = ca_dir(ctx)?;
            let mut store = ctx.open()?;
            let draft = ctx.draft("ca issue", target(&name));
            let r = ops::issue(&mut store, &draft, &dir, &name, &role, days, &out)?;
            let c = &r.certificate;
            let sentence = format!(
                "issued {} certificate for `{}` (serial {}, valid until {}): {}",
                c.kind,
                c.name,
                c.serial,
                display_local(&c.not_after),
                files(&r)
            );
            ctx.out.done(&sentence, &r)?;
        }
        CaCmd::List => {
            let store = ctx.open()?;
            ctx.out.list(&ops::list(&store)?)?;
        }
        CaCmd::Crl => {
            let dir = ca_dir(ctx)?;
            let mut store = ctx.open()?;
            let r = ops::refresh_crl(&mut store, &ctx.draft("ca crl", None), &dir)?;
            ctx.out.done(&format!("revocation list {} written to `{}`", r.crl_number, r.crl.display()), &r)?;
            drop(store);
            return push_crl(ctx);
        }
        CaCmd::Revoke { name } => {
            let dir = ca_dir(ctx)?;
            let mut store = ctx.open()?;
            let r = ops::revoke(&mut store, &ctx.draft("ca revoke", target(&name)), &dir, &name)?;
            let n = r.serials.len();
            let sentence = format!(
                "revoked {n} certificate{} of `{}`; revocation list {} written to `{}`",
                if n == 1 { "" } else { "s" },
                r.name,
                r.crl_number,
                r.crl.display()
            );
            ctx.out.done(&sentence, &r)?;
            drop(store);
            return push_crl(ctx);
        }
    }
    Ok(Exit::Success)
}

/// `host enroll` and `host renew`.
pub(super) fn enroll(ctx: &mut Ctx, name: &str, out: Option<&Path>, days: u32, renew: bool) -> Result<Exit> {
    let dir = ca_dir(ctx)?;
    let mut store = ctx.open()?;
    let verb = if renew { "host renew" } else { "host enroll" };
    let draft = ctx.draft(verb, Some(format!("host:{name}")));
    let r = ops::enroll(&mut store, &draft, &dir, name, out, days, renew)?;
    let c = &r.certificate;
    let mut sentence = format!(
        "{} host `{}`: server certificate {} valid until {}: {}",
        if renew { "renewed" } else { "enrolled" },
        c.name,
        c.serial,
        display_local(&c.not_after),
        files(&r)
    );
    if renew {
        sentence.push_str(
            "\nthe previous certificate stays valid until it expires: install the new bundle, then reload the agent",
        );
    }
    ctx.out.done(&sentence, &r)?;
    Ok(Exit::Success)
}

/// Delivers a revocation list already queued for every host (in the transaction of `ca revoke`
/// or `ca crl`).
pub(super) fn push_crl(ctx: &mut Ctx) -> Result<Exit> {
    let mut store = ctx.open()?;
    let hosts = amoe_store::hosts::HostReads::hosts(&store)?;
    if hosts.is_empty() {
        return Ok(Exit::Success);
    }
    let (client, caller) = match super::fleet::client(&ctx.settings) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("warning: the revocation list is queued for {} hosts but not sent: {e}", hosts.len());
            eprintln!("hint: send it with `amoe outbox run` and a client certificate");
            return Ok(Exit::Partial);
        }
    };
    let report = crate::fleet::deliver(
        &mut store,
        &client,
        &caller,
        &hosts,
        std::time::Instant::now(),
        crate::fleet::Run { operation: "revocation list", site: None, fresh: None },
    )?;
    super::fleet::render(ctx, &report, false)
}
