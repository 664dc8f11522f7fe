//! `amoe-agent`, the daemon on every host: it will embed the caching reverse proxy
//! (`amoe-proxy`) and serve the control API over mutual TLS (DESIGN §5).
//!
//! In this release it only carries its command-line definition, from which its man page is
//! generated; running it says plainly that it has nothing to serve yet.

use clap::{CommandFactory, Parser};
use std::ffi::OsString;
use std::process::ExitCode;

/// amoe-agent: the daemon on every amoe host (caching reverse proxy and control API).
///
/// Not functional in this release: the proxy and the control API come next. It exits with
/// status 1 and says so.
#[derive(Debug, Parser)]
#[command(name = "amoe-agent", version)]
pub struct AgentCli {}

/// The clap definition, for the man page.
pub fn command() -> clap::Command {
    AgentCli::command()
}

/// Runs the agent with these arguments; returns its exit code.
pub fn run(args: Vec<OsString>) -> ExitCode {
    match AgentCli::try_parse_from(args) {
        Ok(_) => {
            eprintln!(
                "error: amoe-agent has nothing to serve yet: the proxy and the control API are not built in this release"
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            let _ = e.print();
            ExitCode::from(if e.use_stderr() { 2 } else { 0 })
        }
    }
}
