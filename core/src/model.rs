//! The records of the inventory and the journal, as the store returns them and as `--output
//! json` prints them. These shapes are a contract: their JSON Schemas are generated into
//! `schemas/`, fields are only ever added.

use crate::{DomainName, Email, HostAddress, InvalidValue, Lot, Name, Origin, Siret};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A public body that orders under the framework agreement (seed 002).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Beneficiary {
    pub siret: Siret,
    /// The first nine digits of the SIRET: the legal unit.
    pub siren: String,
    pub name: String,
    /// Lot number, 1 to 14; none for a customer outside the CANUT agreement.
    pub lot: Option<Lot>,
    /// The region the lot covers.
    pub region: Option<String>,
    /// Contact addresses, in the order given.
    pub emails: Vec<Email>,
}

impl Beneficiary {
    pub fn new(siret: Siret, name: String, lot: Option<Lot>, emails: Vec<Email>) -> Self {
        let region = lot.map(|l| l.region().to_string());
        Beneficiary { siren: siret.siren().to_string(), region, siret, name, lot, emails }
    }
}

/// A machine that runs `amoe-agent` (a point of presence of the CDN, or a hosting server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Host {
    pub name: Name,
    /// Where its agent's control API listens.
    pub address: HostAddress,
    /// A free label: data centre, city.
    pub location: Option<String>,
}

/// How long a site is meant to live (seed 003 §3.2.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Permanent,
    Ephemeral,
    Recurring,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Permanent => "permanent",
            Category::Ephemeral => "ephemeral",
            Category::Recurring => "recurring",
        }
    }
}

impl FromStr for Category {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "permanent" => Ok(Category::Permanent),
            "ephemeral" => Ok(Category::Ephemeral),
            "recurring" => Ok(Category::Recurring),
            _ => Err(InvalidValue::Category { value: s.to_string() }),
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A web site delivered through the CDN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub name: Name,
    /// Hostnames it answers for; each belongs to this site only.
    pub domains: Vec<DomainName>,
    /// SIRET of the beneficiary it belongs to.
    pub beneficiary: Siret,
    pub category: Category,
    /// Origin URLs, in order of preference.
    pub origins: Vec<Origin>,
    /// Names of the hosts that serve it.
    pub hosts: Vec<Name>,
    /// A deactivated site is passed through to its origin without caching.
    pub active: bool,
    /// How its hosts serve it (HTTPS, health checks, limits); defaults when absent.
    #[serde(default)]
    pub settings: SiteSettings,
}

/// A site's serving settings (`amoe site add|update` flags), pushed with the site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteSettings {
    /// Plain-HTTP requests are redirected to HTTPS.
    #[serde(default)]
    pub https_redirect: bool,
    /// `Strict-Transport-Security: max-age=…` on HTTPS responses (seconds); none when absent.
    #[serde(default)]
    pub hsts_max_age_secs: Option<u64>,
    /// Adds `includeSubDomains` to HSTS.
    #[serde(default)]
    pub hsts_include_subdomains: bool,
    /// Path each origin is checked on (active health checks); none when absent.
    #[serde(default)]
    pub health_path: Option<String>,
    /// Seconds between two checks of an origin (default 10).
    #[serde(default)]
    pub health_interval_secs: Option<u64>,
    /// Consecutive failures before an origin is taken out (default 3).
    #[serde(default)]
    pub health_failures: Option<u32>,
    /// Largest request body (bytes); the host's own limit still applies.
    #[serde(default)]
    pub max_body_bytes: Option<u64>,
    /// How long stale content is served when every origin fails (seconds, default 86400).
    #[serde(default)]
    pub stale_limit_secs: Option<u64>,
    /// `round-robin` (default) or `least-connections`.
    #[serde(default)]
    pub balance: Option<String>,
    /// The HTTPS certificate installed with `amoe site cert` (the first 16 hex digits of its
    /// SHA-256; chain and key are kept in `CA_DIR/sites/NAME/`): pushed with the site, so that a
    /// host added later gets it too.
    #[serde(default)]
    pub certificate: Option<String>,
    /// Accept any certificate from the site's HTTPS origins (`--origin-verify false`).
    #[serde(default)]
    pub origin_insecure: bool,
    /// Extra CA certificates (PEM text; public, not secret) trusted for the site's origins.
    #[serde(default)]
    pub origin_ca_pem: Option<String>,
    /// Name sent by SNI to the origins and verified, instead of the origin URL's host.
    #[serde(default)]
    pub origin_sni: Option<String>,
    /// Served from its current release (`amoe deploy`), not from origins (which it may lack).
    #[serde(default)]
    pub static_site: bool,
    /// A static site's 404 page, a path in the release (`/404.html`).
    #[serde(default)]
    pub not_found_page: Option<String>,
    /// Certificates come from this ACME server (`amoe site cert SITE --acme`): recorded when
    /// the first order starts, so that `amoe site cert renew` also retries one that failed.
    #[serde(default)]
    pub acme: Option<AcmeSettings>,
}

/// Where a site's certificates are ordered (RFC 8555).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcmeSettings {
    /// The ACME directory URL.
    pub directory: String,
    /// Contact address given to the ACME account, if any.
    #[serde(default)]
    pub email: Option<String>,
}

/// One entry of the audit journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditEntry {
    /// Position in the journal, from 1, without gaps.
    pub seq: i64,
    /// UTC, RFC 3339 with milliseconds.
    pub at: String,
    pub operator: String,
    /// The command, e.g. `site add`.
    pub command: String,
    /// What it acted on, e.g. `site:www-mairie`.
    pub target: Option<String>,
    /// The command line, secrets replaced by `***`.
    pub args: Vec<String>,
    /// `ok`, or `refused: …` / `failed: …` with the reason.
    pub outcome: String,
    /// For commands that act on hosts: the name and role of the client certificate they used
    /// (`name (role)`), beside the declared operator. Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Hex SHA-256 of the previous entry (64 zeros for the first).
    pub prev_hash: String,
    /// Hex SHA-256 over this entry's fields and `prev_hash`.
    pub hash: String,
}
