//! The flush form (003 §3.2.1.1): a beneficiary purges one or several pages, or a folder (a
//! prefix), of their own sites, through the same path as `amoe flush`: the same checks of the
//! targets ([`crate::ops::fleet::check_flush_targets`]), the same outbox (a host that does not answer
//! owes the purge and gets it first when it is back), the audit journal with the account. The
//! answer is a result per host.

use std::collections::HashMap;
use std::net::IpAddr;

use axum::extract::{Extension, Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::pages::{self, FlushNote, Lang};
use super::{Peer, Shared, Signed, journal, page, secret};

/// At most this many URLs and prefixes in one form.
const MAX_TARGETS: usize = 100;

/// The account's site `name` and whether they may purge it, or the page to answer.
/// (The error is that answer, sent at once: boxing it would gain nothing.)
#[allow(clippy::result_large_err)]
#[allow(clippy::type_complexity)]
fn target(
    app: &Shared,
    user: &amoe_store::tickets::User,
    lang: Lang,
    name: &str,
) -> Result<(amoe_core::Site, bool), Response> {
    let st = app.store.lock().map_err(|_| StatusCode::SERVICE_UNAVAILABLE.into_response())?;
    let site = match crate::ops::access::visible_site(&*st, user, name) {
        Ok(Some(x)) => x,
        Ok(None) => return Err(page(StatusCode::NOT_FOUND, pages::message(lang, pages::Msg::NotFound))),
        Err(_) => return Err(StatusCode::SERVICE_UNAVAILABLE.into_response()),
    };
    let may = crate::ops::access::may_flush(&*st, user).unwrap_or(false);
    Ok((site, may))
}

pub async fn form(
    State(app): State<Shared>,
    Path(name): Path<String>,
    Signed { lang, session: s, user }: Signed,
) -> Response {
    match target(&app, &user, lang, &name) {
        Ok((site, may)) => {
            let note = (!may).then_some(FlushNote::ReadOnly);
            page(StatusCode::OK, pages::flush(lang, &site, &s.csrf, may, "", "", note, None))
        }
        Err(res) => res,
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

pub async fn submit(
    State(app): State<Shared>,
    Extension(Peer(peer)): Extension<Peer>,
    Path(name): Path<String>,
    Signed { lang, session: s, user }: Signed,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (site, may) = match target(&app, &user, lang, &name) {
        Ok(x) => x,
        Err(res) => return res,
    };
    let (urls_text, prefixes_text) =
        (form.get("urls").cloned().unwrap_or_default(), form.get("prefixes").cloned().unwrap_or_default());
    let again = |status: StatusCode, note: FlushNote| {
        page(status, pages::flush(lang, &site, &s.csrf, may, &urls_text, &prefixes_text, Some(note), None))
    };
    if !form.get("csrf").is_some_and(|c| secret::same(c, &s.csrf)) {
        if let Ok(mut st) = app.store.lock() {
            journal(&app, &mut st, &s.email, &format!("flush {name}"), peer, "refused: no valid form token");
        }
        return page(StatusCode::FORBIDDEN, pages::message(lang, pages::Msg::FormExpired));
    }
    if !may {
        return again(StatusCode::FORBIDDEN, FlushNote::ReadOnly);
    }
    let (urls, prefixes) = (lines(&urls_text), lines(&prefixes_text));
    if urls.is_empty() && prefixes.is_empty() {
        return again(StatusCode::BAD_REQUEST, FlushNote::Nothing);
    }
    if urls.len() + prefixes.len() > MAX_TARGETS {
        return again(StatusCode::BAD_REQUEST, FlushNote::TooMany(MAX_TARGETS));
    }
    // The CLI's check, one target at a time, so that the page names the one refused.
    for u in &urls {
        if crate::ops::fleet::check_flush_targets(&site, std::slice::from_ref(u), &[]).is_err() {
            return again(StatusCode::BAD_REQUEST, FlushNote::NotOurs(u.clone()));
        }
    }
    for p in &prefixes {
        if crate::ops::fleet::check_flush_targets(&site, &[], std::slice::from_ref(p)).is_err() {
            return again(StatusCode::BAD_REQUEST, FlushNote::BadPrefix(p.clone()));
        }
    }
    let (settings, operator, email) = (app.settings.clone(), app.operator.clone(), user.email.clone());
    let targets: Vec<String> = urls.iter().chain(&prefixes).cloned().collect();
    // The fleet runs its own runtime: a thread of its own, not this one.
    let (tx, rx) = tokio::sync::oneshot::channel();
    let site_name = site.name.to_string();
    std::thread::spawn(move || {
        let _ = tx.send(run_flush(&settings, &operator, &email, peer, &site_name, urls, prefixes));
    });
    match rx.await {
        Ok(Ok(report)) => {
            let note = if report.failed() == 0 { FlushNote::Done } else { FlushNote::Owed };
            page(StatusCode::OK, pages::flush(lang, &site, &s.csrf, may, "", "", Some(note), Some(&report)))
        }
        Ok(Err(e)) => {
            eprintln!("extranet: flush of {name} ({}) failed: {e:#}", targets.join(" "));
            again(StatusCode::SERVICE_UNAVAILABLE, FlushNote::Failed)
        }
        Err(_) => again(StatusCode::SERVICE_UNAVAILABLE, FlushNote::Failed),
    }
}

/// Queues and delivers the purge as `amoe flush` does, journaled with the account.
fn run_flush(
    settings: &crate::settings::Settings,
    operator: &str,
    email: &str,
    peer: IpAddr,
    site: &str,
    urls: Vec<String>,
    prefixes: Vec<String>,
) -> anyhow::Result<crate::fleet::FleetReport> {
    let mut store = amoe_store::Store::open(&settings.store)?;
    let (site, hosts) = crate::ops::fleet::site_and_hosts(&store, site)?;
    let mut args: Vec<String> = vec![format!("account {email}"), format!("from {peer}")];
    args.extend(urls.iter().map(|u| format!("--url {u}")));
    args.extend(prefixes.iter().map(|p| format!("--prefix {p}")));
    let req = amoe_proto::FlushRequest { urls, prefixes, ..Default::default() };
    let body = serde_json::to_string(&req)?;
    let path = format!("/v1/sites/{}/flush", site.name);
    let draft = amoe_store::AuditDraft {
        operator: operator.to_owned(),
        command: "extranet flush".into(),
        target: Some(format!("site:{}", site.name)),
        args,
        identity: None,
    };
    let op = crate::ops::fleet::Operation {
        command: "flush",
        site: site.name.as_str(),
        hosts: &hosts,
        dry_run: false,
        timing: false,
    };
    crate::ops::fleet::queue_and_deliver(&mut store, settings, draft, &op, |_, caller| {
        Ok(crate::fleet::items_for(
            &hosts,
            caller,
            Some(site.name.as_str()),
            amoe_store::outbox::ItemKind::Flush,
            "POST",
            &path,
            Some(&body),
        ))
    })
}
