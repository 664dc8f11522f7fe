//! Tickets on the extranet (003 §4.1.4.3): the list with filters, a ticket's history, a new
//! ticket and comments with attachments (size-limited, type-checked), attachments served as
//! downloads from their own path, and the deposit space: each project's compressed bundles
//! with their SHA-256. Every read and change goes through `ops::tickets` (the one
//! authorization function, `authorize`); a ticket the account may not read answers as a
//! missing one (404).

use std::collections::HashMap;

use amoe_core::tickets::{Kind, Level, Priority, Status};
use amoe_store::tickets::{TicketFilter, TicketReads, User};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::tickets as view;
use super::pages::{self, Lang};
use super::{Shared, Signed, page, secret};
use crate::ops::tickets::{self as ops, Acting, MAX_ATTACHMENT};

/// Largest text field of a form, bytes.
const MAX_FIELD: usize = 64 * 1024;
/// How many tickets a list shows at most.
const MAX_LIST: usize = 200;

/// The account as the tickets' authorization sees it.
fn acting(app: &Shared, store: &amoe_store::Store, user: User) -> anyhow::Result<Acting> {
    let actor = store.actor(&user)?;
    Ok(Acting { user, actor, notify: app.settings.mail.as_ref().map(crate::ops::notices::domain) })
}

/// Sends the notices a change queued, off the request (a failure leaves them owed, as the
/// CLI's `ticket notify` would find them).
fn send_notices(app: &Shared) {
    let Some(cfg) = app.settings.mail.clone() else { return };
    let (path, operator) = (app.settings.store.clone(), app.operator.clone());
    std::thread::spawn(move || {
        if let Ok(mut store) = amoe_store::Store::open(&path) {
            let draft = amoe_store::AuditDraft {
                operator,
                command: "extranet notify".into(),
                target: None,
                args: Vec::new(),
                identity: None,
            };
            let _ = crate::ops::notices::send_owed(&mut store, &cfg, &draft);
        }
    });
}

fn draft(app: &Shared, who: &Acting, command: &str, target: Option<String>) -> amoe_store::AuditDraft {
    amoe_store::AuditDraft {
        operator: app.operator.clone(),
        command: format!("extranet {command}"),
        target,
        args: Vec::new(),
        identity: Some(format!("{} (extranet)", who.user.email)),
    }
}

fn unavailable() -> Response {
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}

fn not_found(lang: Lang) -> Response {
    page(StatusCode::NOT_FOUND, pages::message(lang, pages::Msg::NotFound))
}

/// A filter from the query: `status`, `project`, `kind`, `q` (words of the title); a value
/// that is not one of its words is ignored (the page shows the filter it applied).
fn filter(q: &HashMap<String, String>) -> TicketFilter {
    let word = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    TicketFilter {
        status: word("status").and_then(|v| v.parse::<Status>().ok()),
        kind: word("kind").and_then(|v| v.parse::<Kind>().ok()),
        project: word("project").map(str::to_owned),
        text: word("q").map(|v| v.chars().take(200).collect()),
        ..TicketFilter::default()
    }
}

pub async fn list(
    State(app): State<Shared>,
    Signed { lang, user, .. }: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Ok(st) = app.store.lock() else { return unavailable() };
    let f = filter(&q);
    let Ok(who) = acting(&app, &st, user) else { return unavailable() };
    match ops::list_limited(&st, &who, &f, Some(MAX_LIST)) {
        Ok(list) => {
            // Only the projects the account has a right on (or all, for an administrator):
            // another customer's project names are theirs.
            let projects: Vec<String> = st
                .projects()
                .map(|p| {
                    p.into_iter()
                        .map(|p| p.name)
                        .filter(|p| who.user.admin || who.actor.level(p) != Level::None)
                        .collect()
                })
                .unwrap_or_default();
            page(StatusCode::OK, view::list(lang, &list, &f, &projects))
        }
        Err(_) => unavailable(),
    }
}

/// Projects the account may open tickets in, and its spaces.
fn where_to_open(st: &amoe_store::Store, who: &Acting) -> (Vec<String>, Vec<String>) {
    let projects = st.projects().unwrap_or_default().into_iter().map(|p| p.name);
    let spaces = st.spaces().unwrap_or_default().into_iter().map(|(s, _, _)| s);
    if who.user.admin {
        (projects.collect(), spaces.collect())
    } else {
        (
            projects.filter(|p| who.actor.level(p) == Level::Write).collect(),
            spaces.filter(|s| who.actor.spaces.contains(s)).collect(),
        )
    }
}

pub async fn new_form(State(app): State<Shared>, Signed { lang, session: s, user }: Signed) -> Response {
    let Ok(st) = app.store.lock() else { return unavailable() };
    let Ok(who) = acting(&app, &st, user) else { return unavailable() };
    let (projects, spaces) = where_to_open(&st, &who);
    let sites: Vec<String> = crate::ops::access::visible_sites(&*st, &who.user)
        .map(|l| l.into_iter().map(|x| x.name.to_string()).collect())
        .unwrap_or_default();
    page(StatusCode::OK, view::new(lang, &s.csrf, &projects, &spaces, &sites, &HashMap::new(), None))
}

/// A form sent as `multipart/form-data`: its text fields, and its file if one was chosen.
struct Upload {
    fields: HashMap<String, String>,
    file: Option<(String, Vec<u8>)>,
}

/// Why a form could not be read.
enum UploadError {
    /// The file is over [`MAX_ATTACHMENT`]: refused before anything is stored.
    TooBig,
    /// Not a form this site sent.
    Bad,
}

async fn read_upload(mut mp: Multipart) -> Result<Upload, UploadError> {
    let mut up = Upload { fields: HashMap::new(), file: None };
    while let Some(mut field) = mp
        .next_field()
        .await
        .map_err(|e| if e.status() == StatusCode::PAYLOAD_TOO_LARGE { UploadError::TooBig } else { UploadError::Bad })?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE { UploadError::TooBig } else { UploadError::Bad }
            })? {
                if (bytes.len() + chunk.len()) as u64 > MAX_ATTACHMENT {
                    return Err(UploadError::TooBig);
                }
                bytes.extend_from_slice(&chunk);
            }
            if !file_name.is_empty() {
                up.file = Some((file_name, bytes));
            }
        } else {
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| UploadError::Bad)? {
                if text.len() + chunk.len() > MAX_FIELD {
                    return Err(UploadError::Bad);
                }
                text.extend_from_slice(&chunk);
            }
            up.fields.insert(name, String::from_utf8(text).map_err(|_| UploadError::Bad)?);
        }
    }
    Ok(up)
}

/// The file's own name (no folders), as the store keeps it.
fn base_name(name: &str) -> String {
    name.rsplit(['/', '\\']).next().unwrap_or(name).to_owned()
}

pub async fn create(State(app): State<Shared>, Signed { lang, session: s, user }: Signed, mp: Multipart) -> Response {
    let up = read_upload(mp).await;
    let Ok(mut st) = app.store.lock() else { return unavailable() };
    let Ok(who) = acting(&app, &st, user) else { return unavailable() };
    let (projects, spaces) = where_to_open(&st, &who);
    let sites: Vec<String> = crate::ops::access::visible_sites(&*st, &who.user)
        .map(|l| l.into_iter().map(|x| x.name.to_string()).collect())
        .unwrap_or_default();
    let again = |status, fields: &HashMap<String, String>, note: view::Note| {
        page(status, view::new(lang, &s.csrf, &projects, &spaces, &sites, fields, Some(note)))
    };
    let up = match up {
        Ok(u) => u,
        Err(UploadError::TooBig) => {
            return again(StatusCode::PAYLOAD_TOO_LARGE, &HashMap::new(), view::Note::TooBig(MAX_ATTACHMENT));
        }
        Err(UploadError::Bad) => return page(StatusCode::BAD_REQUEST, pages::message(lang, pages::Msg::FormExpired)),
    };
    let f = &up.fields;
    if !f.get("csrf").is_some_and(|c| secret::same(c, &s.csrf)) {
        let _ = st.journal(&draft(&app, &who, "ticket new", None), "refused: no valid form token");
        return page(StatusCode::FORBIDDEN, pages::message(lang, pages::Msg::FormExpired));
    }
    let get = |k: &str| f.get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    // A site named must be one the account sees.
    let site = get("site");
    if site.as_ref().is_some_and(|x| !sites.contains(x)) {
        return again(StatusCode::BAD_REQUEST, f, view::Note::Refused("site".into()));
    }
    if let Some((name, bytes)) = &up.file
        && let Err(e) = ops::check_type(&base_name(name), bytes)
    {
        return again(StatusCode::BAD_REQUEST, f, view::Note::Refused(e.to_string()));
    }
    let n = ops::NewTicket {
        project: get("project").unwrap_or_default(),
        space: get("space").unwrap_or_default(),
        kind: get("kind").and_then(|k| k.parse().ok()).unwrap_or(Kind::Assistance),
        title: get("title").unwrap_or_default(),
        priority: get("priority").and_then(|p| p.parse().ok()).unwrap_or(Priority::Normal),
        body: get("body"),
        site,
        host: None,
        beneficiary: None,
        message_id: None,
        reporter: None,
    };
    let d = draft(&app, &who, "ticket new", None);
    let t = match ops::open(&mut st, &who, &d, &n) {
        Ok(t) => t,
        Err(e) => return again(StatusCode::BAD_REQUEST, f, view::Note::Refused(e.to_string())),
    };
    if let Some((name, bytes)) = &up.file {
        let d = draft(&app, &who, "ticket attach", Some(format!("#{}", t.id)));
        if let Err(e) = ops::attach(&mut st, &who, &d, t.id, &base_name(name), bytes) {
            // The ticket is open; its page says what became of the file.
            drop(st);
            send_notices(&app);
            return page(StatusCode::BAD_REQUEST, view::refused_after(lang, t.id, &e.to_string()));
        }
    }
    drop(st);
    send_notices(&app);
    Redirect::to(&format!("/tickets/{}?lang={}", t.id, lang.code())).into_response()
}

fn id_of(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|n| *n > 0)
}

pub async fn show(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Signed { lang, session: s, user }: Signed,
) -> Response {
    let Some(id) = id_of(&id) else { return not_found(lang) };
    let Ok(st) = app.store.lock() else { return unavailable() };
    let Ok(who) = acting(&app, &st, user) else { return unavailable() };
    match ops::show(&st, &who, id) {
        Ok(v) => {
            let may_comment = ops::authorize(&st, &who, id, amoe_core::tickets::Action::Comment).is_ok();
            page(StatusCode::OK, view::show(lang, &v, &s.csrf, may_comment, None))
        }
        Err(_) => not_found(lang),
    }
}

pub async fn comment(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Signed { lang, session: s, user }: Signed,
    mp: Multipart,
) -> Response {
    let Some(id) = id_of(&id) else { return not_found(lang) };
    let up = read_upload(mp).await;
    add(&app, lang, &s, user, id, up, format!("/tickets/{id}?lang={}", lang.code()))
}

/// The deposit form: a bundle onto the ticket chosen.
pub async fn deposit(State(app): State<Shared>, Signed { lang, session: s, user }: Signed, mp: Multipart) -> Response {
    let up = read_upload(mp).await;
    let id = match &up {
        Ok(u) => u.fields.get("ticket").and_then(|t| id_of(t.trim())),
        Err(_) => None,
    };
    match (id, up) {
        (Some(id), up) => add(&app, lang, &s, user, id, up, format!("/deposits?lang={}", lang.code())),
        (None, Err(UploadError::TooBig)) => {
            page(StatusCode::PAYLOAD_TOO_LARGE, view::note_page(lang, view::Note::TooBig(MAX_ATTACHMENT)))
        }
        (None, _) => page(StatusCode::BAD_REQUEST, view::note_page(lang, view::Note::Empty)),
    }
}

/// A comment and/or a file added to ticket `id`, then to `back`; or the ticket's page saying
/// why not. A ticket the account may not read answers as a missing one, whatever the form.
fn add(
    app: &Shared,
    lang: Lang,
    s: &amoe_store::web::WebSession,
    user: User,
    id: i64,
    up: Result<Upload, UploadError>,
    back: String,
) -> Response {
    let Ok(mut st) = app.store.lock() else { return unavailable() };
    let Ok(who) = acting(app, &st, user) else { return unavailable() };
    let Ok(v) = ops::show(&st, &who, id) else { return not_found(lang) };
    let may_comment = ops::authorize(&st, &who, id, amoe_core::tickets::Action::Comment).is_ok();
    let again = |status, note| page(status, view::show(lang, &v, &s.csrf, may_comment, Some(note)));
    let up = match up {
        Ok(u) => u,
        Err(UploadError::TooBig) => return again(StatusCode::PAYLOAD_TOO_LARGE, view::Note::TooBig(MAX_ATTACHMENT)),
        Err(UploadError::Bad) => return page(StatusCode::BAD_REQUEST, pages::message(lang, pages::Msg::FormExpired)),
    };
    if !up.fields.get("csrf").is_some_and(|c| secret::same(c, &s.csrf)) {
        let _ = st.journal(&draft(app, &who, "ticket comment", Some(format!("#{id}"))), "refused: no valid form token");
        return page(StatusCode::FORBIDDEN, pages::message(lang, pages::Msg::FormExpired));
    }
    if !may_comment {
        return again(
            StatusCode::FORBIDDEN,
            view::Note::Refused(format!("you may read ticket #{id} but not add to it")),
        );
    }
    let text = up.fields.get("text").map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    if text.is_none() && up.file.is_none() {
        return again(StatusCode::BAD_REQUEST, view::Note::Empty);
    }
    if let Some((name, bytes)) = &up.file {
        if !ops::may_attach(&who, &v.ticket) {
            return again(
                StatusCode::FORBIDDEN,
                view::Note::Refused(format!("you may read ticket #{id} but not attach to it")),
            );
        }
        if let Err(e) = ops::check_type(&base_name(name), bytes) {
            return again(StatusCode::BAD_REQUEST, view::Note::Refused(e.to_string()));
        }
    }
    if let Some(text) = &text {
        let d = draft(app, &who, "ticket comment", Some(format!("#{id}")));
        if let Err(e) = ops::comment(&mut st, &who, &d, id, text, None, None) {
            return again(StatusCode::FORBIDDEN, view::Note::Refused(e.to_string()));
        }
    }
    if let Some((name, bytes)) = &up.file {
        let d = draft(app, &who, "ticket attach", Some(format!("#{id}")));
        if let Err(e) = ops::attach(&mut st, &who, &d, id, &base_name(name), bytes) {
            return again(StatusCode::BAD_REQUEST, view::Note::Refused(e.to_string()));
        }
    }
    drop(st);
    send_notices(app);
    Redirect::to(&back).into_response()
}

pub async fn attachment(
    State(app): State<Shared>,
    Path((id, name)): Path<(String, String)>,
    Signed { lang, user, .. }: Signed,
) -> Response {
    let Some(id) = id_of(&id) else { return not_found(lang) };
    let found = {
        let Ok(st) = app.store.lock() else { return unavailable() };
        let Ok(who) = acting(&app, &st, user) else { return unavailable() };
        let Ok(v) = ops::show(&st, &who, id) else { return not_found(lang) };
        match v.attachments.into_iter().find(|(n, _, _)| *n == name) {
            Some((_, sha, _)) => ops::attachment_bytes(&*st, app.settings.beside_store(), &sha),
            None => return not_found(lang),
        }
    };
    match found {
        Ok(bytes) => {
            // The name as an RFC 8187 value: any character, nothing that breaks the header.
            let encoded = pages::percent(&name);
            (
                [
                    (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename*=UTF-8''{encoded}")),
                ],
                bytes,
            )
                .into_response()
        }
        Err(_) => not_found(lang),
    }
}

/// The deposit space: every compressed bundle on the tickets the account may read, by
/// project, and a form to deposit one on a ticket it may attach to.
pub async fn deposits(State(app): State<Shared>, Signed { lang, session: s, user }: Signed) -> Response {
    let Ok(st) = app.store.lock() else { return unavailable() };
    let Ok(who) = acting(&app, &st, user) else { return unavailable() };
    let Ok(tickets) = ops::list(&st, &who, &TicketFilter::default()) else { return unavailable() };
    let mut bundles: Vec<view::Deposit> = Vec::new();
    let mut targets = Vec::new();
    for t in &tickets {
        for (name, sha, size) in st.attachments(t.id).unwrap_or_default() {
            if ops::is_bundle(&name) {
                bundles.push(view::Deposit {
                    project: t.project.clone(),
                    ticket: t.id,
                    title: t.title.clone(),
                    name,
                    sha256: sha,
                    size,
                });
            }
        }
        if !matches!(t.status, Status::Closed) && ops::may_attach(&who, t) {
            targets.push((t.id, t.title.clone()));
        }
    }
    bundles.sort_by(|a, b| (&a.project, b.ticket).cmp(&(&b.project, a.ticket)));
    page(StatusCode::OK, view::deposits(lang, &s.csrf, &bundles, &targets))
}

/// The grouping asked (`by`: `day`, `month`, `year`; by month otherwise), and its word.
fn by_of(q: &HashMap<String, String>) -> (ops::By, &'static str) {
    match q.get("by").map(String::as_str) {
        Some("day") => (ops::By::Day, "day"),
        Some("year") => (ops::By::Year, "year"),
        _ => (ops::By::Month, "month"),
    }
}

/// Ticket statistics, as `amoe ticket stats` gives them, over the tickets the account reads
/// (the list's filters apply).
pub async fn stats(
    State(app): State<Shared>,
    Signed { lang, user, .. }: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Ok(st) = app.store.lock() else { return unavailable() };
    let Ok(who) = acting(&app, &st, user) else { return unavailable() };
    let f = filter(&q);
    let (by, word) = by_of(&q);
    match ops::stats(&st, &who, &f, by) {
        Ok(s) => {
            let query = format!("{}&by={word}", view::filter_query(&f, lang));
            page(StatusCode::OK, view::stats(lang, &s, word, &query))
        }
        Err(_) => unavailable(),
    }
}

fn sheet(tables: &[crate::ops::sheets::Table], format: crate::ops::sheets::SheetFormat, name: &str) -> Response {
    use crate::ops::sheets::SheetFormat;
    let (ext, mime) = match format {
        SheetFormat::Xlsx => ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        _ => ("csv", "text/csv; charset=utf-8"),
    };
    match crate::ops::sheets::bytes(tables, format) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, mime.to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.{ext}\"")),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => unavailable(),
    }
}

pub async fn stats_xlsx(
    State(app): State<Shared>,
    Signed { user, .. }: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Ok(st) = app.store.lock() else { return unavailable() };
    let Ok(who) = acting(&app, &st, user) else { return unavailable() };
    match ops::stats(&st, &who, &filter(&q), by_of(&q).0) {
        Ok(s) => sheet(&ops::stats_tables(&s), crate::ops::sheets::SheetFormat::Xlsx, "ticket-stats"),
        Err(_) => unavailable(),
    }
}

async fn export(
    app: Shared,
    Signed { lang, user, .. }: Signed,
    q: HashMap<String, String>,
    format: crate::ops::sheets::SheetFormat,
) -> Response {
    let Ok(st) = app.store.lock() else { return unavailable() };
    let Ok(who) = acting(&app, &st, user) else { return unavailable() };
    let table = ops::list(&st, &who, &filter(&q)).and_then(|t| ops::export_table(&st, &who, &t, lang == Lang::Fr));
    match table {
        Ok(t) => sheet(&[t], format, "tickets"),
        Err(_) => unavailable(),
    }
}

pub async fn export_csv(
    State(app): State<Shared>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    export(app, signed, q, crate::ops::sheets::SheetFormat::Csv).await
}

pub async fn export_xlsx(
    State(app): State<Shared>,
    signed: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    export(app, signed, q, crate::ops::sheets::SheetFormat::Xlsx).await
}
