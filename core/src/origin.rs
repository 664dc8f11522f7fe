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
    /// An origin read back from the store, which only ever holds origins that went through
    /// [`Origin::from_str`] (so already in the URL parser's form): only the shape is checked
    /// again (scheme, a host, no credentials, query or fragment), which costs a fraction of
    /// parsing the URL again when thousands of sites are listed.
    pub fn from_stored(stored: String) -> Result<Self, InvalidValue> {
        let rest = stored.strip_prefix("https://").or_else(|| stored.strip_prefix("http://"));
        let authority = rest.map(|r| r.split('/').next().unwrap_or(r));
        let problem = match authority {
            None => Some("an origin is an http:// or https:// URL"),
            Some("") => Some("the URL names no host"),
            Some(a) if a.contains('@') => Some("credentials in the URL are refused: they would be stored in clear"),
            _ if stored.contains(['?', '#']) => Some("an origin has no query string or fragment"),
            _ if stored.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control()) => {
                Some("it is not in a parsed URL's form")
            }
            _ => None,
        };
        match problem {
            None => Ok(Origin(stored)),
            Some(reason) => Err(InvalidValue::Origin {
                value: crate::redact::redact_url_password(&stored),
                reason: reason.to_string(),
            }),
        }
    }
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
    fn stored_origins_keep_their_form_and_bad_shapes_are_refused() {
        for raw in ["https://Origin.Example.fr", "http://10.0.0.5:8080/base/", "http://[::1]:81/a/b"] {
            let parsed: Origin = raw.parse().expect("origin");
            assert_eq!(Origin::from_stored(parsed.to_string()), Ok(parsed));
        }
        for bad in [
            "ftp://a.fr/",
            "a.fr",
            "https://user:pw@a.fr/",
            "http://a.fr/?x=1",
            "http://a.fr/#f",
            "http://",
            "http:///x",
            "http://a.fr/a b",
        ] {
            let err = Origin::from_stored(bad.to_string()).expect_err(bad);
            assert!(!err.to_string().contains("pw"), "{err}");
        }
    }
}
