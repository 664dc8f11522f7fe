//! `agent.toml`, the daemon's configuration. Unknown keys are refused with their line; the
//! JSON Schema is generated into `schemas/agent-config.schema.json`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The whole file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentConfig {
    /// Where the agent keeps what it is told: site configurations, applied flush keys, the
    /// control-API journal, the revocation list.
    pub state_dir: PathBuf,
    pub proxy: ProxySection,
    pub control: ControlSection,
    #[serde(default)]
    pub admin: AdminSection,
    #[serde(default)]
    pub deploy: DeploySection,
}

/// `[deploy]`: releases of sites deployed to this host (`amoe deploy`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeploySection {
    /// Largest bundle accepted, in bytes (default 2 GiB); the unpacked files count too.
    #[serde(default)]
    pub max_bundle_bytes: Option<u64>,
    /// Commands run after a site's switch (e.g. reloading PHP-FPM so that opcache forgets the
    /// old release), by site name. Only this file defines them: the CLI never sends one.
    #[serde(default)]
    pub hooks: std::collections::BTreeMap<String, Vec<Hook>>,
}

/// One command run after a switch, without a shell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hook {
    /// The program and its arguments (`["/usr/bin/systemctl", "reload", "php8.2-fpm"]`).
    pub command: Vec<String>,
    /// Seconds before it is killed (default 30).
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

impl DeploySection {
    /// 2 GiB unless set.
    pub fn max_bytes(&self) -> u64 {
        self.max_bundle_bytes.unwrap_or(2 << 30)
    }
}

/// The caching proxy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProxySection {
    /// Plain HTTP listeners.
    #[serde(default)]
    pub listen: Vec<SocketAddr>,
    /// HTTPS listeners (certificates per site).
    #[serde(default)]
    pub tls_listen: Vec<SocketAddr>,
    /// Memory tier budget in bytes (default 256 MiB).
    #[serde(default)]
    pub memory_bytes: Option<u64>,
    /// Disk tier directory and budget in bytes.
    #[serde(default)]
    pub cache_dir: Option<PathBuf>,
    #[serde(default)]
    pub disk_bytes: Option<u64>,
    /// Memory for the index of the disk tier's objects, in bytes (default 256 MiB: 128 bytes per
    /// object, so 2 million objects; 10 million need 1.3 GB); when full, the oldest disk
    /// objects go.
    #[serde(default)]
    pub index_bytes: Option<u64>,
    /// Access logs directory.
    #[serde(default)]
    pub log_dir: Option<PathBuf>,
    /// Protection and time-outs of the public listeners (SIGHUP reloads them).
    #[serde(default)]
    pub limits: LimitsSection,
}

/// `[proxy.limits]`: what one client may do. Absent keys keep the defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitsSection {
    /// Requests per second per client address (a token bucket); none when absent.
    #[serde(default)]
    pub rate_per_second: Option<f64>,
    /// Requests a client may send at once above the rate (default: the rate).
    #[serde(default)]
    pub rate_burst: Option<f64>,
    /// Open connections per client address; none when absent.
    #[serde(default)]
    pub connections_per_ip: Option<usize>,
    /// Seconds to receive a whole request head (default 10).
    #[serde(default)]
    pub header_timeout_secs: Option<u64>,
    /// Longest pause in a request body, in seconds (default 30).
    #[serde(default)]
    pub body_timeout_secs: Option<u64>,
    /// Seconds a connection may stay idle (default 75).
    #[serde(default)]
    pub idle_timeout_secs: Option<u64>,
    /// Largest request head in bytes (default 32768).
    #[serde(default)]
    pub max_header_bytes: Option<usize>,
    /// Most header fields in a request (default 100).
    #[serde(default)]
    pub max_headers: Option<usize>,
    /// Largest request body in bytes (default 100 MiB).
    #[serde(default)]
    pub max_body_bytes: Option<u64>,
    /// Seconds for an origin to answer with its head (default 30).
    #[serde(default)]
    pub origin_timeout_secs: Option<u64>,
}

impl LimitsSection {
    /// The proxy's limits; a zero, negative or non-finite value is refused, naming its key.
    pub fn to_limits(&self) -> Result<amoe_proxy::config::Limits, String> {
        use std::time::Duration;
        let mut l = amoe_proxy::config::Limits::default();
        let positive = |key: &str, v: u64| -> Result<u64, String> {
            if v == 0 { Err(format!("[proxy.limits] {key} must be above zero")) } else { Ok(v) }
        };
        if let Some(rate) = self.rate_per_second {
            if !(rate.is_finite() && rate > 0.0) {
                return Err(format!("[proxy.limits] rate_per_second must be above zero, not {rate}"));
            }
            let burst = self.rate_burst.unwrap_or(rate);
            if !(burst.is_finite() && burst >= 1.0) {
                return Err(format!("[proxy.limits] rate_burst must be at least 1, not {burst}"));
            }
            l.rate_per_ip = Some((rate, burst));
        } else if self.rate_burst.is_some() {
            return Err("[proxy.limits] rate_burst needs rate_per_second".into());
        }
        if let Some(n) = self.connections_per_ip {
            l.connections_per_ip = Some(positive("connections_per_ip", n as u64)? as usize);
        }
        if let Some(s) = self.header_timeout_secs {
            l.header_timeout = Duration::from_secs(positive("header_timeout_secs", s)?);
        }
        if let Some(s) = self.body_timeout_secs {
            l.body_timeout = Duration::from_secs(positive("body_timeout_secs", s)?);
        }
        if let Some(s) = self.idle_timeout_secs {
            l.idle_timeout = Duration::from_secs(positive("idle_timeout_secs", s)?);
        }
        let at_most = |key: &str, v: u64, max: u64| -> Result<u64, String> {
            if v > max { Err(format!("[proxy.limits] {key} must be at most {max}")) } else { Ok(v) }
        };
        if let Some(n) = self.max_header_bytes {
            l.max_header_bytes =
                at_most("max_header_bytes", positive("max_header_bytes", n as u64)?, 1 << 20)? as usize;
        }
        if let Some(n) = self.max_headers {
            l.max_headers = at_most("max_headers", positive("max_headers", n as u64)?, 10_000)? as usize;
        }
        if let Some(n) = self.max_body_bytes {
            l.max_body_bytes = positive("max_body_bytes", n)?;
        }
        if let Some(s) = self.origin_timeout_secs {
            l.origin_timeout = Duration::from_secs(positive("origin_timeout_secs", s)?);
        }
        Ok(l)
    }
}

/// The control API: HTTPS with mutual TLS only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlSection {
    pub listen: SocketAddr,
    /// The project CA (PEM) that signs the clients' certificates.
    pub ca: PathBuf,
    /// This host's server certificate and key (from `amoe host enroll`).
    pub cert: PathBuf,
    pub key: PathBuf,
    /// The revocation list of the enrolment bundle (`crl.pem`, from `amoe host enroll`):
    /// installed at start when it is newer than the one the agent keeps. The agent does not
    /// start without a revocation list.
    #[serde(default)]
    pub crl: Option<PathBuf>,
    /// Refuse every call but the delivery of a new list (`PUT /v1/crl`) while the installed
    /// revocation list is past its next update (default false: an expired list still revokes
    /// what it names, and `amoe host status` warns two weeks ahead). The handshake itself is
    /// not refused, so that the new list can still be delivered without SSH: it must be the
    /// CA's own and newer anyway.
    #[serde(default)]
    pub refuse_when_crl_expired: bool,
}

/// Prometheus metrics, on loopback by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminSection {
    pub listen: Option<SocketAddr>,
}

impl Default for AdminSection {
    fn default() -> Self {
        AdminSection { listen: Some(SocketAddr::from(([127, 0, 0, 1], 9477))) }
    }
}

/// Reads and checks the file; errors name the file, line and column.
pub fn load(path: &Path) -> Result<AgentConfig, String> {
    let config = parse(path)?;
    config.proxy.limits.to_limits().map_err(|e| format!("invalid configuration `{}`: {e}", path.display()))?;
    Ok(config)
}

fn parse(path: &Path) -> Result<AgentConfig, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        let (line, col) = e.span().map_or((0, 0), |s| {
            let before = &text[..s.start.min(text.len())];
            (before.matches('\n').count() + 1, before.rfind('\n').map_or(before.len(), |i| before.len() - i - 1) + 1)
        });
        format!("invalid configuration `{}` at line {line}, column {col}: {}", path.display(), e.message())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_refused_with_their_line() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("agent.toml");
        std::fs::write(
            &p,
            "state_dir = \"/x\"\n[proxy]\nlisten = [\"127.0.0.1:80\"]\n[control]\nlisten = \"127.0.0.1:7443\"\nca = \"a\"\ncert = \"b\"\nkey = \"c\"\nkee = \"d\"\n",
        )
        .expect("write");
        let e = load(&p).expect_err("unknown key");
        assert!(e.contains("line 9") && e.contains("kee"), "{e}");
    }
}

#[cfg(test)]
mod example {
    #[test]
    fn the_shipped_example_is_valid() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("dist/agent.toml.example");
        let c = super::load(&path).expect("the example parses");
        assert_eq!(c.control.listen.port(), 7443);
        assert_eq!(c.admin.listen.map(|a| a.ip().is_loopback()), Some(true), "metrics on loopback");
    }
}
