//! Exit codes and how a failure is shown: `error: …`, `Caused by:` lines, then `hint: …`.
//!
//! The hint and the exit code are derived in one place ([`report`]) from the error chain, so a
//! command only has to return a meaningful error.

use amoe_core::InvalidValue;
use amoe_store::Error as StoreError;
use std::fmt;
use std::io::{IsTerminal, Write};

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: everything done.
    Success = 0,
    /// 1: the command failed (nothing changed unless the message says otherwise).
    Failure = 1,
    /// 2: the command line is wrong: unknown flag, missing argument, invalid value.
    Usage = 2,
    /// 3: partial failure: some hosts failed (fleet commands).
    Partial = 3,
    /// 65 (EX_DATAERR): a message that is not one (`ticket import-mail`); an MTA bounces it.
    DataErr = 65,
    /// 67 (EX_NOUSER): unknown sender, or no right to write (`ticket import-mail`).
    NoUser = 67,
    /// 75 (EX_TEMPFAIL): the store stayed busy; an MTA tries again later.
    TempFail = 75,
}

impl Exit {
    /// A fleet command's code from how many of `total` hosts failed: 0 none, 1 all, 3 some.
    pub fn of_hosts(failed: usize, total: usize) -> Exit {
        if failed == 0 {
            Exit::Success
        } else if failed == total {
            Exit::Failure
        } else {
            Exit::Partial
        }
    }
}

/// An error raised by a command with its own hint and exit code.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub hint: Option<String>,
    pub exit: Exit,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Failure { message: message.into(), hint: None, exit: Exit::Failure }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Failure { exit: Exit::Usage, ..Failure::new(message) }
    }

    /// A failure with its own exit code.
    pub fn with_exit(message: impl Into<String>, exit: Exit) -> Self {
        Failure { exit, ..Failure::new(message) }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// The hint for a store error: what to do next.
fn store_hint(e: &StoreError) -> Option<String> {
    Some(match e {
        StoreError::Missing { .. } => {
            "create it with `amoe init`, or point `--store` / `AMOE_STORE` at an existing store".into()
        }
        StoreError::NotADatabase { .. } => "check that `--store` / `AMOE_STORE` names the amoe store; \
             to recover, restore the last `amoe backup` copy or `amoe import` the last export"
            .into(),
        StoreError::ReadOnly { .. } | StoreError::CannotOpen { .. } => {
            "check the permissions of the file and of its directory (SQLite writes a -wal file beside it)".into()
        }
        StoreError::NewerSchema { .. } => "this store was written by a newer amoe: upgrade amoe".into(),
        StoreError::NotFound { kind, .. } => format!("`amoe {kind} list` shows the known ones"),
        StoreError::Duplicate { kind, .. } => format!("to change it, use `amoe {kind} update`"),
        StoreError::DomainTaken { domain, site } => {
            format!("remove it from that site first: `amoe site update {site} --remove-domain {domain}`")
        }
        StoreError::InUse { .. } => "remove or change what refers to it first".into(),
        StoreError::Exists { .. } => "choose a new file name; amoe never overwrites it".into(),
        StoreError::Unreachable { .. } => {
            "check that the server runs and accepts this host (pg_hba.conf), the role and \
             database in the URL, its password in the password file (passfile= or PGPASSFILE), and for TLS that \
             sslrootcert= names the CA of the server's certificate, issued for the host name in the URL"
                .into()
        }
        StoreError::BadUrl { .. } => "the form is `postgres://USER@HOST[:PORT]/DATABASE?sslrootcert=FILE`; \
             see docs/postgresql.md"
            .into(),
        StoreError::Foreign { .. } => "give amoe a database of its own (`createdb -O amoe amoe`), \
             or point `--store` at the right one"
            .into(),
        StoreError::Unsupported { instead, .. } => instead.clone(),
        StoreError::Database { source, .. } if source.is_connection_lost() => {
            "the connection to the PostgreSQL server was lost: nothing was half-written; run the command again".into()
        }
        _ => return None,
    })
}

/// Prints the error on stderr and returns the exit code to use.
pub fn report(err: &anyhow::Error) -> Exit {
    let mut exit = Exit::Failure;
    let mut hint = None;
    for cause in err.chain() {
        if let Some(f) = cause.downcast_ref::<Failure>() {
            exit = f.exit;
            hint = hint.or_else(|| f.hint.clone());
        } else if cause.downcast_ref::<InvalidValue>().is_some() {
            exit = Exit::Usage;
        } else if let Some(s) = cause.downcast_ref::<StoreError>() {
            hint = hint.or_else(|| store_hint(s));
        }
    }
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let (red, yellow, reset) = if color { ("\x1b[1;31m", "\x1b[1;33m", "\x1b[0m") } else { ("", "", "") };
    let mut text = format!("{red}error{reset}: {err}\n");
    let causes: Vec<String> = err.chain().skip(1).map(|c| c.to_string()).collect();
    if !causes.is_empty() {
        text.push_str("\nCaused by:\n");
        for c in causes {
            text.push_str(&format!("    {c}\n"));
        }
    }
    if let Some(h) = hint {
        text.push_str(&format!("{yellow}hint{reset}: {h}\n"));
    }
    // Nothing more can be done if stderr is gone.
    let _ = std::io::stderr().write_all(text.as_bytes());
    exit
}

/// True when the error is a closed stdout (`amoe site list | head -1`): not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().filter_map(|c| c.downcast_ref::<std::io::Error>()).any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}
