//! The audit journal: listing with filters, verification.

use crate::error::Failure;
use amoe_core::AuditEntry;
use amoe_store::audit::AuditReads;
use amoe_store::{AuditFilter, Store, VerifyReport};
use anyhow::Result;
use serde::Serialize;

pub fn list(
    store: &Store,
    since: Option<&str>,
    operator: Option<&str>,
    target: Option<&str>,
) -> Result<Vec<AuditEntry>> {
    let since =
        since.map(amoe_core::time::parse_since).transpose().map_err(|e| Failure::usage(format!("--since: {e}")))?;
    let filter = AuditFilter { since, operator: operator.map(str::to_string), target: target.map(str::to_string) };
    Ok(store.audit_entries(&filter)?)
}

/// `amoe audit verify --output json`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Verification {
    /// True when every entry checks out.
    pub intact: bool,
    /// Entries checked.
    pub entries: i64,
    /// Hash of the last good entry; keep it elsewhere to detect a rewrite of the whole journal.
    pub head: String,
    /// Sequence number of the first bad entry.
    pub first_bad: Option<i64>,
    /// Why it is bad.
    pub problem: Option<String>,
}

impl From<VerifyReport> for Verification {
    fn from(r: VerifyReport) -> Self {
        let (first_bad, problem) = r.first_bad.map_or((None, None), |(s, p)| (Some(s), Some(p)));
        Verification { intact: first_bad.is_none(), entries: r.entries, head: r.head, first_bad, problem }
    }
}

pub fn verify(store: &Store) -> Result<Verification> {
    Ok(store.verify()?.into())
}
