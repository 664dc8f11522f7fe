//! The extranet's pages (maud: escaped by construction), in French or English. No script, no
//! inline style: the Content-Security-Policy allows neither. Every page fits a phone's width.

use maud::{DOCTYPE, Markup, html};

pub mod account;
pub mod tickets;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    pub fn t<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    pub fn code(self) -> &'static str {
        self.t("fr", "en")
    }
}

/// What a page tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    WrongPassword,
    TooMany(i64),
    FormExpired,
    LinkInvalid,
    PasswordSet,
    TooShort(usize),
    NoMatch,
    NotFound,
    BadRange,
}

fn text(lang: Lang, m: Msg) -> String {
    match m {
        Msg::WrongPassword => lang.t("Adresse e-mail ou mot de passe incorrect.", "Wrong e-mail or password.").into(),
        Msg::TooMany(min) => match lang {
            Lang::Fr => format!("Trop de tentatives échouées : réessayez dans {min} minute(s)."),
            Lang::En => format!("Too many failed attempts: try again in {min} minute(s)."),
        },
        Msg::FormExpired => lang
            .t(
                "Le formulaire a expiré ou ne vient pas de ce site : rien n'a été fait. Recommencez.",
                "The form expired or did not come from this site: nothing was done. Please try again.",
            )
            .into(),
        Msg::LinkInvalid => lang
            .t(
                "Ce lien a expiré ou a déjà servi. Demandez-en un nouveau à votre interlocuteur.",
                "This link has expired or was already used. Ask your contact for a new one.",
            )
            .into(),
        Msg::PasswordSet => lang
            .t("Votre mot de passe est enregistré : connectez-vous.", "Your password is set: please sign in.")
            .into(),
        Msg::TooShort(n) => match lang {
            Lang::Fr => format!("Le mot de passe doit compter au moins {n} caractères."),
            Lang::En => format!("The password must have at least {n} characters."),
        },
        Msg::NoMatch => lang.t("Les deux mots de passe diffèrent.", "The two passwords differ.").into(),
        Msg::NotFound => lang.t("Cette page n'existe pas.", "This page does not exist.").into(),
        Msg::BadRange => lang
            .t(
                "Période invalide : dates AAAA-MM-JJ, la première avant la seconde, deux ans au plus ; regroupement par jour, semaine ou mois.",
                "Invalid period: dates YYYY-MM-DD, the first before the second, two years at most; grouped by day, week or month.",
            )
            .into(),
    }
}

pub fn layout(lang: Lang, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — " (lang.t("Extranet", "Extranet")) }
                link rel="stylesheet" href="/style.css";
            }
            body {
                header {
                    p.brand { "Extranet" }
                    nav aria-label=(lang.t("Menu principal", "Main menu")) {
                        a href={ "/?lang=" (lang.code()) } { (lang.t("Accueil", "Home")) } " · "
                        a href={ "/sites?lang=" (lang.code()) } { (lang.t("Sites", "Sites")) } " · "
                        a href={ "/tickets?lang=" (lang.code()) } { (lang.t("Tickets", "Tickets")) } " · "
                        a href={ "/deposits?lang=" (lang.code()) } { (lang.t("Dépôts", "Deposits")) }
                    }
                    nav aria-label=(lang.t("Langue", "Language")) {
                        a href="?lang=fr" lang="fr" { "Français" } " · " a href="?lang=en" lang="en" { "English" }
                    }
                }
                main { (body) }
            }
        }
    }
}

fn notice(lang: Lang, m: Option<Msg>) -> Markup {
    html! {
        @if let Some(m) = m {
            @let ok = m == Msg::PasswordSet;
            p.notice.ok[ok] role=(if ok { "status" } else { "alert" }) { (text(lang, m)) }
        }
    }
}

pub fn login(lang: Lang, csrf: &str, note: Option<Msg>, email: &str) -> Markup {
    let title = lang.t("Connexion", "Sign in");
    layout(
        lang,
        title,
        html! {
            h1 { (title) }
            (notice(lang, note))
            form method="post" action={ "/login?lang=" (lang.code()) } {
                input type="hidden" name="csrf" value=(csrf);
                label for="email" { (lang.t("Adresse e-mail", "E-mail")) }
                input #email type="email" name="email" value=(email) autocomplete="username" required;
                label for="password" { (lang.t("Mot de passe", "Password")) }
                input #password type="password" name="password" autocomplete="current-password" required;
                button type="submit" { (lang.t("Se connecter", "Sign in")) }
            }
        },
    )
}

pub fn password(lang: Lang, csrf: &str, token: &str, note: Option<Msg>) -> Markup {
    let title = lang.t("Choisir votre mot de passe", "Choose your password");
    layout(
        lang,
        title,
        html! {
            h1 { (title) }
            (notice(lang, note))
            form method="post" action={ "/password?lang=" (lang.code()) } {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="token" value=(token);
                label for="password" { (lang.t("Nouveau mot de passe (12 caractères au moins)", "New password (12 characters at least)")) }
                input #password type="password" name="password" autocomplete="new-password" minlength="12" required;
                label for="confirm" { (lang.t("Le même, une seconde fois", "The same again")) }
                input #confirm type="password" name="confirm" autocomplete="new-password" minlength="12" required;
                button type="submit" { (lang.t("Enregistrer", "Save")) }
            }
        },
    )
}

/// What the home page counts for the account.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    pub sites: usize,
    pub open_tickets: usize,
}

pub fn home(lang: Lang, name: &str, email: &str, csrf: &str, sum: Summary) -> Markup {
    let title = lang.t("Accueil", "Home");
    let l = lang.code();
    layout(
        lang,
        title,
        html! {
            h1 { (lang.t("Bonjour", "Hello")) " " (name) }
            p { (lang.t("Vous êtes connecté en tant que", "You are signed in as")) " " strong { (email) } "." }
            ul {
                li { a href={ "/sites?lang=" (l) } { (lang.t("Vos sites", "Your sites")) } " (" (sum.sites) ") : "
                    (lang.t("configuration, statistiques, purge du cache", "configuration, statistics, cache purge")) }
                li { a href={ "/tickets?lang=" (l) } { (lang.t("Vos tickets", "Your tickets")) } " ("
                    (sum.open_tickets) " " (lang.t("non clos", "not closed")) ")" }
                li { a href={ "/tickets/new?lang=" (l) } { (lang.t("Ouvrir un ticket", "Open a ticket")) } }
                li { a href={ "/deposits?lang=" (l) } { (lang.t("Déposer un fichier d'installation", "Deposit an installation bundle")) } }
                li { a href={ "/account/totp?lang=" (l) } { (lang.t("Second facteur de connexion", "Sign-in second factor")) } }
            }
            form method="post" action={ "/logout?lang=" (lang.code()) } {
                input type="hidden" name="csrf" value=(csrf);
                button type="submit" { (lang.t("Se déconnecter", "Sign out")) }
            }
            form method="post" action={ "/logout?lang=" (lang.code()) } {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="everywhere" value="1";
                button type="submit" { (lang.t("Se déconnecter partout", "Sign out everywhere")) }
            }
        },
    )
}

pub fn message(lang: Lang, m: Msg) -> Markup {
    let title = lang.t("Extranet", "Extranet");
    layout(
        lang,
        title,
        html! {
            (notice(lang, Some(m)))
            p { a href="/login" { (lang.t("Page de connexion", "Sign-in page")) } }
        },
    )
}

/// The only style sheet (served from `/style.css`: the policy forbids inline styles).
pub const STYLE: &str =
    "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:40rem;padding:1rem;line-height:1.5;color:#1b1b1b}
header{display:flex;justify-content:space-between;align-items:center;flex-wrap:wrap;border-bottom:1px solid #ccc}
.brand{font-weight:bold}
label{display:block;margin-top:1rem}
input,textarea{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{margin-top:1rem;padding:.5rem 1rem;font-size:1rem}
.notice{padding:.5rem;border-left:4px solid #b00020;background:#fdecee}
.notice.ok{border-color:#1b5e20;background:#e8f5e9}
.warn{color:#b00020}
a{color:#0b3d91}
table{border-collapse:collapse;width:100%}
.scroll{overflow-x:auto;margin:1rem 0}
.scroll:focus{outline:2px solid #0b3d91}
img{max-width:100%;height:auto}
td.n{text-align:right}
fieldset{border:1px solid #ccc;margin-top:1rem}
select{font-size:1rem;padding:.5rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
dt{font-weight:bold}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
ol.history>li{margin-bottom:.75rem}
code,li,dd,p,h1{overflow-wrap:anywhere}
";

/// A site as shown: the site, and its hosts with their location.
#[derive(Debug)]
pub struct SiteView {
    pub site: amoe_core::Site,
    pub hosts: Vec<(String, Option<String>)>,
}

fn state(lang: Lang, v: &SiteView) -> &'static str {
    if v.site.active {
        lang.t("en service (cache)", "active (cached)")
    } else {
        lang.t("désactivé (sans cache)", "deactivated (no cache)")
    }
}

fn places(v: &SiteView) -> String {
    v.hosts
        .iter()
        .map(|(h, l)| match l {
            Some(l) => format!("{h} ({l})"),
            None => h.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn sites(lang: Lang, list: &[SiteView]) -> Markup {
    let title = lang.t("Vos sites", "Your sites");
    layout(
        lang,
        title,
        html! {
            h1 { (title) }
            @if list.is_empty() {
                p { (lang.t("Aucun site n'est rattaché à votre compte.", "No site is linked to your account.")) }
            } @else {
                div.scroll tabindex="0" role="region" aria-label=(lang.t("Tableau", "Table")) {
                    table {
                        caption { (title) }
                        thead { tr {
                            th scope="col" { (lang.t("Site", "Site")) }
                            th scope="col" { (lang.t("Domaines", "Domains")) }
                            th scope="col" { (lang.t("État", "State")) }
                            th scope="col" { (lang.t("Serveurs", "Hosts")) }
                        } }
                        tbody {
                            @for v in list {
                                tr {
                                    th scope="row" { a href={ "/sites/" (v.site.name.as_str()) "?lang=" (lang.code()) } { (v.site.name.as_str()) } }
                                    td { (v.site.domains.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) }
                                    td { (state(lang, v)) }
                                    td { (places(v)) }
                                }
                            }
                        }
                    }
                }
            }
            p { a href={ "/?lang=" (lang.code()) } { (lang.t("Accueil", "Home")) } }
        },
    )
}

/// A certificate's expiry as the site page shows it: the Paris date and the days left.
fn expiry(lang: Lang, not_after: &str) -> (String, bool) {
    match not_after.parse::<jiff::Timestamp>() {
        Ok(t) => {
            let days = t.duration_since(jiff::Timestamp::now()).as_secs().div_euclid(86_400);
            let date = t.to_zoned(amoe_core::time::paris()).strftime("%Y-%m-%d").to_string();
            let text = match lang {
                Lang::Fr => format!("{date} (dans {days} jours)"),
                Lang::En => format!("{date} (in {days} days)"),
            };
            (text, days < 30)
        }
        Err(_) => (not_after.to_owned(), false),
    }
}

pub fn site(lang: Lang, v: &SiteView, certs: Option<&[crate::ops::site::CertRow]>) -> Markup {
    let s = &v.site.settings;
    let yes = |b: bool| if b { lang.t("oui", "yes") } else { lang.t("non", "no") };
    layout(
        lang,
        v.site.name.as_str(),
        html! {
            h1 { (v.site.name.as_str()) }
            dl {
                dt { (lang.t("Domaines", "Domains")) }
                dd { (v.site.domains.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) }
                dt { (lang.t("État", "State")) } dd { (state(lang, v)) }
                dt { (lang.t("Catégorie", "Category")) } dd { (v.site.category.to_string()) }
                dt { (lang.t("Serveurs", "Hosts")) } dd { (places(v)) }
            }
            (site_nav(lang, v.site.name.as_str()))
            h2 { (lang.t("Règles en vigueur", "Rules in force")) }
            dl {
                dt { (lang.t("Redirection vers HTTPS", "Redirect to HTTPS")) } dd { (yes(s.https_redirect)) }
                dt { "HSTS" }
                dd { @match s.hsts_max_age_secs {
                    Some(n) => { (n) " s" @if s.hsts_include_subdomains { " (includeSubDomains)" } }
                    None => { (yes(false)) }
                } }
                dt { (lang.t("Taille maximale des requêtes", "Largest request body")) }
                dd { @match s.max_body_bytes { Some(n) => { (n) " " (lang.t("octets", "bytes")) } None => { (lang.t("par défaut", "default")) } } }
                dt { (lang.t("Contenu périmé servi au plus", "Stale content served for at most")) }
                dd { @match s.stale_limit_secs { Some(n) => { (n) " s" } None => { (lang.t("par défaut", "default")) } } }
            }
            h2 { (lang.t("Certificats HTTPS", "HTTPS certificates")) }
            @match certs {
                None => { p role="status" { (lang.t("Les serveurs n'ont pas pu être interrogés à l'instant.", "The hosts could not be asked just now.")) } }
                Some(rows) => {
                    ul {
                        @for r in rows {
                            li {
                                strong { (r.host) } " : "
                                @match &r.certificate {
                                    Some(c) => {
                                        @let (text, soon) = expiry(lang, &c.not_after);
                                        (lang.t("expire le ", "expires on ")) (text)
                                        @if soon { " — " strong.warn { (lang.t("bientôt", "soon")) } }
                                        " (" (c.names.join(", ")) ")"
                                    }
                                    None => { (lang.t("aucun certificat connu", "no certificate known")) }
                                }
                            }
                        }
                    }
                }
            }
            p { a href={ "/sites?lang=" (lang.code()) } { (lang.t("Vos sites", "Your sites")) } }
        },
    )
}

pub fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.1} %", x * 100.0)).unwrap_or_else(|| "—".into())
}

/// A byte count for people: 1.2 Go / GB.
pub fn human_bytes(lang: Lang, n: u64) -> String {
    let units = match lang {
        Lang::Fr => ["o", "Ko", "Mo", "Go", "To"],
        Lang::En => ["B", "KB", "MB", "GB", "TB"],
    };
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1000.0 && i < units.len() - 1 {
        v /= 1000.0;
        i += 1;
    }
    if i == 0 { format!("{n} {}", units[0]) } else { format!("{v:.1} {}", units[i]) }
}

/// Links to a site's pages, under its title.
fn site_nav(lang: Lang, name: &str) -> Markup {
    let l = lang.code();
    html! {
        nav aria-label=(lang.t("Pages du site", "Site pages")) {
            a href={ "/sites/" (name) "?lang=" (l) } { (lang.t("Configuration", "Configuration")) } " · "
            a href={ "/sites/" (name) "/stats?lang=" (l) } { (lang.t("Statistiques", "Statistics")) } " · "
            a href={ "/sites/" (name) "/flush?lang=" (l) } { (lang.t("Purge du cache", "Cache purge")) }
        }
    }
}

pub fn stats(lang: Lang, name: &str, r: &super::stats::Range, f: &crate::logs::daily::Figures, query: &str) -> Markup {
    use crate::logs::daily::Grouping;
    let title = format!("{} — {}", lang.t("Statistiques", "Statistics"), name);
    let by = |g: Grouping| match g {
        Grouping::Day => lang.t("jour", "day"),
        Grouping::Week => lang.t("semaine", "week"),
        Grouping::Month => lang.t("mois", "month"),
    };
    layout(
        lang,
        &title,
        html! {
            h1 { (title) }
            (site_nav(lang, name))
            form method="get" action={ "/sites/" (name) "/stats" } {
                input type="hidden" name="lang" value=(lang.code());
                fieldset {
                    legend { (lang.t("Période", "Period")) }
                    label for="from" { (lang.t("Du", "From")) }
                    input #from type="date" name="from" value=(r.from.to_string()) required;
                    label for="to" { (lang.t("Au", "To")) }
                    input #to type="date" name="to" value=(r.to.to_string()) required;
                    label for="by" { (lang.t("Par", "By")) }
                    select #by name="by" {
                        @for g in [Grouping::Day, Grouping::Week, Grouping::Month] {
                            option value=(g.word()) selected[g == r.by] { (by(g)) }
                        }
                    }
                }
                button type="submit" { (lang.t("Afficher", "Show")) }
            }
            @if f.rows.is_empty() {
                p role="status" { (lang.t(
                    "Aucune donnée pour cette période : les journaux de la veille sont disponibles chaque matin.",
                    "No figures for this period: yesterday's logs are available every morning.")) }
            } @else {
                h2 { (lang.t("Sur la période", "Over the period")) }
                dl {
                    dt { (lang.t("Requêtes", "Requests")) } dd { (f.total.requests()) }
                    dt { (lang.t("Volume servi", "Volume served")) } dd { (human_bytes(lang, f.total.bytes())) }
                    dt { (lang.t("Visiteurs (cumul des jours)", "Visitors (sum of the days)")) } dd { (f.total.visitors) }
                    dt { (lang.t("Part servie par le CDN (requêtes / octets)", "CDN share (requests / bytes)")) }
                    dd { (pct(f.total.cdn_requests())) " / " (pct(f.total.cdn_bytes())) }
                    dt { (lang.t("Réponses en moins de 2 s", "Answered in under 2 s")) } dd { (pct(f.total.under_2s())) }
                }
                figure {
                    img src={ "/sites/" (name) "/stats.svg?" (query) }
                        alt=(lang.t("Requêtes par période (barres) et part servie par le CDN (ligne) ; les mêmes chiffres sont dans le tableau ci-dessous.",
                                    "Requests per period (bars) and CDN share (line); the same figures are in the table below."))
                        width="960" height="420";
                }
                div.scroll tabindex="0" role="region" aria-label=(lang.t("Tableau", "Table")) {
                    table {
                        caption { (lang.t("Chiffres par ", "Figures by ")) (by(r.by)) }
                        thead { tr {
                            th scope="col" { (lang.t("Période", "Period")) }
                            th scope="col" { (lang.t("Requêtes", "Requests")) }
                            th scope="col" { (lang.t("Volume", "Volume")) }
                            th scope="col" { (lang.t("Visiteurs", "Visitors")) }
                            th scope="col" { (lang.t("CDN (requêtes)", "CDN (requests)")) }
                            th scope="col" { (lang.t("CDN (octets)", "CDN (bytes)")) }
                            th scope="col" { (lang.t("< 2 s", "< 2 s")) }
                            th scope="col" { "2xx" } th scope="col" { "3xx" } th scope="col" { "4xx" } th scope="col" { "5xx" }
                        } }
                        tbody {
                            @for x in &f.rows {
                                @let c = x.classes();
                                tr {
                                    th scope="row" { (x.period) }
                                    td.n { (x.requests()) }
                                    td.n { (human_bytes(lang, x.bytes())) }
                                    td.n { (x.visitors) }
                                    td.n { (pct(x.cdn_requests())) }
                                    td.n { (pct(x.cdn_bytes())) }
                                    td.n { (pct(x.under_2s())) }
                                    td.n { (c[1]) } td.n { (c[2]) } td.n { (c[3]) } td.n { (c[4]) }
                                }
                            }
                        }
                    }
                }
                @if !f.errors.is_empty() {
                    p.notice role="status" { (lang.t("Certains journaux n'ont pu être lus en entier ; les chiffres s'arrêtent où ils s'interrompent.",
                        "Some logs could not be read whole; the figures stop where they break.")) }
                }
                p {
                    (lang.t("Télécharger :", "Download:")) " "
                    a href={ "/sites/" (name) "/stats.csv?" (query) } download { "CSV" } " · "
                    a href={ "/sites/" (name) "/stats.xlsx?" (query) } download { "Excel (xlsx)" }
                }
            }
        },
    )
}

/// What the flush page tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlushNote {
    ReadOnly,
    Nothing,
    TooMany(usize),
    NotOurs(String),
    BadPrefix(String),
    Done,
    Owed,
    Failed,
}

fn flush_text(lang: Lang, n: &FlushNote) -> String {
    match n {
        FlushNote::ReadOnly => lang
            .t(
                "Votre compte est en lecture seule : il ne peut pas purger de pages.",
                "Your account is read-only: it cannot purge pages.",
            )
            .into(),
        FlushNote::Nothing => {
            lang.t("Indiquez au moins une adresse ou un dossier.", "Give at least one address or folder.").into()
        }
        FlushNote::TooMany(n) => match lang {
            Lang::Fr => format!("Au plus {n} adresses et dossiers à la fois."),
            Lang::En => format!("At most {n} addresses and folders at once."),
        },
        FlushNote::NotOurs(u) => match lang {
            Lang::Fr => {
                format!("« {u} » n'est ni un chemin (/page.html) ni une adresse de ce site : rien n'a été purgé.")
            }
            Lang::En => {
                format!("“{u}” is neither a path (/page.html) nor an address of this site: nothing was purged.")
            }
        },
        FlushNote::BadPrefix(p) => match lang {
            Lang::Fr => {
                format!("« {p} » n'est pas un dossier (il commence par / et n'a pas de « ? ») : rien n'a été purgé.")
            }
            Lang::En => format!("“{p}” is not a folder (it starts with / and has no “?”): nothing was purged."),
        },
        FlushNote::Done => lang.t("Purge faite sur tous les serveurs.", "Purged on every host.").into(),
        FlushNote::Owed => lang
            .t(
                "Purge faite sur une partie des serveurs ; les autres la recevront dès leur retour.",
                "Purged on some hosts; the others will get it as soon as they are back.",
            )
            .into(),
        FlushNote::Failed => lang
            .t(
                "La purge n'a pas pu être lancée : rien n'a été fait. Réessayez ou ouvrez un ticket.",
                "The purge could not be started: nothing was done. Try again or open a ticket.",
            )
            .into(),
    }
}

#[allow(clippy::too_many_arguments)]
pub fn flush(
    lang: Lang,
    site: &amoe_core::Site,
    csrf: &str,
    may: bool,
    urls: &str,
    prefixes: &str,
    note: Option<FlushNote>,
    report: Option<&crate::fleet::FleetReport>,
) -> Markup {
    let name = site.name.as_str();
    let title = format!("{} — {}", lang.t("Purge du cache", "Cache purge"), name);
    let ok = matches!(note, Some(FlushNote::Done));
    layout(
        lang,
        &title,
        html! {
            h1 { (title) }
            (site_nav(lang, name))
            @if let Some(n) = &note {
                p.notice.ok[ok] role=(if ok { "status" } else { "alert" }) { (flush_text(lang, n)) }
            }
            @if let Some(r) = report {
                div.scroll tabindex="0" role="region" aria-label=(lang.t("Tableau", "Table")) {
                    table {
                        caption { (lang.t("Résultat par serveur", "Result per host")) }
                        thead { tr {
                            th scope="col" { (lang.t("Serveur", "Host")) }
                            th scope="col" { (lang.t("Résultat", "Result")) }
                            th scope="col" { (lang.t("Objets purgés", "Objects purged")) }
                        } }
                        tbody {
                            @for h in &r.hosts {
                                tr {
                                    th scope="row" { (h.host) }
                                    td { @if h.ok { (lang.t("fait", "done")) } @else { (lang.t("en attente (sera livrée à son retour)", "pending (delivered when it is back)")) } }
                                    td.n { (h.objects.map(|o| o.to_string()).unwrap_or_else(|| "—".into())) }
                                }
                            }
                        }
                    }
                }
            }
            @if may {
                p { (lang.t("Domaines du site : ", "The site's domains: ")) (site.domains.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) }
                form method="post" action={ "/sites/" (name) "/flush?lang=" (lang.code()) } {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="urls" { (lang.t("Pages à purger, une par ligne (/page.html ou https://domaine/page.html)", "Pages to purge, one per line (/page.html or https://domain/page.html)")) }
                    textarea #urls name="urls" rows="5" { (urls) }
                    label for="prefixes" { (lang.t("Dossiers à purger, un par ligne (/actualites/)", "Folders to purge, one per line (/news/)")) }
                    textarea #prefixes name="prefixes" rows="2" { (prefixes) }
                    button type="submit" { (lang.t("Purger", "Purge")) }
                }
            }
        },
    )
}

/// `s` percent-encoded but for RFC 3986's unreserved characters: for a path segment, a query
/// value, an `otpauth://` label or an RFC 8187 header value alike.
pub fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
