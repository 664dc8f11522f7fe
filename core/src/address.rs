//! The `HOST:PORT` address at which a host's agent is reached.

use crate::InvalidValue;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// `name:port`, `1.2.3.4:port` or `[::1]:port`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HostAddress {
    host: String,
    port: u16,
}

impl HostAddress {
    /// The host part, without brackets for IPv6.
    pub fn host(&self) -> &str {
        &self.host
    }
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl FromStr for HostAddress {
    type Err = InvalidValue;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let err = |reason| InvalidValue::Address { value: raw.to_string(), reason };
        let (host, port) = raw.rsplit_once(':').ok_or_else(|| err("the port is missing"))?;
        let port: u16 = port.parse().map_err(|_| err("the port is a number from 1 to 65535"))?;
        if port == 0 {
            return Err(err("the port is a number from 1 to 65535"));
        }
        let host = if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            v6.parse::<Ipv6Addr>().map_err(|_| err("the bracketed part is not an IPv6 address"))?;
            v6.to_string()
        } else if host.parse::<Ipv4Addr>().is_ok() {
            host.to_string()
        } else if host.contains(':') {
            return Err(err("write an IPv6 address in brackets: [::1]:7443"));
        } else {
            crate::DomainName::from_str(host)
                .map_err(|_| err("the host is neither a hostname nor an IP address"))?
                .to_string()
        };
        Ok(HostAddress { host, port })
    }
}

impl fmt::Display for HostAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl TryFrom<String> for HostAddress {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<HostAddress> for String {
    fn from(a: HostAddress) -> String {
        a.to_string()
    }
}

impl schemars::JsonSchema for HostAddress {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "HostAddress".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "description": "HOST:PORT, IPv6 in brackets" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let a: HostAddress = "pop-paris.example.net:7443".parse().expect("valid");
        assert_eq!((a.host(), a.port()), ("pop-paris.example.net", 7443));
        assert_eq!("[::1]:7443".parse::<HostAddress>().map(|a| a.to_string()), Ok("[::1]:7443".into()));
        assert!("127.0.0.1:1".parse::<HostAddress>().is_ok());
        for bad in ["a.fr", "a.fr:0", "a.fr:70000", "::1:80", "[zz]:80", "a b:80", ":80"] {
            assert!(bad.parse::<HostAddress>().is_err(), "{bad} should be refused");
        }
    }
}
