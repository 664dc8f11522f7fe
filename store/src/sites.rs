//! Sites: a beneficiary's web site delivered through the CDN: its domains (each belongs to one
//! site only), origins, the hosts that serve it, its category and whether it is active.

use crate::db::{OptionalExtension, params};
use crate::{Error, Reads, Result, Tx};
use amoe_core::{InvalidValue, Name, Site};

const KIND: &str = "site";

fn bad(p: InvalidValue) -> Error {
    Error::BadRow { table: "sites", problem: p.to_string() }
}

/// "site `a`", "sites `a`, `b` and 3 more": names what refers to something.
pub(crate) fn describe(sites: &[String]) -> String {
    const SHOWN: usize = 5;
    let quoted: Vec<String> = sites.iter().take(SHOWN).map(|s| format!("`{s}`")).collect();
    let more = sites.len().saturating_sub(SHOWN);
    match (sites.len(), more) {
        (1, _) => format!("site {}", quoted[0]),
        (_, 0) => format!("sites {}", quoted.join(", ")),
        _ => format!("sites {} and {more} more", quoted.join(", ")),
    }
}

struct Children {
    domains: Grouped,
    origins: Grouped,
    hosts: Grouped,
}

/// `(site, values)` in the order of site names (byte-wise on both backends, as Rust compares
/// strings), taken while walking the sites in that same order: a merge, no hashing.
struct Grouped {
    groups: std::iter::Peekable<std::vec::IntoIter<(String, Vec<String>)>>,
}

impl Grouped {
    /// The values of `site`, skipping groups of sites before it (rows whose site is gone).
    fn take(&mut self, site: &str) -> Vec<String> {
        while self.groups.peek().is_some_and(|(s, _)| s.as_str() < site) {
            self.groups.next();
        }
        match self.groups.peek() {
            Some((s, _)) if s == site => self.groups.next().map(|(_, v)| v).unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

/// Reads `(site, value)` pairs ordered by site and groups them.
fn grouped(db: &(impl Reads + ?Sized), sql: &str, site: Option<&str>) -> Result<Grouped> {
    let mut stmt = db.conn().prepare_cached(sql).map_err(|e| db.sql(e))?;
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    let params: Vec<&str> = site.into_iter().collect();
    let mut rows = stmt.query(crate::db::params_from_iter(params)).map_err(|e| db.sql(e))?;
    while let Some(row) = rows.next().map_err(|e| db.sql(e))? {
        let value: String = row.get(1).map_err(|e| db.sql(e))?;
        match groups.last_mut() {
            Some((s, values)) if row.get_ref(0).map_err(|e| db.sql(e))?.as_str().is_ok_and(|site| site == s) => {
                values.push(value)
            }
            _ => groups.push((row.get(0).map_err(|e| db.sql(e))?, vec![value])),
        }
    }
    Ok(Grouped { groups: groups.into_iter().peekable() })
}

fn children(db: &(impl Reads + ?Sized), site: Option<&str>) -> Result<Children> {
    let filter = if site.is_some() { "WHERE site = ?1" } else { "" };
    Ok(Children {
        domains: grouped(db, &format!("SELECT site, domain FROM site_domains {filter} ORDER BY site, position"), site)?,
        origins: grouped(db, &format!("SELECT site, url FROM site_origins {filter} ORDER BY site, position"), site)?,
        hosts: grouped(db, &format!("SELECT site, host FROM site_hosts {filter} ORDER BY site, host"), site)?,
    })
}

fn build(row: SiteRow, kids: &mut Children) -> Result<Site> {
    let (name, beneficiary, category, active, settings) = row;
    let domains = kids.domains.take(&name);
    let origins = kids.origins.take(&name);
    let hosts = kids.hosts.take(&name);
    Ok(Site {
        domains: domains.into_iter().map(|d| d.parse()).collect::<Result<_, _>>().map_err(bad)?,
        origins: origins.into_iter().map(|o| o.parse()).collect::<Result<_, _>>().map_err(bad)?,
        hosts: hosts.into_iter().map(|h| h.parse()).collect::<Result<_, _>>().map_err(bad)?,
        beneficiary: beneficiary.parse().map_err(bad)?,
        category: category.parse().map_err(bad)?,
        name: name.parse().map_err(bad)?,
        active,
        settings: serde_json::from_str(&settings)
            .map_err(|e| Error::BadRow { table: "sites", problem: format!("settings: {e}") })?,
    })
}

type SiteRow = (String, String, String, bool, String);

fn site_row(r: &crate::db::Row<'_>) -> crate::db::Result<SiteRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn settings_json(site: &Site) -> String {
    serde_json::to_string(&site.settings).unwrap_or_else(|_| "{}".into())
}

/// Reading sites.
pub trait SiteReads: Reads {
    /// Every site, by name.
    fn sites(&self) -> Result<Vec<Site>> {
        let mut kids = children(self, None)?;
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT name, beneficiary, category, active, settings FROM sites ORDER BY name")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], site_row)
            .and_then(|rows| rows.collect::<crate::db::Result<Vec<_>>>())
            .map_err(|e| self.sql(e))?;
        rows.into_iter().map(|row| build(row, &mut kids)).collect()
    }

    /// One site.
    fn site(&self, name: &Name) -> Result<Site> {
        let row = self
            .conn()
            .query_row(
                "SELECT name, beneficiary, category, active, settings FROM sites WHERE name = ?1",
                [name.as_str()],
                site_row,
            )
            .optional()
            .map_err(|e| self.sql(e))?
            .ok_or_else(|| Error::NotFound { kind: KIND, name: name.to_string() })?;
        let mut kids = children(self, Some(name.as_str()))?;
        build(row, &mut kids)
    }

    /// The site a domain belongs to, if any.
    fn site_of_domain(&self, domain: &str) -> Result<Option<String>> {
        self.conn()
            .query_row("SELECT site FROM site_domains WHERE domain = ?1", [domain], |r| r.get(0))
            .optional()
            .map_err(|e| self.sql(e))
    }
}

impl<T: Reads> SiteReads for T {}

impl Tx<'_> {
    /// Adds a site. Refuses an existing name, an unknown beneficiary or host, and a domain that
    /// belongs to another site.
    pub fn add_site(&self, site: &Site) -> Result<()> {
        self.check_references(site)?;
        let inserted = self
            .conn()
            .execute(
                "INSERT INTO sites (name, beneficiary, category, active, settings) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (name) DO NOTHING",
                params![
                    site.name.as_str(),
                    site.beneficiary.as_str(),
                    site.category.as_str(),
                    site.active,
                    settings_json(site)
                ],
            )
            .map_err(|e| self.sql(e))?;
        if inserted == 0 {
            return Err(Error::Duplicate { kind: KIND, name: site.name.to_string() });
        }
        self.write_children(site)
    }

    /// Replaces everything about a site but its name, with the same checks as
    /// [`Tx::add_site`].
    pub fn update_site(&self, site: &Site) -> Result<()> {
        self.check_references(site)?;
        let changed = self
            .conn()
            .execute(
                "UPDATE sites SET beneficiary = ?2, category = ?3, active = ?4, settings = ?5 WHERE name = ?1",
                params![
                    site.name.as_str(),
                    site.beneficiary.as_str(),
                    site.category.as_str(),
                    site.active,
                    settings_json(site)
                ],
            )
            .map_err(|e| self.sql(e))?;
        if changed == 0 {
            return Err(Error::NotFound { kind: KIND, name: site.name.to_string() });
        }
        for table in ["site_domains", "site_origins", "site_hosts"] {
            self.conn()
                .execute(&format!("DELETE FROM {table} WHERE site = ?1"), [site.name.as_str()])
                .map_err(|e| self.sql(e))?;
        }
        self.write_children(site)
    }

    /// Removes a site with its domains, origins and host assignments.
    pub fn remove_site(&self, name: &Name) -> Result<()> {
        let removed =
            self.conn().execute("DELETE FROM sites WHERE name = ?1", [name.as_str()]).map_err(|e| self.sql(e))?;
        if removed == 0 {
            return Err(Error::NotFound { kind: KIND, name: name.to_string() });
        }
        Ok(())
    }

    fn check_references(&self, site: &Site) -> Result<()> {
        let exists = |sql: &str, key: &str| -> Result<bool> {
            self.conn().query_row(sql, [key], |_| Ok(())).optional().map(|o| o.is_some()).map_err(|e| self.sql(e))
        };
        if !exists("SELECT 1 FROM beneficiaries WHERE siret = ?1", site.beneficiary.as_str())? {
            return Err(Error::NotFound { kind: "beneficiary", name: site.beneficiary.to_string() });
        }
        for host in &site.hosts {
            if !exists("SELECT 1 FROM hosts WHERE name = ?1", host.as_str())? {
                return Err(Error::NotFound { kind: "host", name: host.to_string() });
            }
        }
        for domain in &site.domains {
            if let Some(owner) = self.site_of_domain(domain.as_str())?
                && owner != site.name.as_str()
            {
                return Err(Error::DomainTaken { domain: domain.to_string(), site: owner });
            }
        }
        Ok(())
    }

    fn write_children(&self, site: &Site) -> Result<()> {
        let name = site.name.as_str();
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached("INSERT INTO site_domains (domain, site, position) VALUES (?1, ?2, ?3)")
            .map_err(|e| self.sql(e))?;
        for (i, d) in site.domains.iter().enumerate() {
            stmt.execute(params![d.as_str(), name, i as i64]).map_err(|e| self.sql(e))?;
        }
        let mut stmt = conn
            .prepare_cached("INSERT INTO site_origins (site, position, url) VALUES (?1, ?2, ?3)")
            .map_err(|e| self.sql(e))?;
        for (i, o) in site.origins.iter().enumerate() {
            stmt.execute(params![name, i as i64, o.as_str()]).map_err(|e| self.sql(e))?;
        }
        let mut stmt =
            conn.prepare_cached("INSERT INTO site_hosts (site, host) VALUES (?1, ?2)").map_err(|e| self.sql(e))?;
        for h in &site.hosts {
            stmt.execute(params![name, h.as_str()]).map_err(|e| self.sql(e))?;
        }
        Ok(())
    }
}

/// A version of a site's cache rules.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct RulesVersion {
    pub site: String,
    pub version: i64,
    /// The TOML text.
    pub rules: String,
    pub created_at: String,
    pub operator: String,
}

/// Reading site rules.
pub trait RulesReads: Reads {
    /// The latest rules of a site, if it has any.
    fn site_rules(&self, site: &Name) -> Result<Option<RulesVersion>> {
        self.conn()
            .query_row(
                "SELECT site, version, rules, created_at, operator FROM site_rules WHERE site = ?1 ORDER BY version DESC LIMIT 1",
                [site.as_str()],
                |r| Ok(RulesVersion { site: r.get(0)?, version: r.get(1)?, rules: r.get(2)?, created_at: r.get(3)?, operator: r.get(4)? }),
            )
            .optional()
            .map_err(|e| self.sql(e))
    }
}

impl<T: Reads> RulesReads for T {}

/// Every kept version of a site's rules, oldest first.
pub fn rules_versions(db: &(impl Reads + ?Sized), site: &Name) -> Result<Vec<RulesVersion>> {
    let mut stmt = db
        .conn()
        .prepare_cached(
            "SELECT site, version, rules, created_at, operator FROM site_rules WHERE site = ?1 ORDER BY version",
        )
        .map_err(|e| db.sql(e))?;
    stmt.query_map([site.as_str()], |r| {
        Ok(RulesVersion {
            site: r.get(0)?,
            version: r.get(1)?,
            rules: r.get(2)?,
            created_at: r.get(3)?,
            operator: r.get(4)?,
        })
    })
    .and_then(|rows| rows.collect::<crate::db::Result<Vec<_>>>())
    .map_err(|e| db.sql(e))
}

impl Tx<'_> {
    /// Records a new version of a site's rules (already validated by the caller) and returns
    /// its number.
    pub fn add_site_rules(&self, site: &Name, rules: &str, operator: &str) -> Result<i64> {
        let version: i64 = self
            .conn()
            .query_row("SELECT COALESCE(MAX(version), 0) + 1 FROM site_rules WHERE site = ?1", [site.as_str()], |r| {
                r.get(0)
            })
            .map_err(|e| self.sql(e))?;
        self.conn()
            .execute(
                "INSERT INTO site_rules (site, version, rules, created_at, operator) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![site.as_str(), version, rules, amoe_core::time::now_utc(), operator],
            )
            .map_err(|e| self.sql(e))?;
        Ok(version)
    }
}
