//! The second factor (RFC 6238 TOTP): optional for an account, required for administrators.
//!
//! Set up from `/account/totp`: a new secret is shown once as text (base32 and an `otpauth://`
//! address for authenticator apps) and sealed in the store with the server's key; it is enabled
//! when a first code from the app is given back. At sign-in, an account with a second factor
//! gets a session that reaches only `/login/code` until a code is given; an administrator
//! without one gets a session that reaches only `/account/totp`. Each code works once (its
//! time step is recorded); wrong codes count with wrong passwords against the same limit.
//! Every step is journaled. `amoe user totp-reset` removes a lost one.

use std::collections::HashMap;

use axum::extract::{Extension, Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::pages;
use super::pages::account::{self as view, Note, TotpView};
use super::{
    Current, Peer, Shared, address_key, journal, journal_noise, lang_of, locked_out, new_session, now, page, secret,
    stamp,
};
use amoe_store::tickets::TicketReads;

fn unavailable() -> Response {
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}

/// The account's secret, opened with the server's key.
fn opened(app: &Shared, email: &str, sealed: &str) -> Option<Vec<u8>> {
    let key = secret::server_key(&app.key_path).ok()?;
    secret::unseal(&key, email, sealed)
}

pub async fn code_page(
    Query(q): Query<HashMap<String, String>>,
    Extension(cur): Extension<Current>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&q, &headers);
    match cur.0 {
        Some((_, s)) if s.stage == "code" => page(StatusCode::OK, view::code(lang, &s.csrf, None)),
        _ => Redirect::to("/login").into_response(),
    }
}

pub async fn code(
    State(app): State<Shared>,
    Extension(Peer(peer)): Extension<Peer>,
    Query(q): Query<HashMap<String, String>>,
    Extension(cur): Extension<Current>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(&q, &headers);
    let Some((_, s)) = cur.0.filter(|(_, s)| s.stage == "code") else {
        return Redirect::to("/login").into_response();
    };
    if !form.get("csrf").is_some_and(|c| secret::same(c, &s.csrf)) {
        return page(StatusCode::FORBIDDEN, pages::message(lang, pages::Msg::FormExpired));
    }
    let t = now();
    let Ok(mut st) = app.store.lock() else { return unavailable() };
    if let Some(wait) = locked_out(&st, &s.email, peer, t) {
        journal_noise(&app, &mut st, &s.email, "sign-in code", peer, "refused: too many failed attempts");
        return page(StatusCode::TOO_MANY_REQUESTS, view::code(lang, &s.csrf, Some(Note::TooMany(wait))));
    }
    let Some(row) = st.web_totp(&s.email).ok().flatten().filter(|r| r.enabled_at.is_some()) else {
        return Redirect::to("/login").into_response();
    };
    let Some(key) = opened(&app, &s.email, &row.sealed) else {
        journal(
            &app,
            &mut st,
            &s.email,
            "sign-in code",
            peer,
            "failed: the second factor cannot be opened with the server's key",
        );
        return page(StatusCode::SERVICE_UNAVAILABLE, view::code(lang, &s.csrf, Some(Note::Broken)));
    };
    let typed = form.get("code").map(String::as_str).unwrap_or_default();
    let step = secret::totp_matches(&key, typed, t.as_second());
    let fresh = step.is_some_and(|step| st.use_web_totp_step(&s.email, step, &stamp(t), false).unwrap_or(false));
    if !fresh {
        let _ = st.add_web_failure(&s.email, &address_key(peer), &stamp(t));
        let why = if step.is_some() { "failed: a code already used" } else { "failed: wrong code" };
        journal(&app, &mut st, &s.email, "sign-in code", peer, why);
        return page(StatusCode::UNAUTHORIZED, view::code(lang, &s.csrf, Some(Note::WrongCode)));
    }
    journal(&app, &mut st, &s.email, "sign-in", peer, "signed in (password and second factor)");
    new_session(&mut st, &headers, &s.email, "full", t, "/")
}

/// What the page shows of the account's second factor.
fn view_of(app: &Shared, email: &str, admin: bool, enrol: bool) -> TotpView {
    let row = app.store.lock().ok().and_then(|st| st.web_totp(email).ok().flatten());
    let pending = row
        .as_ref()
        .filter(|r| r.enabled_at.is_none())
        .and_then(|r| opened(app, email, &r.sealed))
        .map(|k| (secret::base32(&k), otpauth(email, &k)));
    TotpView { enrol, admin, enabled_at: row.and_then(|r| r.enabled_at), pending }
}

/// The address authenticator apps take for a secret.
fn otpauth(email: &str, key: &[u8]) -> String {
    let label = pages::percent(email);
    format!(
        "otpauth://totp/amoe%20extranet:{label}?secret={}&issuer=amoe%20extranet&digits=6&period=30",
        secret::base32(key)
    )
}

/// The account (a full session, or an administrator's that must enrol) and its stage.
fn enrolling(app: &Shared, cur: Current) -> Option<(amoe_store::web::WebSession, bool)> {
    let (_, s) = cur.0.filter(|(_, s)| s.stage == "full" || s.stage == "enrol")?;
    let admin = app.store.lock().ok()?.user(&s.email).ok()??.admin;
    Some((s, admin))
}

pub async fn settings(
    State(app): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
    Extension(cur): Extension<Current>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&q, &headers);
    let Some((s, admin)) = enrolling(&app, cur) else { return Redirect::to("/login").into_response() };
    let v = view_of(&app, &s.email, admin, s.stage == "enrol");
    page(StatusCode::OK, view::totp(lang, &s.csrf, &v, None))
}

/// `action=start` (a new secret), `confirm` (its first code enables it), `off` (with a code;
/// not for administrators).
pub async fn change(
    State(app): State<Shared>,
    Extension(Peer(peer)): Extension<Peer>,
    Query(q): Query<HashMap<String, String>>,
    Extension(cur): Extension<Current>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(&q, &headers);
    let Some((s, admin)) = enrolling(&app, cur) else { return Redirect::to("/login").into_response() };
    let enrol = s.stage == "enrol";
    if !form.get("csrf").is_some_and(|c| secret::same(c, &s.csrf)) {
        return page(StatusCode::FORBIDDEN, pages::message(lang, pages::Msg::FormExpired));
    }
    let again = |status: StatusCode, note: Note| {
        let v = view_of(&app, &s.email, admin, enrol);
        page(status, view::totp(lang, &s.csrf, &v, Some(note)))
    };
    let t = now();
    let row = app.store.lock().ok().and_then(|st| st.web_totp(&s.email).ok().flatten());
    let enabled = row.as_ref().is_some_and(|r| r.enabled_at.is_some());
    match form.get("action").map(String::as_str) {
        Some("start") => {
            if enabled {
                return again(StatusCode::BAD_REQUEST, Note::AlreadyOn);
            }
            let Ok(k) = secret::totp_secret() else { return unavailable() };
            let Ok(key) = secret::server_key(&app.key_path) else {
                return again(StatusCode::SERVICE_UNAVAILABLE, Note::Broken);
            };
            let Ok(sealed) = secret::seal(&key, &s.email, &k) else { return unavailable() };
            // The page is made after the store is let go: it reads the store too.
            let started = {
                let Ok(mut st) = app.store.lock() else { return unavailable() };
                let started = st.start_web_totp(&s.email, &sealed, &stamp(t));
                if matches!(started, Ok(true)) {
                    journal(&app, &mut st, &s.email, "second factor", peer, "set-up started: a new secret shown");
                }
                started
            };
            match started {
                Ok(true) => again(StatusCode::OK, Note::Started),
                Ok(false) => again(StatusCode::BAD_REQUEST, Note::AlreadyOn),
                Err(_) => unavailable(),
            }
        }
        Some(action @ ("confirm" | "off")) => {
            let confirm = action == "confirm";
            if confirm && (row.is_none() || enabled) {
                return again(StatusCode::BAD_REQUEST, if enabled { Note::AlreadyOn } else { Note::NotStarted });
            }
            if !confirm && admin {
                return again(StatusCode::BAD_REQUEST, Note::AdminMust);
            }
            if !confirm && !enabled {
                return again(StatusCode::BAD_REQUEST, Note::NotStarted);
            }
            let Some(row) = row else { return again(StatusCode::BAD_REQUEST, Note::NotStarted) };
            let Ok(mut st) = app.store.lock() else { return unavailable() };
            if let Some(wait) = locked_out(&st, &s.email, peer, t) {
                drop(st);
                return again(StatusCode::TOO_MANY_REQUESTS, Note::TooMany(wait));
            }
            let Some(key) = opened(&app, &s.email, &row.sealed) else {
                drop(st);
                return again(StatusCode::SERVICE_UNAVAILABLE, Note::Broken);
            };
            let typed = form.get("code").map(String::as_str).unwrap_or_default();
            let step = secret::totp_matches(&key, typed, t.as_second());
            let fresh =
                step.is_some_and(|step| st.use_web_totp_step(&s.email, step, &stamp(t), confirm).unwrap_or(false));
            if !fresh {
                let _ = st.add_web_failure(&s.email, &address_key(peer), &stamp(t));
                journal(&app, &mut st, &s.email, "second factor", peer, &format!("{action} refused: wrong code"));
                drop(st);
                return again(StatusCode::BAD_REQUEST, Note::WrongCode);
            }
            if confirm {
                journal(&app, &mut st, &s.email, "second factor", peer, "enabled");
                // An administrator's session gains its rights: a new id for it.
                if enrol {
                    journal(&app, &mut st, &s.email, "sign-in", peer, "signed in (password and a new second factor)");
                    return new_session(&mut st, &headers, &s.email, "full", t, "/");
                }
            } else {
                let _ = st.remove_web_totp(&s.email);
                journal(&app, &mut st, &s.email, "second factor", peer, "removed");
            }
            Redirect::to(&format!("/account/totp?lang={}", lang.code())).into_response()
        }
        _ => again(StatusCode::BAD_REQUEST, Note::NotStarted),
    }
}
