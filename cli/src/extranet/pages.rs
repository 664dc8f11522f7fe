//! The extranet's pages (maud: escaped by construction), in French or English. No script, no
//! inline style: the Content-Security-Policy allows neither. Every page fits a phone's width.

use maud::{DOCTYPE, Markup, html};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    fn t<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    fn code(self) -> &'static str {
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
    }
}

fn layout(lang: Lang, title: &str, body: Markup) -> Markup {
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

pub fn home(lang: Lang, name: &str, email: &str, csrf: &str) -> Markup {
    let title = lang.t("Accueil", "Home");
    layout(
        lang,
        title,
        html! {
            h1 { (lang.t("Bonjour", "Hello")) " " (name) }
            p { (lang.t("Vous êtes connecté en tant que", "You are signed in as")) " " strong { (email) } "." }
            p { a href={ "/sites?lang=" (lang.code()) } { (lang.t("Vos sites", "Your sites")) } }
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
input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{margin-top:1rem;padding:.5rem 1rem;font-size:1rem}
.notice{padding:.5rem;border-left:4px solid #b00020;background:#fdecee}
.notice.ok{border-color:#1b5e20;background:#e8f5e9}
a{color:#0b3d91}
table{border-collapse:collapse;width:100%;display:block;overflow-x:auto}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
dt{font-weight:bold}
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
            p { a href={ "/?lang=" (lang.code()) } { (lang.t("Accueil", "Home")) } }
        },
    )
}

pub fn site(lang: Lang, v: &SiteView) -> Markup {
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
            p { a href={ "/sites?lang=" (lang.code()) } { (lang.t("Vos sites", "Your sites")) } }
        },
    )
}
