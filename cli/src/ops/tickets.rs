//! Tickets as data operations: who acts, what they may do ([`authorize`], the only gate), and
//! every read and change of a ticket. The commands print; this module decides.

use std::path::{Path, PathBuf};

use amoe_core::sla::{Reading, Targets, read_clocks};
use amoe_core::tickets::{Action, Actor, Kind, Level, Priority, Scope, Status, allowed};
use amoe_store::tickets::{Event, Ticket, TicketFilter, TicketReads, User};
use amoe_store::{AuditDraft, Store};
use serde::Serialize;

use crate::error::Failure;

/// Largest attachment, bytes.
pub const MAX_ATTACHMENT: u64 = 10 * 1024 * 1024;

/// The acting user and what the authorization needs of them.
#[derive(Debug, Clone)]
pub struct Acting {
    /// The account.
    pub user: User,
    /// Their spaces and rights.
    pub actor: Actor,
    /// The Message-ID domain of notices, when `[mail]` is configured (else none are queued).
    pub notify: Option<String>,
}

/// The account the operator acts as (`--as` for an administrator).
pub fn acting(store: &Store, operator: &str, as_user: Option<&str>) -> anyhow::Result<Acting> {
    let me = match store.user_of_operator(operator)? {
        Some(u) => u,
        None => store.user(operator)?.ok_or_else(|| {
            Failure::new(format!("the operator `{operator}` has no account"))
                .hint("an administrator adds one: `amoe user add EMAIL --name NAME --login LOGIN`")
        })?,
    };
    let user = match as_user {
        None => me,
        Some(email) if me.admin => store
            .user(email)?
            .ok_or_else(|| Failure::new(format!("no user `{email}`")).hint("`amoe user list` shows the accounts"))?,
        Some(_) => return Err(Failure::new("only administrators may act as another user (--as)").into()),
    };
    let actor = store.actor(&user)?;
    Ok(Acting { user, actor, notify: None })
}

/// Refuses unless the acting user is an administrator.
pub fn require_admin(who: &Acting, what: &str) -> anyhow::Result<()> {
    if who.user.admin { Ok(()) } else { Err(Failure::new(format!("only administrators may {what}")).into()) }
}

fn scope(t: &Ticket) -> Scope<'_> {
    Scope { project: &t.project, space: &t.space, reporter: &t.reporter }
}

fn not_found(id: i64) -> anyhow::Error {
    Failure::new(format!("no ticket #{id}")).hint("`amoe ticket list` shows the tickets you may see").into()
}

/// The one gate: the ticket if `who` may do `action` on it. One they may not read does not exist
/// for them.
pub fn authorize(store: &Store, who: &Acting, id: i64, action: Action) -> anyhow::Result<Ticket> {
    let t = store.ticket(id)?.ok_or_else(|| not_found(id))?;
    if allowed(&who.actor, scope(&t), action) {
        return Ok(t);
    }
    if !allowed(&who.actor, scope(&t), Action::Read) {
        return Err(not_found(id));
    }
    Err(Failure::new(format!("you may read ticket #{id} but not change it"))
        .hint(format!("ask for the write right on project `{}`", t.project))
        .into())
}

/// What a ticket opening needs.
#[derive(Debug, Clone)]
pub struct NewTicket {
    /// Project.
    pub project: String,
    /// Space.
    pub space: String,
    /// Type.
    pub kind: Kind,
    /// Title.
    pub title: String,
    /// Priority.
    pub priority: Priority,
    /// First comment.
    pub body: Option<String>,
    /// Inventory links.
    pub site: Option<String>,
    /// Host.
    pub host: Option<String>,
    /// Beneficiary.
    pub beneficiary: Option<String>,
    /// Message-ID of the e-mail it came from.
    pub message_id: Option<String>,
    /// Opened for this user rather than the acting one.
    pub reporter: Option<String>,
}

/// Opens a ticket; returns it.
pub fn open(store: &mut Store, who: &Acting, draft: &AuditDraft, n: &NewTicket) -> anyhow::Result<Ticket> {
    // The right first: to someone who may not open tickets there, a project or space of
    // another customer is refused as one that does not exist would be, with the same words.
    let s = Scope { project: &n.project, space: &n.space, reporter: &who.user.email };
    if !allowed(&who.actor, s, Action::Write) {
        return Err(Failure::new(format!(
            "you may not open tickets in project `{}` of space `{}`",
            n.project, n.space
        ))
        .hint("an administrator grants it: `amoe acl grant USER PROJECT write` and `amoe space join SPACE USER`")
        .into());
    }
    if !store.projects()?.iter().any(|p| p.name == n.project) {
        return Err(Failure::new(format!("no project `{}`", n.project)).hint("`amoe project list` shows them").into());
    }
    if !store.spaces()?.iter().any(|(s, _, _)| *s == n.space) {
        return Err(Failure::new(format!("no space `{}`", n.space)).hint("`amoe space list` shows them").into());
    }
    // Links to the inventory name things that exist.
    {
        use amoe_store::beneficiaries::BeneficiaryReads;
        use amoe_store::hosts::HostReads;
        use amoe_store::sites::SiteReads;
        if let Some(site) = &n.site {
            store.site(&site.parse::<amoe_core::Name>()?)?;
        }
        if let Some(host) = &n.host {
            store.host(&host.parse::<amoe_core::Name>()?)?;
        }
        if let Some(b) = &n.beneficiary {
            store.beneficiary(&b.parse::<amoe_core::Siret>()?)?;
        }
    }
    let beneficiary =
        n.beneficiary.as_deref().map(|b| b.parse::<amoe_core::Siret>().map(|s| s.to_string())).transpose()?;
    let reporter = match &n.reporter {
        None => who.user.email.clone(),
        Some(r) => {
            let u = store.user(r)?.ok_or_else(|| Failure::new(format!("no user `{r}`")))?;
            let member = store.actor(&u)?;
            if !u.admin && !member.spaces.contains(&n.space) {
                return Err(Failure::new(format!("`{r}` is not a member of space `{}`", n.space))
                    .hint(format!("`amoe space join {} {r}` first", n.space))
                    .into());
            }
            u.email
        }
    };
    let now = amoe_core::time::now_utc();
    // One line: a title goes into mail subjects and sheets.
    let title: String = n.title.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        return Err(Failure::usage("a ticket needs a title").into());
    }
    let mut t = Ticket {
        id: 0,
        title,
        kind: n.kind,
        status: Status::New,
        priority: n.priority,
        project: n.project.clone(),
        space: n.space.clone(),
        reporter,
        assignee: None,
        site: n.site.clone(),
        host: n.host.clone(),
        beneficiary,
        created_at: now.clone(),
        updated_at: now.clone(),
    };
    let mut d = draft.clone();
    let id = store.mutate(&d.clone(), |tx| {
        let id = tx.insert_ticket(&t, &who.user.email, n.message_id.as_deref())?;
        if let Some(body) = &n.body {
            tx.add_event(id, &now, &who.user.email, "comment", Some(body), None, None)?;
        }
        if let Some(domain) = &who.notify {
            super::notices::queue(tx, id, 1, &who.user.email, domain)?;
        }
        Ok::<_, anyhow::Error>(id)
    })?;
    d.target = Some(format!("#{id}"));
    t.id = id;
    Ok(t)
}

/// Tickets `who` may read, matching `f`, newest first, at most `limit`.
pub fn list_limited(
    store: &Store,
    who: &Acting,
    f: &TicketFilter,
    limit: Option<usize>,
) -> anyhow::Result<Vec<Ticket>> {
    // The store narrows in SQL; the authorization function decides.
    Ok(store
        .tickets_for(f, Some(&who.actor), limit)?
        .into_iter()
        .filter(|t| allowed(&who.actor, scope(t), Action::Read))
        .collect())
}

/// Tickets `who` may read, matching `f`.
pub fn list(store: &Store, who: &Acting, f: &TicketFilter) -> anyhow::Result<Vec<Ticket>> {
    list_limited(store, who, f, None)
}

/// A ticket with what `show` prints.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TicketView {
    /// The ticket.
    #[serde(flatten)]
    pub ticket: Ticket,
    /// Its history (time spent only for users who see time).
    pub events: Vec<Event>,
    /// Linked tickets the user may see: (number, kind).
    pub links: Vec<(i64, String)>,
    /// Attachments: (name, sha256, size).
    pub attachments: Vec<(String, String, i64)>,
    /// SLA clocks.
    pub sla: Vec<Reading>,
    /// Minutes spent in all (users who see time only).
    pub minutes: Option<i64>,
}

fn parse_ts(s: &str) -> Option<jiff::Timestamp> {
    s.parse().ok()
}

/// The SLA clocks of a ticket now.
pub fn clocks(store: &Store, t: &Ticket, events: &[Event]) -> anyhow::Result<Vec<Reading>> {
    let targets: Targets = store
        .projects()?
        .into_iter()
        .find(|p| p.name == t.project)
        .and_then(|p| serde_json::from_str(&p.sla).ok())
        .unwrap_or_default();
    let changes: Vec<(jiff::Timestamp, Status)> = events
        .iter()
        .filter(|e| e.kind == "status")
        .filter_map(|e| Some((parse_ts(&e.at)?, e.value.as_deref()?.parse().ok()?)))
        .collect();
    let opened = parse_ts(&t.created_at).unwrap_or_else(jiff::Timestamp::now);
    Ok(read_clocks(
        t.kind,
        opened,
        &changes,
        &targets,
        &amoe_core::calendar::Calendar::default(),
        jiff::Timestamp::now(),
    ))
}

/// A ticket as `who` may see it.
pub fn show(store: &Store, who: &Acting, id: i64) -> anyhow::Result<TicketView> {
    let ticket = authorize(store, who, id, Action::Read)?;
    let mut events = store.events(id)?;
    // The clocks read the whole history, before it is trimmed for this reader.
    let sla = clocks(store, &ticket, &events)?;
    let minutes = who.user.see_time.then(|| events.iter().filter_map(|e| e.minutes).sum());
    if !who.user.see_time {
        events.retain(|e| e.kind != "time");
        for e in &mut events {
            e.minutes = None;
        }
    }
    // A link to a ticket one may not read is not shown, not even its number.
    let readable =
        |other: i64| store.ticket(other).ok().flatten().is_some_and(|o| allowed(&who.actor, scope(&o), Action::Read));
    events.retain(|e| {
        e.kind != "link"
            || e.value
                .as_deref()
                .and_then(|v| v.strip_prefix('#'))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .is_none_or(readable)
    });
    let links = store
        .links(id)?
        .into_iter()
        .filter(|(other, _)| {
            store.ticket(*other).ok().flatten().is_some_and(|o| allowed(&who.actor, scope(&o), Action::Read))
        })
        .collect();
    let attachments = store.attachments(id)?;
    Ok(TicketView { ticket, events, links, attachments, sla, minutes })
}

/// Adds a comment.
pub fn comment(
    store: &mut Store,
    who: &Acting,
    draft: &AuditDraft,
    id: i64,
    text: &str,
    minutes: Option<i64>,
    message_id: Option<&str>,
) -> anyhow::Result<i64> {
    let t = authorize(store, who, id, Action::Comment)?;
    if minutes.is_some_and(|m| !(0..=100_000).contains(&m)) {
        return Err(Failure::usage("minutes spent are 0 to 100000").into());
    }
    if minutes.is_some() && !who.user.see_time && !allowed(&who.actor, scope(&t), Action::Write) {
        return Err(Failure::new("only those who handle the ticket record time spent").into());
    }
    let now = amoe_core::time::now_utc();
    Ok(store.mutate(draft, |tx| {
        let seq = tx.add_event(id, &now, &who.user.email, "comment", Some(text), minutes, message_id)?;
        if let Some(domain) = &who.notify {
            super::notices::queue(tx, id, seq, &who.user.email, domain)?;
        }
        Ok::<_, amoe_store::Error>(seq)
    })?)
}

/// Changes the status, the assignee or the priority.
pub fn change(
    store: &mut Store,
    who: &Acting,
    draft: &AuditDraft,
    id: i64,
    field: &str,
    value: &str,
) -> anyhow::Result<()> {
    let t = authorize(store, who, id, Action::Write)?;
    match field {
        "status" => {
            let s: Status = value.parse().map_err(Failure::usage)?;
            if s == t.status {
                return Ok(());
            }
        }
        "assignee" => {
            let u = store.user(value)?.ok_or_else(|| Failure::new(format!("no user `{value}`")))?;
            let a = store.actor(&u)?;
            if !allowed(&a, scope(&t), Action::Read) {
                return Err(Failure::new(format!("`{value}` may not see ticket #{id}")).into());
            }
        }
        "priority" => {
            value.parse::<Priority>().map_err(Failure::usage)?;
        }
        _ => return Err(Failure::usage(format!("unknown field {field}")).into()),
    }
    let now = amoe_core::time::now_utc();
    let value = if field == "status" {
        value.parse::<Status>().map(|s| s.as_str().to_owned()).unwrap_or_default()
    } else {
        value.to_owned()
    };
    store.mutate(draft, |tx| {
        tx.set_ticket_field(id, field, Some(&value))?;
        let kind = if field == "assignee" { "assign" } else { field };
        let seq = tx.add_event(id, &now, &who.user.email, kind, Some(&value), None, None)?;
        if field == "status"
            && let Some(domain) = &who.notify
        {
            super::notices::queue(tx, id, seq, &who.user.email, domain)?;
        }
        Ok::<_, amoe_store::Error>(())
    })?;
    Ok(())
}

/// Links two tickets (both must be writable by `who`).
pub fn link(
    store: &mut Store,
    who: &Acting,
    draft: &AuditDraft,
    id: i64,
    other: i64,
    kind: &str,
) -> anyhow::Result<()> {
    if id == other {
        return Err(Failure::usage("a ticket cannot be linked to itself").into());
    }
    authorize(store, who, id, Action::Write)?;
    authorize(store, who, other, Action::Write)?;
    let now = amoe_core::time::now_utc();
    store.mutate(draft, |tx| {
        tx.link(id, other, kind)?;
        tx.add_event(id, &now, &who.user.email, "link", Some(&format!("#{other} {kind}")), None, None)?;
        tx.add_event(other, &now, &who.user.email, "link", Some(&format!("#{id} {kind}")), None, None)
    })?;
    Ok(())
}

/// The kinds of file the extranet takes as attachments, by name, and what their first bytes
/// must be: documents, images, text, and compressed installation bundles (the deposit space).
const KINDS: &[(&[&str], &str)] = &[
    (&[".pdf"], "pdf"),
    (&[".png"], "png"),
    (&[".jpg", ".jpeg"], "jpeg"),
    (&[".gif"], "gif"),
    (&[".txt", ".log", ".csv", ".md", ".json", ".xml", ".yaml", ".yml", ".toml"], "text"),
    (&[".zip", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"], "zip"),
    (&[".tar.gz", ".tgz", ".gz"], "gzip"),
    (&[".tar.zst", ".zst"], "zstd"),
    (&[".tar"], "tar"),
];

/// Whether `bytes` are what `name`'s extension says (the extranet's uploads): a file named
/// `.pdf` that is not a PDF, or of a kind not listed, is refused naming the kinds taken.
pub fn check_type(name: &str, bytes: &[u8]) -> anyhow::Result<&'static str> {
    let lower = name.to_ascii_lowercase();
    let Some((_, kind)) = KINDS.iter().find(|(ends, _)| ends.iter().any(|e| lower.ends_with(e))) else {
        let all: Vec<&str> = KINDS.iter().flat_map(|(e, _)| e.iter().copied()).collect();
        return Err(
            Failure::new(format!("`{name}`: files of this kind are not taken; these are: {}", all.join(" "))).into()
        );
    };
    let ok = match *kind {
        "pdf" => bytes.starts_with(b"%PDF-"),
        "png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "jpeg" => bytes.starts_with(&[0xff, 0xd8, 0xff]),
        "gif" => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
        "text" => std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0),
        "zip" => bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06"),
        "gzip" => bytes.starts_with(&[0x1f, 0x8b]),
        "zstd" => bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]),
        "tar" => bytes.get(257..262) == Some(b"ustar"),
        _ => false,
    };
    if ok {
        Ok(kind)
    } else {
        Err(Failure::new(format!("`{name}` is not a {kind} file, whatever its name says")).into())
    }
}

/// Whether a file name is a compressed installation bundle (the deposit space lists these).
pub fn is_bundle(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".tar.gz", ".tgz", ".tar.zst", ".tar", ".zip"].iter().any(|e| lower.ends_with(e))
}

/// Where a store made before schema version 15 kept an attachment's bytes:
/// `STORE_DIR/attachments/AB/ABCD…`. Newer stores hold them (`attachment_bytes`); these files
/// are still read, and moved into the store when it is opened. `None` for a value that is not
/// a SHA-256, which names no such file.
fn attachment_path(store_path: &Path, sha256: &str) -> Option<PathBuf> {
    amoe_store::is_sha256(sha256).then(|| legacy_attachments_dir(store_path).join(&sha256[..2]).join(sha256))
}

/// The folder of attachment files of a store before schema version 15.
pub fn legacy_attachments_dir(store_path: &Path) -> PathBuf {
    store_path.parent().unwrap_or(Path::new(".")).join("attachments")
}

/// The bytes of the attachment `sha256`: from the store, or from the file an older version of
/// the store kept beside it (`files_anchor`, see [`attachment_path`]), checked against its
/// SHA-256 either way.
pub fn attachment_bytes(store: &impl TicketReads, files_anchor: &Path, sha256: &str) -> anyhow::Result<Vec<u8>> {
    let bytes = match store.attachment_bytes(sha256)? {
        Some(b) => b,
        None => {
            let path = attachment_path(files_anchor, sha256)
                .ok_or_else(|| Failure::new(format!("`{sha256}` is not the SHA-256 of an attachment")))?;
            std::fs::read(&path).map_err(|e| {
                Failure::new(format!("the store has no bytes for the attachment {sha256}: `{}`: {e}", path.display()))
                    .hint("restore the attachments folder of the store's earlier version, or the store from a backup")
            })?
        }
    };
    if super::sha256_hex(&bytes) != sha256 {
        return Err(Failure::new(format!("the attachment {sha256} does not match its SHA-256"))
            .hint("restore the store from a backup")
            .into());
    }
    Ok(bytes)
}

/// What [`adopt_attachment_files`] did.
#[derive(Debug, Default)]
pub struct Adopted {
    /// Attachments whose bytes went from their file into the store.
    pub moved: usize,
    /// Attachments whose file is missing or does not match its SHA-256 (left as they were).
    pub missing: Vec<String>,
}

/// Moves into the store the bytes of attachments that a version before schema 15 kept as files
/// beside it, so that a backup holds them and every host sharing the store reads them. The
/// files are left in place. Run whenever the store is opened where such files are.
pub fn adopt_attachment_files(store: &mut Store, files_anchor: &Path, draft: &AuditDraft) -> anyhow::Result<Adopted> {
    let mut done = Adopted::default();
    let mut batch: Vec<(String, Vec<u8>)> = Vec::new();
    let mut size = 0;
    let shas = store.attachments_without_bytes()?;
    for (i, sha) in shas.iter().enumerate() {
        match attachment_path(files_anchor, sha).map(std::fs::read) {
            Some(Ok(bytes)) if super::sha256_hex(&bytes) == *sha => {
                size += bytes.len();
                batch.push((sha.clone(), bytes));
            }
            _ => done.missing.push(sha.clone()),
        }
        // One transaction per 64 MiB or so: the bytes are held in memory until it commits.
        if !batch.is_empty() && (size >= 64 << 20 || i + 1 == shas.len()) {
            store.mutate(draft, |tx| batch.iter().try_for_each(|(sha, bytes)| tx.put_attachment_bytes(sha, bytes)))?;
            done.moved += batch.len();
            (batch, size) = (Vec::new(), 0);
        }
    }
    Ok(done)
}

/// Says on standard error what [`adopt_attachment_files`] did, when it did anything.
pub fn say_adopted(done: &Adopted, files_anchor: &Path) {
    if done.moved > 0 {
        eprintln!("note: moved {} attachment(s) from files into the store", done.moved);
    }
    if !done.missing.is_empty() {
        let dir = legacy_attachments_dir(files_anchor);
        eprintln!(
            "warning: {} attachment(s) have neither their bytes in the store nor a sound file in `{}`: {}",
            done.missing.len(),
            dir.display(),
            done.missing.join(", ")
        );
    }
}

/// Whether `who` may attach files to `t`: those who may change it, and its reporter.
pub fn may_attach(who: &Acting, t: &Ticket) -> bool {
    allowed(&who.actor, scope(t), Action::Write) || t.reporter.eq_ignore_ascii_case(&who.user.email)
}

/// Attaches bytes under `name` (a file name, no folders); stored once by SHA-256, in the store.
#[allow(clippy::too_many_arguments)]
pub fn attach(
    store: &mut Store,
    who: &Acting,
    draft: &AuditDraft,
    id: i64,
    name: &str,
    bytes: &[u8],
) -> anyhow::Result<String> {
    let t = authorize(store, who, id, Action::Comment)?;
    if !may_attach(who, &t) {
        return Err(Failure::new(format!("you may read ticket #{id} but not attach to it")).into());
    }
    if bytes.len() as u64 > MAX_ATTACHMENT {
        return Err(Failure::new(format!(
            "`{name}` is {} bytes; attachments are {MAX_ATTACHMENT} bytes at most",
            bytes.len()
        ))
        .into());
    }
    let name = Path::new(name).file_name().and_then(|n| n.to_str()).unwrap_or("attachment").to_owned();
    let sha = super::sha256_hex(bytes);
    match store.attachments(id)?.into_iter().find(|(n, _, _)| *n == name) {
        Some((_, same, _)) if same == sha => return Ok(sha),
        Some(_) => {
            return Err(Failure::new(format!(
                "ticket #{id} already has an attachment named `{name}` with other content"
            ))
            .hint("rename the file to keep both")
            .into());
        }
        None => {}
    }
    let now = amoe_core::time::now_utc();
    store.mutate(draft, |tx| {
        let seq = tx.add_event(id, &now, &who.user.email, "attach", Some(&format!("{name} ({sha})")), None, None)?;
        tx.attach(id, &name, &sha, bytes, seq)
    })?;
    Ok(sha)
}

/// The level a word names.
pub fn level(word: &str) -> anyhow::Result<Level> {
    word.parse::<Level>().map_err(|e| Failure::usage(e).into())
}

/// How `ticket stats` groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// Per day.
    Day,
    /// Per month.
    Month,
    /// Per year.
    Year,
}

/// One period of `ticket stats`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StatsPeriod {
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY` (Paris time).
    pub period: String,
    /// Tickets opened.
    pub opened: u64,
    /// Tickets resolved or closed (the first time).
    pub closed: u64,
}

/// Delays of one clock over the tickets counted.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Delay {
    /// `take_charge`, `restore` or `resolve`.
    pub clock: String,
    /// Tickets whose clock stopped.
    pub count: u64,
    /// Mean, hours.
    pub mean_h: f64,
    /// Median, hours.
    pub median_h: f64,
    /// 90th percentile, hours.
    pub p90_h: f64,
    /// Tickets over their target (running ones included).
    pub breaches: u64,
}

/// `ticket stats`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TicketStats {
    /// Tickets counted (those the user may read, matching the filters).
    pub tickets: u64,
    /// By type.
    pub by_type: std::collections::BTreeMap<String, u64>,
    /// By status.
    pub by_status: std::collections::BTreeMap<String, u64>,
    /// Opened and closed per period.
    pub periods: Vec<StatsPeriod>,
    /// Delays per clock.
    pub delays: Vec<Delay>,
}

fn period_at(t: jiff::Timestamp, by: By) -> String {
    let d = t.to_zoned(amoe_core::time::paris()).date();
    match by {
        By::Day => d.to_string(),
        By::Month => format!("{:04}-{:02}", d.year(), d.month()),
        By::Year => format!("{:04}", d.year()),
    }
}

/// Figures of the tickets `who` may read that match `f`.
pub fn stats(store: &Store, who: &Acting, f: &TicketFilter, by: By) -> anyhow::Result<TicketStats> {
    use std::collections::{BTreeMap, HashMap};
    // The authorization function decides for each ticket, on its project, space and reporter.
    let (tickets, project_names) = store.ticket_facts(f, &mut |project, space, reporter| {
        allowed(&who.actor, Scope { project, space, reporter }, Action::Read)
    })?;
    // Both come sorted by ticket number: each ticket's changes are a slice, found by walking.
    let all = store.status_changes()?;
    let change_ids: Vec<i64> = all.iter().map(|(t, _, _)| *t).collect();
    let changes: Vec<(jiff::Timestamp, Status)> = all.into_iter().map(|(_, at, s)| (at, s)).collect();
    let mut cursor = 0;
    let targets: HashMap<String, Targets> =
        store.projects()?.into_iter().map(|p| (p.name, serde_json::from_str(&p.sla).unwrap_or_default())).collect();
    let cal = amoe_core::calendar::Calendar::default();
    let now = jiff::Timestamp::now();
    let mut by_type = BTreeMap::new();
    let mut by_status = BTreeMap::new();
    let mut periods: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut delays: BTreeMap<&'static str, (Vec<i64>, u64)> = BTreeMap::new();
    // Tickets come in time order: the period of the last hour seen is kept.
    let mut memo: Option<(i64, String)> = None;
    let mut period_cached = |t: jiff::Timestamp| -> String {
        let hour = t.as_second().div_euclid(3600);
        match &memo {
            Some((h, p)) if *h == hour => p.clone(),
            _ => {
                let p = period_at(t, by);
                memo = Some((hour, p.clone()));
                p
            }
        }
    };
    for t in &tickets {
        *by_type.entry(t.kind.to_string()).or_insert(0) += 1;
        *by_status.entry(t.status.to_string()).or_insert(0) += 1;
        let opened = t.created_at.unwrap_or(now);
        periods.entry(period_cached(opened)).or_default().0 += 1;
        while cursor < change_ids.len() && change_ids[cursor] < t.id {
            cursor += 1;
        }
        let start = cursor;
        while cursor < change_ids.len() && change_ids[cursor] == t.id {
            cursor += 1;
        }
        let ch = &changes[start..cursor];
        if let Some((at, _)) = ch.iter().find(|(_, s)| matches!(s, Status::Resolved | Status::Closed)) {
            periods.entry(period_at(*at, by)).or_default().1 += 1;
        }
        let tg = project_names.get(t.project).and_then(|p| targets.get(p)).cloned().unwrap_or_default();
        for r in read_clocks(t.kind, opened, ch, &tg, &cal, now) {
            let e = delays.entry(r.clock).or_default();
            if !r.running {
                e.0.push(r.elapsed_s);
            }
            e.1 += u64::from(r.breached);
        }
    }
    let hours = |s: i64| (s as f64 / 3600.0 * 100.0).round() / 100.0;
    let delays = delays
        .into_iter()
        .map(|(clock, (mut v, breaches))| {
            v.sort_unstable();
            let pick =
                |q: f64| if v.is_empty() { 0 } else { v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1] };
            let mean = if v.is_empty() { 0.0 } else { v.iter().sum::<i64>() as f64 / v.len() as f64 };
            Delay {
                clock: clock.to_owned(),
                count: v.len() as u64,
                mean_h: hours(mean as i64),
                median_h: hours(pick(0.5)),
                p90_h: hours(pick(0.9)),
                breaches,
            }
        })
        .collect();
    Ok(TicketStats {
        tickets: tickets.len() as u64,
        by_type,
        by_status,
        periods: periods.into_iter().map(|(period, (opened, closed))| StatsPeriod { period, opened, closed }).collect(),
        delays,
    })
}

/// `ticket stats` as sheets: periods, by type, by status, delays (the CLI's file and the
/// extranet's download).
pub fn stats_tables(s: &TicketStats) -> Vec<crate::ops::sheets::Table> {
    use crate::ops::sheets::{Table, Value};
    let count = |m: &std::collections::BTreeMap<String, u64>, title: &str, key: &str| Table {
        name: title.to_owned(),
        headers: vec![key.to_owned(), "tickets".to_owned()],
        rows: m.iter().map(|(k, v)| vec![Value::Text(k.clone()), Value::Number(*v as f64)]).collect(),
    };
    vec![
        Table {
            name: "Périodes".into(),
            headers: vec!["période".into(), "ouverts".into(), "clos".into()],
            rows: s
                .periods
                .iter()
                .map(|p| {
                    vec![Value::Text(p.period.clone()), Value::Number(p.opened as f64), Value::Number(p.closed as f64)]
                })
                .collect(),
        },
        count(&s.by_type, "Par type", "type"),
        count(&s.by_status, "Par statut", "statut"),
        Table {
            name: "Délais".into(),
            headers: ["horloge", "tickets", "moyenne (h)", "médiane (h)", "90e centile (h)", "dépassements"]
                .map(String::from)
                .to_vec(),
            rows: s
                .delays
                .iter()
                .map(|d| {
                    vec![
                        Value::Text(d.clock.clone()),
                        Value::Number(d.count as f64),
                        Value::Number(d.mean_h),
                        Value::Number(d.median_h),
                        Value::Number(d.p90_h),
                        Value::Number(d.breaches as f64),
                    ]
                })
                .collect(),
        },
    ]
}

/// `tickets` as one sheet, as `ticket export` writes it (French titles and words with `fr`;
/// time spent only for users who see time).
pub fn export_table(
    store: &Store,
    who: &Acting,
    tickets: &[Ticket],
    fr: bool,
) -> anyhow::Result<crate::ops::sheets::Table> {
    use crate::ops::sheets::{Table, Value};
    let minutes = if who.user.see_time { Some(store.minutes_by_ticket()?) } else { None };
    let mut headers: Vec<String> = if fr {
        [
            "numéro",
            "type",
            "statut",
            "priorité",
            "projet",
            "espace",
            "titre",
            "demandeur",
            "intervenant",
            "site",
            "serveur",
            "bénéficiaire",
            "ouvert le",
            "dernière action",
        ]
        .map(String::from)
        .to_vec()
    } else {
        [
            "number",
            "type",
            "status",
            "priority",
            "project",
            "space",
            "title",
            "reporter",
            "assignee",
            "site",
            "host",
            "beneficiary",
            "opened",
            "updated",
        ]
        .map(String::from)
        .to_vec()
    };
    if minutes.is_some() {
        headers.push(if fr { "temps passé (min)" } else { "time spent (min)" }.to_owned());
    }
    let opt = |o: &Option<String>| o.clone().map_or(Value::Empty, Value::Text);
    let at = |s: &str| s.parse::<jiff::Timestamp>().map_or(Value::Empty, Value::Instant);
    let rows = tickets
        .iter()
        .map(|t| {
            let mut r = vec![
                Value::Number(t.id as f64),
                Value::Text(if fr { t.kind.label_fr().to_owned() } else { t.kind.to_string() }),
                Value::Text(if fr { t.status.label_fr().to_owned() } else { t.status.to_string() }),
                Value::Text(if fr { t.priority.label_fr().to_owned() } else { t.priority.to_string() }),
                Value::Text(t.project.clone()),
                Value::Text(t.space.clone()),
                Value::Text(t.title.clone()),
                Value::Text(t.reporter.clone()),
                opt(&t.assignee),
                opt(&t.site),
                opt(&t.host),
                opt(&t.beneficiary),
                at(&t.created_at),
                at(&t.updated_at),
            ];
            if let Some(m) = &minutes {
                r.push(Value::Number(m.get(&t.id).copied().unwrap_or(0) as f64));
            }
            r
        })
        .collect();
    Ok(Table { name: "Tickets".to_owned(), headers, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_are_what_their_names_say() {
        assert_eq!(check_type("plan.PDF", b"%PDF-1.7 ...").ok(), Some("pdf"));
        assert_eq!(check_type("site.tar.gz", &[0x1f, 0x8b, 8, 0]).ok(), Some("gzip"));
        assert_eq!(check_type("notes.txt", "été".as_bytes()).ok(), Some("text"));
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(check_type("site.tar", &tar).ok(), Some("tar"));
        // A script named as a picture, a binary named as text, a kind not taken.
        assert!(check_type("photo.png", b"#!/bin/sh\nrm -rf /").is_err());
        assert!(check_type("notes.txt", &[0x7f, b'E', b'L', b'F', 0, 1]).is_err());
        let e = check_type("setup.exe", b"MZ").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("not taken") && e.contains(".pdf"), "{e}");
        assert!(is_bundle("site-1.2.TAR.GZ") && is_bundle("x.zip") && !is_bundle("x.pdf"));
    }
}
