//! `amoe user|project|space|acl|ticket`: the people and rights of the tickets, and the tickets.

use super::Ctx;
use crate::cli::{AclCmd, ProjectCmd, ShowFormat, SpaceCmd, TicketArgs, TicketCmd, TicketFilterArgs, UserCmd};
use crate::error::{Exit, Failure};
use crate::ops::tickets::{self as ops, Acting, NewTicket, TicketView};
use crate::output::{Cell, Format, Tabular};
use amoe_core::tickets::{Kind, Priority, Status};
use amoe_store::tickets::{Project, Ticket, TicketFilter, TicketReads, User};
use anyhow::Result;
use serde::Serialize;

impl Tabular for User {
    const HEADERS: &'static [&'static str] = &["email", "name", "admin", "time", "operator"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.email),
            Cell::text(&self.name),
            Cell::text(if self.admin { "yes" } else { "" }),
            Cell::text(if self.see_time { "yes" } else { "" }),
            Cell::opt(self.operator.as_deref()),
        ]
    }
}

impl Tabular for Project {
    const HEADERS: &'static [&'static str] = &["name", "label", "moa", "moe", "amoa", "sla"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.name),
            Cell::text(&self.label),
            Cell::opt(self.moa.as_deref()),
            Cell::opt(self.moe.as_deref()),
            Cell::opt(self.amoa.as_deref()),
            Cell::text(&self.sla),
        ]
    }
}

impl Tabular for Ticket {
    const HEADERS: &'static [&'static str] =
        &["id", "type", "status", "priority", "project", "space", "title", "reporter", "assignee", "site", "updated"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(self.id),
            Cell::text(self.kind),
            Cell::text(self.status),
            Cell::text(self.priority),
            Cell::text(&self.project),
            Cell::text(&self.space),
            Cell::text(&self.title),
            Cell::text(&self.reporter),
            Cell::opt(self.assignee.as_deref()),
            Cell::opt(self.site.as_deref()),
            Cell::text(amoe_core::time::display_local(&self.updated_at)),
        ]
    }
}

#[derive(Debug, Serialize)]
struct SpaceRow {
    space: String,
    label: String,
    members: Vec<String>,
}

impl Tabular for SpaceRow {
    const HEADERS: &'static [&'static str] = &["space", "label", "members"];
    fn cells(&self) -> Vec<Cell> {
        vec![Cell::text(&self.space), Cell::text(&self.label), Cell::list(&self.members)]
    }
}

#[derive(Debug, Serialize)]
struct AclRow {
    user: String,
    project: String,
    level: String,
}

impl Tabular for AclRow {
    const HEADERS: &'static [&'static str] = &["user", "project", "level"];
    fn cells(&self) -> Vec<Cell> {
        vec![Cell::text(&self.user), Cell::text(&self.project), Cell::text(&self.level)]
    }
}

fn me(ctx: &Ctx, store: &amoe_store::Store, as_user: Option<&str>) -> Result<Acting> {
    let mut who = ops::acting(store, &ctx.settings.operator, as_user)?;
    who.notify = ctx.settings.mail.as_ref().map(crate::ops::notices::domain);
    Ok(who)
}

/// Sends the notices owed (this command's and any left by an earlier one); a failure is a
/// warning: the change is made, the notice stays owed.
fn flush_notices(ctx: &Ctx, store: &mut amoe_store::Store) -> usize {
    let Some(cfg) = &ctx.settings.mail else { return 0 };
    let (sent, error) = crate::ops::notices::send_owed(store, cfg, &ctx.draft("ticket notify", None));
    if let Some(e) = error {
        eprintln!("warning: a notice could not be sent and stays owed (`amoe ticket notify` sends it): {e}");
    }
    sent
}

pub(super) fn user(ctx: &mut Ctx, cmd: UserCmd) -> Result<Exit> {
    let mut store = ctx.open()?;
    match cmd {
        UserCmd::Add { email, name, admin, time, login } => {
            let email: amoe_core::Email = email.parse()?;
            let first = store.users()?.is_empty();
            if first && !admin {
                return Err(Failure::new("the first user must be an administrator")
                    .hint("add yourself first: `amoe user add EMAIL --name NAME --admin --login LOGIN`")
                    .into());
            }
            if !first {
                ops::require_admin(&me(ctx, &store, None)?, "add users")?;
            }
            let u = User { email: email.to_string(), name, admin, see_time: time, operator: login };
            store.mutate(&ctx.draft("user add", Some(u.email.clone())), |tx| tx.add_user(&u))?;
            ctx.out.done(&format!("added user `{}`", u.email), &u)?;
        }
        UserCmd::Update { email, name, admin, time, login } => {
            let me = me(ctx, &store, None)?;
            ops::require_admin(&me, "change users")?;
            let mut u = store.user(&email)?.ok_or_else(|| {
                Failure::new(format!("no user `{email}`")).hint("`amoe user list` shows the accounts")
            })?;
            if admin == Some(false)
                && u.email == me.user.email
                && store.users()?.iter().filter(|x| x.admin).count() == 1
            {
                return Err(Failure::new("the last administrator cannot give up the right")
                    .hint("make another user an administrator first")
                    .into());
            }
            u.name = name.unwrap_or(u.name);
            u.admin = admin.unwrap_or(u.admin);
            u.see_time = time.unwrap_or(u.see_time);
            if let Some(l) = login {
                u.operator = (l != "none").then_some(l);
            }
            store.mutate(&ctx.draft("user update", Some(u.email.clone())), |tx| tx.update_user(&u))?;
            ctx.out.done(&format!("updated user `{}`", u.email), &u)?;
        }
        UserCmd::List => ctx.out.list(&store.users()?)?,
        UserCmd::Password { email, url, hours } => {
            ops::require_admin(&me(ctx, &store, None)?, "send password links")?;
            return super::extranet::send_password_link(ctx, &mut store, &email, url, hours);
        }
        UserCmd::TotpReset { email } => {
            ops::require_admin(&me(ctx, &store, None)?, "reset second factors")?;
            let u = store.user(&email)?.ok_or_else(|| {
                Failure::new(format!("no user `{email}`")).hint("`amoe user list` shows the accounts")
            })?;
            let draft = ctx.draft("user totp-reset", Some(u.email.clone()));
            let had = store.remove_web_totp(&u.email)?;
            let ended = store.end_web_sessions(&u.email)?;
            let said = if had { "second factor removed" } else { "had no second factor" };
            store.journal(&draft, &format!("{said}; {ended} session(s) ended"))?;
            if !had {
                return Err(Failure::new(format!("`{}` has no second factor", u.email)).into());
            }
            ctx.out.done(&format!("removed the second factor of {} and ended {ended} session(s)", u.email), &u)?;
        }
    }
    Ok(Exit::Success)
}

pub(super) fn project(ctx: &mut Ctx, cmd: ProjectCmd) -> Result<Exit> {
    let mut store = ctx.open()?;
    match cmd {
        ProjectCmd::Add { name, label, moa, moe, amoa, sla } => {
            ops::require_admin(&me(ctx, &store, None)?, "add projects")?;
            let name: amoe_core::Name = name.parse()?;
            let sla = match sla {
                Some(text) => {
                    let t: amoe_core::sla::Targets = serde_json::from_str(&text)
                        .map_err(|e| Failure::usage(format!("--sla is not a valid target list: {e}")))?;
                    serde_json::to_string(&t)?
                }
                None => "{}".into(),
            };
            let p = Project { name: name.to_string(), label, moa, moe, amoa, sla };
            store.mutate(&ctx.draft("project add", Some(p.name.clone())), |tx| tx.add_project(&p))?;
            ctx.out.done(&format!("added project `{}`", p.name), &p)?;
        }
        ProjectCmd::List => ctx.out.list(&store.projects()?)?,
    }
    Ok(Exit::Success)
}

pub(super) fn space(ctx: &mut Ctx, cmd: SpaceCmd) -> Result<Exit> {
    let mut store = ctx.open()?;
    match cmd {
        SpaceCmd::Add { name, label, members } => {
            ops::require_admin(&me(ctx, &store, None)?, "add spaces")?;
            let name: amoe_core::Name = name.parse()?;
            let members = members.iter().map(|m| user_email(&store, m)).collect::<Result<Vec<_>>>()?;
            let label = label.unwrap_or_else(|| name.to_string());
            store.mutate(&ctx.draft("space add", Some(name.to_string())), |tx| {
                tx.add_space(name.as_str(), &label)?;
                for m in &members {
                    tx.add_member(name.as_str(), m)?;
                }
                Ok::<_, amoe_store::Error>(())
            })?;
            ctx.out.line(&format!("added space `{name}`"))?;
        }
        SpaceCmd::Join { space, email } => {
            ops::require_admin(&me(ctx, &store, None)?, "change spaces")?;
            let email = user_email(&store, &email)?;
            if !store.spaces()?.iter().any(|(s, _, _)| *s == space) {
                return Err(Failure::new(format!("no space `{space}`")).into());
            }
            store.mutate(&ctx.draft("space join", Some(space.clone())), |tx| tx.add_member(&space, &email))?;
            ctx.out.line(&format!("`{email}` is in space `{space}`"))?;
        }
        SpaceCmd::Leave { space, email } => {
            ops::require_admin(&me(ctx, &store, None)?, "change spaces")?;
            let email = user_email(&store, &email)?;
            store.mutate(&ctx.draft("space leave", Some(space.clone())), |tx| tx.remove_member(&space, &email))?;
            ctx.out.line(&format!("`{email}` is no longer in space `{space}`"))?;
        }
        SpaceCmd::Link { space, siret } => {
            ops::require_admin(&me(ctx, &store, None)?, "change spaces")?;
            let siret: amoe_core::Siret = siret.parse()?;
            if !store.spaces()?.iter().any(|(s, _, _)| *s == space) {
                return Err(Failure::new(format!("no space `{space}`")).hint("`amoe space list` shows them").into());
            }
            amoe_store::beneficiaries::BeneficiaryReads::beneficiary(&store, &siret)?;
            store.mutate(&ctx.draft("space link", Some(space.clone())), |tx| tx.link_space(&space, siret.as_str()))?;
            ctx.out.line(&format!("space `{space}` stands for beneficiary {siret}: its members see its sites"))?;
        }
        SpaceCmd::Unlink { space, siret } => {
            ops::require_admin(&me(ctx, &store, None)?, "change spaces")?;
            store.mutate(&ctx.draft("space unlink", Some(space.clone())), |tx| tx.unlink_space(&space, &siret))?;
            ctx.out.line(&format!("space `{space}` no longer stands for beneficiary {siret}"))?;
        }
        SpaceCmd::List => {
            let rows: Vec<SpaceRow> =
                store.spaces()?.into_iter().map(|(space, label, members)| SpaceRow { space, label, members }).collect();
            ctx.out.list(&rows)?;
        }
    }
    Ok(Exit::Success)
}

fn user_email(store: &amoe_store::Store, email: &str) -> Result<String> {
    Ok(store
        .user(email)?
        .ok_or_else(|| Failure::new(format!("no user `{email}`")).hint("`amoe user list` shows the accounts"))?
        .email)
}

pub(super) fn acl(ctx: &mut Ctx, cmd: AclCmd) -> Result<Exit> {
    let mut store = ctx.open()?;
    match cmd {
        AclCmd::Grant { user, project, level } => {
            let level = ops::level(&level)?;
            ops::require_admin(&me(ctx, &store, None)?, "grant rights")?;
            let email = user_email(&store, &user)?;
            if !store.projects()?.iter().any(|p| p.name == project) {
                return Err(Failure::new(format!("no project `{project}`")).into());
            }
            store.mutate(&ctx.draft("acl grant", Some(format!("{email} {project}"))), |tx| {
                tx.grant(&email, &project, level)
            })?;
            ctx.out.line(&format!("`{email}` has {level} on `{project}`"))?;
        }
        AclCmd::List => {
            let rows: Vec<AclRow> = store
                .acl()?
                .into_iter()
                .map(|(user, project, level)| AclRow { user, project, level: level.to_string() })
                .collect();
            ctx.out.list(&rows)?;
        }
    }
    Ok(Exit::Success)
}

fn usage<T: std::str::FromStr<Err = String>>(raw: Option<&str>) -> Result<Option<T>> {
    raw.map(|r| r.parse::<T>().map_err(|e| Failure::usage(e).into())).transpose()
}

fn filter(f: &TicketFilterArgs) -> Result<TicketFilter> {
    Ok(TicketFilter {
        project: f.project.clone(),
        space: f.space.clone(),
        status: usage::<Status>(f.status.as_deref())?,
        kind: usage::<Kind>(f.kind.as_deref())?,
        priority: usage::<Priority>(f.priority.as_deref())?,
        reporter: f.reporter.clone(),
        assignee: f.assignee.clone(),
        site: f.site.clone(),
        host: f.host.clone(),
        beneficiary: f.beneficiary.clone(),
        since: f.since.clone(),
        text: f.text.clone(),
    })
}

pub(super) fn ticket(ctx: &mut Ctx, args: TicketArgs) -> Result<Exit> {
    if let TicketCmd::ImportMail { project, space, kind } = &args.cmd {
        return import_mail(ctx, project.clone(), space.clone(), kind);
    }
    let mut store = ctx.open()?;
    let who = me(ctx, &store, args.as_user.as_deref())?;
    let draft = |what: &str, id: Option<i64>| ctx.draft(&format!("ticket {what}"), id.map(|i| format!("#{i}")));
    match args.cmd {
        TicketCmd::New { project, space, kind, title, priority, body, site, host, beneficiary, reporter } => {
            let n = NewTicket {
                project,
                space,
                kind: kind.parse().map_err(Failure::usage)?,
                title,
                priority: priority.parse().map_err(Failure::usage)?,
                body,
                site,
                host,
                beneficiary,
                message_id: None,
                reporter,
            };
            let t = ops::open(&mut store, &who, &draft("new", None), &n)?;
            ctx.out.done(&format!("opened ticket #{}", t.id), &t)?;
        }
        TicketCmd::List { filter: f, limit } => {
            let f = filter(&f)?;
            let rows = ops::list_limited(&store, &who, &f, (limit > 0).then_some(limit))?;
            if limit > 0 && rows.len() == limit && ctx.out.format == Format::Table {
                eprintln!("note: the {limit} newest shown; `--limit 0` shows them all");
            }
            ctx.out.list(&rows)?;
        }
        TicketCmd::Show { id, format } => {
            let v = ops::show(&store, &who, id)?;
            match (format, ctx.out.format) {
                (Some(ShowFormat::Md), _) => ctx.out.line(&sheet(&v))?,
                (None, Format::Table) => ctx.out.line(&sheet(&v))?,
                _ => ctx.out.json(&v)?,
            }
        }
        TicketCmd::Comment { id, text, minutes } => {
            ops::comment(&mut store, &who, &draft("comment", Some(id)), id, &text, minutes, None)?;
            ctx.out.line(&format!("commented ticket #{id}"))?;
        }
        TicketCmd::Assign { id, email } => {
            let email = user_email(&store, &email)?;
            ops::change(&mut store, &who, &draft("assign", Some(id)), id, "assignee", &email)?;
            ctx.out.line(&format!("ticket #{id} is assigned to `{email}`"))?;
        }
        TicketCmd::Status { id, status } => {
            let s: Status = status.parse().map_err(Failure::usage)?;
            ops::change(&mut store, &who, &draft("status", Some(id)), id, "status", s.as_str())?;
            ctx.out.line(&format!("ticket #{id} is {s}"))?;
        }
        TicketCmd::Attach { id, file } => {
            let meta =
                std::fs::metadata(&file).map_err(|e| Failure::new(format!("cannot read `{}`: {e}", file.display())))?;
            if meta.len() > ops::MAX_ATTACHMENT {
                return Err(Failure::new(format!(
                    "`{}` is {} bytes; attachments are {} bytes at most",
                    file.display(),
                    meta.len(),
                    ops::MAX_ATTACHMENT
                ))
                .into());
            }
            let bytes = std::fs::read(&file)?;
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("attachment").to_owned();
            let sha = ops::attach(&mut store, &who, &draft("attach", Some(id)), id, &name, &bytes)?;
            ctx.out.line(&format!("attached `{name}` to ticket #{id} (SHA-256 {sha})"))?;
        }
        // Handled above: the sender acts, not the operator.
        TicketCmd::ImportMail { .. } => {}
        TicketCmd::Link { id, other, kind } => {
            ops::link(&mut store, &who, &draft("link", Some(id)), id, other, &kind)?;
            ctx.out.line(&format!("linked #{id} and #{other} ({kind})"))?;
        }
        TicketCmd::Stats { by, filter, format, out } => {
            ticket_stats(ctx, &store, &who, by, &filter, format, out.as_deref())?;
            return Ok(Exit::Success);
        }
        TicketCmd::Export { filter, format, out, lang } => {
            ticket_export(ctx, &store, &who, &filter, format, &out, &lang)?;
            return Ok(Exit::Success);
        }
        TicketCmd::Notify => {
            if ctx.settings.mail.is_none() {
                return Err(Failure::new("no SMTP server: notices are not sent")
                    .hint("add a [mail] table (server, sender, …) to config.toml")
                    .into());
            }
            let sent = flush_notices(ctx, &mut store);
            let owed = store.owed_notices()?.len();
            ctx.out.line(&format!("{sent} notices sent, {owed} still owed"))?;
            return Ok(if owed == 0 { Exit::Success } else { Exit::Failure });
        }
    }
    flush_notices(ctx, &mut store);
    Ok(Exit::Success)
}

/// `ticket import-mail`: the sender acts, not the operator; exit codes for an MTA.
fn import_mail(ctx: &mut Ctx, project: Option<String>, space: Option<String>, kind: &str) -> Result<Exit> {
    use std::io::Read;
    let kind: Kind = kind.parse().map_err(Failure::usage)?;
    let mut raw = Vec::new();
    const MAX_MESSAGE: u64 = 64 * 1024 * 1024;
    std::io::stdin()
        .take(MAX_MESSAGE + 1)
        .read_to_end(&mut raw)
        .map_err(|e| Failure::with_exit(format!("cannot read the message: {e}"), Exit::DataErr))?;
    if raw.len() as u64 > MAX_MESSAGE {
        return Err(
            Failure::with_exit(format!("the message is over {MAX_MESSAGE} bytes: refused"), Exit::DataErr).into()
        );
    }
    let temp = |e: anyhow::Error| -> anyhow::Error {
        let busy = e.chain().any(|c| c.downcast_ref::<amoe_store::Error>().is_some_and(amoe_store::Error::is_busy));
        if busy { Failure::with_exit(format!("the store is busy: {e}"), Exit::TempFail).into() } else { e }
    };
    let mut store = ctx.open().map_err(temp)?;
    let draft = ctx.draft("ticket import-mail", None);
    let notify = ctx.settings.mail.as_ref().map(crate::ops::notices::domain);
    let defaults = crate::ops::intake::Defaults { project, space, kind: Some(kind), notify };
    let outcome = crate::ops::intake::import(&mut store, &draft, &raw, &defaults).map_err(temp)?;
    flush_notices(ctx, &mut store);
    match ctx.out.format {
        Format::Table => ctx.out.line(&format!("ticket #{}: {}", outcome.ticket, outcome.action))?,
        _ => ctx.out.json(&outcome)?,
    }
    Ok(Exit::Success)
}

fn hm(secs: i64) -> String {
    format!("{} h {:02}", secs / 3600, secs % 3600 / 60)
}

/// Text from customers without control characters (no escape sequence reaches a terminal).
fn clean(s: &str) -> String {
    s.chars().map(|c| if c.is_control() && c != '\n' { ' ' } else { c }).collect()
}

/// The intervention sheet (002 §5.2.6) in Markdown.
fn sheet(v: &TicketView) -> String {
    clean(&sheet_text(v))
}

fn sheet_text(v: &TicketView) -> String {
    let t = &v.ticket;
    let local = |s: &str| amoe_core::time::display_local(s);
    let mut s = format!("# Fiche d'intervention — ticket #{} : {}\n\n", t.id, t.title);
    let rows = [
        ("Type", t.kind.label_fr().to_owned()),
        ("Statut", t.status.label_fr().to_owned()),
        ("Priorité", t.priority.label_fr().to_owned()),
        ("Projet", t.project.clone()),
        ("Espace", t.space.clone()),
        ("Demandeur", t.reporter.clone()),
        ("Intervenant", t.assignee.clone().unwrap_or_else(|| "—".into())),
        ("Ouvert le", local(&t.created_at)),
        ("Dernière action", local(&t.updated_at)),
        ("Site", t.site.clone().unwrap_or_else(|| "—".into())),
        ("Serveur", t.host.clone().unwrap_or_else(|| "—".into())),
        ("Bénéficiaire", t.beneficiary.clone().unwrap_or_else(|| "—".into())),
    ];
    s.push_str("| | |\n|---|---|\n");
    for (k, val) in rows {
        s.push_str(&format!("| {k} | {} |\n", val.replace('|', "\\|")));
    }
    if let Some(m) = v.minutes {
        s.push_str(&format!("| Temps passé | {} |\n", hm(m * 60)));
    }
    s.push_str("\n## Délais\n\n| Horloge | Écoulé | Cible | État |\n|---|---|---|---|\n");
    for r in &v.sla {
        let name = match r.clock {
            "take_charge" => "Prise en charge",
            "restore" => "Rétablissement",
            _ => "Résolution",
        };
        let state = match (r.running, r.breached) {
            (_, true) => "dépassé",
            (true, false) => "en cours",
            (false, false) => "tenu",
        };
        s.push_str(&format!(
            "| {name} | {} | {} | {state} |\n",
            hm(r.elapsed_s),
            r.target_s.map(hm).unwrap_or_else(|| "—".into())
        ));
    }
    s.push_str("\n## Historique\n\n");
    for e in &v.events {
        let what = match e.kind.as_str() {
            "created" => "ouverture".to_owned(),
            "comment" => "commentaire".to_owned(),
            "status" => format!(
                "statut → {}",
                e.value.as_deref().and_then(|v| v.parse::<Status>().ok()).map_or("?", Status::label_fr)
            ),
            "assign" => format!("attribué à {}", e.value.as_deref().unwrap_or("")),
            "attach" => "pièce jointe".to_owned(),
            "link" => "lien".to_owned(),
            other => other.to_owned(),
        };
        s.push_str(&format!("- {} — {} — {what}", local(&e.at), e.actor));
        if let Some(m) = e.minutes {
            s.push_str(&format!(" ({m} min)"));
        }
        if matches!(e.kind.as_str(), "comment" | "attach" | "link")
            && let Some(text) = &e.value
        {
            s.push_str(&format!("\n\n  > {}\n", text.replace('\n', "\n  > ")));
        }
        s.push('\n');
    }
    if !v.attachments.is_empty() {
        s.push_str("\n## Pièces jointes\n\n");
        for (name, sha, size) in &v.attachments {
            s.push_str(&format!("- {name} ({size} octets, SHA-256 {sha})\n"));
        }
    }
    if !v.links.is_empty() {
        s.push_str("\n## Tickets liés\n\n");
        for (other, kind) in &v.links {
            s.push_str(&format!("- #{other} ({kind})\n"));
        }
    }
    s
}

#[derive(Debug, Serialize)]
struct PeriodRow {
    period: String,
    opened: u64,
    closed: u64,
}

impl Tabular for PeriodRow {
    const HEADERS: &'static [&'static str] = &["period", "opened", "closed"];
    fn cells(&self) -> Vec<Cell> {
        vec![Cell::text(&self.period), Cell::text(self.opened), Cell::text(self.closed)]
    }
}

#[derive(Debug, Serialize)]
struct DelayRow(crate::ops::tickets::Delay);

impl Tabular for DelayRow {
    const HEADERS: &'static [&'static str] = &["clock", "count", "mean_h", "median_h", "p90_h", "breaches"];
    fn cells(&self) -> Vec<Cell> {
        let d = &self.0;
        vec![
            Cell::text(&d.clock),
            Cell::text(d.count),
            Cell::text(d.mean_h),
            Cell::text(d.median_h),
            Cell::text(d.p90_h),
            Cell::text(d.breaches),
        ]
    }
}

pub(super) fn ticket_stats(
    ctx: &mut Ctx,
    store: &amoe_store::Store,
    who: &Acting,
    by: crate::cli::TicketBy,
    f: &TicketFilterArgs,
    format: Option<crate::ops::sheets::SheetFormat>,
    out: Option<&std::path::Path>,
) -> Result<()> {
    use crate::cli::TicketBy;
    let by = match by {
        TicketBy::Day => ops::By::Day,
        TicketBy::Month => ops::By::Month,
        TicketBy::Year => ops::By::Year,
    };
    let s = ops::stats(store, who, &filter(f)?, by)?;
    if let (Some(format), Some(out)) = (format, out) {
        if format == crate::ops::sheets::SheetFormat::Json {
            let mut b = serde_json::to_vec_pretty(&s)?;
            b.push(b'\n');
            crate::ops::replace_file(out, &b, 0o644)?;
        } else {
            crate::ops::sheets::write(&ops::stats_tables(&s), format, out)?;
        }
        ctx.out.line(&format!("wrote `{}`", out.display()))?;
        return Ok(());
    }
    match ctx.out.format {
        Format::Json => ctx.out.json(&s)?,
        _ => {
            let types: Vec<String> = s.by_type.iter().map(|(k, v)| format!("{k} {v}")).collect();
            let statuses: Vec<String> = s.by_status.iter().map(|(k, v)| format!("{k} {v}")).collect();
            ctx.out.line(&format!("tickets   {}", s.tickets))?;
            ctx.out.line(&format!("by type   {}", types.join(", ")))?;
            ctx.out.line(&format!("by status {}", statuses.join(", ")))?;
            ctx.out.line("")?;
            let rows: Vec<PeriodRow> = s
                .periods
                .iter()
                .map(|p| PeriodRow { period: p.period.clone(), opened: p.opened, closed: p.closed })
                .collect();
            ctx.out.list(&rows)?;
            ctx.out.line("")?;
            let rows: Vec<DelayRow> = s.delays.iter().cloned().map(DelayRow).collect();
            ctx.out.list(&rows)?;
        }
    }
    Ok(())
}

pub(super) fn ticket_export(
    ctx: &mut Ctx,
    store: &amoe_store::Store,
    who: &Acting,
    f: &TicketFilterArgs,
    format: crate::ops::sheets::SheetFormat,
    out: &std::path::Path,
    lang: &str,
) -> Result<()> {
    let fr = lang != "en";
    let tickets = ops::list(store, who, &filter(f)?)?;
    let table = ops::export_table(store, who, &tickets, fr)?;
    crate::ops::sheets::write(&[table], format, out)?;
    ctx.out.line(&format!("wrote {} tickets to `{}`", tickets.len(), out.display()))?;
    Ok(())
}
