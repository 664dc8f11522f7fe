//! Settings resolution, in one place: flags, then `AMOE_*` environment variables, then the
//! configuration file, then defaults.
//!
//! The file is `$AMOE_CONFIG`, else `$XDG_CONFIG_HOME/amoe/config.toml`, else
//! `~/.config/amoe/config.toml`; a missing default file is fine, a missing `$AMOE_CONFIG` is an
//! error. Unknown keys are refused with the file, line and column. The store is `--store`, then
//! `AMOE_STORE`, then `store` in the file, then `$XDG_DATA_HOME/amoe/amoe.db` (default
//! `~/.local/share/amoe/amoe.db`). The operator is `--operator`, `AMOE_OPERATOR`, `operator` in
//! the file, then the login name (`$USER`). The CA directory (`amoe ca`) is `AMOE_CA_DIR`, then
//! `ca_dir` in the file, then `$XDG_DATA_HOME/amoe/ca` (default `~/.local/share/amoe/ca`).

use crate::error::Failure;
use crate::output::Format;
use anyhow::{Context, Result};
use jiff::civil::Time;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// `config.toml`: the configuration file of `amoe`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Who you are in the audit journal (e.g. `j.dupont`).
    pub operator: Option<String>,
    /// Path of the store (`~/` is expanded), or a `postgres://USER@HOST/DATABASE` URL of a
    /// shared store (never with a password: see `docs/postgresql.md`).
    pub store: Option<PathBuf>,
    /// With a PostgreSQL store, the directory of the files it refers to (the extranet's key,
    /// and attachments written by versions before schema 15); `~/` is expanded. Default
    /// `$XDG_DATA_HOME/amoe`. A SQLite store keeps them beside its file.
    pub store_files: Option<PathBuf>,
    /// Default `--output` format.
    pub output: Option<Format>,
    /// Directory of the project's CA (`ca.pem`, `ca.key`, `crl.pem`); `~/` is expanded.
    pub ca_dir: Option<PathBuf>,
    /// Your client certificate for the hosts' control API (from `amoe ca issue`).
    pub client_cert: Option<PathBuf>,
    /// Its key.
    pub client_key: Option<PathBuf>,
    /// Access logs: the local archive and how hosts are reached over SFTP.
    pub logs: Option<LogsConfig>,
    /// The SMTP server that sends notices.
    pub mail: Option<MailConfig>,
    /// The working calendar of deadlines and SLA clocks.
    pub calendar: Option<CalendarConfig>,
}

/// `[calendar]` in `config.toml`: which holidays and business hours count.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    /// `france` (default) or `alsace-moselle` (Good Friday and 26 December too).
    pub region: Option<String>,
    /// Opening of business hours, `HH:MM` (default `09:00`).
    pub opens: Option<String>,
    /// Closing, `HH:MM` (default `18:00`).
    pub closes: Option<String>,
}

impl CalendarConfig {
    /// The region and hours, checked.
    pub fn resolve(&self) -> Result<(amoe_core::calendar::Region, amoe_core::calendar::Hours)> {
        use amoe_core::calendar::{Hours, Region};
        let region = match self.region.as_deref() {
            None | Some("france") => Region::France,
            Some("alsace-moselle") => Region::AlsaceMoselle,
            Some(other) => {
                return Err(
                    Failure::new(format!("[calendar] region is `{other}`: expected france or alsace-moselle")).into()
                );
            }
        };
        let time = |v: &Option<String>, default: Time| -> Result<Time> {
            match v {
                None => Ok(default),
                Some(s) => s
                    .parse::<Time>()
                    .map_err(|_| Failure::new(format!("[calendar] `{s}` is not a time: expected HH:MM")).into()),
            }
        };
        let d = Hours::default();
        let hours = Hours { start: time(&self.opens, d.start)?, end: time(&self.closes, d.end)? };
        if hours.start >= hours.end {
            return Err(Failure::new("[calendar] business hours must open before they close").into());
        }
        Ok((region, hours))
    }
}

/// `[logs]` in `config.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogsConfig {
    /// Folder of the collected files (default `~/.local/share/amoe/logs`); `~/` is expanded.
    pub archive: Option<PathBuf>,
    /// Private key for the hosts' SFTP accounts (default `~/.ssh/id_ed25519`); never readable
    /// by others.
    pub ssh_key: Option<PathBuf>,
    /// User on the hosts (default `amoe-logs`).
    pub ssh_user: Option<String>,
    /// The hosts' pinned SSH keys (default `~/.local/share/amoe/known_hosts`).
    pub known_hosts: Option<PathBuf>,
    /// Days the archive keeps (default and least: 183).
    pub keep_days: Option<u32>,
}

/// How notices are sent: `[mail]` in `config.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// SMTP server name.
    pub server: String,
    /// Port (default 587 with STARTTLS, 465 with TLS, 25 without).
    pub port: Option<u16>,
    /// `starttls` (default), `tls`, or `none` (a relay on this machine only: 127.0.0.1 / ::1).
    pub security: Option<String>,
    /// The notices' sender, e.g. `cdn@contractor.example`.
    pub sender: String,
    /// Login, when the server asks for one.
    pub username: Option<String>,
    /// File holding the password (never readable by others); the password never goes in here.
    pub password_file: Option<PathBuf>,
}

/// What the global flags said.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub store: Option<PathBuf>,
    pub operator: Option<String>,
    pub output: Option<Format>,
}

/// The resolved settings a command runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The store's file, or its `postgres://` URL.
    pub store: PathBuf,
    /// Where the files the store refers to are, as the path of a store file there: the store
    /// itself when it is a file (see [`Settings::beside_store`]).
    pub files_anchor: PathBuf,
    pub operator: String,
    pub output: Format,
    /// True when `--output`, `AMOE_OUTPUT` or the file chose the format (`outbox metrics`
    /// otherwise speaks Prometheus' text format).
    pub output_explicit: bool,
    /// The configuration file that was read, if any.
    pub config_file: Option<PathBuf>,
    /// The CA directory; `None` when neither `AMOE_CA_DIR`, `ca_dir` nor `$HOME` says where.
    pub ca_dir: Option<PathBuf>,
    /// Client certificate and key for fleet commands (`AMOE_CLIENT_CERT`, `AMOE_CLIENT_KEY`,
    /// or `client_cert` / `client_key` in the file).
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    /// `[logs]`, with `~/` expanded and defaults filled in where `$HOME` tells.
    pub logs: LogsConfig,
    /// `[mail]`, with `~/` expanded.
    pub mail: Option<MailConfig>,
}

impl Settings {
    /// The path beside which the store's files are (the extranet's key as
    /// `NAME.extranet-key`, attachments of earlier versions in its directory): the store file,
    /// or for a PostgreSQL store `STORE_FILES/store`.
    pub fn beside_store(&self) -> &Path {
        &self.files_anchor
    }
}

/// Reads an environment variable, empty meaning unset.
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn home() -> Option<PathBuf> {
    var("HOME").map(PathBuf::from)
}

fn expand_home(p: PathBuf) -> PathBuf {
    match (p.strip_prefix("~"), home()) {
        (Ok(rest), Some(h)) => h.join(rest),
        _ => p,
    }
}

/// Where the configuration file is looked for, and whether it must exist.
fn config_path() -> Option<(PathBuf, bool)> {
    if let Some(p) = var("AMOE_CONFIG") {
        return Some((PathBuf::from(p), true));
    }
    let base = var("XDG_CONFIG_HOME").map(PathBuf::from).or_else(|| home().map(|h| h.join(".config")))?;
    Some((base.join("amoe").join("config.toml"), false))
}

/// Parses a configuration file's text; errors name the file, line and column.
pub fn parse_config(path: &Path, text: &str) -> Result<ConfigFile> {
    toml::from_str(text).map_err(|e| {
        let (line, col) = e.span().map_or((0, 0), |s| line_col(text, s.start));
        let what = e.message().to_string();
        anyhow::Error::new(
            Failure::new(format!(
                "invalid configuration file `{}` at line {line}, column {col}: {what}",
                path.display()
            ))
            .hint("the keys are `operator`, `store`, `store_files`, `output`, `ca_dir`, `client_cert`, `client_key`, `[logs]`, `[mail]` and `[calendar]`; see `man amoe` (FILES)"),
        )
    })
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(before.len(), |i| before.len() - i - 1) + 1;
    (line, col)
}

fn parse_format(name: &str, raw: &str) -> Result<Format> {
    <Format as clap::ValueEnum>::from_str(raw, true)
        .map_err(|_| Failure::usage(format!("{name} is `{raw}`: expected table, json or csv")).into())
}

impl Settings {
    /// Merges flags > environment > file > defaults.
    pub fn resolve(flags: &Flags) -> Result<Settings> {
        let mut file = ConfigFile::default();
        let mut config_file = None;
        if let Some((path, required)) = config_path() {
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    file = parse_config(&path, &text)?;
                    config_file = Some(path);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot read the configuration file `{}`", path.display()));
                }
            }
        }
        let env_output = var("AMOE_OUTPUT").map(|v| parse_format("AMOE_OUTPUT", &v)).transpose()?;
        let data_dir = || var("XDG_DATA_HOME").map(PathBuf::from).or_else(|| home().map(|h| h.join(".local/share")));
        let ca_dir = var("AMOE_CA_DIR")
            .map(PathBuf::from)
            .or(file.ca_dir.map(expand_home))
            .or_else(|| data_dir().map(|d| d.join("amoe").join("ca")));
        let store = flags
            .store
            .clone()
            .or_else(|| var("AMOE_STORE").map(PathBuf::from))
            .or(file.store.map(expand_home))
            .or_else(|| data_dir().map(|d| d.join("amoe").join("amoe.db")))
            .ok_or_else(|| {
                Failure::new("no store location: neither `--store`, `AMOE_STORE`, a config file nor `$HOME` is set")
                    .hint("pass `--store PATH`")
            })?;
        let files_anchor = if amoe_store::is_url(&store) {
            var("AMOE_STORE_FILES")
                .map(PathBuf::from)
                .or(file.store_files.map(expand_home))
                .or_else(|| data_dir().map(|d| d.join("amoe")))
                .ok_or_else(|| {
                    Failure::new("no directory for the store's files (the extranet's key)")
                        .hint("set `store_files` in the configuration or `AMOE_STORE_FILES`")
                })?
                .join("store")
        } else {
            store.clone()
        };
        let operator = flags
            .operator
            .clone()
            .or_else(|| var("AMOE_OPERATOR"))
            .or(file.operator)
            .or_else(|| var("USER"))
            .or_else(|| var("LOGNAME"))
            .unwrap_or_else(|| "unknown".to_string());
        let chosen = flags.output.or(env_output).or(file.output);
        let output_explicit = chosen.is_some();
        let output = chosen.unwrap_or(Format::Table);
        let client_cert = var("AMOE_CLIENT_CERT").map(PathBuf::from).or(file.client_cert.map(expand_home));
        let client_key = var("AMOE_CLIENT_KEY").map(PathBuf::from).or(file.client_key.map(expand_home));
        let mut logs = file.logs.unwrap_or_default();
        logs.archive = logs.archive.map(expand_home).or_else(|| data_dir().map(|d| d.join("amoe").join("logs")));
        logs.known_hosts =
            logs.known_hosts.map(expand_home).or_else(|| data_dir().map(|d| d.join("amoe").join("known_hosts")));
        logs.ssh_key = logs.ssh_key.map(expand_home).or_else(|| home().map(|h| h.join(".ssh").join("id_ed25519")));
        if let Some(c) = &file.calendar {
            let (region, hours) = c.resolve()?;
            amoe_core::calendar::configure(region, hours);
        }
        let mail = file.mail.map(|mut m| {
            m.password_file = m.password_file.map(expand_home);
            m
        });
        Ok(Settings {
            store,
            files_anchor,
            operator,
            output,
            output_explicit,
            config_file,
            ca_dir,
            client_cert,
            client_key,
            logs,
            mail,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_line_and_column() {
        let err = parse_config(Path::new("c.toml"), "operator = \"a\"\nstor = \"/x\"\n").expect_err("unknown key");
        let msg = err.to_string();
        assert!(msg.contains("at line 2, column 1"), "{msg}");
        assert!(msg.contains("stor"), "{msg}");
    }

    #[test]
    fn parses_known_keys() {
        let c = parse_config(Path::new("c.toml"), "operator = \"a\"\noutput = \"json\"\n").expect("valid");
        assert_eq!(c.operator.as_deref(), Some("a"));
        assert_eq!(c.output, Some(Format::Json));
    }
}
