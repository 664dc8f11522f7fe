//! Origins: the customer's web servers a site's proxy fetches from, as `http` or `https` URLs.
//! Credentials in the URL are refused, since they would end up in the store and the logs.

use crate::InvalidValue;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An origin URL: `http(s)://host[:port][/base-path]`, no user info, query or fragment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Origin(String);

impl Origin {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Origin {
    type Err = InvalidValue;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        // The message is shown and journaled: never with a password in it.
        let err = |reason: &str| InvalidValue::Origin {
            value: crate::redact::redact_url_password(raw),
            reason: reason.to_string(),
        };
        let url = url::Url::parse(raw).map_err(|e| err(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(err("an origin is an http:// or https:// URL"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(err("the URL names no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(err("credentials in the URL are refused: they would be stored in clear"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(err("an origin has no query string or fragment"));
        }
        Ok(Origin(url.to_string()))
    }
}

impl Origin {
    /// An origin read back from the store, which holds origins that went through
    /// [`Origin::from_str`]. One already in the form the URL parser gives back (a lowercase
    /// host name, a port that is not the scheme's, a plain path) is kept as it is, which costs
    /// a fraction of parsing it again when thousands of sites are listed; anything else (a
    /// hand-edited export, say) is parsed as [`Origin::from_str`] does. Either way the result is
    /// the one `from_str` gives.
    pub fn from_stored(stored: String) -> Result<Self, InvalidValue> {
        if in_parsed_form(&stored) { Ok(Origin(stored)) } else { stored.parse() }
    }
}

/// True when `url` is `http(s)://HOST[:PORT]/PATH` in the exact form the URL parser writes:
/// HOST lowercase letters, digits, `-` and `.` with a letter in it and no empty label, or an
/// IPv4 address as four decimal numbers up to 255 without leading zeros; PORT digits without a leading zero, at most 65535,
/// not the scheme's default; PATH made of letters, digits and `-._~/` without `.` or `..`
/// segments. Anything else goes through the parser.
fn in_parsed_form(url: &str) -> bool {
    let (rest, default_port) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => (rest, "443"),
        (_, Some(rest)) => (rest, "80"),
        _ => return false,
    };
    let Some(slash) = rest.find('/') else { return false };
    let (authority, path) = rest.split_at(slash);
    let (host, port) = authority.split_once(':').map_or((authority, None), |(h, p)| (h, Some(p)));
    let name = host.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && host.bytes().any(|b| b.is_ascii_lowercase())
        && host.split('.').all(|label| !label.is_empty());
    let ipv4 = host.split('.').count() == 4
        && host.split('.').all(|octet| {
            !octet.is_empty()
                && octet.len() <= 3
                && (octet == "0" || !octet.starts_with('0'))
                && octet.bytes().all(|b| b.is_ascii_digit())
                && octet.parse::<u8>().is_ok()
        });
    let host_ok = name || ipv4;
    let port_ok = port.is_none_or(|p| {
        !p.is_empty()
            && !p.starts_with('0')
            && p != default_port
            && p.len() <= 5
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| n <= 65535)
    });
    let path_ok = path.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/".contains(&b))
        && path.split('/').all(|segment| segment != "." && segment != "..");
    host_ok && port_ok && path_ok
}

impl TryFrom<String> for Origin {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Origin> for String {
    fn from(o: Origin) -> String {
        o.0
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl schemars::JsonSchema for Origin {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Origin".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "uri", "description": "An http(s) origin URL" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            "https://Origin.Example.fr".parse::<Origin>().map(String::from),
            Ok("https://origin.example.fr/".to_string())
        );
        assert!("http://10.0.0.5:8080/base/".parse::<Origin>().is_ok());
        for bad in ["ftp://a.fr", "a.fr", "https://user:pw@a.fr", "http://a.fr/?x=1", "http://a.fr/#f", "http://"] {
            assert!(bad.parse::<Origin>().is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn stored_origins_read_as_parsing_them_would() {
        // In the parser's form or not, valid or not: the same result as `from_str`.
        for raw in [
            "https://origin.example.fr/",
            "http://10.0.0.5:8080/base/",
            "http://a-b.example.fr:8443/x/y_z~.v/",
            "https://Origin.Example.fr",
            "https://a.fr",
            "http://a.fr:80/",
            "https://a.fr:443/",
            "http://a.fr:0080/",
            "http://a.fr:99999/",
            "http://010.0.0.1/",
            "http://10.0.0.256/",
            "http://10.0.1/",
            "http://0.0.0.0:8080/",
            "http://192.168.1.20/app/",
            "http://4294967295/",
            "http://a.fr/./b/../c",
            "http://a..fr/",
            "http://exämple.fr/",
            "http://[::1]:81/a/b",
            "http://a.fr/a b",
            "http://a.fr/%7Ex",
            "ftp://a.fr/",
            "a.fr",
            "https://user:pw@a.fr/",
            "http://a.fr/?x=1",
            "http://a.fr/#f",
            "http://",
            "http:///x",
        ] {
            let stored = Origin::from_stored(raw.to_string());
            assert_eq!(stored, raw.parse::<Origin>(), "{raw}");
            if let Err(e) = stored {
                assert!(!e.to_string().contains("pw"), "{e}");
            }
        }
        // The fast path keeps the text as it is only where the parser would too.
        assert!(in_parsed_form("http://a-b.example.fr:8443/x/y_z~.v/") && in_parsed_form("http://192.168.1.20/app/"));
        assert!(!in_parsed_form("http://a.fr:80/") && !in_parsed_form("https://A.fr/"));
    }
}
