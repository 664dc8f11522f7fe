//! E-mail intake: one RFC 5322 message (as an MTA pipe or fetchmail's MDA hands it) becomes a
//! ticket, or a comment on the ticket it answers.
//!
//! - The sender must be a user (else exit 67, EX_NOUSER: the MTA bounces it); a reply needs the
//!   right to comment on its ticket, a new message the right to open one in the project.
//! - A reply is found by `In-Reply-To` / `References` (Message-IDs recorded with each event,
//!   and those of the notices sent), then by a `[#N]` tag in the subject.
//! - The text is the plain-text part, or the HTML part turned into text; encoded-word subjects,
//!   quoted-printable and base64 bodies in any charset mail-parser reads.
//! - Attachments are stored like `ticket attach` (once by SHA-256, 10 MiB each at most).
//! - A message already imported (same Message-ID) is not imported twice: an MTA retrying after a
//!   time-out does no harm.
//! - Something that is not a message: exit 65 (EX_DATAERR). Nothing is written on a refusal;
//!   the refusal is journaled.

use amoe_core::tickets::{Action, Kind, Priority, Scope, allowed};
use amoe_store::tickets::TicketReads;
use amoe_store::{AuditDraft, Store};

use crate::error::{Exit, Failure};
use crate::ops::tickets::{self as ops, Acting, MAX_ATTACHMENT, NewTicket};

/// What the pipe was told to use for new tickets.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    /// Project of new tickets.
    pub project: Option<String>,
    /// Space of new tickets (default: the sender's only space).
    pub space: Option<String>,
    /// Type of new tickets (default: request).
    pub kind: Option<Kind>,
    /// Notices' Message-ID domain when `[mail]` is set.
    pub notify: Option<String>,
}

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Outcome {
    /// The ticket.
    pub ticket: i64,
    /// `opened`, `commented` or `already` (imported before).
    pub action: String,
    /// Attachments stored.
    pub attachments: usize,
}

fn refuse(message: String, exit: Exit) -> anyhow::Error {
    Failure::with_exit(message, exit).into()
}

/// Names that clash with `taken` (the ticket's attachments) or with one another (pasted
/// images are all `image.png`) get ` (2)`, ` (3)`… before their extension.
fn unique_names(files: Vec<(String, Vec<u8>)>, mut taken: Vec<String>) -> Vec<(String, Vec<u8>)> {
    files
        .into_iter()
        .map(|(name, bytes)| {
            let (stem, ext) =
                name.rsplit_once('.').map_or((name.as_str(), String::new()), |(a, b)| (a, format!(".{b}")));
            let mut unique = name.clone();
            let mut n = 2;
            while taken.contains(&unique) {
                unique = format!("{stem} ({n}){ext}");
                n += 1;
            }
            taken.push(unique.clone());
            (unique, bytes)
        })
        .collect()
}

/// Imports one message.
pub fn import(store: &mut Store, draft: &AuditDraft, raw: &[u8], d: &Defaults) -> anyhow::Result<Outcome> {
    let result = import_inner(store, draft, raw, d);
    if let Err(e) = &result {
        let _ = store.journal(draft, &format!("refused: {e}"));
    }
    result
}

fn import_inner(store: &mut Store, draft: &AuditDraft, raw: &[u8], d: &Defaults) -> anyhow::Result<Outcome> {
    let m =
        amoe_core::mail::read(raw).map_err(|e| refuse(format!("not a usable e-mail message: {e}"), Exit::DataErr))?;
    let (sender, refs, text, subject) = (m.sender, m.answers, m.text, m.subject);
    // An incoming message may not take an id of the notices' kind: it could claim one before
    // it is sent and catch the replies to it.
    let message_id = m.message_id.filter(|id| !id.starts_with("amoe.ticket."));
    let user = store
        .user(&sender)?
        .ok_or_else(|| refuse(format!("`{sender}` has no account: the message is refused"), Exit::NoUser))?;
    let who = Acting { actor: store.actor(&user)?, user, notify: d.notify.clone() };
    if let Some(id) = &message_id
        && let Some(t) = store.ticket_of_message(id)?
    {
        return Ok(Outcome { ticket: t, action: "already".into(), attachments: 0 });
    }
    // Attachments are checked before anything is written.
    for (name, bytes) in &m.attachments {
        if bytes.len() as u64 > MAX_ATTACHMENT {
            return Err(refuse(
                format!(
                    "the attachment `{name}` is {} bytes; attachments are {MAX_ATTACHMENT} bytes at most",
                    bytes.len()
                ),
                Exit::DataErr,
            ));
        }
    }
    let files = m.attachments;

    // A reply: by Message-ID, then by the subject's tag.
    let mut target = None;
    for r in refs.iter().rev() {
        if let Some(t) = store.ticket_of_message(r)? {
            target = Some(t);
            break;
        }
    }
    if target.is_none() {
        // A ticket the sender may not read does not exist for them: no match.
        target = amoe_core::mail::subject_tag(&subject).filter(|id| {
            store.ticket(*id).ok().flatten().is_some_and(|t| {
                allowed(&who.actor, Scope { project: &t.project, space: &t.space, reporter: &t.reporter }, Action::Read)
            })
        });
    }
    if let Some(id) = target {
        let t = store.ticket(id)?.ok_or_else(|| refuse(format!("no ticket #{id}"), Exit::NoUser))?;
        let scope = Scope { project: &t.project, space: &t.space, reporter: &t.reporter };
        if !allowed(&who.actor, scope, Action::Comment) {
            return Err(refuse(
                format!("`{sender}` may not write on ticket #{id}: the message is refused"),
                Exit::NoUser,
            ));
        }
        let mut dd = draft.clone();
        dd.target = Some(format!("#{id}"));
        let body = if text.is_empty() { "(message sans texte)".to_owned() } else { text };
        let existing: Vec<String> = store.attachments(id)?.into_iter().map(|(n, _, _)| n).collect();
        let files = unique_names(files, existing);
        ops::comment(store, &who, &dd, id, &body, None, message_id.as_deref())?;
        for (name, bytes) in &files {
            ops::attach(store, &who, &dd, id, name, bytes)?;
        }
        return Ok(Outcome { ticket: id, action: "commented".into(), attachments: files.len() });
    }

    // A new ticket.
    let project = d.project.clone().ok_or_else(|| {
        refuse("this message opens a ticket, but no project was given (`--project`)".into(), Exit::DataErr)
    })?;
    let space = match &d.space {
        Some(s) => s.clone(),
        None => match who.actor.spaces.as_slice() {
            [only] => only.clone(),
            _ => {
                return Err(refuse(
                    format!(
                        "`{sender}` belongs to {} spaces: the pipe must say which (`--space`)",
                        who.actor.spaces.len()
                    ),
                    Exit::NoUser,
                ));
            }
        },
    };
    if !allowed(&who.actor, Scope { project: &project, space: &space, reporter: &who.user.email }, Action::Write) {
        return Err(refuse(
            format!("`{sender}` may not open tickets in project `{project}`: the message is refused"),
            Exit::NoUser,
        ));
    }
    let n = NewTicket {
        project,
        space,
        kind: d.kind.unwrap_or(Kind::Request),
        title: amoe_core::mail::title_of(&subject),
        priority: Priority::Normal,
        body: Some(text).filter(|t| !t.is_empty()),
        site: None,
        host: None,
        beneficiary: None,
        message_id: message_id.clone(),
        reporter: None,
    };
    let t = ops::open(store, &who, draft, &n)?;
    let files = unique_names(files, Vec::new());
    for (name, bytes) in &files {
        ops::attach(store, &who, draft, t.id, name, bytes)?;
    }
    Ok(Outcome { ticket: t.id, action: "opened".into(), attachments: files.len() })
}
