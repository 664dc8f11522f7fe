//! `amoe`, the command line of the operations toolkit.
//!
//! The flow of a command: parse ([`cli`]) → resolve settings ([`settings`]) → run
//! `ops::<noun>` on typed options, which returns data → render it ([`output`]) → exit code
//! ([`error::Exit`]). `main.rs` only calls [`run`].

pub mod acme;
pub mod cli;
mod commands;
pub mod deploy;
pub mod error;
pub mod extranet;
pub mod fleet;
pub mod logs;
pub mod mail;
pub mod ops;
pub mod output;
pub mod reports;
pub mod settings;

use clap::{CommandFactory, Parser};
use error::Exit;
use std::ffi::OsString;
use std::process::ExitCode;

/// The clap definition of `amoe`, for generating man pages and completions.
pub fn command() -> clap::Command {
    cli::Cli::command()
}

/// Runs `amoe` with these arguments (the first is the program name) and returns its exit code.
pub fn run(args: Vec<OsString>) -> ExitCode {
    let cli = match cli::Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; a closed pipe while printing them is not either.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Exit::Usage as u8 } else { Exit::Success as u8 });
        }
    };
    let raw: Vec<String> = args.iter().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    match commands::dispatch(cli, &raw) {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(e) if error::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => ExitCode::from(error::report(&e) as u8),
    }
}

/// The JSON Schemas of every file format and every `--output json` shape of `amoe`, by file
/// name under `schemas/`.
pub fn json_schemas() -> Vec<(&'static str, schemars::Schema)> {
    use schemars::schema_for;
    vec![
        ("config.schema.json", schema_for!(settings::ConfigFile)),
        ("beneficiary.schema.json", schema_for!(amoe_core::Beneficiary)),
        ("beneficiary-list.schema.json", schema_for!(Vec<amoe_core::Beneficiary>)),
        ("host.schema.json", schema_for!(amoe_core::Host)),
        ("host-list.schema.json", schema_for!(Vec<amoe_core::Host>)),
        ("host-status.schema.json", schema_for!(Vec<ops::host::HostStatus>)),
        ("host-pending.schema.json", schema_for!(Vec<ops::host::HostPending>)),
        ("site.schema.json", schema_for!(amoe_core::Site)),
        ("site-list.schema.json", schema_for!(Vec<amoe_core::Site>)),
        ("audit-list.schema.json", schema_for!(Vec<amoe_core::AuditEntry>)),
        ("audit-verify.schema.json", schema_for!(ops::audit::Verification)),
        ("ca-issue.schema.json", schema_for!(ops::ca::IssueReport)),
        ("ca-list.schema.json", schema_for!(Vec<ops::ca::CertificateStatus>)),
        ("ca-revoke.schema.json", schema_for!(ops::ca::RevokeReport)),
        ("init.schema.json", schema_for!(ops::transfer::InitReport)),
        ("transfer.schema.json", schema_for!(ops::transfer::TransferReport)),
        ("backup.schema.json", schema_for!(ops::transfer::BackupReport)),
        ("store-copy.schema.json", schema_for!(ops::transfer::CopyReport)),
        ("export-manifest.schema.json", schema_for!(ops::transfer::Manifest)),
        ("export-table.schema.json", schema_for!(amoe_store::TableDump)),
        ("fleet-report.schema.json", schema_for!(fleet::FleetReport)),
        ("outbox-list.schema.json", schema_for!(Vec<amoe_store::outbox::OutboxItem>)),
        ("outbox-metrics.schema.json", schema_for!(Vec<ops::fleet::HostBacklog>)),
        ("logs-stats.schema.json", schema_for!(amoe_logstats::Report)),
        ("logs-collect.schema.json", schema_for!(logs::collect::CollectReport)),
        ("logs-deliver.schema.json", schema_for!(Vec<logs::deliver::DayOutcome>)),
        ("logs-manifest.schema.json", schema_for!(logs::deliver::Manifest)),
        ("bpu-list.schema.json", schema_for!(Vec<amoe_store::orders::BpuLine>)),
        ("order-list.schema.json", schema_for!(Vec<amoe_store::orders::Order>)),
        ("contract-list.schema.json", schema_for!(Vec<amoe_store::contracts::Contract>)),
        ("intervention-list.schema.json", schema_for!(Vec<amoe_store::contracts::Intervention>)),
        ("incident-list.schema.json", schema_for!(Vec<amoe_store::incidents::Incident>)),
        ("change-list.schema.json", schema_for!(Vec<amoe_store::incidents::ChangeRequest>)),
    ]
}
