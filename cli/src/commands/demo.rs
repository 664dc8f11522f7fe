//! `amoe demo`: shows what amoe does, on embedded defaults, in a temporary directory.
//!
//! Each step prints what it is about and the command line it runs, then runs that very command
//! in-process (parsed by the same clap definitions), so the demo shows real output, including
//! two refusals on purpose. Nothing is left behind unless `--keep DIR`. The user's
//! configuration file and `AMOE_*` variables are not read: the demo runs the same everywhere.

use super::{Ctx, execute};
use crate::cli::Cli;
use crate::error::{self, Exit, Failure};
use crate::output::{Format, Output};
use crate::settings::Settings;
use anyhow::{Context, Result};
use clap::Parser;
use std::path::{Path, PathBuf};

/// The operator the demo's audit entries carry.
const DEMO_OPERATOR: &str = "demo";

struct Demo {
    dir: PathBuf,
    step: usize,
    styled: bool,
}

impl Demo {
    fn say(&mut self, ctx: &mut Ctx, title: &str, why: &str) -> Result<()> {
        self.step += 1;
        let (b, r) = if self.styled { ("\x1b[1m", "\x1b[0m") } else { ("", "") };
        ctx.out.line(&format!("\n{b}[{}] {title}{r}\n    {why}", self.step))?;
        Ok(())
    }

    /// Runs `amoe ARGS` against the demo store; `expect_ok` false shows a refusal.
    fn run(&mut self, args: &[&str], expect_ok: bool) -> Result<()> {
        let shown: Vec<String> =
            args.iter().map(|a| if a.contains(' ') { format!("'{a}'") } else { a.to_string() }).collect();
        let mut argv: Vec<String> = vec!["amoe".into()];
        argv.extend(args.iter().map(|a| a.to_string()));
        let cli = Cli::try_parse_from(&argv).with_context(|| format!("demo step `{}`", args.join(" ")))?;
        let settings = Settings {
            store: cli.global.store.clone().unwrap_or_else(|| self.dir.join("amoe.db")),
            operator: cli.global.operator.clone().unwrap_or_else(|| DEMO_OPERATOR.to_string()),
            output: cli.global.output.unwrap_or(Format::Table),
            config_file: None,
            ca_dir: Some(self.dir.join("ca")),
            client_cert: None,
            client_key: None,
        };
        let mut out = Output::stdout(settings.output);
        out.line(&format!("$ amoe {}", shown.join(" ")))?;
        let mut ctx = Ctx { settings, out, args: argv[1..].to_vec() };
        match (execute(&mut ctx, cli.command), expect_ok) {
            (Ok(_), true) => Ok(()),
            (Err(e), false) => {
                error::report(&e);
                Ok(())
            }
            (Ok(_), false) => {
                Err(Failure::new(format!("demo step `{}` should have been refused", args.join(" "))).into())
            }
            (Err(e), true) => Err(e.context(format!("demo step `amoe {}` failed", args.join(" ")))),
        }
    }
}

fn prepare_keep_dir(dir: &Path) -> Result<()> {
    if dir.exists()
        && std::fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))?.next().is_some()
    {
        return Err(Failure::new(format!("`{}` is not empty", dir.display()))
            .hint("give `--keep` a new or empty directory")
            .into());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))
}

pub(crate) fn run(ctx: &mut Ctx, keep: Option<&Path>) -> Result<Exit> {
    ctx.out = Output::stdout(Format::Table);
    let temp;
    let dir = match keep {
        Some(d) => {
            prepare_keep_dir(d)?;
            d.to_path_buf()
        }
        None => {
            temp = tempfile::Builder::new()
                .prefix("amoe-demo-")
                .tempdir()
                .context("cannot create a temporary directory")?;
            temp.path().to_path_buf()
        }
    };
    let styled = ctx.out.styled();
    let mut demo = Demo { dir: dir.clone(), step: 0, styled };
    ctx.out.line(&format!("amoe demo: a tour of the store and the inventory, in `{}`", dir.display()))?;

    demo.say(
        ctx,
        "Create the store",
        "One SQLite file (WAL, versioned migrations) holds the inventory and the audit journal.",
    )?;
    demo.run(&["init"], true)?;

    demo.say(
        ctx,
        "Add a beneficiary",
        "Public bodies are identified by SIRET (14 digits, Luhn key) and ordered under a lot.",
    )?;
    demo.run(
        &[
            "beneficiary",
            "add",
            "--siret",
            "120 001 011 00010",
            "--name",
            "Mairie de Démo",
            "--lot",
            "9",
            "--email",
            "dsi@mairie-demo.fr",
        ],
        true,
    )?;
    demo.say(
        ctx,
        "A mistyped SIRET is refused",
        "The check key catches a wrong digit; the refusal is journaled and exits 2.",
    )?;
    demo.run(&["beneficiary", "add", "--siret", "12000101100011", "--name", "Typo", "--lot", "9"], false)?;

    demo.say(ctx, "Add two hosts", "Each host runs amoe-agent; its control API address is recorded.")?;
    demo.run(&["host", "add", "pop-paris-1", "--address", "127.0.0.1:7443", "--location", "Paris"], true)?;
    demo.run(&["host", "add", "pop-lyon-1", "--address", "127.0.0.1:7444", "--location", "Lyon"], true)?;

    demo.say(ctx, "Add a site", "A site has domains, origins and the hosts that serve it.")?;
    demo.run(
        &[
            "site",
            "add",
            "www-demo",
            "--domain",
            "www.mairie-demo.fr",
            "--domain",
            "mairie-demo.fr",
            "--beneficiary",
            "12000101100010",
            "--origin",
            "https://origin.mairie-demo.fr",
            "--host",
            "pop-paris-1",
            "--host",
            "pop-lyon-1",
        ],
        true,
    )?;
    demo.say(ctx, "A domain belongs to one site only", "A second site cannot claim it.")?;
    demo.run(
        &[
            "site",
            "add",
            "other",
            "--domain",
            "www.mairie-demo.fr",
            "--beneficiary",
            "12000101100010",
            "--origin",
            "https://other.example.fr",
        ],
        false,
    )?;
    demo.say(ctx, "Removing a host still in use is refused", "The message names the sites that use it.")?;
    demo.run(&["host", "remove", "pop-lyon-1", "--yes"], false)?;

    demo.say(ctx, "List the sites", "Every listing also speaks JSON (`--output json`) and CSV for scripts.")?;
    demo.run(&["site", "list"], true)?;
    demo.run(&["site", "list", "--output", "json"], true)?;

    demo.say(ctx, "The audit journal", "Every change and every refusal, hash-chained.")?;
    demo.run(&["audit", "list"], true)?;
    demo.run(&["audit", "verify"], true)?;

    demo.say(
        ctx,
        "Reversibility",
        "Everything out as JSON + CSV with SHA-256 sums, back into a new store, out again.",
    )?;
    let first = dir.join("export-1");
    let second = dir.join("export-2");
    let restored = dir.join("restored.db");
    demo.run(&["export", &first.display().to_string()], true)?;
    demo.run(&["--store", &restored.display().to_string(), "import", &first.display().to_string()], true)?;
    demo.run(&["--store", &restored.display().to_string(), "export", &second.display().to_string()], true)?;
    let same = dir_bytes(&first)? == dir_bytes(&second)?;
    ctx.out.line(&format!("    the two exports are {}", if same { "byte-identical" } else { "DIFFERENT" }))?;
    if !same {
        return Err(Failure::new("the round-trip export differs from the first export").into());
    }

    demo.say(ctx, "Backup", "A consistent copy while others keep writing, checked with PRAGMA integrity_check.")?;
    demo.run(&["backup", &dir.join("backup.db").display().to_string()], true)?;

    match keep {
        Some(d) => ctx.out.line(&format!("\nKept everything in `{}`.", d.display()))?,
        None => ctx.out.line("\nDone; the temporary directory is removed. `amoe demo --keep DIR` keeps it.")?,
    }
    Ok(Exit::Success)
}

/// Every file of an export directory, by name, with its bytes.
fn dir_bytes(dir: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))? {
        let entry = entry?;
        let bytes = std::fs::read(entry.path()).with_context(|| format!("cannot read `{}`", entry.path().display()))?;
        files.push((entry.file_name().to_string_lossy().into_owned(), bytes));
    }
    files.sort();
    Ok(files)
}
