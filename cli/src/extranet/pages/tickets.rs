//! The tickets' pages: list, one ticket with its history, the new-ticket form, the deposit
//! space. Forms that carry a file are `multipart/form-data`; all work without script.

use std::collections::HashMap;

use amoe_core::tickets::{Kind, Priority, Status};
use amoe_store::tickets::{Ticket, TicketFilter};
use maud::{Markup, html};

use super::{Lang, human_bytes, layout, percent};
use crate::ops::tickets::TicketView;

/// What a tickets page tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    TooBig(u64),
    Empty,
    Refused(String),
}

fn note_text(lang: Lang, n: &Note) -> String {
    match n {
        Note::TooBig(max) => match lang {
            Lang::Fr => format!("Fichier trop gros : {} au plus. Rien n'a été enregistré.", human_bytes(lang, *max)),
            Lang::En => format!("File too big: {} at most. Nothing was saved.", human_bytes(lang, *max)),
        },
        Note::Empty => {
            lang.t("Écrivez un commentaire ou choisissez un fichier.", "Write a comment or choose a file.").into()
        }
        Note::Refused(why) => match lang {
            Lang::Fr => format!("Refusé, rien n'a été enregistré : {why}"),
            Lang::En => format!("Refused, nothing was saved: {why}"),
        },
    }
}

fn notice(lang: Lang, n: Option<&Note>) -> Markup {
    html! { @if let Some(n) = n { p.notice role="alert" { (note_text(lang, n)) } } }
}

/// A stored UTC instant as Paris time, to the minute.
fn when(stored: &str) -> String {
    stored
        .parse::<jiff::Timestamp>()
        .map(|t| t.to_zoned(amoe_core::time::paris()).strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| stored.to_owned())
}

fn status_word(lang: Lang, s: Status) -> &'static str {
    match lang {
        Lang::Fr => s.label_fr(),
        Lang::En => s.as_str(),
    }
}

fn kind_word(lang: Lang, k: Kind) -> &'static str {
    match lang {
        Lang::Fr => k.label_fr(),
        Lang::En => k.as_str(),
    }
}

fn priority_word(lang: Lang, p: Priority) -> &'static str {
    match lang {
        Lang::Fr => p.label_fr(),
        Lang::En => p.as_str(),
    }
}

pub fn list(lang: Lang, list: &[Ticket], f: &TicketFilter, projects: &[String]) -> Markup {
    let title = lang.t("Tickets", "Tickets");
    let l = lang.code();
    layout(
        lang,
        title,
        html! {
            h1 { (title) }
            p {
                a href={ "/tickets/new?lang=" (l) } { (lang.t("Nouveau ticket", "New ticket")) } " · "
                a href={ "/tickets/stats?lang=" (l) } { (lang.t("Statistiques", "Statistics")) } " · "
                a href={ "/tickets/export.csv?" (filter_query(f, lang)) } download { (lang.t("Exporter (CSV)", "Export (CSV)")) } " · "
                a href={ "/tickets/export.xlsx?" (filter_query(f, lang)) } download { (lang.t("Exporter (Excel)", "Export (Excel)")) }
            }
            form method="get" action="/tickets" {
                input type="hidden" name="lang" value=(l);
                fieldset {
                    legend { (lang.t("Filtrer", "Filter")) }
                    label for="status" { (lang.t("État", "Status")) }
                    select #status name="status" {
                        option value="" { (lang.t("tous", "all")) }
                        @for s in Status::ALL { option value=(s.as_str()) selected[f.status == Some(*s)] { (status_word(lang, *s)) } }
                    }
                    label for="kind" { (lang.t("Type", "Type")) }
                    select #kind name="kind" {
                        option value="" { (lang.t("tous", "all")) }
                        @for k in Kind::ALL { option value=(k.as_str()) selected[f.kind == Some(*k)] { (kind_word(lang, *k)) } }
                    }
                    label for="project" { (lang.t("Projet", "Project")) }
                    select #project name="project" {
                        option value="" { (lang.t("tous", "all")) }
                        @for p in projects { option value=(p) selected[f.project.as_deref() == Some(p.as_str())] { (p) } }
                    }
                    label for="q" { (lang.t("Mots du titre", "Words of the title")) }
                    input #q type="search" name="q" value=(f.text.clone().unwrap_or_default());
                }
                button type="submit" { (lang.t("Filtrer", "Filter")) }
            }
            @if list.is_empty() {
                p role="status" { (lang.t("Aucun ticket.", "No ticket.")) }
            } @else {
                div.scroll tabindex="0" role="region" aria-label=(lang.t("Tableau", "Table")) {
                    table {
                        caption { (title) " (" (list.len()) ")" }
                        thead { tr {
                            th scope="col" { "N°" }
                            th scope="col" { (lang.t("Titre", "Title")) }
                            th scope="col" { (lang.t("État", "Status")) }
                            th scope="col" { (lang.t("Type", "Type")) }
                            th scope="col" { (lang.t("Projet", "Project")) }
                            th scope="col" { (lang.t("Mis à jour", "Updated")) }
                        } }
                        tbody {
                            @for t in list {
                                tr {
                                    th scope="row" { a href={ "/tickets/" (t.id) "?lang=" (l) } { "#" (t.id) } }
                                    td { a href={ "/tickets/" (t.id) "?lang=" (l) } { (t.title) } }
                                    td { (status_word(lang, t.status)) }
                                    td { (kind_word(lang, t.kind)) }
                                    td { (t.project) }
                                    td { (when(&t.updated_at)) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

#[allow(clippy::too_many_arguments)]
pub fn new(
    lang: Lang,
    csrf: &str,
    projects: &[String],
    spaces: &[String],
    sites: &[String],
    fields: &HashMap<String, String>,
    note: Option<Note>,
) -> Markup {
    let title = lang.t("Nouveau ticket", "New ticket");
    let field = |k: &str| fields.get(k).cloned().unwrap_or_default();
    layout(
        lang,
        title,
        html! {
            h1 { (title) }
            (notice(lang, note.as_ref()))
            @if projects.is_empty() || spaces.is_empty() {
                p role="status" { (lang.t(
                    "Votre compte ne peut pas ouvrir de ticket : demandez le droit d'écriture sur un projet à votre interlocuteur, ou écrivez-lui par e-mail.",
                    "Your account cannot open tickets: ask your contact for the write right on a project, or write to them by e-mail.")) }
            } @else {
                form method="post" action={ "/tickets/new?lang=" (lang.code()) } enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="title" { (lang.t("Titre", "Title")) }
                    input #title type="text" name="title" value=(field("title")) maxlength="200" required;
                    label for="project" { (lang.t("Projet", "Project")) }
                    select #project name="project" { @for p in projects { option value=(p) selected[field("project") == *p] { (p) } } }
                    label for="space" { (lang.t("Espace", "Space")) }
                    select #space name="space" { @for s in spaces { option value=(s) selected[field("space") == *s] { (s) } } }
                    label for="kind" { (lang.t("Type", "Type")) }
                    select #kind name="kind" { @for k in Kind::ALL { option value=(k.as_str()) selected[field("kind") == k.as_str()] { (kind_word(lang, *k)) } } }
                    label for="priority" { (lang.t("Priorité", "Priority")) }
                    select #priority name="priority" {
                        @for p in Priority::ALL {
                            option value=(p.as_str()) selected[field("priority") == p.as_str() || (field("priority").is_empty() && *p == Priority::Normal)] { (priority_word(lang, *p)) }
                        }
                    }
                    label for="site" { (lang.t("Site concerné (facultatif)", "Site concerned (optional)")) }
                    select #site name="site" {
                        option value="" { "—" }
                        @for s in sites { option value=(s) selected[field("site") == *s] { (s) } }
                    }
                    label for="body" { (lang.t("Description", "Description")) }
                    textarea #body name="body" rows="6" { (field("body")) }
                    label for="file" { (lang.t("Pièce jointe (facultative, 10 Mo au plus)", "Attachment (optional, 10 MB at most)")) }
                    input #file type="file" name="file";
                    button type="submit" { (lang.t("Ouvrir le ticket", "Open the ticket")) }
                }
            }
        },
    )
}

/// The ticket was opened but its file was refused.
pub fn refused_after(lang: Lang, id: i64, why: &str) -> Markup {
    layout(
        lang,
        lang.t("Ticket ouvert", "Ticket opened"),
        html! {
            (notice(lang, Some(&Note::Refused(why.to_owned()))))
            p { a href={ "/tickets/" (id) "?lang=" (lang.code()) } { (lang.t("Le ticket est ouvert : voir le ticket", "The ticket is open: see the ticket")) " #" (id) } }
        },
    )
}

/// A page that only tells something.
pub fn note_page(lang: Lang, n: Note) -> Markup {
    layout(
        lang,
        lang.t("Tickets", "Tickets"),
        html! {
            (notice(lang, Some(&n)))
            p { a href={ "/deposits?lang=" (lang.code()) } { (lang.t("Retour aux dépôts", "Back to the deposits")) } }
        },
    )
}

fn event_text(lang: Lang, kind: &str) -> &'static str {
    match kind {
        "created" => lang.t("a ouvert le ticket", "opened the ticket"),
        "comment" => lang.t("a commenté", "commented"),
        "status" => lang.t("a changé l'état", "changed the status"),
        "assign" => lang.t("a attribué le ticket", "assigned the ticket"),
        "priority" => lang.t("a changé la priorité", "changed the priority"),
        "attach" => lang.t("a joint un fichier", "attached a file"),
        "link" => lang.t("a lié un ticket", "linked a ticket"),
        _ => lang.t("a modifié le ticket", "changed the ticket"),
    }
}

pub fn show(lang: Lang, v: &TicketView, csrf: &str, may_comment: bool, note: Option<Note>) -> Markup {
    let t = &v.ticket;
    let l = lang.code();
    let title = format!("#{} {}", t.id, t.title);
    layout(
        lang,
        &title,
        html! {
            h1 { (title) }
            (notice(lang, note.as_ref()))
            dl {
                dt { (lang.t("État", "Status")) } dd { (status_word(lang, t.status)) }
                dt { (lang.t("Type", "Type")) } dd { (kind_word(lang, t.kind)) }
                dt { (lang.t("Priorité", "Priority")) } dd { (priority_word(lang, t.priority)) }
                dt { (lang.t("Projet", "Project")) } dd { (t.project) }
                dt { (lang.t("Ouvert par", "Reported by")) } dd { (t.reporter) ", " (when(&t.created_at)) }
                @if let Some(site) = &t.site { dt { (lang.t("Site", "Site")) } dd { (site) } }
            }
            @if !v.attachments.is_empty() {
                h2 { (lang.t("Pièces jointes", "Attachments")) }
                ul {
                    @for (name, sha, size) in &v.attachments {
                        li {
                            a href={ "/tickets/" (t.id) "/files/" (percent(name)) } download { (name) }
                            " (" (human_bytes(lang, *size as u64)) ") SHA-256 " code { (sha) }
                        }
                    }
                }
            }
            h2 { (lang.t("Historique", "History")) }
            ol.history {
                @for e in &v.events {
                    li {
                        (when(&e.at)) " — " strong { (e.actor) } " " (event_text(lang, &e.kind))
                        @if let Some(value) = &e.value {
                            @if e.kind == "comment" { div.text { (value) } } @else { " : " (value) }
                        }
                    }
                }
            }
            @if may_comment {
                h2 { (lang.t("Ajouter un commentaire ou un fichier", "Add a comment or a file")) }
                form method="post" action={ "/tickets/" (t.id) "?lang=" (l) } enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="text" { (lang.t("Commentaire", "Comment")) }
                    textarea #text name="text" rows="5" {}
                    label for="file" { (lang.t("Fichier (facultatif, 10 Mo au plus)", "File (optional, 10 MB at most)")) }
                    input #file type="file" name="file";
                    button type="submit" { (lang.t("Envoyer", "Send")) }
                }
            }
            p { a href={ "/tickets?lang=" (l) } { (lang.t("Tous les tickets", "All tickets")) } }
        },
    )
}

/// One bundle of the deposit space.
#[derive(Debug, Clone)]
pub struct Deposit {
    pub project: String,
    pub ticket: i64,
    pub title: String,
    pub name: String,
    pub sha256: String,
    pub size: i64,
}

pub fn deposits(lang: Lang, csrf: &str, bundles: &[Deposit], targets: &[(i64, String)]) -> Markup {
    let title = lang.t("Dépôts de fichiers", "File deposits");
    let l = lang.code();
    layout(
        lang,
        title,
        html! {
            h1 { (title) }
            p { (lang.t(
                "Les paquets d'installation (.tar.gz, .tgz, .tar.zst, .tar, .zip) déposés sur vos tickets, par projet, avec leur empreinte SHA-256 pour vérifier ce qui sera installé.",
                "Installation bundles (.tar.gz, .tgz, .tar.zst, .tar, .zip) deposited on your tickets, by project, with their SHA-256 to check what will be installed.")) }
            @if targets.is_empty() {
                p role="status" { (lang.t("Aucun de vos tickets ouverts ne peut recevoir de dépôt : ouvrez d'abord un ticket.", "None of your open tickets can take a deposit: open a ticket first.")) " "
                    a href={ "/tickets/new?lang=" (l) } { (lang.t("Nouveau ticket", "New ticket")) } }
            } @else {
                form method="post" action={ "/deposits?lang=" (l) } enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="ticket" { (lang.t("Ticket", "Ticket")) }
                    select #ticket name="ticket" { @for (id, t) in targets { option value=(id) { "#" (id) " " (t) } } }
                    label for="file" { (lang.t("Paquet (10 Mo au plus)", "Bundle (10 MB at most)")) }
                    input #file type="file" name="file" accept=".tar.gz,.tgz,.tar.zst,.tar,.zip" required;
                    button type="submit" { (lang.t("Déposer", "Deposit")) }
                }
            }
            @if bundles.is_empty() {
                p role="status" { (lang.t("Aucun dépôt.", "No deposit.")) }
            } @else {
                div.scroll tabindex="0" role="region" aria-label=(lang.t("Tableau", "Table")) {
                    table {
                        caption { (lang.t("Paquets déposés", "Bundles deposited")) }
                        thead { tr {
                            th scope="col" { (lang.t("Projet", "Project")) }
                            th scope="col" { (lang.t("Fichier", "File")) }
                            th scope="col" { (lang.t("Taille", "Size")) }
                            th scope="col" { "SHA-256" }
                            th scope="col" { (lang.t("Ticket", "Ticket")) }
                        } }
                        tbody {
                            @for b in bundles {
                                tr {
                                    td { (b.project) }
                                    th scope="row" { a href={ "/tickets/" (b.ticket) "/files/" (percent(&b.name)) } download { (b.name) } }
                                    td.n { (human_bytes(lang, b.size as u64)) }
                                    td { code { (b.sha256) } }
                                    td { a href={ "/tickets/" (b.ticket) "?lang=" (l) } { "#" (b.ticket) " " (b.title) } }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// The list's filters as a query string (the exports take the same).
pub fn filter_query(f: &TicketFilter, lang: Lang) -> String {
    let mut parts = vec![format!("lang={}", lang.code())];
    if let Some(st) = f.status {
        parts.push(format!("status={}", st.as_str()));
    }
    if let Some(k) = f.kind {
        parts.push(format!("kind={}", k.as_str()));
    }
    for (key, v) in [("project", &f.project), ("q", &f.text)] {
        if let Some(v) = v {
            parts.push(format!("{key}={}", percent(v)));
        }
    }
    parts.join("&")
}

pub fn stats(lang: Lang, s: &crate::ops::tickets::TicketStats, by: &str, query: &str) -> Markup {
    let title = lang.t("Statistiques des tickets", "Ticket statistics");
    let l = lang.code();
    let clock = |c: &str| match (lang, c) {
        (Lang::Fr, "take_charge") => "prise en charge",
        (Lang::Fr, "restore") => "rétablissement",
        (Lang::Fr, "resolve") => "résolution",
        _ => "",
    };
    layout(
        lang,
        title,
        html! {
            h1 { (title) }
            form method="get" action="/tickets/stats" {
                input type="hidden" name="lang" value=(l);
                label for="by" { (lang.t("Par", "By")) }
                select #by name="by" {
                    option value="day" selected[by == "day"] { (lang.t("jour", "day")) }
                    option value="month" selected[by != "day" && by != "year"] { (lang.t("mois", "month")) }
                    option value="year" selected[by == "year"] { (lang.t("année", "year")) }
                }
                button type="submit" { (lang.t("Afficher", "Show")) }
            }
            p { (lang.t("Tickets comptés : ", "Tickets counted: ")) strong { (s.tickets) } }
            div.scroll tabindex="0" role="region" aria-label=(lang.t("Tableau", "Table")) {
                table {
                    caption { (lang.t("Ouverts et clos par période", "Opened and closed per period")) }
                    thead { tr { th scope="col" { (lang.t("Période", "Period")) } th scope="col" { (lang.t("Ouverts", "Opened")) } th scope="col" { (lang.t("Clos", "Closed")) } } }
                    tbody { @for p in &s.periods { tr { th scope="row" { (p.period) } td.n { (p.opened) } td.n { (p.closed) } } } }
                }
            }
            div.scroll tabindex="0" role="region" aria-label=(lang.t("Tableau", "Table")) {
                table {
                    caption { (lang.t("Délais", "Delays")) }
                    thead { tr {
                        th scope="col" { (lang.t("Horloge", "Clock")) }
                        th scope="col" { (lang.t("Tickets", "Tickets")) }
                        th scope="col" { (lang.t("Moyenne (h)", "Mean (h)")) }
                        th scope="col" { (lang.t("Médiane (h)", "Median (h)")) }
                        th scope="col" { (lang.t("90e centile (h)", "90th percentile (h)")) }
                        th scope="col" { (lang.t("Dépassements", "Breaches")) }
                    } }
                    tbody {
                        @for d in &s.delays {
                            tr {
                                th scope="row" { @if clock(&d.clock).is_empty() { (d.clock) } @else { (clock(&d.clock)) } }
                                td.n { (d.count) } td.n { (format!("{:.1}", d.mean_h)) } td.n { (format!("{:.1}", d.median_h)) }
                                td.n { (format!("{:.1}", d.p90_h)) } td.n { (d.breaches) }
                            }
                        }
                    }
                }
            }
            h2 { (lang.t("Par type et par état", "By type and status")) }
            ul {
                @for (k, n) in &s.by_type { li { (k) " : " (n) } }
                @for (k, n) in &s.by_status { li { (k) " : " (n) } }
            }
            p { a href={ "/tickets/stats.xlsx?" (query) } download { (lang.t("Télécharger (Excel)", "Download (Excel)")) } }
        },
    )
}
