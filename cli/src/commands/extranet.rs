//! `amoe extranet serve`, and `amoe user password` (the mailed link to set a password).

use super::Ctx;
use crate::cli::ExtranetCmd;
use crate::error::{Exit, Failure};
use crate::extranet::secret;
use crate::output::{Cell, Tabular};
use amoe_store::tickets::TicketReads;
use anyhow::Result;

pub(super) fn run(ctx: &mut Ctx, cmd: ExtranetCmd) -> Result<Exit> {
    match cmd {
        ExtranetCmd::Serve { listen, tls_cert, tls_key } => {
            let store = ctx.open()?;
            drop(store);
            let tls = match (tls_cert, tls_key) {
                (Some(c), Some(k)) => Some(crate::extranet::tls_config(&c, &k)?),
                _ => None,
            };
            crate::extranet::serve(ctx.settings.clone(), listen, tls)?;
            Ok(Exit::Success)
        }
        ExtranetCmd::Routes => {
            let rows: Vec<RouteRow> = crate::extranet::ROUTES.iter().map(|r| RouteRow(*r)).collect();
            ctx.out.list(&rows)?;
            Ok(Exit::Success)
        }
    }
}

/// Mails `email` a one-time link to set their password, valid `hours`.
pub(super) fn send_password_link(
    ctx: &mut Ctx,
    store: &mut amoe_store::Store,
    email: &str,
    url: Option<String>,
    hours: u32,
) -> Result<Exit> {
    let url = url.or_else(|| std::env::var("AMOE_EXTRANET_URL").ok().filter(|v| !v.is_empty())).ok_or_else(|| {
        Failure::usage("where is the extranet? give --url (or AMOE_EXTRANET_URL)")
            .hint("amoe user password EMAIL --url https://extranet.contractor.example")
    })?;
    let user = store
        .user(email)?
        .ok_or_else(|| Failure::new(format!("no user `{email}`")).hint("`amoe user list` shows the accounts"))?;
    let base = url.trim_end_matches('/');
    if !(base.starts_with("https://") || base.starts_with("http://")) {
        return Err(Failure::usage(format!("`{url}` is not an http(s) address"))
            .hint("give the extranet's address as users reach it: --url https://extranet.example")
            .into());
    }
    let Some(cfg) = &ctx.settings.mail else {
        return Err(Failure::new("no [mail] in config.toml: the link cannot be sent")
            .hint("set [mail] (see `docs/config.md`); the link is never shown on the terminal")
            .into());
    };
    let token = secret::token()?;
    let now = jiff::Timestamp::now();
    let until = now + jiff::SignedDuration::from_hours(i64::from(hours));
    let (now_s, until_s) = (amoe_core::time::format_utc(now), amoe_core::time::format_utc(until));
    store.add_web_link(&secret::sha256_hex(&token), &user.email, &now_s, &until_s)?;
    let link = format!("{base}/password?token={token}");
    let body = format!(
        "Bonjour {name},\n\nPour choisir le mot de passe de votre accès à l'extranet, suivez ce lien (valable {hours} h, une seule fois) :\n{link}\n\nTo choose the password of your extranet account, follow this link (valid {hours} h, once).\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n",
        name = user.name
    );
    let to = [user.email.clone()];
    let envelope = crate::mail::Envelope {
        to: &to,
        subject: "Extranet : choisir votre mot de passe",
        body: &body,
        message_id: None,
        in_reply_to: None,
    };
    let draft = ctx.draft("user password", Some(user.email.clone()));
    if let Err(e) = crate::mail::send(cfg, &envelope) {
        store.journal(&draft, &format!("link not sent: {e}"))?;
        return Err(Failure::new(format!("the link to {} could not be sent: {e:#}", user.email))
            .hint("check [mail] and the SMTP server, then run the command again (a new link replaces this one)")
            .into());
    }
    store.journal(&draft, &format!("link sent, valid until {until_s}"))?;
    let shown = LinkSent { email: user.email.clone(), valid_until: until_s };
    ctx.out.done(&format!("mailed {} a link to set their password (valid {hours} h, once)", user.email), &shown)?;
    Ok(Exit::Success)
}

/// What `amoe user password` says it did (never the link itself).
#[derive(Debug, serde::Serialize)]
struct LinkSent {
    email: String,
    valid_until: String,
}

impl Tabular for LinkSent {
    const HEADERS: &'static [&'static str] = &["email", "valid_until"];
    fn cells(&self) -> Vec<Cell> {
        vec![Cell::text(&self.email), Cell::text(&self.valid_until)]
    }
}

/// A route as `extranet routes` shows it.
#[derive(Debug, serde::Serialize)]
#[serde(transparent)]
struct RouteRow(crate::extranet::Route);

impl Tabular for RouteRow {
    const HEADERS: &'static [&'static str] = &["method", "path", "rule"];
    fn cells(&self) -> Vec<Cell> {
        let rule =
            serde_json::to_value(self.0.rule).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        vec![Cell::text(self.0.method), Cell::text(self.0.path), Cell::text(rule)]
    }
}
