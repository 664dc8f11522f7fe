//! W3C Extended Log File Format (W3C Working Draft WD-logfile-960323): header and lines.
//!
//! What: the header written at the start of each new file
//! (`#Version`, `#Date` in UTC, `#Software`, `#Fields`) and one line per request with the
//! fields of [`FIELDS`]. `date` and `time` are UTC, as the draft requires; `time-taken`
//! is in seconds with three decimals (milliseconds, truncated).
//!
//! Encoding choices (the draft has no escape mechanism, so lines are made safe this way):
//! - a missing value (no query, no referer, no user agent, empty host) is `-`;
//! - `cs-uri-query` is the part of the target after the first `?`, without the `?`
//!   (`-` when there is none or it is empty); `cs-uri-stem` is the part before it;
//! - in the URI and method fields, bytes that would break a line or a field (controls,
//!   space, `"`, non-ASCII) are percent-encoded `%HH`, which is valid URI syntax;
//! - string fields (`cs(Host)`, `cs(User-Agent)`, `cs(Referer)`) are written as is
//!   unless they contain a space or a `"`, are empty, or are literally `-`: then
//!   they are quoted `"…"` with inner `"` doubled, as the draft says; control bytes (tab
//!   included) in them are written `%HH` (lossy: a literal `%0A` reads back the same way).
//!
//! Deliberately not here: parsing W3C files, other field sets, file I/O.

use std::io::Write as _;
use std::time::SystemTime;

use crate::clf::push_status;
use crate::record::{Record, Stamp};

/// The `#Fields:` directive's value.
pub const FIELDS: &str = "date time c-ip cs-method cs-uri-stem cs-uri-query sc-status sc-bytes time-taken cs(Host) cs(User-Agent) cs(Referer) x-cache";

/// The `#Software:` directive's value.
pub const SOFTWARE: &str = "amoe-agent";

/// The header block of a new file, `now` being when the file is started (`#Date`, UTC).
pub fn w3c_header(now: SystemTime) -> String {
    let stamp = Stamp::new(now);
    format!("#Version: 1.0\n#Date: {}\n#Software: {SOFTWARE}\n#Fields: {FIELDS}\n", stamp.w3c)
}

/// Appends the W3C line for `rec` (with its trailing `\n`) to `out`.
pub fn write_w3c_line(rec: &Record, out: &mut Vec<u8>) {
    let stamp = Stamp::new(rec.time);
    write_with_date(rec, &stamp.w3c, out);
}

/// The W3C line for `rec`, with its trailing `\n`.
pub fn w3c_line(rec: &Record) -> String {
    let mut out = Vec::with_capacity(200);
    write_w3c_line(rec, &mut out);
    // Input strings are UTF-8 and only whole ASCII bytes are replaced, so this holds.
    String::from_utf8(out).unwrap_or_default()
}

/// Hot path: `date_time` is the cached `YYYY-MM-DD HH:MM:SS` (UTC).
pub(crate) fn write_with_date(rec: &Record, date_time: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(date_time.as_bytes());
    let _ = write!(out, " {} ", rec.client_ip);
    push_token(&rec.method, out);
    out.push(b' ');
    let (stem, query) = match rec.target.split_once('?') {
        Some((s, q)) => (s, q),
        None => (rec.target.as_str(), ""),
    };
    push_token(stem, out);
    out.push(b' ');
    push_token(query, out);
    out.push(b' ');
    push_status(rec.status, out);
    let ms = rec.duration.as_millis();
    let _ = write!(out, " {} {}.{:03} ", rec.bytes, ms / 1000, ms % 1000);
    push_string(Some(rec.host.as_str()).filter(|h| !h.is_empty()), out);
    out.push(b' ');
    push_string(rec.user_agent.as_deref(), out);
    out.push(b' ');
    push_string(rec.referer.as_deref(), out);
    out.push(b' ');
    out.extend_from_slice(rec.cache.as_str().as_bytes());
    out.push(b'\n');
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn push_pct(b: u8, out: &mut Vec<u8>) {
    out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
}

/// A name or URI field: `-` when empty, unsafe bytes percent-encoded.
fn push_token(s: &str, out: &mut Vec<u8>) {
    if s.is_empty() {
        out.push(b'-');
        return;
    }
    for &b in s.as_bytes() {
        if b <= b' ' || b == b'"' || b >= 0x7f {
            push_pct(b, out);
        } else {
            out.push(b);
        }
    }
}

/// A string field: `-` when missing; quoted when needed (see module doc).
fn push_string(s: Option<&str>, out: &mut Vec<u8>) {
    let Some(s) = s else {
        out.push(b'-');
        return;
    };
    let quote = s.is_empty() || s == "-" || s.bytes().any(|b| b == b' ' || b == b'"');
    if quote {
        out.push(b'"');
    }
    for &b in s.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\"\""),
            0x00..=0x1f | 0x7f => push_pct(b, out),
            _ => out.push(b),
        }
    }
    if quote {
        out.push(b'"');
    }
}
