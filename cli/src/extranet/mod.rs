//! The beneficiaries' extranet (DESIGN §11; `docs/extranet.md`): a web server over the same
//! store, server-rendered HTML without JavaScript (axum on the workspace's hyper and tokio,
//! maud for the pages). French by default, English with `?lang=en`.
//!
//! Where things are:
//! - here: the server, the route list with one rule per route ([`ROUTES`], [`Rule`]; the router
//!   is made from it), the door (set-password links, sign-in, sessions, CSRF tokens, the limit
//!   on failed attempts, security headers, the journal), and the site pages;
//! - [`second_factor`]: TOTP, optional for accounts and required for administrators;
//! - [`stats`]: a site's statistics from the log archive (`logs::daily`);
//! - [`flush`]: the flush form, through the fleet and the outbox;
//! - [`tickets`]: tickets, attachments, the deposit space, ticket statistics and exports;
//! - [`pages`]: the markup; [`secret`]: tokens, hashes, TOTP codes and sealing.
//!
//! Who sees what is decided by one function per kind of thing, shared with the command line:
//! `ops::access` for sites and purges, `ops::tickets::authorize` for tickets. Another
//! beneficiary's site or ticket answers exactly as a missing one (404).

mod flush;
mod pages;
mod second_factor;
pub mod secret;
mod stats;
mod tickets;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use amoe_store::tickets::TicketReads;
use amoe_store::{AuditDraft, Store};
use axum::extract::{Extension, Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use pages::Lang;

/// A session ends after this long without a request.
const IDLE_MINUTES: i64 = 30;
/// And this long after sign-in, whatever happens.
const ABSOLUTE_HOURS: i64 = 12;
/// Failed sign-ins allowed per account, and per address, in [`WINDOW_MINUTES`].
const MAX_FAILURES: u32 = 10;
const WINDOW_MINUTES: i64 = 15;
/// Passwords are at least this long (and at most 1,024 bytes).
const MIN_PASSWORD: usize = 12;

/// `__Host-`: browsers keep these only if `Secure`, for this host alone and the whole path, so
/// a sibling domain cannot plant one.
const SESSION_COOKIE: &str = "__Host-amoe_session";
const PRE_COOKIE: &str = "__Host-amoe_pre";

/// What every request shares: the store (one connection, held briefly), who runs the server.
struct App {
    store: Mutex<Store>,
    operator: String,
    settings: crate::settings::Settings,
    /// The file of the key that seals second-factor secrets (made on first use).
    key_path: PathBuf,
    /// Sites' figures per day, read from the log archive once.
    daily: crate::logs::daily::Cache,
    /// When [`journal_noise`] last wrote, per address and kind.
    noise: Mutex<HashMap<(IpAddr, String), std::time::Instant>>,
}

type Shared = Arc<App>;

/// The client's address, added to each connection's requests.
#[derive(Debug, Clone, Copy)]
struct Peer(IpAddr);

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

fn stamp(t: jiff::Timestamp) -> String {
    amoe_core::time::format_utc(t)
}

fn minutes(n: i64) -> jiff::SignedDuration {
    jiff::SignedDuration::from_mins(n)
}

/// A TLS configuration from PEM files.
pub fn tls_config(cert: &Path, key: &Path) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    use rustls_pki_types::pem::PemObject;
    let certs: Vec<rustls_pki_types::CertificateDer<'static>> = rustls_pki_types::CertificateDer::pem_file_iter(cert)
        .and_then(|i| i.collect())
        .map_err(|e| crate::error::Failure::new(format!("cannot read the certificate `{}`: {e}", cert.display())))?;
    let key = rustls_pki_types::PrivateKeyDer::from_pem_file(key)
        .map_err(|e| crate::error::Failure::new(format!("cannot read the key `{}`: {e}", key.display())))?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| crate::error::Failure::new(format!("the certificate and key do not go together: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Serves until interrupted.
pub fn serve(
    settings: crate::settings::Settings,
    listen: SocketAddr,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> anyhow::Result<()> {
    let store = Store::open(&settings.store)?;
    let key_path = secret::key_path(settings.beside_store());
    let app: Shared = Arc::new(App {
        key_path,
        store: Mutex::new(store),
        operator: settings.operator.clone(),
        settings,
        daily: crate::logs::daily::Cache::default(),
        noise: Mutex::new(HashMap::new()),
    });
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| crate::error::Failure::new(format!("cannot listen on {listen}: {e}")))?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        eprintln!("extranet listening on {scheme}://{}", listener.local_addr()?);
        let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
        // Statistics are read ahead, at start and every hour: after the night's collection a
        // page never waits for a day to be read.
        if let Some(archive) = app.settings.logs.archive.clone() {
            let app = app.clone();
            std::thread::spawn(move || {
                loop {
                    warm_statistics(&app, &archive);
                    std::thread::sleep(std::time::Duration::from_secs(3600));
                }
            });
        }
        let routes = router(app)?;
        loop {
            let (stream, addr) = tokio::select! {
                r = listener.accept() => match r {
                    Ok(x) => x,
                    Err(_) => continue,
                },
                _ = tokio::signal::ctrl_c() => return Ok(()),
            };
            let svc = hyper_util::service::TowerToHyperService::new(routes.clone().layer(Extension(Peer(addr.ip()))));
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let mut http = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
                // Headers must arrive within hyper's default 30 s once it has a timer.
                http.http1().timer(hyper_util::rt::TokioTimer::new());
                match acceptor {
                    Some(a) => {
                        if let Ok(Ok(s)) =
                            tokio::time::timeout(std::time::Duration::from_secs(10), a.accept(stream)).await
                        {
                            let _ = http.serve_connection(hyper_util::rt::TokioIo::new(s), svc).await;
                        }
                    }
                    None => {
                        let _ = http.serve_connection(hyper_util::rt::TokioIo::new(stream), svc).await;
                    }
                }
            });
        }
    })
}

/// Who may reach a route: every route has one, and the authorization test
/// (`tests/cli/extranet.rs`) walks every route of [`ROUTES`] for every kind of account by its
/// rule, so a route added without a rule, or with one the test does not know, fails it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Anyone: the sign-in and set-password pages, the style sheet.
    Public,
    /// Any signed-in account (lists show only what the account may see).
    SignedIn,
    /// The signed-in account's own session (sign-out).
    Session,
    /// A session whose password was right and whose second factor is awaited; any other
    /// is sent to the sign-in page.
    SecondFactor,
    /// A signed-in account's own second factor, reached also by an administrator who must set
    /// one up before anything else.
    Enrol,
    /// A site the account sees (`ops::access::visible_site`); another's is a 404.
    Site,
    /// A site the account sees and may purge (`ops::access::may_flush`).
    SiteFlush,
    /// A ticket the account may read (`ops::tickets::authorize`); another's is a 404.
    TicketRead,
    /// A ticket the account may comment or attach to (the `ticket` field when the path has none).
    TicketComment,
    /// Opening a ticket in a project and space (`ops::tickets::open`).
    TicketOpen,
}

/// One route of the extranet.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Route {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path, with `{name}` and `{id}` parameters.
    pub path: &'static str,
    /// Who may reach it.
    pub rule: Rule,
}

const fn route(method: &'static str, path: &'static str, rule: Rule) -> Route {
    Route { method, path, rule }
}

/// Reads every site's archived days not read yet (`logs::daily`), on a store connection of its
/// own, and says how long it took.
fn warm_statistics(app: &App, archive: &Path) {
    use amoe_store::sites::SiteReads;
    let started = std::time::Instant::now();
    let Ok(store) = Store::open(&app.settings.store) else { return };
    let Ok(sites) = store.sites() else { return };
    let (mut read, mut days) = (0, 0);
    for site in &sites {
        let name = site.name.as_str();
        if let Ok(rows) = crate::logs::daily::w3c_rows(&store, name)
            && !rows.is_empty()
            && let Ok(n) = app.daily.warm(&rows, archive, name)
        {
            read += 1;
            days += n;
        }
    }
    eprintln!(
        "extranet: statistics of {read} site(s) ready, {days} day(s), in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Every route, with its rule. The router is made from this list and nothing else.
pub const ROUTES: &[Route] = &[
    route("GET", "/", Rule::SignedIn),
    route("GET", "/login", Rule::Public),
    route("POST", "/login", Rule::Public),
    route("GET", "/password", Rule::Public),
    route("POST", "/password", Rule::Public),
    route("GET", "/login/code", Rule::SecondFactor),
    route("POST", "/login/code", Rule::SecondFactor),
    route("POST", "/logout", Rule::Session),
    route("GET", "/account/totp", Rule::Enrol),
    route("POST", "/account/totp", Rule::Enrol),
    route("GET", "/sites", Rule::SignedIn),
    route("GET", "/sites/{name}", Rule::Site),
    route("GET", "/sites/{name}/stats", Rule::Site),
    route("GET", "/sites/{name}/stats.svg", Rule::Site),
    route("GET", "/sites/{name}/stats.csv", Rule::Site),
    route("GET", "/sites/{name}/stats.xlsx", Rule::Site),
    route("GET", "/sites/{name}/flush", Rule::Site),
    route("POST", "/sites/{name}/flush", Rule::SiteFlush),
    route("GET", "/tickets", Rule::SignedIn),
    route("GET", "/tickets/new", Rule::SignedIn),
    route("GET", "/tickets/stats", Rule::SignedIn),
    route("GET", "/tickets/stats.xlsx", Rule::SignedIn),
    route("GET", "/tickets/export.csv", Rule::SignedIn),
    route("GET", "/tickets/export.xlsx", Rule::SignedIn),
    route("POST", "/tickets/new", Rule::TicketOpen),
    route("GET", "/tickets/{id}", Rule::TicketRead),
    route("POST", "/tickets/{id}", Rule::TicketComment),
    route("GET", "/tickets/{id}/files/{name}", Rule::TicketRead),
    route("GET", "/deposits", Rule::SignedIn),
    route("POST", "/deposits", Rule::TicketComment),
    route("GET", "/style.css", Rule::Public),
];

/// The routes whose forms carry a file.
const UPLOADS: &[(&str, &str)] = &[("POST", "/tickets/new"), ("POST", "/tickets/{id}"), ("POST", "/deposits")];

/// The handler of a route of [`ROUTES`].
fn handler(r: &Route) -> Option<axum::routing::MethodRouter<Shared>> {
    Some(match (r.method, r.path) {
        ("GET", "/") => get(home),
        ("GET", "/login") => get(login_page),
        ("POST", "/login") => post(login),
        ("GET", "/password") => get(password_page),
        ("POST", "/password") => post(set_password),
        ("GET", "/login/code") => get(second_factor::code_page),
        ("POST", "/login/code") => post(second_factor::code),
        ("POST", "/logout") => post(logout),
        ("GET", "/account/totp") => get(second_factor::settings),
        ("POST", "/account/totp") => post(second_factor::change),
        ("GET", "/sites") => get(sites),
        ("GET", "/sites/{name}") => get(site),
        ("GET", "/sites/{name}/stats") => get(stats::stats),
        ("GET", "/sites/{name}/stats.svg") => get(stats::chart),
        ("GET", "/sites/{name}/stats.csv") => get(stats::csv),
        ("GET", "/sites/{name}/stats.xlsx") => get(stats::xlsx),
        ("GET", "/sites/{name}/flush") => get(flush::form),
        ("POST", "/sites/{name}/flush") => post(flush::submit),
        ("GET", "/tickets") => get(tickets::list),
        ("GET", "/tickets/new") => get(tickets::new_form),
        ("GET", "/tickets/stats") => get(tickets::stats),
        ("GET", "/tickets/stats.xlsx") => get(tickets::stats_xlsx),
        ("GET", "/tickets/export.csv") => get(tickets::export_csv),
        ("GET", "/tickets/export.xlsx") => get(tickets::export_xlsx),
        ("POST", "/tickets/new") => post(tickets::create),
        ("GET", "/tickets/{id}") => get(tickets::show),
        ("POST", "/tickets/{id}") => post(tickets::comment),
        ("GET", "/tickets/{id}/files/{name}") => get(tickets::attachment),
        ("GET", "/deposits") => get(tickets::deposits),
        ("POST", "/deposits") => post(tickets::deposit),
        ("GET", "/style.css") => get(style),
        _ => return None,
    })
}

fn router(app: Shared) -> anyhow::Result<axum::Router> {
    let mut r = axum::Router::new();
    for route in ROUTES {
        let mut h = handler(route)
            .ok_or_else(|| anyhow::anyhow!("the route {} {} has no handler", route.method, route.path))?;
        // A file of MAX_ATTACHMENT and the form around it on the forms that carry one; a bigger
        // body is refused as it comes.
        if UPLOADS.contains(&(route.method, route.path)) {
            h = h.layer(axum::extract::DefaultBodyLimit::max(crate::ops::tickets::MAX_ATTACHMENT as usize + 64 * 1024));
        }
        r = r.route(route.path, h);
    }
    Ok(r.fallback(not_found)
        // Every other form is small.
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .layer(axum::middleware::from_fn_with_state(app.clone(), sessions))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(app))
}

/// The request's session, looked up once (by [`sessions`]) for every handler: its id's hash and
/// what the store has, or `None`.
#[derive(Debug, Clone)]
struct Current(Option<(String, amoe_store::web::WebSession)>);

/// Looks the request's session up, once, for the handlers ([`Current`]). A session cookie the
/// store does not know, or no longer (forged, ended, expired), is journaled (once a minute per
/// address), dropped from the request, and cleared in the browser: the page answers as to
/// someone signed out.
async fn sessions(
    State(app): State<Shared>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let Some(id) = cookie(req.headers(), SESSION_COOKIE).filter(|c| !c.is_empty()) else {
        req.extensions_mut().insert(Current(None));
        return next.run(req).await;
    };
    let found = session(&app, &id);
    let known = found.is_some();
    req.extensions_mut().insert(Current(found));
    if known {
        return next.run(req).await;
    }
    let peer = req.extensions().get::<Peer>().map(|p| p.0);
    if let (Ok(mut st), Some(peer)) = (app.store.lock(), peer) {
        journal_noise(
            &app,
            &mut st,
            "unknown",
            "session",
            peer,
            "refused: a session cookie this server does not know (forged, ended or expired)",
        );
    }
    // The other cookies stay; this one goes.
    let rest: Vec<String> = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|kv| !kv.starts_with(&format!("{SESSION_COOKIE}=")) && !kv.is_empty())
        .map(str::to_owned)
        .collect();
    req.headers_mut().remove(header::COOKIE);
    if let Ok(v) = HeaderValue::from_str(&rest.join("; "))
        && !rest.is_empty()
    {
        req.headers_mut().insert(header::COOKIE, v);
    }
    let mut res = next.run(req).await;
    // Unless the answer sets a new session (a sign-in): the last cookie set would win.
    let sets_one = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.starts_with(&format!("{SESSION_COOKIE}="))));
    if !sets_one {
        res.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", Some(0)));
    }
    res
}

/// Every answer's headers: no script at all, nothing framed, no referrer, HTTPS only.
async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    let set = |h: &mut HeaderMap, name: &'static str, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(h, "strict-transport-security", "max-age=31536000; includeSubDomains");
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "no-referrer");
    set(h, "x-frame-options", "DENY");
    set(h, "cache-control", "no-store");
    res
}

/// A cookie of the request.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn set_cookie(name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let age = max_age.map(|s| format!("; Max-Age={s}")).unwrap_or_default();
    HeaderValue::from_str(&format!("{name}={value}; Path=/; Secure; HttpOnly; SameSite=Strict{age}"))
        .unwrap_or_else(|_| HeaderValue::from_static("amoe_invalid=1"))
}

fn lang_of(q: &HashMap<String, String>, headers: &HeaderMap) -> Lang {
    let chosen = q.get("lang").cloned().or_else(|| cookie(headers, "amoe_lang"));
    if chosen.as_deref() == Some("en") { Lang::En } else { Lang::Fr }
}

/// Password checks running at once (argon2id takes 19 MiB each); others wait their turn.
static PASSWORD_CHECKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// A hash to verify against when the account has none: a failure takes as long either way.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| secret::hash_password("not anyone's password").unwrap_or_default());

/// An entry of the audit journal for the extranet.
fn journal(app: &App, store: &mut Store, who: &str, command: &str, peer: IpAddr, outcome: &str) {
    let draft = AuditDraft {
        operator: app.operator.clone(),
        command: format!("extranet {command}"),
        target: Some(who.to_string()),
        args: vec![format!("from {peer}")],
        identity: Some(format!("{who} (extranet)")),
    };
    if let Err(e) = store.journal(&draft, outcome) {
        eprintln!("warning: the audit journal refused an entry: {e}");
    }
}

/// A journal entry for what anyone can send again and again (a forged cookie, a form without
/// its token, attempts past the limit): once a minute per address and kind at most, so that
/// a flood neither fills the journal nor holds the store.
fn journal_noise(app: &App, store: &mut Store, who: &str, command: &str, peer: IpAddr, outcome: &str) {
    let now = std::time::Instant::now();
    let key = (peer, format!("{command}: {outcome}"));
    {
        let Ok(mut seen) = app.noise.lock() else { return };
        if seen.get(&key).is_some_and(|t| now.duration_since(*t) < std::time::Duration::from_secs(60)) {
            return;
        }
        if seen.len() > 10_000 {
            seen.retain(|_, t| now.duration_since(*t) < std::time::Duration::from_secs(60));
        }
        seen.insert(key, now);
    }
    journal(app, store, who, command, peer, outcome);
}

/// The session of the cookie `id`, if alive: its id's hash and what the store has (its last
/// use recorded). Called once per request, by [`sessions`].
fn session(app: &App, id: &str) -> Option<(String, amoe_store::web::WebSession)> {
    let key = secret::sha256_hex(id);
    let t = now();
    let mut store = app.store.lock().ok()?;
    let s = store
        .touch_web_session(
            &key,
            &stamp(t),
            &stamp(t - minutes(1)),
            &stamp(t - minutes(IDLE_MINUTES)),
            &stamp(t - jiff::SignedDuration::from_hours(ABSOLUTE_HOURS)),
        )
        .ok()??;
    Some((key, s))
}

/// The signed-in account of the request: a session past every factor (`full`).
fn account(app: &App, cur: &Current) -> Option<(amoe_store::web::WebSession, amoe_store::tickets::User)> {
    let (_, s) = cur.0.clone().filter(|(_, s)| s.stage == "full")?;
    let st = app.store.lock().ok()?;
    let user = st.user(&s.email).ok()??;
    // An account made administrator since it signed in has no full session until it has a
    // second factor.
    if user.admin && st.web_totp(&s.email).ok()?.is_none_or(|t| t.enabled_at.is_none()) {
        return None;
    }
    Some((s, user))
}

/// The signed-in account of a request (a session past every factor) and the language of its
/// pages; a request without one is sent to the sign-in page.
struct Signed {
    lang: Lang,
    session: amoe_store::web::WebSession,
    user: amoe_store::tickets::User,
}

impl axum::extract::FromRequestParts<Shared> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut http::request::Parts, app: &Shared) -> Result<Signed, Response> {
        let q: HashMap<String, String> = Query::try_from_uri(&parts.uri).map(|Query(q)| q).unwrap_or_default();
        let lang = lang_of(&q, &parts.headers);
        let cur = parts.extensions.get::<Current>().cloned().unwrap_or(Current(None));
        let (session, user) = account(app, &cur).ok_or_else(|| Redirect::to("/login").into_response())?;
        Ok(Signed { lang, session, user })
    }
}

/// What the account's sites look like on a page: the site, and its hosts with their location.
fn shown(store: &Store, site: amoe_core::Site) -> pages::SiteView {
    use amoe_store::hosts::HostReads;
    let hosts = site
        .hosts
        .iter()
        .map(|h| {
            let location = store.host(h).ok().and_then(|x| x.location);
            (h.to_string(), location)
        })
        .collect();
    pages::SiteView { site, hosts }
}

async fn sites(State(app): State<Shared>, Signed { lang, user, .. }: Signed) -> Response {
    let Ok(st) = app.store.lock() else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
    match crate::ops::access::visible_sites(&*st, &user) {
        Ok(list) => {
            let views: Vec<pages::SiteView> = list.into_iter().map(|x| shown(&st, x)).collect();
            page(StatusCode::OK, pages::sites(lang, &views))
        }
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

async fn site(
    State(app): State<Shared>,
    axum::extract::Path(name): axum::extract::Path<String>,
    Signed { lang, user, .. }: Signed,
) -> Response {
    let view = {
        let Ok(st) = app.store.lock() else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
        // Another beneficiary's site is answered as one that does not exist.
        match crate::ops::access::visible_site(&*st, &user, &name) {
            Ok(Some(x)) => shown(&st, x),
            Ok(None) => return page(StatusCode::NOT_FOUND, pages::message(lang, pages::Msg::NotFound)),
            Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        }
    };
    let certs = served_certs(&app, view.site.clone()).await;
    page(StatusCode::OK, pages::site(lang, &view, certs.as_deref()))
}

/// The certificates the site's hosts serve, asked live as `amoe site cert list` does; `None`
/// when they could not be asked (no client certificate) or took over [`CERT_WAIT`].
async fn served_certs(app: &Shared, site: amoe_core::Site) -> Option<Vec<crate::ops::site::CertRow>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    /// Asks in flight: past a few, a page says "not asked" rather than start another.
    static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
    if IN_FLIGHT.fetch_add(1, Ordering::SeqCst) >= 4 {
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
        return None;
    }
    let settings = app.settings.clone();
    let (tx, rx) = tokio::sync::oneshot::channel();
    // The fleet client runs its own runtime: a thread of its own.
    std::thread::spawn(move || {
        let rows = Store::open(&settings.store)
            .map_err(anyhow::Error::from)
            .and_then(|st| crate::ops::site::served_certs(&st, &settings, std::slice::from_ref(&site)));
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
        let _ = tx.send(rows.ok());
    });
    tokio::time::timeout(CERT_WAIT, rx).await.ok()?.ok()?
}

/// How long a site page waits for its hosts to say which certificate they serve.
const CERT_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

fn page(status: StatusCode, markup: maud::Markup) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], markup.into_string()).into_response()
}

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], pages::STYLE).into_response()
}

async fn not_found(Query(q): Query<HashMap<String, String>>, headers: HeaderMap) -> Response {
    page(StatusCode::NOT_FOUND, pages::message(lang_of(&q, &headers), pages::Msg::NotFound))
}

async fn home(
    State(app): State<Shared>,
    Signed { lang, session: s, user }: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    // What the account has, through the same rules as the pages that show it.
    let sum = app
        .store
        .lock()
        .ok()
        .map(|st| {
            let sites = crate::ops::access::visible_sites(&*st, &user).map(|l| l.len()).unwrap_or(0);
            let open_tickets = st
                .actor(&user)
                .ok()
                .map(|actor| crate::ops::tickets::Acting { user: user.clone(), actor, notify: None })
                .and_then(|who| {
                    crate::ops::tickets::list(&st, &who, &amoe_store::tickets::TicketFilter::default()).ok()
                })
                .map(|t| t.iter().filter(|t| t.status != amoe_core::tickets::Status::Closed).count())
                .unwrap_or(0);
            pages::Summary { sites, open_tickets }
        })
        .unwrap_or_default();
    let mut res = page(StatusCode::OK, pages::home(lang, &user.name, &s.email, &s.csrf, sum));
    if let Some(l) = q.get("lang").filter(|l| *l == "en" || *l == "fr") {
        res.headers_mut().append(header::SET_COOKIE, set_cookie("amoe_lang", l, Some(31_536_000)));
    }
    res
}

/// A form before sign-in: a fresh token in a cookie, repeated in the form.
fn pre_form(status: StatusCode, build: impl FnOnce(&str) -> maud::Markup) -> Response {
    let Ok(token) = secret::token() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "no randomness from the system").into_response();
    };
    let mut res = page(status, build(&token));
    res.headers_mut().append(header::SET_COOKIE, set_cookie(PRE_COOKIE, &token, None));
    res
}

fn pre_ok(headers: &HeaderMap, form: &HashMap<String, String>) -> bool {
    match (cookie(headers, PRE_COOKIE), form.get("csrf")) {
        (Some(c), Some(f)) => !c.is_empty() && secret::same(&c, f),
        _ => false,
    }
}

async fn login_page(
    Extension(cur): Extension<Current>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&q, &headers);
    // A session half-way through signing in goes on where it stopped.
    match cur.0.map(|(_, s)| s.stage) {
        Some(s) if s == "code" => return Redirect::to("/login/code").into_response(),
        Some(s) if s == "enrol" => return Redirect::to("/account/totp").into_response(),
        _ => {}
    }
    let note = q.contains_key("set").then_some(pages::Msg::PasswordSet);
    pre_form(StatusCode::OK, |t| pages::login(lang, t, note, ""))
}

async fn login(
    State(app): State<Shared>,
    Extension(Peer(peer)): Extension<Peer>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(&q, &headers);
    // As typed, it goes to the journal and the failure count: no control characters (a terminal
    // reading the journal must not be steered), no more than an address can hold.
    let email: String = form
        .get("email")
        .map(|e| e.trim().to_ascii_lowercase())
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(254)
        .collect();
    // No password is longer than the set-password page takes: a longer one is wrong, and is
    // not hashed (the hash's time grows with what it is given).
    let password = form.get("password").cloned().filter(|p| p.len() <= 1024).unwrap_or_default();
    let again = |status, msg| pre_form(status, |t| pages::login(lang, t, Some(msg), &email));
    if !pre_ok(&headers, &form) {
        if let Ok(mut st) = app.store.lock() {
            journal_noise(&app, &mut st, &email, "sign-in", peer, "refused: no valid form token");
        }
        return again(StatusCode::FORBIDDEN, pages::Msg::FormExpired);
    }
    let t = now();
    // The attempt counts as failed from before the check: many at once cannot all pass the
    // limit. It is taken back if the password is right.
    let (hash, pending) = {
        let Ok(mut st) = app.store.lock() else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
        if let Some(wait) = locked_out(&st, &email, peer, t) {
            journal_noise(&app, &mut st, &email, "sign-in", peer, "refused: too many failed attempts");
            return again(StatusCode::TOO_MANY_REQUESTS, pages::Msg::TooMany(wait));
        }
        let Ok(pending) = st.add_web_failure(&email, &address_key(peer), &stamp(t)) else {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        };
        (st.web_password(&email).ok().flatten(), pending)
    };
    // Verified off the async threads, a few at a time (each takes 19 MiB); an unknown account
    // costs the same as a wrong password.
    let Ok(_permit) = PASSWORD_CHECKS.acquire().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let ok = tokio::task::spawn_blocking(move || match hash {
        Some(h) => secret::verify_password(&password, &h),
        None => {
            let _ = secret::verify_password(&password, &DUMMY_HASH);
            false
        }
    })
    .await
    .unwrap_or(false);
    let Ok(mut st) = app.store.lock() else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
    if !ok {
        let _ = st.prune_web(&stamp(t - jiff::SignedDuration::from_hours(ABSOLUTE_HOURS)));
        journal(&app, &mut st, &email, "sign-in", peer, "failed: wrong e-mail or password");
        return again(StatusCode::UNAUTHORIZED, pages::Msg::WrongPassword);
    }
    let _ = st.remove_web_failure(pending);
    // With a second factor, the session waits for its code; an administrator without one
    // must set it up before anything else.
    let totp_on = st.web_totp(&email).ok().flatten().is_some_and(|x| x.enabled_at.is_some());
    let admin = st.user(&email).ok().flatten().is_some_and(|u| u.admin);
    let (stage, next, said) = if totp_on {
        ("code", "/login/code", "password right; second factor awaited")
    } else if admin {
        ("enrol", "/account/totp", "password right; an administrator must set up a second factor")
    } else {
        ("full", "/", "signed in")
    };
    let _ = st.prune_web(&stamp(t - jiff::SignedDuration::from_hours(ABSOLUTE_HOURS)));
    journal(&app, &mut st, &email, "sign-in", peer, said);
    let mut res = new_session(&mut st, &headers, &email, stage, t, next);
    res.headers_mut().append(header::SET_COOKIE, set_cookie(PRE_COOKIE, "", Some(0)));
    res
}

/// The address failures are counted against: an IPv4 address, or an IPv6 /64 (one client
/// usually holds a whole /64).
fn address_key(peer: IpAddr) -> String {
    match peer {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = a.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Minutes to wait if `email` or `peer` failed too often lately (passwords and codes alike).
fn locked_out(st: &Store, email: &str, peer: IpAddr, t: jiff::Timestamp) -> Option<i64> {
    let since = stamp(t - minutes(WINDOW_MINUTES));
    let (by_account, by_address, first) = st.web_failures(email, &address_key(peer), &since).unwrap_or((0, 0, None));
    (by_account >= MAX_FAILURES || by_address >= MAX_FAILURES).then(|| {
        first
            .and_then(|f| f.parse::<jiff::Timestamp>().ok())
            .map(|f| ((f + minutes(WINDOW_MINUTES)).duration_since(t).as_secs().saturating_add(59) / 60).max(1))
            .unwrap_or(WINDOW_MINUTES)
    })
}

/// A new session at `stage` for `email`, ending the one the browser had (no fixation, and a
/// new id whenever a session gains a right), and the answer that sends the browser to `next`
/// with its cookie.
fn new_session(
    st: &mut Store,
    headers: &HeaderMap,
    email: &str,
    stage: &str,
    t: jiff::Timestamp,
    next: &str,
) -> Response {
    if let Some(old) = cookie(headers, SESSION_COOKIE) {
        let _ = st.end_web_session(&secret::sha256_hex(&old));
    }
    let (Ok(id), Ok(csrf)) = (secret::token(), secret::token()) else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    if st.add_web_session(&secret::sha256_hex(&id), email, &csrf, &stamp(t), stage).is_err() {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let mut res = Redirect::to(next).into_response();
    res.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &id, None));
    res
}

async fn logout(
    State(app): State<Shared>,
    Extension(Peer(peer)): Extension<Peer>,
    Query(q): Query<HashMap<String, String>>,
    Extension(cur): Extension<Current>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(&q, &headers);
    let Some((key, s)) = cur.0 else { return Redirect::to("/login").into_response() };
    if !form.get("csrf").is_some_and(|c| secret::same(c, &s.csrf)) {
        if let Ok(mut st) = app.store.lock() {
            journal(&app, &mut st, &s.email, "sign-out", peer, "refused: no valid form token");
        }
        return page(StatusCode::FORBIDDEN, pages::message(lang, pages::Msg::FormExpired));
    }
    let Ok(mut st) = app.store.lock() else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
    if form.contains_key("everywhere") {
        let n = st.end_web_sessions(&s.email).unwrap_or(0);
        journal(&app, &mut st, &s.email, "sign-out", peer, &format!("signed out everywhere ({n} sessions)"));
    } else {
        let _ = st.end_web_session(&key);
        journal(&app, &mut st, &s.email, "sign-out", peer, "signed out");
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", Some(0)));
    res
}

async fn password_page(
    State(app): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&q, &headers);
    let token = q.get("token").cloned().unwrap_or_default();
    let valid =
        app.store.lock().ok().and_then(|st| st.web_link(&secret::sha256_hex(&token), &stamp(now())).ok().flatten());
    match valid {
        Some(_) => pre_form(StatusCode::OK, |t| pages::password(lang, t, &token, None)),
        None => page(StatusCode::BAD_REQUEST, pages::message(lang, pages::Msg::LinkInvalid)),
    }
}

async fn set_password(
    State(app): State<Shared>,
    Extension(Peer(peer)): Extension<Peer>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(&q, &headers);
    let token = form.get("token").cloned().unwrap_or_default();
    let key = secret::sha256_hex(&token);
    let (password, confirm) = (form.get("password").cloned().unwrap_or_default(), form.get("confirm"));
    let again = |status, msg| pre_form(status, |t| pages::password(lang, t, &token, Some(msg)));
    if !pre_ok(&headers, &form) {
        return again(StatusCode::FORBIDDEN, pages::Msg::FormExpired);
    }
    let Some(email) = app.store.lock().ok().and_then(|st| st.web_link(&key, &stamp(now())).ok().flatten()) else {
        return page(StatusCode::BAD_REQUEST, pages::message(lang, pages::Msg::LinkInvalid));
    };
    if password.chars().count() < MIN_PASSWORD || password.len() > 1024 {
        return again(StatusCode::BAD_REQUEST, pages::Msg::TooShort(MIN_PASSWORD));
    }
    if confirm != Some(&password) {
        return again(StatusCode::BAD_REQUEST, pages::Msg::NoMatch);
    }
    let Ok(Ok(hash)) = tokio::task::spawn_blocking(move || secret::hash_password(&password)).await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let Ok(mut st) = app.store.lock() else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
    match st.use_web_link(&key, &hash, &stamp(now())) {
        Ok(Some(_)) => {
            journal(&app, &mut st, &email, "password", peer, "password set through a mailed link; sessions ended");
            let mut res = Redirect::to("/login?set=1").into_response();
            res.headers_mut().append(header::SET_COOKIE, set_cookie(PRE_COOKIE, "", Some(0)));
            res
        }
        _ => page(StatusCode::BAD_REQUEST, pages::message(lang, pages::Msg::LinkInvalid)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_has_a_handler_and_appears_once() {
        for (i, r) in ROUTES.iter().enumerate() {
            assert!(handler(r).is_some(), "{} {}", r.method, r.path);
            assert!(
                !ROUTES[..i].iter().any(|o| o.method == r.method && o.path == r.path),
                "{} {} twice",
                r.method,
                r.path
            );
        }
    }
}
