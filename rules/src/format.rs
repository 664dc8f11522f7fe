//! The rule file's data model: plain serde types mirroring the TOML, one file per site.
//!
//! Why: these types are the single description of the format. [`crate::parse`] fills them from
//! TOML while collecting every error with its line, and [`crate::json_schema`] derives the JSON
//! Schema from them (each field's doc comment becomes its description), so editors can validate
//! and complete rule files.
//!
//! What it deliberately does not do: validate values (durations, paths, regexes, group names are
//! kept as written; [`crate::parse`] checks them) or serialise back to TOML (no round trip is
//! promised). `Deserialize` is derived so the schema and a direct `toml::from_str` agree, but
//! `Rules::parse` is the entry point that reports errors well.

use schemars::JsonSchema;
use serde::Deserialize;

/// One site's rule file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "amoe site rules")]
pub struct RulesFile {
    /// The site's global default. Without it (or without `ttl` in it) nothing gets a TTL from the
    /// rules: the origin's own headers (RFC 9111) decide.
    #[serde(default)]
    pub default: Option<DefaultRule>,
    /// Rules for built-in groups of content types.
    #[serde(default)]
    pub group: Vec<GroupRule>,
    /// Rules for one exact media type each.
    #[serde(default)]
    pub content_type: Vec<ContentTypeRule>,
    /// Rules for a path prefix each; the longest matching prefix is the most specific.
    #[serde(default)]
    pub directory: Vec<DirectoryRule>,
    /// Rules for one exact path each; the most specific level.
    #[serde(default)]
    pub page: Vec<PageRule>,
    /// Protection rules: a request matching one is refused with 403.
    #[serde(default)]
    pub deny: Vec<DenyRule>,
}

/// Declares a rule struct with the four settings every rule level shares plus its own fields.
macro_rules! rule_struct {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
            /// Whether responses may be cached at all. Defaults to true when no matching rule sets it.
            #[serde(default)]
            pub cache: Option<bool>,
            /// Time to live when this rule applies: an integer followed by s, m, h or d
            /// ("90s", "15m", "1h", "7d", "0s"); at most 365d.
            #[serde(default)]
            #[schemars(regex(pattern = r"^[0-9]+[smhd]$"))]
            pub ttl: Option<String>,
            /// When true, responses may be stored even if `private`, `no-store`, `Set-Cookie` or a
            /// request `Authorization` would otherwise forbid it. Defaults to false.
            #[serde(default)]
            pub force: Option<bool>,
            /// How long a stale response may still be served when the origin fails: an integer
            /// followed by s, m, h or d; at most 365d.
            #[serde(default)]
            #[schemars(regex(pattern = r"^[0-9]+[smhd]$"))]
            pub stale_if_error: Option<String>,
            /// The response statuses this rule's `ttl` applies to. Without it, the statuses RFC 9110
            /// §15.1 calls heuristically cacheable (200, 203, 204, 206, 300, 301, 308, 404, 405,
            /// 410, 414, 501); other statuses (errors, 302) keep only the origin's own freshness.
            #[serde(default)]
            #[schemars(extend("uniqueItems" = true))]
            pub statuses: Option<Vec<u16>>,
        }
    };
}

rule_struct! {
    /// The site-wide default; the least specific rule.
    DefaultRule {}
}

rule_struct! {
    /// A rule for a built-in group of content types.
    GroupRule {
        /// The group: images, scripts, styles, fonts, video, audio, documents, html or json.
        #[schemars(extend("enum" = ["images", "scripts", "styles", "fonts", "video", "audio", "documents", "html", "json"]))]
        name: String,
    }
}

rule_struct! {
    /// A rule for one media type.
    ContentTypeRule {
        /// Exact media type such as "application/pdf"; matched case-insensitively, parameters ignored.
        #[serde(rename = "type")]
        media_type: String,
    }
}

rule_struct! {
    /// A rule for every path under a prefix.
    DirectoryRule {
        /// Path prefix; must start with "/". A missing trailing "/" is added, so "/static" matches
        /// "/static/x" but neither "/staticfoo" nor "/static" itself.
        path: String,
    }
}

rule_struct! {
    /// A rule for one exact path.
    PageRule {
        /// Exact path without query string, such as "/index.html"; must start with "/".
        path: String,
    }
}

/// A protection rule. Every condition given must match for the request to be refused; at least
/// one condition is required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DenyRule {
    /// HTTP methods to refuse, such as ["TRACE", "TRACK"]; compared case-insensitively.
    #[serde(default)]
    pub methods: Option<Vec<String>>,
    /// Regular expression (Rust regex syntax) searched in the request path.
    #[serde(default)]
    pub path: Option<String>,
    /// Regular expression (Rust regex syntax) searched in the raw query string (without "?");
    /// a request without a query string is matched as an empty query.
    #[serde(default)]
    pub query: Option<String>,
}
