//! One module per command family: each turns parsed arguments into an `ops` call and renders
//! the result. The shared context ([`Ctx`]) opens the store, builds audit drafts and asks for
//! confirmations.

mod audit;
mod beneficiary;
mod ca;
mod cert;
pub(crate) mod demo;
mod deploy;
mod extranet;
mod fleet;
mod host;
mod logs;
mod outbox;
mod quote;
mod records;
mod reports;
mod site;
mod store;
mod tickets;

use crate::cli::{Cli, Command};
use crate::error::{Exit, Failure};
use crate::output::Output;
use crate::settings::{Flags, Settings};
use amoe_store::{AuditDraft, Store};
use anyhow::Result;
use std::io::{BufRead, IsTerminal, Write};

/// What every command runs with.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub settings: Settings,
    pub out: Output,
    /// The command line after the program name, for the audit journal.
    pub args: Vec<String>,
}

impl Ctx {
    /// Opens the existing store, bringing its schema up to date.
    pub fn open(&self) -> Result<Store> {
        let mut store = Store::open(&self.settings.store)?;
        self.adopt_attachments(&mut store)?;
        Ok(store)
    }

    /// Where the attachment files of a version before schema 15 are (on this host: with a
    /// PostgreSQL store, only the host that had `store_files` has them), moves those the store
    /// lacks into it, and says so on standard error. One look at a folder when there is none.
    pub fn adopt_attachments(&self, store: &mut Store) -> Result<()> {
        let anchor = self.settings.beside_store();
        if crate::ops::tickets::legacy_attachments_dir(anchor).is_dir() {
            let done =
                crate::ops::tickets::adopt_attachment_files(store, anchor, &self.draft("attachments move-in", None))?;
            crate::ops::tickets::say_adopted(&done, anchor);
        }
        Ok(())
    }

    /// The audit entry of a command about `target`; secrets are redacted from the arguments.
    pub fn draft(&self, command: &str, target: Option<String>) -> AuditDraft {
        AuditDraft {
            operator: self.settings.operator.clone(),
            command: command.to_string(),
            target,
            args: amoe_core::redact::redact_args(&self.args),
            identity: None,
        }
    }

    /// Asks before a destructive action, unless `yes`. Without a terminal to ask on, refuses.
    pub fn confirm(&self, question: &str, yes: bool) -> Result<()> {
        if yes {
            return Ok(());
        }
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            return Err(Failure::usage(format!("{question}: confirmation needed"))
                .hint("pass `--yes` to confirm without a prompt")
                .into());
        }
        eprint!("{question}? [y/N] ");
        std::io::stderr().flush()?;
        let mut answer = String::new();
        stdin.lock().read_line(&mut answer)?;
        if matches!(answer.trim(), "y" | "Y" | "yes" | "oui" | "o") {
            Ok(())
        } else {
            Err(Failure::new("cancelled: nothing was changed").into())
        }
    }
}

pub(crate) fn dispatch(cli: Cli, args: &[String]) -> Result<Exit> {
    let flags = Flags { store: cli.global.store, operator: cli.global.operator, output: cli.global.output };
    let settings = Settings::resolve(&flags)?;
    let out = Output::stdout(settings.output);
    let mut ctx = Ctx { settings, out, args: args.to_vec() };
    execute(&mut ctx, cli.command)
}

/// Runs one command with a ready context.
pub(crate) fn execute(ctx: &mut Ctx, command: Command) -> Result<Exit> {
    let ctx = &mut *ctx;
    match command {
        Command::Init => store::init(ctx),
        Command::Beneficiary(cmd) => beneficiary::run(ctx, cmd),
        Command::Host(cmd) => host::run(ctx, cmd),
        Command::Site(cmd) => site::run(ctx, cmd),
        Command::Audit(cmd) => audit::run(ctx, cmd),
        Command::Flush(args) => fleet::flush(ctx, args),
        Command::Outbox(cmd) => outbox::run(ctx, cmd),
        Command::Logs(cmd) => logs::run(ctx, cmd),
        Command::User(cmd) => tickets::user(ctx, cmd),
        Command::Project(cmd) => tickets::project(ctx, cmd),
        Command::Space(cmd) => tickets::space(ctx, cmd),
        Command::Acl(cmd) => tickets::acl(ctx, cmd),
        Command::Ticket(args) => tickets::ticket(ctx, args),
        Command::Quote(cmd) => quote::run(ctx, cmd),
        Command::Bpu(cmd) => records::bpu(ctx, cmd),
        Command::Order(cmd) => records::order(ctx, cmd),
        Command::Contract(cmd) => records::contract(ctx, cmd),
        Command::Intervention(cmd) => records::intervention(ctx, cmd),
        Command::Incident(cmd) => records::incident(ctx, cmd),
        Command::Change(cmd) => records::change(ctx, cmd),
        Command::Report(cmd) => reports::run(ctx, cmd),
        Command::Deploy(args) => deploy::run(ctx, args),
        Command::Extranet(cmd) => extranet::run(ctx, cmd),
        Command::Stats { site, from, to, by, top, chart } => {
            logs::site_stats(ctx, &site, &from, &to, by, top, chart.as_deref())
        }
        Command::Ca(cmd) => ca::run(ctx, cmd),
        Command::Export { dir } => store::export(ctx, &dir),
        Command::Import { dir } => store::import(ctx, &dir),
        Command::Backup { file } => store::backup(ctx, &file),
        Command::Store(crate::cli::StoreCmd::Copy { to }) => store::copy(ctx, &to),
        Command::Demo { keep } => demo::run(ctx, keep.as_deref()),
    }
}
