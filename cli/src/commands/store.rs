//! `amoe init`, `amoe export`, `amoe import`, `amoe backup`: the store as a whole.

use super::Ctx;
use crate::error::Exit;
use crate::ops::transfer::{self, BackupReport, InitReport};
use crate::output::Format;
use amoe_store::{LATEST_VERSION, Store};
use anyhow::{Context, Result};
use std::path::Path;

pub(super) fn init(ctx: &mut Ctx) -> Result<Exit> {
    let path = ctx.settings.store.clone();
    let (mut store, before) = Store::create(&path)?;
    if before != LATEST_VERSION {
        store.journal(&ctx.draft("init", None), "ok")?;
    }
    ctx.adopt_attachments(&mut store)?;
    let path = store.location().to_path_buf();
    let report = InitReport { store: path.clone(), previous_version: before, schema_version: LATEST_VERSION };
    if ctx.out.format == Format::Table {
        let text = match before {
            0 => format!("created store `{}` (schema version {LATEST_VERSION})", path.display()),
            v if v == LATEST_VERSION => format!("store `{}` is up to date (schema version {v})", path.display()),
            v => format!("migrated store `{}` from schema version {v} to {LATEST_VERSION}", path.display()),
        };
        ctx.out.line(&text)?;
    } else {
        ctx.out.json(&report)?;
    }
    Ok(Exit::Success)
}

fn transfer_done(ctx: &mut Ctx, sentence: String, report: &transfer::TransferReport) -> Result<Exit> {
    if ctx.out.format == Format::Table {
        ctx.out.line(&sentence)?;
    } else {
        ctx.out.json(report)?;
    }
    Ok(Exit::Success)
}

pub(super) fn export(ctx: &mut Ctx, dir: &Path) -> Result<Exit> {
    let store = ctx.open()?;
    let r = transfer::export(&store, ctx.settings.beside_store(), dir)
        .with_context(|| format!("export to `{}` failed", dir.display()))?;
    let s = format!("exported {} rows in {} tables to `{}`", r.rows, r.tables, r.dir.display());
    transfer_done(ctx, s, &r)
}

pub(super) fn import(ctx: &mut Ctx, dir: &Path) -> Result<Exit> {
    let r = transfer::import(dir, &ctx.settings.store)?;
    let s = format!("imported {} rows in {} tables into `{}`", r.rows, r.tables, r.store.display());
    transfer_done(ctx, s, &r)
}

pub(super) fn backup(ctx: &mut Ctx, file: &Path) -> Result<Exit> {
    // Opening it moves in the attachments an earlier version kept as files: the copy holds them.
    let store = ctx.open()?;
    store.backup_to(file)?;
    let bytes = std::fs::metadata(file).with_context(|| format!("cannot read `{}`", file.display()))?.len();
    // The extranet's key goes with the store: it alone opens the second factors' secrets.
    let key = crate::extranet::secret::key_path(ctx.settings.beside_store());
    let extranet_key = if key.exists() {
        let to = crate::extranet::secret::key_path(file);
        let bytes =
            std::fs::read(&key).with_context(|| format!("cannot read the extranet's key `{}`", key.display()))?;
        crate::ops::replace_file(&to, &bytes, 0o600)
            .with_context(|| format!("cannot copy the extranet's key to `{}`", to.display()))?;
        Some(to)
    } else {
        None
    };
    let report = BackupReport {
        store: ctx.settings.store.clone(),
        file: file.to_path_buf(),
        bytes,
        integrity_ok: true,
        extranet_key,
    };
    if ctx.out.format == Format::Table {
        ctx.out.line(&format!(
            "backed up `{}` to `{}` ({bytes} bytes, integrity ok)",
            report.store.display(),
            file.display()
        ))?;
        if let Some(k) = &report.extranet_key {
            ctx.out.line(&format!("copied the extranet's key to `{}` (keep it with the backup)", k.display()))?;
        }
    } else {
        ctx.out.json(&report)?;
    }
    Ok(Exit::Success)
}

/// `amoe store copy --to LOCATION`.
pub(super) fn copy(ctx: &mut Ctx, to: &Path) -> Result<Exit> {
    let store = ctx.open()?;
    let r = transfer::copy(&store, ctx.settings.beside_store(), to)?;
    if ctx.out.format == Format::Table {
        ctx.out.line(&format!(
            "copied {} rows in {} tables and {} attachments from `{}` to `{}` (schema version {}, identical exports)",
            r.rows,
            r.tables,
            r.attachments,
            r.from.display(),
            r.to.display(),
            r.schema_version,
        ))?;
    } else {
        ctx.out.json(&r)?;
    }
    Ok(Exit::Success)
}
