//! Sending e-mail: one plain-text message with lettre over STARTTLS or TLS (rustls, ring), or
//! in clear to a relay on this machine only. Shared by the logs' delivery notices and the
//! tickets' notices.

use std::net::IpAddr;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};

use crate::error::Failure;
use crate::settings::MailConfig;

/// One message.
#[derive(Debug, Clone, Copy)]
pub struct Envelope<'a> {
    /// Recipients.
    pub to: &'a [String],
    /// Subject.
    pub subject: &'a str,
    /// Plain text.
    pub body: &'a str,
    /// Its Message-ID (without `<>`), when replies must find it.
    pub message_id: Option<&'a str>,
    /// The message it follows (threading: `In-Reply-To` and `References`).
    pub in_reply_to: Option<&'a str>,
}

fn password(cfg: &MailConfig) -> anyhow::Result<Option<String>> {
    let Some(path) = &cfg.password_file else { return Ok(None) };
    crate::logs::ssh::check_key_file(path).map_err(|_| {
        Failure::new(format!("the SMTP password file `{}` is readable by others", path.display()))
            .hint(format!("run `chmod 600 {}`", path.display()))
    })?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::new(format!("cannot read the SMTP password file `{}`: {e}", path.display())))?;
    Ok(Some(text.trim_end_matches(['\n', '\r']).to_owned()))
}

/// Sends one plain-text message with the `[mail]` settings.
pub fn send(cfg: &MailConfig, e: &Envelope<'_>) -> anyhow::Result<()> {
    let (to, subject, body) = (e.to, e.subject, e.body);
    if to.is_empty() {
        return Err(Failure::new("no recipient").into());
    }
    let from = cfg
        .sender
        .parse()
        .map_err(|e| Failure::new(format!("the sender `{}` in [mail] is not an address: {e}", cfg.sender)))?;
    let mut builder = Message::builder().from(from).subject(subject).header(ContentType::TEXT_PLAIN);
    if let Some(id) = e.message_id {
        builder = builder.message_id(Some(format!("<{id}>")));
    }
    if let Some(parent) = e.in_reply_to {
        builder = builder.in_reply_to(format!("<{parent}>")).references(format!("<{parent}>"));
    }
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
    transport.send(&message).map_err(|e| {
        let message = format!("cannot send the notice through {}: {e}", cfg.server);
        if e.is_permanent() { anyhow::Error::new(Refused(message)) } else { Failure::new(message).into() }
    })?;
    Ok(())
}

/// The server refused the message for good (a 5xx answer: a bad address, say): sending it
/// again will not help, and it must not hold back the others.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);
