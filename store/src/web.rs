//! The extranet's sign-in (DESIGN §11): each ticket-tool account's password (an argon2id PHC
//! string, made by the caller), one-time links to set it, sessions and failed attempts. Tokens
//! and session ids arrive here already hashed (SHA-256, hexadecimal): the store never holds one
//! that could be replayed. Times are in the stored form (`amoe_core::time::format_utc`), which
//! sorts as it reads.

use crate::db::{OptionalExtension, params};
use crate::{Reads, Result, Store};

/// A session, as found by its id's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    pub email: String,
    /// The token every form of the session carries.
    pub csrf: String,
    pub created_at: String,
    pub seen_at: String,
    /// `full`; `code`: the password was right, the second factor is awaited; `enrol`: an
    /// administrator who must set a second factor up before anything else.
    pub stage: String,
}

/// An account's second factor, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebTotp {
    /// The secret, sealed by the caller with the server's key.
    pub sealed: String,
    /// Enabled (a first code was given), and when.
    pub enabled_at: Option<String>,
    /// The last time step whose code was used.
    pub last_step: i64,
}

impl Store {
    /// The account's password hash, if one was set.
    pub fn web_password(&self, email: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT hash FROM web_passwords WHERE email = ?1", [email], |r| r.get(0))
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Records a one-time link (its token's hash) for `email`, valid until `expires_at`; the
    /// account's earlier unused links stop working.
    pub fn add_web_link(&mut self, token_sha256: &str, email: &str, now: &str, expires_at: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute("UPDATE web_links SET used_at = ?2 WHERE email = ?1 AND used_at IS NULL", params![email, now])?;
            tx.execute(
                "INSERT INTO web_links (token_sha256, email, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![token_sha256, email, now, expires_at],
            )?;
            Ok(())
        })
    }

    /// The account a link is for, if it is unused and unexpired at `now`.
    pub fn web_link(&self, token_sha256: &str, now: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT email FROM web_links WHERE token_sha256 = ?1 AND used_at IS NULL AND expires_at > ?2",
                params![token_sha256, now],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Sets the password through a link, in one transaction: the link is used up, the hash
    /// stored, and every session of the account ended. Returns the account, or `None` if the
    /// link was not (or no longer) valid.
    pub fn use_web_link(&mut self, token_sha256: &str, hash: &str, now: &str) -> Result<Option<String>> {
        self.write(|tx| {
            let email: Option<String> = tx
                .query_row(
                    "UPDATE web_links SET used_at = ?2
                     WHERE token_sha256 = ?1 AND used_at IS NULL AND expires_at > ?2 RETURNING email",
                    params![token_sha256, now],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(email) = &email {
                tx.execute(
                    "INSERT INTO web_passwords (email, hash, set_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (email) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at",
                    params![email, hash, now],
                )?;
                tx.execute("DELETE FROM web_sessions WHERE email = ?1", [email])?;
            }
            Ok(email)
        })
    }

    /// Opens a session.
    pub fn add_web_session(&mut self, id_sha256: &str, email: &str, csrf: &str, now: &str, stage: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO web_sessions (id_sha256, email, csrf, created_at, seen_at, stage) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
                params![id_sha256, email, csrf, now, stage],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// The account's second factor, if one was set up (enabled or not yet).
    pub fn web_totp(&self, email: &str) -> Result<Option<WebTotp>> {
        self.conn
            .query_row("SELECT sealed, enabled_at, last_step FROM web_totp WHERE email = ?1", [email], |r| {
                Ok(WebTotp { sealed: r.get(0)?, enabled_at: r.get(1)?, last_step: r.get(2)? })
            })
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// A new secret for the account, not enabled until [`Store::enable_web_totp`]; replaces
    /// one not yet enabled, never an enabled one (false then).
    pub fn start_web_totp(&mut self, email: &str, sealed: &str, now: &str) -> Result<bool> {
        let n = self
            .conn
            .execute(
                "INSERT INTO web_totp (email, sealed, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (email) DO UPDATE SET sealed = ?2, created_at = ?3, last_step = 0
                 WHERE web_totp.enabled_at IS NULL",
                params![email, sealed, now],
            )
            .map_err(|e| self.sql(e))?;
        Ok(n == 1)
    }

    /// Records that the code of time step `step` was used, if no later or equal step was:
    /// false for a code used twice. With `enable`, the second factor is enabled at `now`.
    pub fn use_web_totp_step(&mut self, email: &str, step: i64, now: &str, enable: bool) -> Result<bool> {
        let n = self
            .conn
            .execute(
                "UPDATE web_totp SET last_step = ?2,
                     enabled_at = CASE WHEN ?4 THEN COALESCE(enabled_at, ?3) ELSE enabled_at END
                 WHERE email = ?1 AND last_step < ?2",
                params![email, step, now, enable],
            )
            .map_err(|e| self.sql(e))?;
        Ok(n == 1)
    }

    /// Removes the account's second factor (true if it had one).
    pub fn remove_web_totp(&mut self, email: &str) -> Result<bool> {
        let n = self.conn.execute("DELETE FROM web_totp WHERE email = ?1", [email]).map_err(|e| self.sql(e))?;
        Ok(n == 1)
    }

    /// The session of that id's hash, if it was neither idle since before `idle_since` nor
    /// opened before `created_since`. Its last use becomes `now` if the one recorded is before
    /// `refresh_before` (a write per minute, not per request). A session found too old is
    /// removed.
    pub fn touch_web_session(
        &mut self,
        id_sha256: &str,
        now: &str,
        refresh_before: &str,
        idle_since: &str,
        created_since: &str,
    ) -> Result<Option<WebSession>> {
        let found: Option<WebSession> = self
            .conn
            .query_row(
                "SELECT email, csrf, created_at, seen_at, stage FROM web_sessions WHERE id_sha256 = ?1",
                [id_sha256],
                |r| {
                    Ok(WebSession {
                        email: r.get(0)?,
                        csrf: r.get(1)?,
                        created_at: r.get(2)?,
                        seen_at: r.get(3)?,
                        stage: r.get(4)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        match found {
            Some(s) if s.seen_at.as_str() >= idle_since && s.created_at.as_str() >= created_since => {
                if s.seen_at.as_str() >= refresh_before {
                    return Ok(Some(s));
                }
                self.conn
                    .execute("UPDATE web_sessions SET seen_at = ?2 WHERE id_sha256 = ?1", params![id_sha256, now])
                    .map_err(|e| self.sql(e))?;
                Ok(Some(WebSession { seen_at: now.to_string(), ..s }))
            }
            Some(_) => {
                self.end_web_session(id_sha256)?;
                Ok(None)
            }
            None => Ok(None),
        }
    }

    /// Ends one session.
    pub fn end_web_session(&mut self, id_sha256: &str) -> Result<()> {
        self.conn.execute("DELETE FROM web_sessions WHERE id_sha256 = ?1", [id_sha256]).map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Ends every session of an account; how many there were.
    pub fn end_web_sessions(&mut self, email: &str) -> Result<usize> {
        self.conn.execute("DELETE FROM web_sessions WHERE email = ?1", [email]).map_err(|e| self.sql(e))
    }

    /// Records a failed sign-in.
    pub fn add_web_failure(&mut self, email: &str, address: &str, now: &str) -> Result<i64> {
        self.conn
            .insert_next_id("web_failures", "email, address, at", "?1, ?2, ?3", "", params![email, address, now])
            .map_err(|e| self.sql(e))
    }

    /// Takes back a failure recorded ahead of a check that then succeeded.
    pub fn remove_web_failure(&mut self, id: i64) -> Result<()> {
        self.conn.execute("DELETE FROM web_failures WHERE id = ?1", [id]).map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Failed sign-ins since `since`: for the account, and from the address; and the oldest of
    /// them (when the first of the window expires).
    pub fn web_failures(&self, email: &str, address: &str, since: &str) -> Result<(u32, u32, Option<String>)> {
        let count = |column: &str, value: &str| -> Result<(u32, Option<String>)> {
            self.conn
                .query_row(
                    &format!("SELECT count(*), min(at) FROM web_failures WHERE {column} = ?1 AND at > ?2"),
                    params![value, since],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .map_err(|e| self.sql(e))
        };
        let (by_account, first_a) = count("email", email)?;
        let (by_address, first_b) = count("address", address)?;
        let first = [first_a, first_b].into_iter().flatten().min();
        Ok((by_account, by_address, first))
    }

    /// Forgets failures before `before` and sessions idle since then (housekeeping).
    pub fn prune_web(&mut self, before: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM web_failures WHERE at < ?1", [before])
            .and_then(|_| self.conn.execute("DELETE FROM web_sessions WHERE seen_at < ?1", [before]))
            .map_err(|e| self.sql(e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("dir");
        let (s, _) = Store::create(&dir.path().join("s.db")).expect("store");
        s.conn
            .execute("INSERT INTO users (email, name, admin, see_time) VALUES ('a@x.fr', 'A', 0, 0)", [])
            .expect("user");
        (dir, s)
    }

    #[test]
    fn a_link_works_once_and_not_after_it_expires() {
        let (_dir, mut s) = store();
        s.add_web_link("t1", "a@x.fr", "2026-11-27T10:00:00.000Z", "2026-11-28T10:00:00.000Z").expect("link");
        assert_eq!(s.web_link("t1", "2026-11-28T10:00:00.000Z").expect("q"), None, "expired at the edge");
        s.add_web_session("s1", "a@x.fr", "c", "2026-11-27T10:00:00.000Z", "full").expect("session");
        let used = s.use_web_link("t1", "$argon2id$x", "2026-11-27T11:00:00.000Z").expect("use");
        assert_eq!(used.as_deref(), Some("a@x.fr"));
        assert_eq!(s.web_password("a@x.fr").expect("q").as_deref(), Some("$argon2id$x"));
        assert_eq!(s.use_web_link("t1", "$argon2id$y", "2026-11-27T11:00:01.000Z").expect("again"), None);
        assert_eq!(s.web_password("a@x.fr").expect("q").as_deref(), Some("$argon2id$x"));
        let t = ("2026-11-27T11:00:02.000Z", "2026-11-27T10:00:00.000Z", "2026-11-27T00:00:00.000Z");
        let gone = s.touch_web_session("s1", t.0, t.0, t.1, t.2).expect("q");
        assert_eq!(gone, None, "sessions ended by the new password");
        // A new link puts an older unused one out of use.
        s.add_web_link("t2", "a@x.fr", "2026-11-27T12:00:00.000Z", "2026-11-28T12:00:00.000Z").expect("link");
        s.add_web_link("t3", "a@x.fr", "2026-11-27T12:01:00.000Z", "2026-11-28T12:01:00.000Z").expect("link");
        assert_eq!(s.web_link("t2", "2026-11-27T13:00:00.000Z").expect("q"), None);
        assert_eq!(s.web_link("t3", "2026-11-27T13:00:00.000Z").expect("q").as_deref(), Some("a@x.fr"));
    }

    #[test]
    fn sessions_end_when_idle_or_too_old() {
        let (_dir, mut s) = store();
        s.add_web_session("s1", "a@x.fr", "c", "2026-11-27T10:00:00.000Z", "full").expect("session");
        let touch = |s: &mut Store, now: &str, refresh: &str, idle: &str| {
            s.touch_web_session("s1", now, refresh, idle, "2026-11-26T22:00:00.000Z").expect("q").map(|x| x.seen_at)
        };
        let (at, refresh, idle) = ("2026-11-27T10:20:00.000Z", "2026-11-27T10:19:00.000Z", "2026-11-27T09:50:00.000Z");
        assert_eq!(touch(&mut s, at, refresh, idle).as_deref(), Some(at));
        // Within the minute: found, and not written again.
        let (later, refresh2) = ("2026-11-27T10:20:30.000Z", "2026-11-27T10:19:30.000Z");
        assert_eq!(touch(&mut s, later, refresh2, idle).as_deref(), Some(at));
        // Idle: last seen before the idle bound; then removed.
        let t = "2026-11-27T11:00:00.000Z";
        assert_eq!(touch(&mut s, t, "2026-11-27T10:59:00.000Z", "2026-11-27T10:30:00.000Z"), None, "idle");
        let t = "2026-11-27T10:21:00.000Z";
        assert_eq!(touch(&mut s, t, "2026-11-27T10:20:00.000Z", "2026-11-27T09:51:00.000Z"), None, "removed");
        s.add_web_session("s2", "a@x.fr", "c", "2026-11-27T10:00:00.000Z", "full").expect("session");
        s.add_web_session("s3", "a@x.fr", "c", "2026-11-27T10:00:00.000Z", "full").expect("session");
        assert_eq!(s.end_web_sessions("a@x.fr").expect("all"), 2);
    }

    #[test]
    fn failures_are_counted_per_account_and_per_address() {
        let (_dir, mut s) = store();
        for i in 0..3 {
            s.add_web_failure("a@x.fr", "10.0.0.1", &format!("2026-11-27T10:0{i}:00.000Z")).expect("f");
        }
        s.add_web_failure("b@x.fr", "10.0.0.1", "2026-11-27T10:05:00.000Z").expect("f");
        let (a, b, first) = s.web_failures("a@x.fr", "10.0.0.1", "2026-11-27T10:00:30.000Z").expect("q");
        assert_eq!((a, b, first.as_deref()), (2, 3, Some("2026-11-27T10:01:00.000Z")));
    }

    #[test]
    fn a_second_factor_is_enabled_once_and_each_code_works_once() {
        let (_dir, mut s) = store();
        assert_eq!(s.web_totp("a@x.fr").expect("q"), None);
        assert!(s.start_web_totp("a@x.fr", "sealed-1", "2026-11-27T10:00:00.000Z").expect("start"));
        // Not enabled yet: a new secret may replace it.
        assert!(s.start_web_totp("a@x.fr", "sealed-2", "2026-11-27T10:01:00.000Z").expect("again"));
        assert!(s.use_web_totp_step("a@x.fr", 100, "2026-11-27T10:02:00.000Z", true).expect("use"));
        let t = s.web_totp("a@x.fr").expect("q").expect("there");
        assert_eq!(
            (t.sealed.as_str(), t.enabled_at.as_deref(), t.last_step),
            ("sealed-2", Some("2026-11-27T10:02:00.000Z"), 100)
        );
        // The same step, or an earlier one, is refused; a later one is taken.
        assert!(!s.use_web_totp_step("a@x.fr", 100, "2026-11-27T10:02:10.000Z", false).expect("replay"));
        assert!(!s.use_web_totp_step("a@x.fr", 99, "2026-11-27T10:02:10.000Z", false).expect("older"));
        assert!(s.use_web_totp_step("a@x.fr", 101, "2026-11-27T10:02:40.000Z", false).expect("next"));
        // Enabled: a new secret no longer replaces it; removed, it is gone.
        assert!(!s.start_web_totp("a@x.fr", "sealed-3", "2026-11-27T10:03:00.000Z").expect("refused"));
        assert_eq!(s.web_totp("a@x.fr").expect("q").map(|t| t.sealed), Some("sealed-2".into()));
        assert!(s.remove_web_totp("a@x.fr").expect("rm"));
        assert_eq!(s.web_totp("a@x.fr").expect("q"), None);
    }
}
