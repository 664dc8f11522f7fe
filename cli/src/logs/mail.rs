//! The delivery notice: a plain-text e-mail (French, or English), sent with lettre over
//! STARTTLS or TLS (rustls, ring), or in clear to a relay on this machine only.

use std::net::IpAddr;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};

use crate::error::Failure;
use crate::settings::MailConfig;

/// One delivered file, as the notice names it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct FileLine {
    /// File name on the account.
    pub name: String,
    /// Bytes.
    pub size: u64,
    /// Lines (log files), absent for the others.
    pub lines: Option<u64>,
    /// SHA-256, hex.
    pub sha256: String,
}

/// What a notice says.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    /// Site.
    pub site: &'a str,
    /// Day.
    pub day: &'a str,
    /// Folder on the account.
    pub folder: &'a str,
    /// Files delivered.
    pub files: &'a [FileLine],
    /// Hosts merged.
    pub hosts: &'a [String],
    /// Hosts missing (`--allow-incomplete`).
    pub missing: &'a [String],
    /// A re-delivery on request.
    pub again: bool,
    /// `fr` or `en`.
    pub lang: &'a str,
}

fn size(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1} MB", n as f64 / 1e6)
    } else if n >= 1000 {
        format!("{:.1} kB", n as f64 / 1e3)
    } else {
        format!("{n} B")
    }
}

/// Subject and body of a notice.
pub fn compose(n: &Notice<'_>) -> (String, String) {
    let fr = n.lang != "en";
    let subject = match (fr, n.again) {
        (true, false) => format!("Journaux d'accès de {} du {}", n.site, n.day),
        (true, true) => format!("Journaux d'accès de {} du {} (nouvel envoi)", n.site, n.day),
        (false, false) => format!("Access logs of {} for {}", n.site, n.day),
        (false, true) => format!("Access logs of {} for {} (sent again)", n.site, n.day),
    };
    let mut body = String::new();
    if fr {
        body.push_str(&format!(
            "Bonjour,\n\nLes journaux d'accès du site {} pour la journée du {} (heure de Paris) sont déposés sur votre compte SFTP, dans le dossier {} :\n\n",
            n.site, n.day, n.folder
        ));
    } else {
        body.push_str(&format!(
            "Hello,\n\nThe access logs of the site {} for {} (Paris time) are on your SFTP account, in the folder {}:\n\n",
            n.site, n.day, n.folder
        ));
    }
    for f in n.files {
        let lines = match (f.lines, fr) {
            (Some(l), true) => format!(", {l} lignes"),
            (Some(l), false) => format!(", {l} lines"),
            (None, _) => String::new(),
        };
        body.push_str(&format!("  {}  ({}{lines})\n    SHA-256 {}\n", f.name, size(f.size), f.sha256));
    }
    let hosts = n.hosts.join(", ");
    if fr {
        body.push_str(&format!("\nServeurs : {hosts}.\n"));
        if !n.missing.is_empty() {
            body.push_str(&format!(
                "ATTENTION : livraison incomplète, il manque les journaux de : {}.\n",
                n.missing.join(", ")
            ));
        }
        body.push_str("\nLe fichier manifeste (.manifest.json) reprend ces sommes de contrôle.\n\nCordialement,\nL'exploitation\n");
    } else {
        body.push_str(&format!("\nHosts: {hosts}.\n"));
        if !n.missing.is_empty() {
            body.push_str(&format!(
                "WARNING: incomplete delivery, the logs of these hosts are missing: {}.\n",
                n.missing.join(", ")
            ));
        }
        body.push_str("\nThe manifest file (.manifest.json) lists these checksums.\n\nRegards,\nOperations\n");
    }
    (subject, body)
}

fn password(cfg: &MailConfig) -> anyhow::Result<Option<String>> {
    let Some(path) = &cfg.password_file else { return Ok(None) };
    super::ssh::check_key_file(path).map_err(|_| {
        Failure::new(format!("the SMTP password file `{}` is readable by others", path.display()))
            .hint(format!("run `chmod 600 {}`", path.display()))
    })?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::new(format!("cannot read the SMTP password file `{}`: {e}", path.display())))?;
    Ok(Some(text.trim_end_matches(['\n', '\r']).to_owned()))
}

/// Sends `subject` / `body` to `to` with the `[mail]` settings.
pub fn send(cfg: &MailConfig, to: &[String], subject: &str, body: &str) -> anyhow::Result<()> {
    if to.is_empty() {
        return Err(Failure::new("the beneficiary has no contact e-mail address")
            .hint("add one with `amoe beneficiary update SIRET --email ADDRESS`")
            .into());
    }
    let from = cfg
        .sender
        .parse()
        .map_err(|e| Failure::new(format!("the sender `{}` in [mail] is not an address: {e}", cfg.sender)))?;
    let mut builder = Message::builder().from(from).subject(subject).header(ContentType::TEXT_PLAIN);
    for addr in to {
        builder = builder.to(addr.parse().map_err(|e| Failure::new(format!("`{addr}` is not an address: {e}")))?);
    }
    let message = builder.body(body.to_owned()).map_err(|e| Failure::new(format!("cannot build the notice: {e}")))?;
    let security = cfg.security.as_deref().unwrap_or("starttls");
    let mut transport = match security {
        "starttls" => SmtpTransport::starttls_relay(&cfg.server)?.port(cfg.port.unwrap_or(587)),
        "tls" => SmtpTransport::relay(&cfg.server)?.port(cfg.port.unwrap_or(465)),
        "none" => {
            let local = cfg.server == "localhost" || cfg.server.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
            if !local {
                return Err(Failure::new(format!(
                    "[mail] security = \"none\" sends in clear: only to a relay on this machine, not `{}`",
                    cfg.server
                ))
                .hint("use security = \"starttls\" or \"tls\"")
                .into());
            }
            SmtpTransport::builder_dangerous(&cfg.server).port(cfg.port.unwrap_or(25))
        }
        other => {
            return Err(Failure::new(format!("[mail] security is `{other}`: expected starttls, tls or none")).into());
        }
    };
    if let Some(user) = &cfg.username {
        transport = transport.credentials(Credentials::new(user.clone(), password(cfg)?.unwrap_or_default()));
    }
    let transport = transport.timeout(Some(Duration::from_secs(30))).build();
    transport
        .send(&message)
        .map_err(|e| Failure::new(format!("cannot send the notice through {}: {e}", cfg.server)))?;
    Ok(())
}
