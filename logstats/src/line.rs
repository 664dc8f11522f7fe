//! One log line to one [`Entry`]: the CLF family (common, combined, with trailing fields) and
//! W3C extended lines in the order a `#Fields:` directive gives.
//!
//! What: borrowing parsers that either return every field the statistics need or `None`
//! (a malformed line, counted by the caller). No allocation per line.
//!
//! Rules (the same for every file, written down in `docs/decisions.md`):
//! - a line longer than [`MAX_LINE`] bytes is malformed (a real request line that long is
//!   refused by every server: nginx's default is 8 KiB);
//! - every field of the file's shape must be there, and nothing after the last one;
//! - dates are checked strictly (see [`crate::date`]);
//! - a cache field must be a known word ([`cache_word`]), so a line cut inside it is malformed;
//! - a request field that is not `METHOD TARGET PROTO` (a TLS handshake on port 80, `-`) is a
//!   request all the same, as servers log it with status 400: its method is the whole field.

use memchr::{memchr, memchr2};

use crate::date;

/// Longest line counted as a request.
pub const MAX_LINE: usize = 8192;

/// What the statistics need of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// Client address, as written.
    pub ip: &'a [u8],
    /// User agent, when the format has one.
    pub ua: Option<&'a [u8]>,
    /// Day number ([`date::days_from_civil`]) and hour of the request.
    pub day: i32,
    /// Hour of day, 0–23.
    pub hour: u8,
    /// Method (or the whole request field when it is not a request line).
    pub method: &'a [u8],
    /// Path, without the query string.
    pub path: &'a [u8],
    /// Status code.
    pub status: u16,
    /// Response bytes (`-` is 0).
    pub bytes: u64,
    /// Time taken, microseconds, when the format has it.
    pub time_taken_us: Option<u64>,
    /// Served by the CDN (`Some(true)`), by the origin (`Some(false)`), or no cache field.
    pub cdn: Option<bool>,
}

/// The columns of a W3C `#Fields:` directive that the statistics read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct W3cFields {
    /// Number of fields on a line.
    pub count: usize,
    date: Option<usize>,
    time: Option<usize>,
    ip: Option<usize>,
    method: Option<usize>,
    stem: Option<usize>,
    uri: Option<usize>,
    status: Option<usize>,
    bytes: Option<usize>,
    time_taken: Option<usize>,
    ua: Option<usize>,
    cache: Option<usize>,
}

/// Most fields a W3C line may have.
pub const MAX_W3C_FIELDS: usize = 48;

impl W3cFields {
    /// Reads the value of a `#Fields:` directive; `None` when a needed field is missing.
    pub fn parse(value: &[u8]) -> Option<W3cFields> {
        let mut f = W3cFields::default();
        for (i, name) in value.split(|&b| b == b' ' || b == b'\t').filter(|n| !n.is_empty()).enumerate() {
            let slot = match name.to_ascii_lowercase().as_slice() {
                b"date" => &mut f.date,
                b"time" => &mut f.time,
                b"c-ip" => &mut f.ip,
                b"cs-method" => &mut f.method,
                b"cs-uri-stem" => &mut f.stem,
                b"cs-uri" => &mut f.uri,
                b"sc-status" => &mut f.status,
                b"sc-bytes" => &mut f.bytes,
                b"time-taken" => &mut f.time_taken,
                b"cs(user-agent)" => &mut f.ua,
                b"x-cache" | b"x-cache-status" | b"x-edge-result-type" | b"s-cache-status" => &mut f.cache,
                _ => {
                    f.count = i + 1;
                    continue;
                }
            };
            *slot = Some(i);
            f.count = i + 1;
        }
        let has_path = f.stem.is_some() || f.uri.is_some();
        (f.count <= MAX_W3C_FIELDS
            && f.date.is_some()
            && f.time.is_some()
            && f.ip.is_some()
            && f.status.is_some()
            && has_path)
            .then_some(f)
    }
}

/// How to read the lines of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Common or combined log format; `extras` trailing fields after the user agent:
    /// the first is the time taken in microseconds (Apache `%D`), the second a cache word.
    Clf {
        /// Referer and user agent follow the bytes.
        combined: bool,
        /// Trailing fields (0, 1 or 2).
        extras: u8,
    },
    /// W3C extended, with the fields in effect.
    W3c(Option<std::sync::Arc<W3cFields>>),
}

impl Shape {
    /// The name shown in reports.
    pub fn name(&self) -> &'static str {
        match self {
            Shape::Clf { combined: false, .. } => "clf",
            Shape::Clf { combined: true, .. } => "combined",
            Shape::W3c(_) => "w3c",
        }
    }
}

/// Whether a cache word means the CDN served the response (`true`) or the origin did.
/// `None`: not a cache word (the line is malformed).
pub fn cache_word(w: &[u8]) -> Option<bool> {
    let mut up = [0u8; 32];
    if w.is_empty() || w.len() > up.len() {
        return None;
    }
    for (d, s) in up.iter_mut().zip(w) {
        *d = s.to_ascii_uppercase();
    }
    let w = &up[..w.len()];
    match w {
        b"HIT" | b"STALE" | b"UPDATING" | b"REVALIDATED" | b"REFRESHHIT" => Some(true),
        b"MISS" | b"PASS" | b"BYPASS" | b"EXPIRED" | b"ERROR" | b"DYNAMIC" | b"-" => Some(false),
        _ if w.starts_with(b"TCP_") && w[4..].iter().all(|c| c.is_ascii_uppercase() || *c == b'_') => {
            Some(w.ends_with(b"HIT"))
        }
        _ => None,
    }
}

/// Per-thread memo of the last date seen (dates change once a day, lines come by thousands).
#[derive(Debug, Default)]
pub struct DateMemo {
    last: [u8; 11],
    len: usize,
    day: i32,
}

impl DateMemo {
    fn day(&mut self, b: &[u8], parse: fn(&[u8]) -> Option<i32>) -> Option<i32> {
        if b.len() == self.len && &self.last[..self.len] == b {
            return Some(self.day);
        }
        let day = parse(b)?;
        if b.len() <= self.last.len() {
            self.last[..b.len()].copy_from_slice(b);
            self.len = b.len();
            self.day = day;
        }
        Some(day)
    }
}

fn split_space(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let i = memchr(b' ', s)?;
    Some((&s[..i], &s[i + 1..]))
}

fn number(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 19 {
        return None;
    }
    let mut v = 0u64;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(c - b'0');
    }
    Some(v)
}

fn status(b: &[u8]) -> Option<u16> {
    (b.len() == 3).then_some(())?;
    number(b).map(|v| v as u16)
}

fn bytes_field(b: &[u8]) -> Option<u64> {
    if b == b"-" { Some(0) } else { number(b) }
}

/// A `"…"` field at the start of `s` (backslash escapes skipped): `(inside, after)`.
fn quoted(s: &[u8]) -> Option<(&[u8], &[u8])> {
    if s.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    loop {
        let j = i + memchr2(b'"', b'\\', &s[i..])?;
        if s[j] == b'\\' {
            i = j + 2;
            if i > s.len() {
                return None;
            }
        } else {
            return Some((&s[1..j], &s[j + 1..]));
        }
    }
}

/// Method and path of a request field.
fn request(req: &[u8]) -> (&[u8], &[u8]) {
    match split_space(req) {
        Some((method, rest)) => {
            let target = match memchr(b' ', rest) {
                Some(i) => &rest[..i],
                None => rest,
            };
            let path = match memchr(b'?', target) {
                Some(i) => &target[..i],
                None => target,
            };
            (method, path)
        }
        None => (req, b"-"),
    }
}

/// Parses a line of the CLF family.
pub fn parse_clf<'a>(line: &'a [u8], combined: bool, extras: u8, memo: &mut DateMemo) -> Option<Entry<'a>> {
    if line.len() > MAX_LINE {
        return None;
    }
    let (ip, rest) = split_space(line)?;
    let (_ident, rest) = split_space(rest)?;
    let (_user, rest) = split_space(rest)?;
    // [dd/Mon/yyyy:HH:MM:SS +zzzz]
    if ip.is_empty() || rest.len() < 29 || rest[0] != b'[' || rest[12] != b':' || rest[21] != b' ' || rest[27] != b']' {
        return None;
    }
    let day = memo.day(&rest[1..12], date::clf_day)?;
    let hour = date::hour_of(&rest[13..21])?;
    if !date::zone_ok(&rest[22..27]) || rest[28] != b' ' {
        return None;
    }
    let (req, rest) = quoted(&rest[29..])?;
    let rest = rest.strip_prefix(b" ")?;
    let (st, rest) = split_space(rest)?;
    let status = status(st)?;
    let (b, mut rest) = match memchr(b' ', rest) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, &rest[rest.len()..]),
    };
    let bytes = bytes_field(b)?;
    let mut ua = None;
    if combined {
        let (_referer, r) = quoted(rest.strip_prefix(b" ")?)?;
        let (agent, r) = quoted(r.strip_prefix(b" ")?)?;
        ua = Some(agent);
        rest = r;
    }
    let mut time_taken_us = None;
    let mut cdn = None;
    // Trailing fields are all there or all missing: servers log junk requests without them.
    let extras = if rest.is_empty() { 0 } else { extras };
    for i in 0..extras {
        let r = rest.strip_prefix(b" ")?;
        let (tok, r) = match memchr(b' ', r) {
            Some(j) => (&r[..j], &r[j..]),
            None => (r, &r[r.len()..]),
        };
        match i {
            0 => time_taken_us = Some(number(tok)?),
            _ => cdn = Some(cache_word(tok)?),
        }
        rest = r;
    }
    if !rest.is_empty() {
        return None;
    }
    let (method, path) = request(req);
    Some(Entry { ip, ua, day, hour, method, path, status, bytes, time_taken_us, cdn })
}

/// Seconds with an optional fraction (`0.027`), or milliseconds (`27`) when `ms`, to µs.
fn time_taken(b: &[u8], ms: bool) -> Option<u64> {
    if ms {
        return number(b)?.checked_mul(1000);
    }
    let (int, frac) = match memchr(b'.', b) {
        Some(i) => (&b[..i], &b[i + 1..]),
        None => (b, &b[b.len()..]),
    };
    let mut us = number(int)?.checked_mul(1_000_000)?;
    if b.len() > int.len() {
        if frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let mut scale = 100_000;
        for &c in frac.iter().take(6) {
            us = us.checked_add(u64::from(c - b'0') * scale)?;
            scale /= 10;
        }
    }
    Some(us)
}

/// Parses a W3C data line with `fields` (`ms`: time-taken in milliseconds, as IIS writes it).
pub fn parse_w3c<'a>(line: &'a [u8], fields: &W3cFields, ms: bool, memo: &mut DateMemo) -> Option<Entry<'a>> {
    if line.len() > MAX_LINE {
        return None;
    }
    let mut cols: [&[u8]; MAX_W3C_FIELDS] = [&[]; MAX_W3C_FIELDS];
    let mut n = 0;
    let mut rest = line;
    loop {
        if n == fields.count {
            return None;
        }
        let (field, after) = if rest.first() == Some(&b'"') {
            // A quoted string; `""` inside is an escaped quote.
            let mut i = 1;
            loop {
                let j = i + memchr(b'"', &rest[i..])?;
                if rest.get(j + 1) == Some(&b'"') {
                    i = j + 2;
                } else {
                    break (&rest[1..j], &rest[j + 1..]);
                }
            }
        } else {
            match memchr(b' ', rest) {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, &rest[rest.len()..]),
            }
        };
        cols[n] = field;
        n += 1;
        if after.is_empty() {
            break;
        }
        rest = after.strip_prefix(b" ")?;
    }
    if n != fields.count || cols[..n].iter().any(|c| c.is_empty()) {
        return None;
    }
    let col = |i: Option<usize>| i.map(|i| cols[i]);
    let day = memo.day(col(fields.date)?, date::w3c_day)?;
    let hour = date::hour_of(col(fields.time)?)?;
    let ip = col(fields.ip)?;
    let status = status(col(fields.status)?)?;
    let path = match (col(fields.stem), col(fields.uri)) {
        (Some(stem), _) => stem,
        (None, Some(uri)) => match memchr(b'?', uri) {
            Some(i) => &uri[..i],
            None => uri,
        },
        (None, None) => return None,
    };
    let bytes = match col(fields.bytes) {
        Some(b) => bytes_field(b)?,
        None => 0,
    };
    let time_taken_us = match col(fields.time_taken) {
        Some(t) => Some(time_taken(t, ms)?),
        None => None,
    };
    let cdn = match col(fields.cache) {
        Some(w) => Some(cache_word(w)?),
        None => None,
    };
    let ua = col(fields.ua).filter(|u| *u != b"-");
    let method = col(fields.method).unwrap_or(b"-");
    Some(Entry { ip, ua: Some(ua.unwrap_or(b"-")), day, hour, method, path, status, bytes, time_taken_us, cdn })
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMBINED: &[u8] = br#"2.162.85.112 - - [30/Mar/2024:18:22:28 +0100] "GET /a/b.html?x=1 HTTP/2.0" 200 11701 "https://r.example/" "Mozilla/5.0 (X)" 9594 HIT"#;

    #[test]
    fn combined_with_extras() {
        let mut memo = DateMemo::default();
        let e = parse_clf(COMBINED, true, 2, &mut memo).expect("parses");
        assert_eq!(e.ip, b"2.162.85.112");
        assert_eq!(e.path, b"/a/b.html");
        assert_eq!((e.status, e.bytes, e.hour), (200, 11701, 18));
        assert_eq!(e.time_taken_us, Some(9594));
        assert_eq!(e.cdn, Some(true));
        assert_eq!(e.ua, Some(&b"Mozilla/5.0 (X)"[..]));
        // Cut anywhere else, it is malformed.
        for cut in (1..COMBINED.len()).filter(|&c| c != COMBINED.len() - " 9594 HIT".len()) {
            assert_eq!(parse_clf(&COMBINED[..cut], true, 2, &mut memo), None, "cut at {cut}");
        }
        // The same line read as plain combined has two fields too many.
        assert_eq!(parse_clf(COMBINED, true, 0, &mut memo), None);
        // Without any trailing field it is a request with no time or cache word.
        let bare = &COMBINED[..COMBINED.len() - " 9594 HIT".len()];
        let e = parse_clf(bare, true, 2, &mut memo).expect("parses");
        assert_eq!((e.time_taken_us, e.cdn), (None, None));
    }

    #[test]
    fn junk_requests_are_requests_and_escapes_are_skipped() {
        let mut memo = DateMemo::default();
        let line = br#"1.2.3.4 - - [30/Mar/2024:18:22:28 +0100] "\x16\x03\x01" 400 226 "-" "-""#;
        let e = parse_clf(line, true, 0, &mut memo).expect("junk is a request");
        assert_eq!((e.status, e.method), (400, &br"\x16\x03\x01"[..]));
        let line = br#"1.2.3.4 - - [30/Mar/2024:18:22:28 +0100] "GET / HTTP/1.1\" 200" 400 226"#;
        assert_eq!(parse_clf(line, false, 0, &mut memo).map(|e| e.path), Some(&b"/"[..]));
        let line = br#"1.2.3.4 - - [30/Mar/24:18:22:28 +0100] "GET / HTTP/1.1" 200 1"#;
        assert_eq!(parse_clf(line, false, 0, &mut memo), None);
    }

    #[test]
    fn w3c_in_any_order_with_quoted_strings() {
        let f = W3cFields::parse(b"time date x-cache cs-uri-stem c-ip sc-status cs(User-Agent) time-taken sc-bytes")
            .expect("fields");
        let mut memo = DateMemo::default();
        let line = br#"23:00:01 2024-03-30 STALE /x 10.0.0.1 206 "Mo ""z"" 5" 1.5 300"#;
        let e = parse_w3c(line, &f, false, &mut memo).expect("parses");
        assert_eq!((e.hour, e.status, e.bytes, e.time_taken_us, e.cdn), (23, 206, 300, Some(1_500_000), Some(true)));
        assert_eq!(e.ua, Some(&br#"Mo ""z"" 5"#[..]));
        assert_eq!(parse_w3c(&line[..line.len() - 1], &f, false, &mut memo).map(|e| e.bytes), Some(30));
        assert_eq!(parse_w3c(br"23:00:01 2024-03-30 MI /x 10.0.0.1 206 - 1.5 300", &f, false, &mut memo), None);
        assert_eq!(parse_w3c(br"23:00:01 2024-03-30 HIT /x 10.0.0.1 206 - 1.5", &f, false, &mut memo), None);
        assert_eq!(parse_w3c(br"23:00:01 2024-03-30 HIT /x 10.0.0.1 206 - 1.5 300 9", &f, false, &mut memo), None);
        assert_eq!(W3cFields::parse(b"date time cs-method"), None);
    }

    #[test]
    fn cache_words() {
        assert_eq!(cache_word(b"HIT"), Some(true));
        assert_eq!(cache_word(b"Hit"), Some(true));
        assert_eq!(cache_word(b"TCP_MEM_HIT"), Some(true));
        assert_eq!(cache_word(b"TCP_MISS"), Some(false));
        assert_eq!(cache_word(b"EXPIRED"), Some(false));
        assert_eq!(cache_word(b"MI"), None);
    }
}
