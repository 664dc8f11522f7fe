//! Ticket notices (002 §5.2.6): an opening, a comment or a status change is mailed to the
//! reporter and the followers (the assignee and whoever wrote on the ticket) who may still read
//! it, not to the one who acted.
//!
//! A notice is queued in the same transaction as its event (`ticket_notices`), then sent; one
//! that cannot be sent (SMTP down) stays owed and is sent once by a later command or by
//! `amoe ticket notify` from cron. Subjects carry `[#N]`; every notice has its own Message-ID
//! and follows the ticket's first one (`In-Reply-To`, `References`), so mail clients thread
//! them and replies come back to the ticket. Without `[mail]` in config.toml nothing is queued.

use amoe_core::tickets::{Action, Scope, Status, allowed};
use amoe_store::tickets::{Event, TicketReads};
use amoe_store::{Store, Tx};

use crate::settings::MailConfig;

/// The domain of notice Message-IDs: the sender's.
pub fn domain(cfg: &MailConfig) -> String {
    cfg.sender.rsplit_once('@').map_or_else(|| "amoe.invalid".to_owned(), |(_, d)| d.trim_end_matches('>').to_owned())
}

/// Queues the notice of event `seq` of ticket `id`, done by `actor` (inside its transaction).
pub fn queue(tx: &Tx<'_>, id: i64, seq: i64, actor: &str, domain: &str) -> amoe_store::Result<()> {
    let Some(t) = tx.ticket(id)? else { return Ok(()) };
    let mut people: Vec<String> = vec![t.reporter.clone()];
    people.extend(t.assignee.clone());
    people.extend(tx.events(id)?.into_iter().map(|e| e.actor));
    people.sort();
    people.dedup();
    let scope = Scope { project: &t.project, space: &t.space, reporter: &t.reporter };
    let mut to = Vec::new();
    for p in people {
        if p.eq_ignore_ascii_case(actor) {
            continue;
        }
        if let Some(u) = tx.user(&p)?
            && allowed(&tx.actor(&u)?, scope, Action::Read)
        {
            to.push(u.email);
        }
    }
    if to.is_empty() {
        return Ok(());
    }
    // A random part: nobody can guess a notice's id and claim it beforehand.
    let token: String = {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(format!("{id}.{seq}.{:?}.{}", std::time::SystemTime::now(), std::process::id()));
        h.update(rand_bytes());
        h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
    };
    tx.queue_notice(id, seq, &to, &format!("amoe.ticket.{id}.{seq}.{token}@{domain}"))
}

/// 16 bytes from the system's random source.
fn rand_bytes() -> [u8; 16] {
    let mut b = [0u8; 16];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let _ = std::io::Read::read_exact(&mut f, &mut b);
    }
    b
}

fn describe(e: &Event, first_comment: Option<&str>) -> String {
    match e.kind.as_str() {
        "created" => {
            let mut s = format!("Ticket ouvert par {}.", e.actor);
            if let Some(c) = first_comment {
                s.push_str(&format!("\n\n{c}"));
            }
            s
        }
        "comment" => format!("Commentaire de {} :\n\n{}", e.actor, e.value.as_deref().unwrap_or("")),
        "status" => format!(
            "Statut : {} (par {}).",
            e.value.as_deref().and_then(|v| v.parse::<Status>().ok()).map_or("?", Status::label_fr),
            e.actor
        ),
        other => format!("{other} par {}.", e.actor),
    }
}

/// Sends every owed notice; returns how many were sent, and the error that stopped the rest.
pub fn send_owed(store: &mut Store, cfg: &MailConfig, draft: &amoe_store::AuditDraft) -> (usize, Option<String>) {
    let owed = match store.owed_notices() {
        Ok(o) => o,
        Err(e) => return (0, Some(e.to_string())),
    };
    let mut sent = 0;
    for (id, seq, to, message_id) in owed {
        let (Ok(Some(t)), Ok(events)) = (store.ticket(id), store.events(id)) else { continue };
        // Rights may have changed since the notice was queued: only those who may still read.
        let scope = Scope { project: &t.project, space: &t.space, reporter: &t.reporter };
        let to: Vec<String> = to
            .into_iter()
            .filter(|p| {
                store
                    .user(p)
                    .ok()
                    .flatten()
                    .and_then(|u| store.actor(&u).ok())
                    .is_some_and(|a| allowed(&a, scope, Action::Read))
            })
            .collect();
        if to.is_empty() {
            let mut d = draft.clone();
            d.command = "ticket notice dropped (nobody may read it now)".into();
            d.target = Some(format!("#{id}"));
            let now = amoe_core::time::now_utc();
            let _ =
                store.mutate(&d, |tx| tx.notice_outcome(id, seq, Some(&now), Some("no recipient may read the ticket")));
            continue;
        }
        let Some(event) = events.iter().find(|e| e.seq == seq) else { continue };
        let first_comment = (event.kind == "created")
            .then(|| events.iter().find(|e| e.kind == "comment").and_then(|e| e.value.as_deref()))
            .flatten();
        // Follow the message that opened the ticket (an e-mail, or its first notice).
        let parent = events
            .first()
            .and_then(|e| e.message_id.clone())
            .or_else(|| store.first_notice_id(id).ok().flatten())
            .filter(|p| *p != message_id);
        // One run sends a notice: the row is claimed first (concurrent MTA pipes, cron).
        let now = amoe_core::time::now_utc();
        let stale = (jiff::Timestamp::now() - jiff::SignedDuration::from_mins(10)).to_string();
        match store.mutate(&draft.clone(), |tx| tx.claim_notice(id, seq, &now, &stale)) {
            Ok(true) => {}
            _ => continue,
        }
        let subject = format!("[#{id}] {}", t.title);
        let body = format!(
            "{}\n\n— Ticket #{id} « {} » ({}, {}, {})\nPour répondre, répondez à ce message en gardant [#{id}] dans l'objet.\n",
            describe(event, first_comment),
            t.title,
            t.kind.label_fr(),
            t.status.label_fr(),
            t.project
        );
        let env = crate::mail::Envelope {
            to: &to,
            subject: &subject,
            body: &body,
            message_id: Some(&message_id),
            in_reply_to: parent.as_deref(),
        };
        match crate::mail::send(cfg, &env) {
            Ok(()) => {
                let now = amoe_core::time::now_utc();
                let mut d = draft.clone();
                d.command = "ticket notice sent".into();
                d.target = Some(format!("#{id}"));
                let _ = store.mutate(&d, |tx| tx.notice_outcome(id, seq, Some(&now), None));
                sent += 1;
            }
            Err(e) if e.downcast_ref::<crate::mail::Refused>().is_some() => {
                // Refused for good: recorded, and the others go on.
                let msg = format!("{e:#}");
                let mut d = draft.clone();
                d.command = "ticket notice refused by the server".into();
                d.target = Some(format!("#{id}"));
                let failed = format!("failed:{}", amoe_core::time::now_utc());
                let _ = store.mutate(&d, |tx| tx.notice_outcome(id, seq, Some(&failed), Some(&msg)));
            }
            Err(e) => {
                let msg = format!("{e:#}");
                let mut d = draft.clone();
                d.command = "ticket notice owed".into();
                d.target = Some(format!("#{id}"));
                let _ = store.mutate(&d, |tx| tx.notice_outcome(id, seq, None, Some(&msg)));
                return (sent, Some(msg));
            }
        }
    }
    (sent, None)
}
