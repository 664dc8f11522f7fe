//! Tickets and the people around them: users, projects, spaces, rights; tickets, their history,
//! links and attachments (stored once by SHA-256, their bytes in `attachment_bytes`).
//!
//! No rights are checked here: callers go through `amoe_core::tickets::allowed` with the
//! [`Actor`] this module builds, before reading or writing a ticket.

use crate::db::{OptionalExtension, params};
use crate::{Error, Reads, Result, Tx};
use amoe_core::tickets::{Actor, Kind, Level, Priority, Status};
use serde::Serialize;

/// A person with an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct User {
    /// E-mail, the account's id.
    pub email: String,
    /// Full name.
    pub name: String,
    /// Every right.
    pub admin: bool,
    /// Sees time spent.
    pub see_time: bool,
    /// The operator login mapped to this account, if any.
    pub operator: Option<String>,
}

/// A project: an application or a set of them, with its contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Project {
    /// Short name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Maîtrise d'ouvrage contact.
    pub moa: Option<String>,
    /// Maîtrise d'œuvre contact.
    pub moe: Option<String>,
    /// Assistance à maîtrise d'ouvrage contact.
    pub amoa: Option<String>,
    /// SLA targets (JSON).
    pub sla: String,
}

/// A ticket's current state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Ticket {
    /// Number.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Type.
    pub kind: Kind,
    /// Status.
    pub status: Status,
    /// Priority.
    pub priority: Priority,
    /// Project.
    pub project: String,
    /// Space.
    pub space: String,
    /// Who reported it.
    pub reporter: String,
    /// Who handles it.
    pub assignee: Option<String>,
    /// Inventory links.
    pub site: Option<String>,
    /// Host.
    pub host: Option<String>,
    /// Beneficiary (SIRET).
    pub beneficiary: Option<String>,
    /// Opened (UTC).
    pub created_at: String,
    /// Last event (UTC).
    pub updated_at: String,
}

/// One event of a ticket's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Event {
    /// Ticket.
    pub ticket: i64,
    /// Order in the ticket (1: creation).
    pub seq: i64,
    /// When (UTC).
    pub at: String,
    /// Who (e-mail).
    pub actor: String,
    /// `created`, `comment`, `status`, `assign`, `priority`, `attach`, `link`, `time`.
    pub kind: String,
    /// The comment, the new value, the file name…
    pub value: Option<String>,
    /// Minutes spent (kind `time`, or with a comment).
    pub minutes: Option<i64>,
    /// Message-ID of the e-mail it came from or went out as.
    pub message_id: Option<String>,
}

/// What `ticket stats` needs of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketFact {
    /// Number.
    pub id: i64,
    /// Type.
    pub kind: Kind,
    /// Status.
    pub status: Status,
    /// Index of its project in the list given beside.
    pub project: usize,
    /// Opened.
    pub created_at: Option<jiff::Timestamp>,
}

/// A notice not sent yet: (ticket, event seq, recipients, Message-ID).
pub type OwedNotice = (i64, i64, Vec<String>, String);

/// Filters of `ticket list` (all optional, combined with AND).
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    /// Project.
    pub project: Option<String>,
    /// Space.
    pub space: Option<String>,
    /// Status.
    pub status: Option<Status>,
    /// Type.
    pub kind: Option<Kind>,
    /// Priority.
    pub priority: Option<Priority>,
    /// Reporter.
    pub reporter: Option<String>,
    /// Assignee.
    pub assignee: Option<String>,
    /// Site.
    pub site: Option<String>,
    /// Host.
    pub host: Option<String>,
    /// Beneficiary.
    pub beneficiary: Option<String>,
    /// Opened on or after (UTC, RFC 3339 prefix).
    pub since: Option<String>,
    /// Words in the title.
    pub text: Option<String>,
}

/// An instant as the store writes them (`YYYY-MM-DDTHH:MM:SS[.fff]Z`), read without the
/// general parser (a million events are read at a time); anything else goes through jiff.
fn parse_utc(s: &str) -> Option<jiff::Timestamp> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        b.get(r.clone())?.iter().try_fold(0i64, |acc, c| c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0')))
    };
    let fast = (|| {
        if b.len() < 20
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
            || *b.last()? != b'Z'
        {
            return None;
        }
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
        let date = jiff::civil::Date::new(y as i16, m as i8, d as i8).ok()?;
        let days = (date - jiff::civil::Date::constant(1970, 1, 1)).get_days() as i64;
        if hh > 23 || mm > 59 || ss > 60 {
            return None;
        }
        let nanos = if b.len() > 20 && b[19] == b'.' {
            let frac = &s[20..s.len() - 1];
            if frac.is_empty() || frac.len() > 9 || !frac.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            frac.parse::<i32>().ok()? * 10_i32.pow(9 - frac.len() as u32)
        } else if b.len() == 20 {
            0
        } else {
            return None;
        };
        jiff::Timestamp::new(days * 86_400 + hh * 3600 + mm * 60 + ss, nanos).ok()
    })();
    fast.or_else(|| s.parse().ok())
}

/// The `WHERE` clause of the filters, parameters ?1 to ?12 (see [`filter_values`]).
const TICKET_FILTER: &str =
    "(?1 IS NULL OR project = ?1) AND (?2 IS NULL OR space = ?2) AND (?3 IS NULL OR status = ?3)
               AND (?4 IS NULL OR kind = ?4) AND (?5 IS NULL OR priority = ?5) AND (?6 IS NULL OR reporter = ?6)
               AND (?7 IS NULL OR assignee = ?7) AND (?8 IS NULL OR site = ?8) AND (?9 IS NULL OR host = ?9)
               AND (?10 IS NULL OR beneficiary = ?10) AND (?11 IS NULL OR created_at >= ?11)
               AND (?12 IS NULL OR lower(title) LIKE '%' || replace(replace(replace(lower(?12), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' ESCAPE '\\')";

/// The values of [`TICKET_FILTER`]'s parameters.
fn filter_values(f: &TicketFilter) -> Vec<Option<String>> {
    vec![
        f.project.clone(),
        f.space.clone(),
        f.status.map(|s| s.as_str().to_owned()),
        f.kind.map(|s| s.as_str().to_owned()),
        f.priority.map(|s| s.as_str().to_owned()),
        f.reporter.clone(),
        f.assignee.clone(),
        f.site.clone(),
        f.host.clone(),
        f.beneficiary.clone(),
        f.since.clone(),
        f.text.clone(),
    ]
}

fn bad(table: &'static str, problem: impl ToString) -> Error {
    Error::BadRow { table, problem: problem.to_string() }
}

const TICKET_COLUMNS: &str = "id, title, kind, status, priority, project, space, reporter, assignee, site, host, beneficiary, created_at, updated_at";

fn ticket_row(r: &crate::db::Row<'_>) -> crate::db::Result<[Option<String>; 14]> {
    Ok([
        Some(r.get::<_, i64>(0)?.to_string()),
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
        r.get(13)?,
    ])
}

fn build_ticket(c: [Option<String>; 14]) -> Result<Ticket> {
    let [
        id,
        title,
        kind,
        status,
        priority,
        project,
        space,
        reporter,
        assignee,
        site,
        host,
        beneficiary,
        created,
        updated,
    ] = c;
    let s = |v: Option<String>| v.unwrap_or_default();
    Ok(Ticket {
        id: s(id).parse().map_err(|e| bad("tickets", e))?,
        title: s(title),
        kind: s(kind).parse().map_err(|e| bad("tickets", e))?,
        status: s(status).parse().map_err(|e| bad("tickets", e))?,
        priority: s(priority).parse().map_err(|e| bad("tickets", e))?,
        project: s(project),
        space: s(space),
        reporter: s(reporter),
        assignee,
        site,
        host,
        beneficiary,
        created_at: s(created),
        updated_at: s(updated),
    })
}

/// Reading tickets and their people.
pub trait TicketReads: Reads {
    /// The beneficiaries (SIRET) a user's spaces stand for.
    fn beneficiaries_of_user(&self, email: &str) -> Result<Vec<String>> {
        self.conn()
            .prepare_cached(
                "SELECT DISTINCT b.siret FROM space_beneficiaries b JOIN space_members m ON m.space = b.space
                 WHERE m.\"user\" = ?1 ORDER BY b.siret",
            )
            .and_then(|mut s| s.query_map([email], |r| r.get(0))?.collect::<crate::db::Result<Vec<String>>>())
            .map_err(|e| self.sql(e))
    }

    /// The beneficiaries (SIRET) each space stands for.
    fn space_links(&self) -> Result<Vec<(String, String)>> {
        self.conn()
            .prepare_cached("SELECT space, siret FROM space_beneficiaries ORDER BY space, siret")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<crate::db::Result<Vec<_>>>())
            .map_err(|e| self.sql(e))
    }

    /// Every user, by e-mail.
    fn users(&self) -> Result<Vec<User>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT email, name, admin, see_time, operator FROM users ORDER BY email")
            .map_err(|e| self.sql(e))?;
        stmt.query_map([], |r| {
            Ok(User {
                email: r.get(0)?,
                name: r.get(1)?,
                admin: r.get::<_, i64>(2)? != 0,
                see_time: r.get::<_, i64>(3)? != 0,
                operator: r.get(4)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.sql(e))
    }

    /// One user by e-mail (case-insensitive).
    fn user(&self, email: &str) -> Result<Option<User>> {
        Ok(self.users()?.into_iter().find(|u| u.email.eq_ignore_ascii_case(email)))
    }

    /// The user an operator login maps to.
    fn user_of_operator(&self, operator: &str) -> Result<Option<User>> {
        Ok(self.users()?.into_iter().find(|u| u.operator.as_deref() == Some(operator)))
    }

    /// What the authorization needs of a user.
    fn actor(&self, user: &User) -> Result<Actor> {
        let spaces = self
            .conn()
            .prepare_cached("SELECT space FROM space_members WHERE \"user\" = ?1 ORDER BY space")
            .and_then(|mut s| s.query_map([&user.email], |r| r.get(0))?.collect::<crate::db::Result<Vec<String>>>())
            .map_err(|e| self.sql(e))?;
        let rights = self
            .conn()
            .prepare_cached("SELECT project, level FROM acl WHERE \"user\" = ?1 ORDER BY project")
            .and_then(|mut s| {
                s.query_map([&user.email], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                    .collect::<crate::db::Result<Vec<_>>>()
            })
            .map_err(|e| self.sql(e))?
            .into_iter()
            .map(|(p, l)| Ok((p, l.parse::<Level>().map_err(|e| bad("acl", e))?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Actor { email: user.email.clone(), admin: user.admin, spaces, rights })
    }

    /// Every project.
    fn projects(&self) -> Result<Vec<Project>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT name, label, moa, moe, amoa, sla FROM projects ORDER BY name")
            .map_err(|e| self.sql(e))?;
        stmt.query_map([], |r| {
            Ok(Project {
                name: r.get(0)?,
                label: r.get(1)?,
                moa: r.get(2)?,
                moe: r.get(3)?,
                amoa: r.get(4)?,
                sla: r.get(5)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.sql(e))
    }

    /// Every space and its members: (space, label, members).
    fn spaces(&self) -> Result<Vec<(String, String, Vec<String>)>> {
        let mut stmt =
            self.conn().prepare_cached("SELECT name, label FROM spaces ORDER BY name").map_err(|e| self.sql(e))?;
        let spaces: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for (name, label) in spaces {
            let members = self
                .conn()
                .prepare_cached("SELECT \"user\" FROM space_members WHERE space = ?1 ORDER BY \"user\"")
                .and_then(|mut s| s.query_map([&name], |r| r.get(0))?.collect::<crate::db::Result<Vec<String>>>())
                .map_err(|e| self.sql(e))?;
            out.push((name, label, members));
        }
        Ok(out)
    }

    /// Every right granted: (user, project, level).
    fn acl(&self) -> Result<Vec<(String, String, Level)>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT \"user\", project, level FROM acl ORDER BY \"user\", project")
            .map_err(|e| self.sql(e))?;
        let rows: Vec<(String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql(e))?;
        rows.into_iter().map(|(u, p, l)| Ok((u, p, l.parse().map_err(|e| bad("acl", e))?))).collect()
    }

    /// One ticket.
    fn ticket(&self, id: i64) -> Result<Option<Ticket>> {
        let row = self
            .conn()
            .query_row(&format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = ?1"), [id], ticket_row)
            .optional()
            .map_err(|e| self.sql(e))?;
        row.map(build_ticket).transpose()
    }

    /// Tickets matching `f`, newest first.
    fn tickets(&self, f: &TicketFilter) -> Result<Vec<Ticket>> {
        self.tickets_for(f, None, None)
    }

    /// Tickets matching `f` that `actor` may possibly read (a narrowing in SQL of what
    /// `amoe_core::tickets::allowed` decides: callers still ask it), newest first, at most
    /// `limit`.
    fn tickets_for(&self, f: &TicketFilter, actor: Option<&Actor>, limit: Option<usize>) -> Result<Vec<Ticket>> {
        let mut extra = String::new();
        let mut more: Vec<String> = Vec::new();
        if let Some(a) = actor.filter(|a| !a.admin) {
            // `IN (NULL)` for an empty list: PostgreSQL has no `IN ()`, and it matches nothing too.
            let marks = |n: usize, from: usize| match n {
                0 => "NULL".to_string(),
                n => (0..n).map(|i| format!("?{}", from + i)).collect::<Vec<_>>().join(", "),
            };
            let readable: Vec<String> =
                a.rights.iter().filter(|(_, l)| *l != Level::None).map(|(p, _)| p.clone()).collect();
            extra.push_str(&format!(" AND space IN ({})", marks(a.spaces.len(), 13)));
            more.extend(a.spaces.iter().cloned());
            let from = 13 + more.len();
            extra.push_str(&format!(
                " AND (project IN ({}) OR lower(reporter) = lower(?{}))",
                marks(readable.len(), from),
                from + readable.len()
            ));
            more.extend(readable);
            more.push(a.email.clone());
        }
        let limit = limit.map_or(String::new(), |n| format!(" LIMIT {n}"));
        let sql = format!(
            "SELECT {TICKET_COLUMNS} FROM tickets
             WHERE {TICKET_FILTER}{extra}
             ORDER BY id DESC{limit}"
        );
        let mut values = filter_values(f);
        values.extend(more.into_iter().map(Some));
        let mut stmt = self.conn().prepare(&sql).map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(crate::db::params_from_iter(values.iter()), ticket_row)
            .and_then(|rows| rows.collect::<crate::db::Result<Vec<_>>>())
            .map_err(|e| self.sql(e))?;
        rows.into_iter().map(build_ticket).collect()
    }

    /// The few facts `ticket stats` needs of every ticket that `keep(project, space, reporter)`
    /// accepts (the caller's authorization), without building whole tickets; the projects are
    /// given once, by index.
    fn ticket_facts(
        &self,
        f: &TicketFilter,
        keep: &mut dyn FnMut(&str, &str, &str) -> bool,
    ) -> Result<(Vec<TicketFact>, Vec<String>)> {
        let sql = format!(
            "SELECT id, kind, status, project, space, reporter, created_at FROM tickets
             WHERE {TICKET_FILTER}
             ORDER BY id"
        );
        let mut stmt = self.conn().prepare_cached(&sql).map_err(|e| self.sql(e))?;
        let mut rows = stmt.query(crate::db::params_from_iter(filter_values(f).iter())).map_err(|e| self.sql(e))?;
        let mut facts = Vec::new();
        let mut projects: Vec<String> = Vec::new();
        let text = |r: &crate::db::Row<'_>, i: usize| -> String {
            r.get_ref(i).ok().and_then(|v| v.as_str().ok()).unwrap_or("").to_owned()
        };
        while let Some(r) = rows.next().map_err(|e| self.sql(e))? {
            let s = |i: usize| r.get_ref(i).ok().and_then(|v| v.as_str().ok()).unwrap_or("");
            if !keep(s(3), s(4), s(5)) {
                continue;
            }
            let project = match projects.iter().position(|p| p == s(3)) {
                Some(i) => i,
                None => {
                    projects.push(text(&r, 3));
                    projects.len() - 1
                }
            };
            facts.push(TicketFact {
                id: r.get(0).map_err(|e| self.sql(e))?,
                kind: s(1).parse().map_err(|e| bad("tickets", e))?,
                status: s(2).parse().map_err(|e| bad("tickets", e))?,
                project,
                created_at: parse_utc(s(6)),
            });
        }
        Ok((facts, projects))
    }

    /// A ticket's history, in order.
    fn events(&self, ticket: i64) -> Result<Vec<Event>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT ticket, seq, at, actor, kind, value, minutes, message_id FROM ticket_events
                 WHERE ticket = ?1 ORDER BY seq",
            )
            .map_err(|e| self.sql(e))?;
        stmt.query_map([ticket], |r| {
            Ok(Event {
                ticket: r.get(0)?,
                seq: r.get(1)?,
                at: r.get(2)?,
                actor: r.get(3)?,
                kind: r.get(4)?,
                value: r.get(5)?,
                minutes: r.get(6)?,
                message_id: r.get(7)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.sql(e))
    }

    /// Minutes spent per ticket (tickets with none are absent).
    fn minutes_by_ticket(&self) -> Result<std::collections::HashMap<i64, i64>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT ticket, CAST(SUM(minutes) AS BIGINT) FROM ticket_events WHERE minutes IS NOT NULL GROUP BY ticket")
            .map_err(|e| self.sql(e))?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).and_then(|rows| rows.collect()).map_err(|e| self.sql(e))
    }

    /// Every status change, by ticket then order: (ticket, when, new status); rows that do not
    /// read are skipped.
    fn status_changes(&self) -> Result<Vec<(i64, jiff::Timestamp, Status)>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT ticket, at, value FROM ticket_events WHERE kind = 'status' ORDER BY ticket, seq")
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        let mut rows = stmt.query([]).map_err(|e| self.sql(e))?;
        while let Some(r) = rows.next().map_err(|e| self.sql(e))? {
            let at = r.get_ref(1).ok().and_then(|v| v.as_str().ok()).and_then(parse_utc);
            let st = r.get_ref(2).ok().and_then(|v| v.as_str().ok()).and_then(|s| s.parse().ok());
            if let (Ok(t), Some(at), Some(st)) = (r.get::<_, i64>(0), at, st) {
                out.push((t, at, st));
            }
        }
        Ok(out)
    }

    /// The ticket an e-mail's Message-ID belongs to (one it came in as, or a notice sent).
    fn ticket_of_message(&self, message_id: &str) -> Result<Option<i64>> {
        self.conn()
            .query_row(
                "SELECT ticket FROM (SELECT ticket, 0 AS o FROM ticket_notices WHERE message_id = ?1
                 UNION ALL SELECT ticket, 1 FROM ticket_events WHERE message_id = ?1) AS m ORDER BY o LIMIT 1",
                [message_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Notices not sent yet: (ticket, event seq, recipients, message id), oldest first.
    fn owed_notices(&self) -> Result<Vec<OwedNotice>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT ticket, seq, recipients, message_id FROM ticket_notices
                 WHERE sent_at IS NULL OR (substr(sent_at, 1, 8) = 'claimed:' AND substr(sent_at, 9) < ?1)
                 ORDER BY ticket, seq",
            )
            .map_err(|e| self.sql(e))?;
        // A claim older than ten minutes is from a run that died: the notice is owed again.
        let stale = (jiff::Timestamp::now() - jiff::SignedDuration::from_mins(10)).to_string();
        let rows: Vec<(i64, i64, String, String)> = stmt
            .query_map([stale], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql(e))?;
        rows.into_iter()
            .map(|(t, s, r, m)| Ok((t, s, serde_json::from_str(&r).map_err(|e| bad("ticket_notices", e))?, m)))
            .collect()
    }

    /// The Message-ID of a ticket's first notice, if any.
    fn first_notice_id(&self, ticket: i64) -> Result<Option<String>> {
        self.conn()
            .query_row("SELECT message_id FROM ticket_notices WHERE ticket = ?1 ORDER BY seq LIMIT 1", [ticket], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Links of a ticket: (other ticket, kind), both directions.
    fn links(&self, ticket: i64) -> Result<Vec<(i64, String)>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT other, kind FROM ticket_links WHERE ticket = ?1
                 UNION SELECT ticket, kind FROM ticket_links WHERE other = ?1 ORDER BY 1",
            )
            .map_err(|e| self.sql(e))?;
        stmt.query_map([ticket], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql(e))
    }

    /// The bytes of the attachment with this SHA-256, when the store holds them (a store made
    /// before schema version 15 kept them as files beside it).
    fn attachment_bytes(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        OptionalExtension::optional(self.conn().query_row(
            "SELECT content FROM attachment_bytes WHERE sha256 = ?1",
            [sha256],
            |r| r.get(0),
        ))
        .map_err(|e| self.sql(e))
    }

    /// The SHA-256 of every attachment whose bytes the store lacks (written as files by a
    /// version before schema 15), in order.
    fn attachments_without_bytes(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT a.sha256 FROM attachments a WHERE NOT EXISTS
                 (SELECT 1 FROM attachment_bytes b WHERE b.sha256 = a.sha256) ORDER BY a.sha256",
            )
            .map_err(|e| self.sql(e))?;
        stmt.query_map([], |r| r.get(0)).and_then(|rows| rows.collect()).map_err(|e| self.sql(e))
    }

    /// Attachments of a ticket: (name, sha256, size).
    fn attachments(&self, ticket: i64) -> Result<Vec<(String, String, i64)>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT ta.name, ta.sha256, a.size FROM ticket_attachments ta JOIN attachments a ON a.sha256 = ta.sha256
                 WHERE ta.ticket = ?1 ORDER BY ta.seq, ta.name",
            )
            .map_err(|e| self.sql(e))?;
        stmt.query_map([ticket], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql(e))
    }
}

impl<T: Reads> TicketReads for T {}

impl Tx<'_> {
    fn exec(&self, sql: &str, p: impl crate::db::Params) -> Result<usize> {
        self.conn().execute(sql, p).map_err(|e| self.sql(e))
    }

    /// Adds a user; refuses a known e-mail.
    pub fn add_user(&self, u: &User) -> Result<()> {
        if self.user(&u.email)?.is_some() {
            return Err(Error::Duplicate { kind: "user", name: u.email.clone() });
        }
        self.exec(
            "INSERT INTO users (email, name, admin, see_time, operator) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![u.email, u.name, i64::from(u.admin), i64::from(u.see_time), u.operator],
        )?;
        Ok(())
    }

    /// Adds a project.
    pub fn add_project(&self, p: &Project) -> Result<()> {
        let n = self.exec(
            "INSERT INTO projects (name, label, moa, moe, amoa, sla) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO NOTHING",
            params![p.name, p.label, p.moa, p.moe, p.amoa, p.sla],
        )?;
        if n == 0 {
            return Err(Error::Duplicate { kind: "project", name: p.name.clone() });
        }
        Ok(())
    }

    /// Adds a space.
    pub fn add_space(&self, name: &str, label: &str) -> Result<()> {
        let n = self.exec(
            "INSERT INTO spaces (name, label) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
            params![name, label],
        )?;
        if n == 0 {
            return Err(Error::Duplicate { kind: "space", name: name.to_owned() });
        }
        Ok(())
    }

    /// Puts a user in a space.
    pub fn add_member(&self, space: &str, user: &str) -> Result<()> {
        self.exec(
            "INSERT INTO space_members (space, \"user\") VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![space, user],
        )?;
        Ok(())
    }

    /// Makes a space stand for a beneficiary: its members see the beneficiary's sites.
    pub fn link_space(&self, space: &str, siret: &str) -> Result<()> {
        self.exec(
            "INSERT INTO space_beneficiaries (space, siret) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![space, siret],
        )?;
        Ok(())
    }

    /// Undoes [`Tx::link_space`].
    pub fn unlink_space(&self, space: &str, siret: &str) -> Result<()> {
        let n = self.exec("DELETE FROM space_beneficiaries WHERE space = ?1 AND siret = ?2", params![space, siret])?;
        if n == 0 {
            return Err(Error::NotFound { kind: "space link", name: format!("{siret} in {space}") });
        }
        Ok(())
    }

    /// Takes a user out of a space.
    pub fn remove_member(&self, space: &str, user: &str) -> Result<()> {
        let n = self.exec("DELETE FROM space_members WHERE space = ?1 AND \"user\" = ?2", params![space, user])?;
        if n == 0 {
            return Err(Error::NotFound { kind: "space member", name: format!("{user} in {space}") });
        }
        Ok(())
    }

    /// Replaces a user's name, rights and login.
    pub fn update_user(&self, u: &User) -> Result<()> {
        let n = self.exec(
            "UPDATE users SET name = ?2, admin = ?3, see_time = ?4, operator = ?5 WHERE email = ?1",
            params![u.email, u.name, i64::from(u.admin), i64::from(u.see_time), u.operator],
        )?;
        if n == 0 {
            return Err(Error::NotFound { kind: "user", name: u.email.clone() });
        }
        Ok(())
    }

    /// Sets a user's right on a project (`none` removes it).
    pub fn grant(&self, user: &str, project: &str, level: Level) -> Result<()> {
        match level {
            Level::None => self.exec("DELETE FROM acl WHERE \"user\" = ?1 AND project = ?2", params![user, project])?,
            l => self.exec(
                "INSERT INTO acl (\"user\", project, level) VALUES (?1, ?2, ?3)
                 ON CONFLICT (\"user\", project) DO UPDATE SET level = excluded.level",
                params![user, project, l.as_str()],
            )?,
        };
        Ok(())
    }

    /// Opens a ticket with its creation event by `actor` (who may open it for its reporter);
    /// returns its number.
    pub fn insert_ticket(&self, t: &Ticket, actor: &str, message_id: Option<&str>) -> Result<i64> {
        let id = self.conn().insert_next_id(
            "tickets",
            "title, kind, status, priority, project, space, reporter, assignee, site, host, beneficiary, created_at, updated_at",
            "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12",
            "",
            params![
                t.title,
                t.kind.as_str(),
                t.status.as_str(),
                t.priority.as_str(),
                t.project,
                t.space,
                t.reporter,
                t.assignee,
                t.site,
                t.host,
                t.beneficiary,
                t.created_at
            ],
        ).map_err(|e| self.sql(e))?;
        self.add_event(id, &t.created_at, actor, "created", Some(&t.title), None, message_id)?;
        Ok(id)
    }

    /// Appends an event (and moves `updated_at`); returns its sequence number.
    #[allow(clippy::too_many_arguments)]
    pub fn add_event(
        &self,
        ticket: i64,
        at: &str,
        actor: &str,
        kind: &str,
        value: Option<&str>,
        minutes: Option<i64>,
        message_id: Option<&str>,
    ) -> Result<i64> {
        let seq: i64 = self
            .conn()
            .query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM ticket_events WHERE ticket = ?1", [ticket], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        self.exec(
            "INSERT INTO ticket_events (ticket, seq, at, actor, kind, value, minutes, message_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![ticket, seq, at, actor, kind, value, minutes, message_id],
        )?;
        self.exec("UPDATE tickets SET updated_at = ?2 WHERE id = ?1", params![ticket, at])?;
        Ok(seq)
    }

    /// Changes a ticket's status, assignee or priority (the caller adds the event).
    pub fn set_ticket_field(&self, ticket: i64, field: &str, value: Option<&str>) -> Result<()> {
        let column = match field {
            "status" => "status",
            "assignee" => "assignee",
            "priority" => "priority",
            _ => return Err(bad("tickets", format!("unknown field {field}"))),
        };
        self.exec(&format!("UPDATE tickets SET {column} = ?2 WHERE id = ?1"), params![ticket, value])?;
        Ok(())
    }

    /// Queues the notice of an event.
    pub fn queue_notice(&self, ticket: i64, seq: i64, recipients: &[String], message_id: &str) -> Result<()> {
        let r = serde_json::to_string(recipients).map_err(|e| bad("ticket_notices", e))?;
        self.exec(
            "INSERT INTO ticket_notices (ticket, seq, recipients, message_id) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![ticket, seq, r, message_id],
        )?;
        Ok(())
    }

    /// Claims an owed notice for sending (false: another run has it, or it is sent).
    pub fn claim_notice(&self, ticket: i64, seq: i64, now: &str, stale: &str) -> Result<bool> {
        let n = self.exec(
            "UPDATE ticket_notices SET sent_at = 'claimed:' || ?3 WHERE ticket = ?1 AND seq = ?2
               AND (sent_at IS NULL OR (substr(sent_at, 1, 8) = 'claimed:' AND substr(sent_at, 9) < ?4))",
            params![ticket, seq, now, stale],
        )?;
        Ok(n == 1)
    }

    /// Records a notice as sent, or why it was not.
    pub fn notice_outcome(&self, ticket: i64, seq: i64, sent_at: Option<&str>, error: Option<&str>) -> Result<()> {
        self.exec(
            "UPDATE ticket_notices SET sent_at = ?3, last_error = ?4 WHERE ticket = ?1 AND seq = ?2",
            params![ticket, seq, sent_at, error],
        )?;
        Ok(())
    }

    /// Links two tickets.
    pub fn link(&self, ticket: i64, other: i64, kind: &str) -> Result<()> {
        self.exec(
            "INSERT INTO ticket_links (ticket, other, kind) VALUES (?1, ?2, ?3)
             ON CONFLICT (ticket, other) DO UPDATE SET kind = excluded.kind",
            params![ticket, other, kind],
        )?;
        Ok(())
    }

    /// Puts in the bytes of an attachment already recorded (one an earlier version kept as a
    /// file); nothing happens when the store has them.
    pub fn put_attachment_bytes(&self, sha256: &str, content: &[u8]) -> Result<()> {
        crate::dump::put_attachment_bytes(self, sha256, content)
    }

    /// Records an attachment and, once per SHA-256, its bytes.
    pub fn attach(&self, ticket: i64, name: &str, sha256: &str, content: &[u8], seq: i64) -> Result<()> {
        self.exec(
            "INSERT INTO attachments (sha256, size) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![sha256, content.len() as i64],
        )?;
        crate::dump::put_attachment_bytes(self, sha256, content)?;
        let n = self.exec(
            "INSERT INTO ticket_attachments (ticket, name, sha256, seq) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![ticket, name, sha256, seq],
        )?;
        if n == 0 {
            return Err(Error::Duplicate { kind: "attachment", name: name.to_owned() });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn instants_read_fast_as_jiff_reads_them() {
        for s in [
            "2026-11-27T13:28:43.824Z",
            "2025-01-01T00:00:00Z",
            "2024-02-29T23:59:59.000000001Z",
            "2026-11-27T13:28:43+01:00",
        ] {
            assert_eq!(super::parse_utc(s), s.parse().ok(), "{s}");
        }
        assert_eq!(super::parse_utc("2026-02-30T00:00:00Z"), None);
        assert_eq!(super::parse_utc("garbage"), None);
    }
}
