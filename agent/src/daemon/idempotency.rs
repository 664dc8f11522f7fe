//! Flush idempotency: a flush carrying a key is applied once; a retry (same key, same site,
//! same request) gets the first result, marked replayed. A key is bound to its site and to a
//! SHA-256 of the request, so a key reused for another request is refused (409) instead of
//! being answered with another request's result, and keys expire after [`KEEP`]: the record
//! (`STATE/applied-flushes.jsonl`, one JSON object per line) is compacted at start and after
//! every [`COMPACT_EVERY`] new keys.

use super::state::State;
use amoe_proto::{FlushRequest, FlushResult};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// How long a key is remembered. The CLI retries an owed flush for as long as it stays in the
/// outbox; a week covers a host down over a long weekend.
pub const KEEP: jiff::SignedDuration = jiff::SignedDuration::from_hours(7 * 24);

/// The site and hash of a key recorded by an older agent (before keys were bound).
const ANY: &str = "*";

/// New keys between two compactions of the record.
pub const COMPACT_EVERY: usize = 1000;

/// One applied flush.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Applied {
    pub key: String,
    pub site: String,
    /// Hex SHA-256 of the request (site and flush, without the key).
    pub hash: String,
    /// When it was applied, in Unix seconds.
    pub at: i64,
    pub result: FlushResult,
}

/// What a key says about a request.
#[derive(Debug)]
pub enum Lookup {
    /// Not seen (or expired): apply it.
    New,
    /// The same request again: its first result.
    Replay(FlushResult),
    /// The key was used for another site or request.
    Conflict,
}

/// The SHA-256 a key is bound to.
pub fn request_hash(site: &str, req: &FlushRequest) -> String {
    let mut bare = req.clone();
    bare.idempotency_key = None;
    let mut h = Sha256::new();
    h.update(site.as_bytes());
    h.update([0]);
    h.update(serde_json::to_vec(&bare).unwrap_or_default());
    amoe_pki::hex(&h.finalize())
}

fn expired(a: &Applied, now: jiff::Timestamp) -> bool {
    now.as_second().saturating_sub(a.at) > KEEP.as_secs()
}

/// The keys remembered, in memory and in the state directory.
#[derive(Debug, Default)]
pub struct Keys {
    map: HashMap<String, Applied>,
    since_compaction: usize,
}

impl Keys {
    /// Reads the record, forgets expired and unreadable lines (older formats included), and
    /// writes it back compacted.
    pub fn load(state: &State, now: jiff::Timestamp) -> Keys {
        let mut keys = Keys::default();
        for line in state.applied_lines().lines() {
            if let Ok(a) = serde_json::from_str::<Applied>(line) {
                keys.map.insert(a.key.clone(), a);
            } else if let Ok((key, result)) = serde_json::from_str::<(String, FlushResult)>(line) {
                // Written by an older agent, bound to nothing: replayed for any request under its
                // key for the next 7 days, then forgotten.
                let a = Applied { key: key.clone(), site: ANY.into(), hash: ANY.into(), at: now.as_second(), result };
                keys.map.insert(key, a);
            }
        }
        keys.compact(state, now);
        keys
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.len()
    }

    pub fn lookup(&self, key: &str, site: &str, hash: &str, now: jiff::Timestamp) -> Lookup {
        match self.map.get(key) {
            Some(a) if expired(a, now) => Lookup::New,
            Some(a) if (a.site == site && a.hash == hash) || a.site == ANY => Lookup::Replay(a.result.clone()),
            Some(_) => Lookup::Conflict,
            None => Lookup::New,
        }
    }

    /// Remembers an applied flush (appended to the record, synced).
    pub fn record(&mut self, state: &State, applied: Applied) {
        if let Ok(line) = serde_json::to_string(&applied)
            && let Err(e) = state.append_applied(&line)
        {
            tracing::error!(error = %e, "cannot record an applied flush key");
        }
        self.map.insert(applied.key.clone(), applied);
        self.since_compaction += 1;
        if self.since_compaction >= COMPACT_EVERY {
            self.compact(state, jiff::Timestamp::now());
        }
    }

    fn compact(&mut self, state: &State, now: jiff::Timestamp) {
        self.map.retain(|_, a| !expired(a, now));
        let mut entries: Vec<&Applied> = self.map.values().collect();
        entries.sort_by_key(|a| a.at);
        let text: String = entries.iter().filter_map(|a| serde_json::to_string(a).ok()).map(|l| l + "\n").collect();
        if let Err(e) = state.rewrite_applied(text.as_bytes()) {
            tracing::error!(error = %e, "cannot compact the applied flush keys");
        }
        self.since_compaction = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(all: bool, key: &str) -> FlushRequest {
        FlushRequest { all, idempotency_key: Some(key.into()), ..Default::default() }
    }

    #[test]
    fn keys_are_bound_to_site_and_request_and_expire() {
        let dir = tempfile::tempdir().expect("dir");
        let state = State::open(dir.path()).expect("state");
        let now = jiff::Timestamp::now();
        let mut keys = Keys::load(&state, now);
        let r = req(true, "k");
        let hash = request_hash("www", &r);
        assert_eq!(hash, request_hash("www", &req(true, "another key")), "the key is not hashed");
        let result = FlushResult { objects: 3, replayed: false };
        keys.record(
            &state,
            Applied { key: "k".into(), site: "www".into(), hash: hash.clone(), at: now.as_second(), result },
        );
        assert!(matches!(keys.lookup("k", "www", &hash, now), Lookup::Replay(r) if r.objects == 3));
        assert!(matches!(keys.lookup("k", "blog", &request_hash("blog", &r), now), Lookup::Conflict));
        assert!(matches!(keys.lookup("k", "www", &request_hash("www", &req(false, "k")), now), Lookup::Conflict));
        let later = now + KEEP + jiff::SignedDuration::from_secs(1);
        assert!(matches!(keys.lookup("k", "www", &hash, later), Lookup::New));
        // Kept across a restart, forgotten (and dropped from the file) once expired.
        assert_eq!(Keys::load(&state, now).len(), 1);
        assert_eq!(Keys::load(&state, later).len(), 0);
        assert_eq!(state.applied_lines(), "");
        // A key recorded by an older agent is still honoured, for any request.
        state.rewrite_applied(b"[\"old\",{\"objects\":2,\"replayed\":false}]\n").expect("write");
        let keys = Keys::load(&state, now);
        assert!(matches!(keys.lookup("old", "blog", "h", now), Lookup::Replay(r) if r.objects == 2));
    }

    #[test]
    fn the_record_is_compacted() {
        let dir = tempfile::tempdir().expect("dir");
        let state = State::open(dir.path()).expect("state");
        let old = jiff::Timestamp::now() - KEEP - jiff::SignedDuration::from_hours(1);
        let mut keys = Keys::default();
        let result = FlushResult { objects: 0, replayed: false };
        for i in 0..COMPACT_EVERY {
            let at = if i == 0 { jiff::Timestamp::now() } else { old }.as_second();
            keys.record(
                &state,
                Applied { key: format!("k{i}"), site: "s".into(), hash: "h".into(), at, result: result.clone() },
            );
        }
        assert_eq!(keys.len(), 1, "expired keys dropped at the compaction");
        assert_eq!(state.applied_lines().lines().count(), 1);
    }
}
