//! Common Logfile Format (W3C httpd, "Logging in W3C httpd"): writer and strict parser.
//!
//! What: one line per request,
//! `remotehost rfc931 authuser [DD/Mon/YYYY:HH:MM:SS ±hhmm] "request" status bytes`,
//! with the date in Europe/Paris local time and its UTC offset.
//!
//! Choices where the spec is silent:
//! - `rfc931` and `authuser` are always `-` (no identd, no authentication).
//! - `bytes` is the body length sent, printed as a number even when zero (`0`):
//!   the spec defines it as "the content-length of the document transferred", and
//!   zero is a known length; `-` is only for an unknown length, which never happens
//!   here. The parser accepts `-` too (as `None`).
//! - `status` is always 3 digits; a value above 999 (not an HTTP status) is written `000`.
//! - The request line `METHOD target PROTOCOL` is escaped so that a line can never be
//!   split and can always be parsed back exactly: `"` → `\"`, `\` → `\\`, and every byte
//!   outside printable ASCII (0x00–0x1F, 0x7F–0xFF, so also non-ASCII UTF-8) → `\xHH`
//!   (lower-case hex), like Apache's `ap_escape_logitem`. Lines are therefore pure ASCII.
//!
//! Deliberately not here: Apache's "combined" extras (referer, user agent) or the cache
//! status, which the common format does not have (they are in the W3C file); any file I/O.

use std::net::IpAddr;
use std::time::SystemTime;

use crate::record::{Record, Stamp};

/// Appends the CLF line for `rec` (with its trailing `\n`) to `out`.
pub fn write_clf_line(rec: &Record, out: &mut Vec<u8>) {
    let stamp = Stamp::new(rec.time);
    write_with_date(rec, &stamp.clf, out);
}

/// The CLF line for `rec`, with its trailing `\n`.
pub fn clf_line(rec: &Record) -> String {
    let mut out = Vec::with_capacity(160);
    write_clf_line(rec, &mut out);
    // Every byte written is printable ASCII or '\n', so this never fails.
    String::from_utf8(out).unwrap_or_default()
}

/// Hot path: the writer passes its cached, pre-formatted date.
pub(crate) fn write_with_date(rec: &Record, date: &str, out: &mut Vec<u8>) {
    use std::io::Write as _;
    let _ = write!(out, "{} - - [{}] \"", rec.client_ip, date);
    escape_into(rec.method.as_bytes(), out);
    out.push(b' ');
    escape_into(rec.target.as_bytes(), out);
    out.push(b' ');
    escape_into(rec.protocol.as_bytes(), out);
    out.extend_from_slice(b"\" ");
    push_status(rec.status, out);
    out.push(b' ');
    let _ = write!(out, "{}", rec.bytes);
    out.push(b'\n');
}

/// Appends `status` as exactly three digits (`000` when above 999).
pub(crate) fn push_status(status: u16, out: &mut Vec<u8>) {
    let s = if status > 999 { 0 } else { status };
    out.extend_from_slice(&[b'0' + (s / 100) as u8, b'0' + (s / 10 % 10) as u8, b'0' + (s % 10) as u8]);
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn escape_into(bytes: &[u8], out: &mut Vec<u8>) {
    for &b in bytes {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(&[b'\\', b'x', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]),
        }
    }
}

/// A CLF line parsed back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedClf {
    /// Client address.
    pub remotehost: IpAddr,
    /// Always `-` in our logs.
    pub rfc931: String,
    /// Always `-` in our logs.
    pub authuser: String,
    /// The date exactly as written between the brackets.
    pub date: String,
    /// The instant the date stands for.
    pub time: SystemTime,
    /// UTC offset of the date, in seconds (3600 in winter, 7200 in summer for Paris).
    pub offset_seconds: i32,
    /// The request line, unescaped.
    pub request: String,
    /// Status code.
    pub status: u16,
    /// Bytes, `None` for `-`.
    pub bytes: Option<u64>,
}

impl ParsedClf {
    /// The method: the request line up to its first space.
    pub fn method(&self) -> &str {
        self.request.split_once(' ').map_or(&self.request, |(m, _)| m)
    }

    /// The target: between the first and the last space (a target may contain spaces;
    /// methods and protocols cannot).
    pub fn target(&self) -> &str {
        match (self.request.find(' '), self.request.rfind(' ')) {
            (Some(a), Some(b)) if a < b => &self.request[a + 1..b],
            _ => "",
        }
    }

    /// The protocol: the request line after its last space.
    pub fn protocol(&self) -> &str {
        match (self.request.find(' '), self.request.rfind(' ')) {
            (Some(a), Some(b)) if a < b => &self.request[b + 1..],
            _ => "",
        }
    }
}

/// Strictly parses one CLF line (without its `\n`). Returns `None` on any deviation:
/// missing field, bad date, raw control byte, unknown escape, trailing data.
pub fn parse_clf_line(line: &str) -> Option<ParsedClf> {
    let (remotehost, rest) = line.split_once(' ')?;
    let (rfc931, rest) = rest.split_once(' ')?;
    let (authuser, rest) = rest.split_once(' ')?;
    let rest = rest.strip_prefix('[')?;
    let (date, rest) = rest.split_once("] \"")?;
    let bdt = jiff::fmt::strtime::parse("%d/%b/%Y:%H:%M:%S %z", date).ok()?;
    let offset_seconds = bdt.offset()?.seconds();
    let time = SystemTime::from(bdt.to_timestamp().ok()?);
    let (request, rest) = unescape_request(rest)?;
    let rest = rest.strip_prefix(' ')?;
    let (status, bytes) = rest.split_once(' ')?;
    if status.len() != 3 || !status.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let bytes = match bytes {
        "-" => None,
        b if !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit()) => Some(b.parse().ok()?),
        _ => return None,
    };
    if rfc931.is_empty() || authuser.is_empty() || rfc931.contains(' ') || authuser.contains(' ') {
        return None;
    }
    Some(ParsedClf {
        remotehost: remotehost.parse().ok()?,
        rfc931: rfc931.to_owned(),
        authuser: authuser.to_owned(),
        date: date.to_owned(),
        time,
        offset_seconds,
        request,
        status: status.parse().ok()?,
        bytes,
    })
}

/// Reads the escaped request up to its closing quote; returns it and what follows the quote.
fn unescape_request(s: &str) -> Option<(String, &str)> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => return Some((String::from_utf8(out).ok()?, &s[i + 1..])),
            b'\\' => {
                match b.get(i + 1)? {
                    b'"' => out.push(b'"'),
                    b'\\' => out.push(b'\\'),
                    b'x' => {
                        let hex = s.get(i + 2..i + 4)?;
                        if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                            return None;
                        }
                        out.push(u8::from_str_radix(hex, 16).ok()?);
                        i += 2;
                    }
                    _ => return None,
                }
                i += 2;
            }
            c @ 0x20..=0x7e => {
                out.push(c);
                i += 1;
            }
            _ => return None,
        }
    }
    None
}
