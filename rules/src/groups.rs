//! The built-in content-type groups (`images`, `scripts`, ...) and media-type normalisation.
//!
//! Why: site owners think in kinds of content ("cache all images for a week"), not in the dozens
//! of media types a kind covers. The groups are fixed and disjoint, so a media type belongs to at
//! most one group and a lookup is one match on the type, with no allocation.
//!
//! What it deliberately does not do: user-defined groups, content sniffing, or guessing a type
//! from the path's extension; the origin's `Content-Type` is taken as it is.

/// A built-in content-type group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// `image/*`
    Images,
    /// `application/javascript`, `text/javascript`, `application/x-javascript`
    Scripts,
    /// `text/css`
    Styles,
    /// `font/*`, `application/font-woff`, `application/vnd.ms-fontobject`, `application/x-font-ttf`
    Fonts,
    /// `video/*`
    Video,
    /// `audio/*`
    Audio,
    /// PDF, Word, OpenXML and OpenDocument formats, RTF
    Documents,
    /// `text/html`, `application/xhtml+xml`
    Html,
    /// `application/json`, `application/ld+json`, `application/*+json`
    Json,
}

impl Group {
    /// Every group, in the order of [`Group::index`].
    pub const ALL: [Group; 9] = [
        Group::Images,
        Group::Scripts,
        Group::Styles,
        Group::Fonts,
        Group::Video,
        Group::Audio,
        Group::Documents,
        Group::Html,
        Group::Json,
    ];

    /// The comma-separated list of names, for error messages.
    pub const NAMES: &'static str = "images, scripts, styles, fonts, video, audio, documents, html, json";

    /// The name used in rule files.
    pub fn name(self) -> &'static str {
        match self {
            Group::Images => "images",
            Group::Scripts => "scripts",
            Group::Styles => "styles",
            Group::Fonts => "fonts",
            Group::Video => "video",
            Group::Audio => "audio",
            Group::Documents => "documents",
            Group::Html => "html",
            Group::Json => "json",
        }
    }

    /// Position in [`Group::ALL`], for table lookups.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The group named `name` (exact, lower case).
    pub fn from_name(name: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.name() == name)
    }

    /// The group of a normalised (lower-case, parameter-free) media type, if any.
    pub fn of(media_type: &str) -> Option<Group> {
        let (top, sub) = media_type.split_once('/')?;
        match top {
            "image" => Some(Group::Images),
            "video" => Some(Group::Video),
            "audio" => Some(Group::Audio),
            "font" => Some(Group::Fonts),
            "text" => match sub {
                "css" => Some(Group::Styles),
                "javascript" => Some(Group::Scripts),
                "html" => Some(Group::Html),
                _ => None,
            },
            "application" => match sub {
                "javascript" | "x-javascript" => Some(Group::Scripts),
                "font-woff" | "vnd.ms-fontobject" | "x-font-ttf" => Some(Group::Fonts),
                "pdf" | "msword" | "rtf" => Some(Group::Documents),
                s if s.starts_with("vnd.openxmlformats-officedocument.") => Some(Group::Documents),
                s if s.starts_with("vnd.oasis.opendocument.") => Some(Group::Documents),
                "xhtml+xml" => Some(Group::Html),
                "json" => Some(Group::Json),
                s if s.ends_with("+json") => Some(Group::Json),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Longest media type we normalise; RFC 6838 allows 127 characters each for type and subtype.
pub(crate) const MAX_MEDIA_TYPE: usize = 255;

/// Lower-cases the media type of a `Content-Type` value into `buf`, dropping parameters and
/// surrounding whitespace: `"Text/HTML; charset=utf-8"` gives `"text/html"`.
/// Returns `None` when the type is empty or longer than [`MAX_MEDIA_TYPE`].
pub(crate) fn normalize_media_type<'b>(content_type: &str, buf: &'b mut [u8; MAX_MEDIA_TYPE]) -> Option<&'b str> {
    let bare = content_type.split(';').next().unwrap_or_default().trim();
    if bare.is_empty() || bare.len() > MAX_MEDIA_TYPE {
        return None;
    }
    let out = &mut buf[..bare.len()];
    out.copy_from_slice(bare.as_bytes());
    out.make_ascii_lowercase();
    // Lower-casing ASCII bytes keeps UTF-8 valid, so this cannot fail.
    std::str::from_utf8(out).ok()
}

/// Whether `media_type` (already normalised) is a plain `type/subtype` made of token characters.
pub(crate) fn is_valid_media_type(media_type: &str) -> bool {
    let token = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b));
    match media_type.split_once('/') {
        Some((top, sub)) => token(top) && token(sub),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_has_its_documented_members() {
        let cases = [
            ("image/webp", Some(Group::Images)),
            ("video/mp4", Some(Group::Video)),
            ("audio/ogg", Some(Group::Audio)),
            ("font/woff2", Some(Group::Fonts)),
            ("application/font-woff", Some(Group::Fonts)),
            ("application/vnd.ms-fontobject", Some(Group::Fonts)),
            ("application/x-font-ttf", Some(Group::Fonts)),
            ("application/javascript", Some(Group::Scripts)),
            ("text/javascript", Some(Group::Scripts)),
            ("application/x-javascript", Some(Group::Scripts)),
            ("text/css", Some(Group::Styles)),
            ("application/pdf", Some(Group::Documents)),
            ("application/msword", Some(Group::Documents)),
            ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", Some(Group::Documents)),
            ("application/vnd.oasis.opendocument.text", Some(Group::Documents)),
            ("application/rtf", Some(Group::Documents)),
            ("text/html", Some(Group::Html)),
            ("application/xhtml+xml", Some(Group::Html)),
            ("application/json", Some(Group::Json)),
            ("application/ld+json", Some(Group::Json)),
            ("application/problem+json", Some(Group::Json)),
            ("text/plain", None),
            ("application/octet-stream", None),
            ("application/xml", None),
            ("imagepng", None),
        ];
        for (media_type, group) in cases {
            assert_eq!(Group::of(media_type), group, "{media_type}");
        }
    }

    #[test]
    fn names_round_trip_and_match_the_list() {
        for group in Group::ALL {
            assert_eq!(Group::from_name(group.name()), Some(group));
            assert_eq!(Group::ALL[group.index()], group);
        }
        let listed: Vec<&str> = Group::NAMES.split(", ").collect();
        assert_eq!(listed, Group::ALL.map(Group::name));
        assert_eq!(Group::from_name("imgs"), None);
    }

    #[test]
    fn normalisation_drops_parameters_and_case() {
        let mut buf = [0u8; MAX_MEDIA_TYPE];
        assert_eq!(normalize_media_type(" Text/HTML ; charset=UTF-8", &mut buf), Some("text/html"));
        assert_eq!(normalize_media_type(";x=y", &mut buf), None);
        assert_eq!(normalize_media_type(&"a".repeat(300), &mut buf), None);
        assert!(is_valid_media_type("application/vnd.api+json"));
        assert!(!is_valid_media_type("text/"));
        assert!(!is_valid_media_type("text/html/x"));
        assert!(!is_valid_media_type("text html"));
    }
}
