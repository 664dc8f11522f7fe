//! The audit journal: append-only and hash-chained.
//!
//! Each entry's hash is the SHA-256 of the canonical JSON array
//! `[seq, at, operator, command, target, args, outcome, prev_hash]` (with the certificate
//! `identity` appended when the entry has one), and `prev_hash` is the
//! previous entry's hash (64 zeros for the first). `audit_head` keeps the last `(seq, hash)`.
//! [`verify`](AuditReads::verify) recomputes everything: an edited entry breaks its own hash, a
//! deleted or reordered one breaks the chain or the sequence, a deleted tail disagrees with the
//! head. Someone able to rewrite the whole file can rewrite the whole chain: keep the head hash
//! that `amoe audit verify` prints somewhere else to detect that too.

use crate::db::{Conn, OptionalExtension, params};
use crate::{Reads, Result};
use amoe_core::AuditEntry;
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a command will journal, minus the outcome.
#[derive(Debug, Clone, Default)]
pub struct AuditDraft {
    pub operator: String,
    pub command: String,
    pub target: Option<String>,
    /// Already redacted.
    pub args: Vec<String>,
    /// The client certificate a fleet command used (`name (role)`).
    pub identity: Option<String>,
}

/// Filters of `amoe audit list`; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Stored UTC form; entries at or after.
    pub since: Option<String>,
    pub operator: Option<String>,
    /// Exact target (`site:www`) or its kind followed by `:` (`site:`).
    pub target: Option<String>,
}

/// The outcome of [`AuditReads::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: i64,
    /// The last entry's hash (the genesis hash for an empty journal).
    pub head: String,
    /// The first entry found wrong and why; `None` when the journal is intact.
    pub first_bad: Option<(i64, String)>,
}

fn entry_hash(e: &AuditEntry) -> String {
    let mut canonical =
        serde_json::json!([e.seq, e.at, e.operator, e.command, e.target, e.args, e.outcome, e.prev_hash]);
    if let (Some(identity), Some(list)) = (&e.identity, canonical.as_array_mut()) {
        list.push(serde_json::Value::String(identity.clone()));
    }
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends one entry inside the caller's transaction.
pub(crate) fn append(conn: &Conn, draft: &AuditDraft, outcome: &str) -> crate::db::Result<()> {
    let last: Option<(i64, String)> = conn
        .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev_hash) = last.map_or((1, GENESIS.to_string()), |(s, h)| (s + 1, h));
    let mut entry = AuditEntry {
        seq,
        at: amoe_core::time::now_utc(),
        operator: draft.operator.clone(),
        command: draft.command.clone(),
        target: draft.target.clone(),
        args: draft.args.clone(),
        outcome: outcome.to_string(),
        identity: draft.identity.clone(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry_hash(&entry);
    let args =
        serde_json::to_string(&entry.args).map_err(|e| crate::db::Error::Type { index: 5, problem: e.to_string() })?;
    conn.execute(
        "INSERT INTO audit (seq, at, operator, command, target, args, outcome, prev_hash, hash, identity)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            entry.seq,
            entry.at,
            entry.operator,
            entry.command,
            entry.target,
            args,
            entry.outcome,
            entry.prev_hash,
            entry.hash,
            entry.identity
        ],
    )?;
    conn.execute(
        "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        params![entry.seq, entry.hash],
    )?;
    Ok(())
}

const COLUMNS: &str = "seq, at, operator, command, target, args, outcome, prev_hash, hash, identity";

fn row_to_entry(r: &crate::db::Row<'_>) -> crate::db::Result<(AuditEntry, String)> {
    let args: String = r.get(5)?;
    Ok((
        AuditEntry {
            seq: r.get(0)?,
            at: r.get(1)?,
            operator: r.get(2)?,
            command: r.get(3)?,
            target: r.get(4)?,
            args: Vec::new(),
            outcome: r.get(6)?,
            identity: r.get(9)?,
            prev_hash: r.get(7)?,
            hash: r.get(8)?,
        },
        args,
    ))
}

/// Reading and checking the journal.
pub trait AuditReads: Reads {
    /// Entries matching `filter`, oldest first.
    fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let (target_exact, target_prefix) = match &filter.target {
            Some(t) if t.ends_with(':') => (None, Some(format!("{}%", t.replace('%', "\\%").replace('_', "\\_")))),
            Some(t) => (Some(t.clone()), None),
            None => (None, None),
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM audit
             WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR operator = ?2)
               AND (?3 IS NULL OR target = ?3) AND (?4 IS NULL OR target LIKE ?4 ESCAPE '\\')
             ORDER BY seq"
        );
        let mut stmt = self.conn().prepare_cached(&sql).map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![filter.since, filter.operator, target_exact, target_prefix], row_to_entry)
            .and_then(|rows| rows.collect::<crate::db::Result<Vec<_>>>())
            .map_err(|e| self.sql(e))?;
        Ok(rows
            .into_iter()
            .map(|(mut entry, args)| {
                // An edited args column is shown as it is; `verify` reports it.
                entry.args = serde_json::from_str(&args).unwrap_or_else(|_| vec![args]);
                entry
            })
            .collect())
    }

    /// Recomputes the chain from the first entry and reports the first one found wrong.
    fn verify(&self) -> Result<VerifyReport> {
        let mut stmt = self
            .conn()
            .prepare_cached(&format!("SELECT {COLUMNS} FROM audit ORDER BY seq"))
            .map_err(|e| self.sql(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.sql(e))?;
        let mut prev = GENESIS.to_string();
        let mut expected_seq = 1;
        let mut first_bad = None;
        while let Some(row) = rows.next().map_err(|e| self.sql(e))? {
            let (mut entry, args) = row_to_entry(&row).map_err(|e| self.sql(e))?;
            let seq = entry.seq;
            let problem = match serde_json::from_str::<Vec<String>>(&args) {
                Err(_) => Some("its arguments are not the JSON list that was written".to_string()),
                Ok(parsed) => {
                    entry.args = parsed;
                    if seq != expected_seq {
                        Some(format!("expected entry {expected_seq} here: entries were deleted or reordered"))
                    } else if entry.prev_hash != prev {
                        Some("it does not follow the previous entry: entries were deleted or reordered".into())
                    } else if entry_hash(&entry) != entry.hash {
                        Some("its content does not match its hash: it was edited".into())
                    } else {
                        None
                    }
                }
            };
            if let Some(problem) = problem {
                first_bad = Some((seq, problem));
                break;
            }
            prev = entry.hash;
            expected_seq += 1;
        }
        let entries = expected_seq - 1;
        if first_bad.is_none() {
            let head: Option<(i64, String)> = self
                .conn()
                .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .map_err(|e| self.sql(e))?;
            let head_ok = match &head {
                None => entries == 0,
                Some((seq, hash)) => *seq == entries && *hash == prev,
            };
            if !head_ok {
                let last = head.map_or(0, |(s, _)| s);
                first_bad = Some((
                    entries + 1,
                    format!(
                        "the journal ends at entry {entries} but its head records entry {last}: the last entries were deleted"
                    ),
                ));
            }
        }
        Ok(VerifyReport { entries, head: prev, first_bad })
    }
}

impl<T: Reads> AuditReads for T {}
