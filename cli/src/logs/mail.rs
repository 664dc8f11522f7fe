//! The delivery notice: a plain-text e-mail in French (or English), sent by [`crate::mail`].

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

/// Sends a delivery notice to the beneficiary's contacts.
pub fn send(cfg: &MailConfig, to: &[String], subject: &str, body: &str) -> anyhow::Result<()> {
    if to.is_empty() {
        return Err(Failure::new("the beneficiary has no contact e-mail address")
            .hint("add one with `amoe beneficiary update SIRET --email ADDRESS`")
            .into());
    }
    crate::mail::send(cfg, &crate::mail::Envelope { to, subject, body, message_id: None, in_reply_to: None })
}
