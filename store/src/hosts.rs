//! Hosts: the machines running `amoe-agent`, with the address of their control API.

use crate::db::{OptionalExtension, params};
use crate::{Error, Reads, Result, Tx};
use amoe_core::{Host, Name};

const KIND: &str = "host";

fn build(name: String, address: String, location: Option<String>) -> Result<Host> {
    let bad = |p: amoe_core::InvalidValue| Error::BadRow { table: "hosts", problem: p.to_string() };
    Ok(Host { name: name.parse().map_err(bad)?, address: address.parse().map_err(bad)?, location })
}

/// Reading hosts.
pub trait HostReads: Reads {
    /// Every host, by name.
    fn hosts(&self) -> Result<Vec<Host>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT name, address, location FROM hosts ORDER BY name")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|rows| rows.collect::<crate::db::Result<Vec<_>>>())
            .map_err(|e| self.sql(e))?;
        rows.into_iter().map(|(n, a, l)| build(n, a, l)).collect()
    }

    /// One host.
    fn host(&self, name: &Name) -> Result<Host> {
        let row = self
            .conn()
            .query_row("SELECT name, address, location FROM hosts WHERE name = ?1", [name.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .map_err(|e| self.sql(e))?;
        let (n, a, l) = row.ok_or_else(|| Error::NotFound { kind: KIND, name: name.to_string() })?;
        build(n, a, l)
    }
}

impl<T: Reads> HostReads for T {}

impl Tx<'_> {
    /// Adds a host; refuses a name already known.
    pub fn add_host(&self, h: &Host) -> Result<()> {
        let inserted = self
            .conn()
            .execute(
                "INSERT INTO hosts (name, address, location) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO NOTHING",
                params![h.name.as_str(), h.address.to_string(), h.location],
            )
            .map_err(|e| self.sql(e))?;
        if inserted == 0 {
            return Err(Error::Duplicate { kind: KIND, name: h.name.to_string() });
        }
        Ok(())
    }

    /// Replaces a host's address and location.
    pub fn update_host(&self, h: &Host) -> Result<()> {
        let changed = self
            .conn()
            .execute(
                "UPDATE hosts SET address = ?2, location = ?3 WHERE name = ?1",
                params![h.name.as_str(), h.address.to_string(), h.location],
            )
            .map_err(|e| self.sql(e))?;
        if changed == 0 {
            return Err(Error::NotFound { kind: KIND, name: h.name.to_string() });
        }
        Ok(())
    }

    /// Removes a host; refuses while sites are served by it.
    pub fn remove_host(&self, name: &Name) -> Result<()> {
        let sites = self.names_where("SELECT site FROM site_hosts WHERE host = ?1 ORDER BY site", name.as_str())?;
        if !sites.is_empty() {
            return Err(Error::InUse { kind: KIND, name: name.to_string(), by: crate::sites::describe(&sites) });
        }
        let removed =
            self.conn().execute("DELETE FROM hosts WHERE name = ?1", [name.as_str()]).map_err(|e| self.sql(e))?;
        if removed == 0 {
            return Err(Error::NotFound { kind: KIND, name: name.to_string() });
        }
        Ok(())
    }
}
