//! Names the user types: hostnames (site domains), inventory names (sites, hosts) and e-mail
//! addresses. Each is checked once here and then carried as a type that cannot be invalid.

use crate::InvalidValue;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! string_newtype {
    ($ty:ident, $desc:literal) => {
        impl $ty {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<String> for $ty {
            type Error = InvalidValue;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.0
            }
        }
        impl schemars::JsonSchema for $ty {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($ty).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "description": $desc })
            }
        }
    };
}

/// A DNS hostname served by a site, lowercased (`www.example.fr`). IP addresses are refused:
/// a site is reached by name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DomainName(String);
string_newtype!(DomainName, "A DNS hostname, lowercase ASCII (IDNs in punycode)");

impl FromStr for DomainName {
    type Err = InvalidValue;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let err = |reason| InvalidValue::Domain { value: raw.to_string(), reason };
        let name = raw.strip_suffix('.').unwrap_or(raw).to_ascii_lowercase();
        if name.is_empty() {
            return Err(err("it is empty"));
        }
        if name.len() > 253 {
            return Err(err("a hostname has at most 253 characters"));
        }
        for label in name.split('.') {
            if label.is_empty() {
                return Err(err("it has an empty label (two dots in a row?)"));
            }
            if label.len() > 63 {
                return Err(err("a label has at most 63 characters"));
            }
            if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(err("labels hold letters, digits and hyphens only (IDNs in punycode)"));
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(err("a label neither starts nor ends with a hyphen"));
            }
        }
        if name.rsplit('.').next().is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit())) {
            return Err(err("it looks like an IP address; a site is served by name"));
        }
        Ok(DomainName(name))
    }
}

/// The name of a site or a host in the inventory: 1 to 63 characters, lowercase letters,
/// digits, `-`, `_` and `.`, starting with a letter or digit. Names appear in file paths and
/// URLs, so nothing else is allowed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Name(String);
string_newtype!(Name, "A site or host name: [a-z0-9][a-z0-9._-]{0,62}");

impl FromStr for Name {
    type Err = InvalidValue;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let err = |reason| InvalidValue::Name { value: raw.to_string(), reason };
        let Some(first) = raw.bytes().next() else {
            return Err(err("it is empty"));
        };
        if raw.len() > 63 {
            return Err(err("a name has at most 63 characters"));
        }
        if !(first.is_ascii_lowercase() || first.is_ascii_digit()) {
            return Err(err("a name starts with a lowercase letter or a digit"));
        }
        let ok = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b);
        if !raw.bytes().all(ok) {
            return Err(err("a name holds lowercase letters, digits, `-`, `_` and `.` only"));
        }
        Ok(Name(raw.to_string()))
    }
}

/// An e-mail address (RFC 5321 mailbox syntax), as a contact of a beneficiary.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);
string_newtype!(Email, "An e-mail address");

impl FromStr for Email {
    type Err = InvalidValue;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let err = |reason: String| InvalidValue::Email { value: raw.to_string(), reason };
        let parsed = email_address::EmailAddress::from_str(raw).map_err(|e| err(e.to_string()))?;
        // The crate accepts display forms ("Name <a@b>") and dot-less domains; a contact
        // address must be the bare mailbox of a real domain.
        if parsed.as_str() != raw || raw.contains(['<', '>', ' ']) {
            return Err(err("give the bare address, without a display name".into()));
        }
        let domain = parsed.domain();
        if domain.starts_with('[') {
            return Err(err("address literals are not accepted; give a domain".into()));
        }
        DomainName::from_str(domain)
            .ok()
            .filter(|d| d.as_str().contains('.'))
            .ok_or_else(|| err(format!("`{domain}` is not a valid mail domain")))?;
        Ok(Email(raw.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        assert_eq!("WWW.Example.FR.".parse::<DomainName>().map(String::from), Ok("www.example.fr".into()));
        assert!("localhost".parse::<DomainName>().is_ok());
        assert!("xn--bcher-kva.example".parse::<DomainName>().is_ok());
        for bad in ["", "a..b", "-a.fr", "a-.fr", "a_b.fr", "é.fr", "10.0.0.1", "http://a.fr"] {
            assert!(bad.parse::<DomainName>().is_err(), "{bad} should be refused");
        }
        assert!(format!("{}.fr", "a".repeat(64)).parse::<DomainName>().is_err());
    }

    #[test]
    fn names() {
        assert!("site-1.prod_a".parse::<Name>().is_ok());
        for bad in ["", "-a", "A", "a b", "a/b", ".a"] {
            assert!(bad.parse::<Name>().is_err(), "{bad} should be refused");
        }
        assert!("a".repeat(64).parse::<Name>().is_err());
    }

    #[test]
    fn emails() {
        assert!("dsi@mairie-exemple.fr".parse::<Email>().is_ok());
        for bad in ["", "a", "a@", "@b.fr", "a@b", "Bob <a@b.fr>", "a@[127.0.0.1]", "a b@c.fr"] {
            assert!(bad.parse::<Email>().is_err(), "{bad} should be refused");
        }
    }
}
