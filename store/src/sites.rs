//! Sites: a beneficiary's web site delivered through the CDN: its domains (each belongs to one
//! site only), origins, the hosts that serve it, its category and whether it is active.

use crate::db::{OptionalExtension, params};
use crate::{Error, Reads, Result, Tx};
use amoe_core::{DomainName, InvalidValue, Name, Origin, Site, SiteSettings};

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
    domains: Grouped<DomainName>,
    origins: Grouped<Origin>,
    hosts: Grouped<Name>,
}

/// `(site, values)` in the order of site names (byte-wise on both backends, as Rust compares
/// strings), taken while walking the sites in that same order: a merge, no hashing.
struct Grouped<T> {
    groups: std::iter::Peekable<std::vec::IntoIter<(String, Vec<T>)>>,
}

impl<T> Grouped<T> {
    /// The values of `site`, skipping groups of sites before it (rows whose site is gone).
    fn take(&mut self, site: &str) -> Vec<T> {
        while self.groups.peek().is_some_and(|(s, _)| s.as_str() < site) {
            self.groups.next();
        }
        match self.groups.peek() {
            Some((s, _)) if s == site => self.groups.next().map(|(_, v)| v).unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

/// Reads `(site, value)` pairs ordered by site, checks each value as `T` and groups them.
fn grouped<T>(
    db: &(impl Reads + ?Sized),
    table: &'static str,
    sql: &str,
    site: Option<&str>,
    read: impl Fn(&str) -> Result<T, InvalidValue>,
) -> Result<Grouped<T>> {
    let mut stmt = db.conn().prepare_cached(sql).map_err(|e| db.sql(e))?;
    let mut groups: Vec<(String, Vec<T>)> = Vec::new();
    let mut rows = stmt.query(crate::db::params_from_iter(site)).map_err(|e| db.sql(e))?;
    while let Some(row) = rows.next().map_err(|e| db.sql(e))? {
        let site = row.text(0).map_err(|e| db.sql(e))?;
        let value =
            read(row.text(1).map_err(|e| db.sql(e))?).map_err(|p| Error::BadRow { table, problem: p.to_string() })?;
        match groups.last_mut() {
            Some((s, values)) if s == site => values.push(value),
            _ => groups.push((site.to_string(), vec![value])),
        }
    }
    Ok(Grouped { groups: groups.into_iter().peekable() })
}

/// The domains, origins and hosts of every site, or of one. The three reads are sent at once,
/// and with them `then`, a read that the caller makes next.
fn children(db: &(impl Reads + ?Sized), site: Option<&str>, then: Option<&str>) -> Result<Children> {
    let filter = if site.is_some() { "WHERE site = ?1" } else { "" };
    let sql = [
        format!("SELECT site, domain FROM site_domains {filter} ORDER BY site, position"),
        format!("SELECT site, url FROM site_origins {filter} ORDER BY site, position"),
        format!("SELECT site, host FROM site_hosts {filter} ORDER BY site, host"),
    ];
    let params = || crate::db::params_from_iter(site);
    for sql in &sql {
        db.conn().prefetch(sql, params()).map_err(|e| db.sql(e))?;
    }
    if let Some(then) = then {
        db.conn().prefetch(then, params()).map_err(|e| db.sql(e))?;
    }
    let [domains, origins, hosts] = &sql;
    Ok(Children {
        domains: grouped(db, "site_domains", domains, site, str::parse)?,
        origins: grouped(db, "site_origins", origins, site, |o| Origin::from_stored(o.to_string()))?,
        hosts: grouped(db, "site_hosts", hosts, site, str::parse)?,
    })
}

/// Settings already read, by their stored JSON: most sites share a few, and parsing them is
/// the largest part of building a site. Holds at most [`Settings::KEPT`] of them.
#[derive(Default)]
struct Settings(std::collections::HashMap<String, SiteSettings>);

impl Settings {
    const KEPT: usize = 64;

    fn read(&mut self, json: &str) -> Result<SiteSettings> {
        if let Some(settings) = self.0.get(json) {
            return Ok(settings.clone());
        }
        let settings: SiteSettings = serde_json::from_str(json)
            .map_err(|e| Error::BadRow { table: "sites", problem: format!("settings: {e}") })?;
        if self.0.len() < Self::KEPT {
            self.0.insert(json.to_string(), settings.clone());
        }
        Ok(settings)
    }
}

/// A site from its row (`SITE_COLUMNS`) and its children.
fn build(
    db: &(impl Reads + ?Sized),
    row: &crate::db::Row<'_>,
    kids: &mut Children,
    settings: &mut Settings,
) -> Result<Site> {
    let text = |i| row.text(i).map_err(|e| db.sql(e));
    let name = text(0)?;
    Ok(Site {
        domains: kids.domains.take(name),
        origins: kids.origins.take(name),
        hosts: kids.hosts.take(name),
        beneficiary: text(1)?.parse().map_err(bad)?,
        category: text(2)?.parse().map_err(bad)?,
        name: name.parse().map_err(bad)?,
        active: row.get(3).map_err(|e| db.sql(e))?,
        settings: settings.read(text(4)?)?,
    })
}

const SITE_COLUMNS: &str = "SELECT name, beneficiary, category, active, settings FROM sites";

/// A site's settings as stored: only those set, so that the usual site, all defaults, is `{}`
/// rather than 400 bytes read back with every list. A field left out reads back as its default;
/// should one not (a default that is not `null` or `false`), the whole settings are stored.
fn settings_json(site: &Site) -> String {
    let full = serde_json::to_value(&site.settings).unwrap_or_default();
    let mut set = full.clone();
    if let serde_json::Value::Object(fields) = &mut set {
        fields.retain(|_, v| !matches!(v, serde_json::Value::Null | serde_json::Value::Bool(false)));
    }
    let same = serde_json::from_value::<SiteSettings>(set.clone()).is_ok_and(|back| back == site.settings);
    serde_json::to_string(if same { &set } else { &full }).unwrap_or_else(|_| "{}".into())
}

/// Reading sites.
pub trait SiteReads: Reads {
    /// Every site, by name.
    fn sites(&self) -> Result<Vec<Site>> {
        let sql = format!("{SITE_COLUMNS} ORDER BY name");
        let mut kids = children(self, None, Some(&sql))?;
        let mut stmt = self.conn().prepare_cached(&sql).map_err(|e| self.sql(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.sql(e))?;
        let mut settings = Settings::default();
        let mut sites = Vec::new();
        while let Some(row) = rows.next().map_err(|e| self.sql(e))? {
            sites.push(build(self, &row, &mut kids, &mut settings)?);
        }
        Ok(sites)
    }

    /// One site.
    fn site(&self, name: &Name) -> Result<Site> {
        let sql = format!("{SITE_COLUMNS} WHERE name = ?1");
        let mut kids = children(self, Some(name.as_str()), Some(&sql))?;
        let mut stmt = self.conn().prepare_cached(&sql).map_err(|e| self.sql(e))?;
        let mut rows = stmt.query([name.as_str()]).map_err(|e| self.sql(e))?;
        match rows.next().map_err(|e| self.sql(e))? {
            Some(row) => build(self, &row, &mut kids, &mut Settings::default()),
            None => Err(Error::NotFound { kind: KIND, name: name.to_string() }),
        }
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
