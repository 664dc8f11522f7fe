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
}
