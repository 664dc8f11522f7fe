//! Reading files on every core: one thread reads (and inflates `.gz`), workers parse.
//!
//! What: a file is cut into chunks of whole lines ([`CHUNK`] bytes); workers take chunks from
//! a shared queue, each filling its own [`Tally`], and buffers go back to the reader. Line
//! numbers of malformed lines are found afterwards from each chunk's line count, so nobody
//! counts lines twice. W3C `#Fields:` directives in effect at a chunk's start travel with it.
//!
//! Why this split: parsing is the cost (about 10× the read); one reader keeps the order of
//! chunks simple, and `.gz` inflation (one stream, not splittable) overlaps with parsing.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use jiff::tz::TimeZone;
use memchr::{memchr_iter, memmem};

use crate::line::{DateMemo, Entry, Shape, W3cFields, parse_clf, parse_w3c};
use crate::tally::Tally;

/// Bytes per chunk handed to a worker.
pub const CHUNK: usize = 4 << 20;

/// Malformed line numbers kept per file.
pub const BAD_SAMPLES: usize = 10;

/// A format forced by the caller (otherwise found from the first lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Common log format.
    Clf,
    /// Combined (referer and user agent), trailing fields found from the first lines.
    Combined,
    /// Combined with the time taken (µs) and a cache word after the user agent.
    CombinedExtra,
    /// W3C extended.
    W3c,
}

/// How to read and count.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Periods by hour rather than by day.
    pub by_hour: bool,
    /// W3C `time-taken` in milliseconds (IIS) rather than seconds (the W3C draft).
    pub w3c_ms: bool,
    /// Place W3C lines (UTC) on Europe/Paris days and hours.
    pub paris: bool,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Forced format.
    pub format: Option<Format>,
}

/// What was read of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOutcome {
    /// The file.
    pub path: PathBuf,
    /// `clf`, `combined` or `w3c` (empty when nothing could be read).
    pub format: String,
    /// Lines read (directives and malformed lines included).
    pub lines: u64,
    /// Requests counted.
    pub requests: u64,
    /// W3C directive lines.
    pub directives: u64,
    /// Malformed lines.
    pub bad_lines: u64,
    /// First malformed line numbers (1-based).
    pub bad_samples: Vec<u64>,
    /// Why the file could not be read to its end (its lines before the error are counted).
    pub error: Option<String>,
}

struct Chunk {
    index: u64,
    data: Vec<u8>,
    fields: Option<Arc<W3cFields>>,
}

#[derive(Default)]
struct WorkerOut {
    lines: Vec<(u64, u64)>,
    bad: Vec<(u64, u64)>,
    bad_lines: u64,
    requests: u64,
    directives: u64,
}

/// Reads `paths` one after the other into one tally.
pub fn analyze(paths: &[PathBuf], opts: &Options) -> (Tally, Vec<FileOutcome>) {
    let mut total = Tally::new(opts.by_hour);
    let mut outcomes = Vec::new();
    for path in paths {
        let (tally, outcome) = analyze_file(path, opts);
        total.merge(tally);
        outcomes.push(outcome);
    }
    total.settle();
    (total, outcomes)
}

fn open(path: &Path) -> io::Result<Box<dyn Read + Send>> {
    let mut file = File::open(path)?;
    let mut magic = [0u8; 2];
    let n = file.read(&mut magic)?;
    let head = io::Cursor::new(magic[..n].to_vec());
    let chained = head.chain(file);
    if n == 2 && magic == [0x1f, 0x8b] {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(io::BufReader::with_capacity(1 << 20, chained))))
    } else {
        Ok(Box::new(chained))
    }
}

/// Fills `buf` after `carry` to about [`CHUNK`] bytes, ending on a line end (or at EOF).
/// Returns the bytes that start the next chunk, whether the input is over, and the read error
/// that ended it, if any: what was read before an error stays in `buf` and is counted.
fn fill(src: &mut dyn Read, buf: &mut Vec<u8>, carry: &[u8]) -> (Vec<u8>, bool, Option<io::Error>) {
    buf.clear();
    buf.extend_from_slice(carry);
    let mut block = [0u8; 1 << 16];
    let mut limit = CHUNK;
    let mut searched = 0;
    loop {
        while buf.len() < limit {
            match src.read(&mut block) {
                Ok(0) => return (Vec::new(), true, None),
                Ok(n) => buf.extend_from_slice(&block[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return (Vec::new(), true, Some(e)),
            }
        }
        match memchr::memrchr(b'\n', &buf[searched..]) {
            Some(i) => {
                let cut = searched + i + 1;
                let rest = buf[cut..].to_vec();
                buf.truncate(cut);
                return (rest, false, None);
            }
            // No line end yet: a monster line. Keep reading up to 8 chunks, then cut it (its
            // pieces count as malformed lines, never as requests).
            None if limit < 8 * CHUNK => {
                searched = buf.len();
                limit += CHUNK;
            }
            None => return (Vec::new(), false, None),
        }
    }
}

fn detect(first: &[u8], forced: Option<Format>) -> Shape {
    let lines = || first.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l)).filter(|l| !l.is_empty());
    if forced == Some(Format::W3c) || (forced.is_none() && lines().next().is_some_and(|l| l.starts_with(b"#"))) {
        return Shape::W3c(None);
    }
    let candidates: &[(bool, u8)] = match forced {
        Some(Format::Clf) => &[(false, 0)],
        Some(Format::Combined) => &[(true, 2), (true, 1), (true, 0)],
        Some(Format::CombinedExtra) => &[(true, 2)],
        _ => &[(true, 2), (true, 1), (true, 0), (false, 0)],
    };
    let mut best = (0usize, candidates[0]);
    for &(combined, extras) in candidates {
        let mut memo = DateMemo::default();
        let ok = lines().take(1000).filter(|l| parse_clf(l, combined, extras, &mut memo).is_some()).count();
        if ok > best.0 {
            best = (ok, (combined, extras));
        }
    }
    Shape::Clf { combined: best.1.0, extras: best.1.1 }
}

/// The `#Fields:` value of the last such directive in `data`, if any.
fn last_fields(data: &[u8]) -> Option<Arc<W3cFields>> {
    let finder = memmem::FinderRev::new(b"#Fields:");
    let mut end = data.len();
    while let Some(i) = finder.rfind(&data[..end]) {
        if i == 0 || data[i - 1] == b'\n' {
            let line = &data[i + 8..];
            let line = &line[..memchr::memchr(b'\n', line).unwrap_or(line.len())];
            return Some(Arc::new(W3cFields::parse(line.strip_suffix(b"\r").unwrap_or(line)).unwrap_or_default()));
        }
        end = i;
    }
    None
}

fn analyze_file(path: &Path, opts: &Options) -> (Tally, FileOutcome) {
    let mut outcome = FileOutcome {
        path: path.to_path_buf(),
        format: String::new(),
        lines: 0,
        requests: 0,
        directives: 0,
        bad_lines: 0,
        bad_samples: Vec::new(),
        error: None,
    };
    let mut total = Tally::new(opts.by_hour);
    let mut src = match open(path) {
        Ok(s) => s,
        Err(e) => {
            outcome.error = Some(e.to_string());
            return (total, outcome);
        }
    };
    let mut first = Vec::with_capacity(CHUNK + (1 << 16));
    let (mut carry, mut eof, first_error) = fill(&mut *src, &mut first, &[]);
    if let Some(e) = first_error {
        outcome.error = Some(e.to_string());
    }
    let shape = detect(&first, opts.format);
    outcome.format = shape.name().to_owned();
    let is_w3c = matches!(shape, Shape::W3c(_));
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let (work_tx, work_rx) = sync_channel::<Chunk>(threads * 2);
    let (back_tx, back_rx) = sync_channel::<Vec<u8>>(threads * 3);
    let work_rx = Mutex::new(work_rx);
    let mut outs: Vec<(Tally, WorkerOut)> = Vec::new();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let work_rx = &work_rx;
                let back_tx = back_tx.clone();
                let shape = &shape;
                s.spawn(move || worker(work_rx, back_tx, shape, opts))
            })
            .collect();
        drop(back_tx);
        let read = reader(&mut *src, first, &mut carry, &mut eof, is_w3c, &work_tx, &back_rx);
        drop(work_tx);
        if let Err(e) = read {
            outcome.error = Some(e.to_string());
        }
        for h in handles {
            match h.join() {
                Ok(o) => outs.push(o),
                Err(_) => outcome.error = Some("a worker thread panicked".into()),
            }
        }
    });
    let mut lines: Vec<(u64, u64)> = Vec::new();
    let mut bad: Vec<(u64, u64)> = Vec::new();
    for (tally, out) in outs {
        total.merge(tally);
        lines.extend(out.lines);
        bad.extend(out.bad);
        outcome.bad_lines += out.bad_lines;
        outcome.requests += out.requests;
        outcome.directives += out.directives;
    }
    lines.sort_unstable();
    let mut start = Vec::with_capacity(lines.len());
    let mut at = 0;
    for &(_, n) in &lines {
        start.push(at);
        at += n;
    }
    outcome.lines = at;
    bad.sort_unstable();
    outcome.bad_samples = bad
        .into_iter()
        .take(BAD_SAMPLES)
        .filter_map(|(chunk, line)| lines.binary_search_by_key(&chunk, |&(c, _)| c).ok().map(|i| start[i] + line + 1))
        .collect();
    (total, outcome)
}

fn reader(
    src: &mut dyn Read,
    first: Vec<u8>,
    carry: &mut Vec<u8>,
    eof: &mut bool,
    is_w3c: bool,
    work: &SyncSender<Chunk>,
    back: &Receiver<Vec<u8>>,
) -> io::Result<()> {
    let mut fields: Option<Arc<W3cFields>> = None;
    let mut index = 0;
    let mut data = first;
    let mut spare = 0;
    let mut pending: Option<io::Error> = None;
    loop {
        let next_fields = if is_w3c { last_fields(&data).or_else(|| fields.clone()) } else { None };
        if !data.is_empty() && work.send(Chunk { index, data, fields: fields.clone() }).is_err() {
            return Ok(());
        }
        fields = next_fields;
        index += 1;
        if *eof {
            return pending.map_or(Ok(()), Err);
        }
        data = if spare < 4 {
            spare += 1;
            Vec::with_capacity(CHUNK + (1 << 16))
        } else {
            match back.recv() {
                Ok(b) => b,
                Err(_) => return Ok(()),
            }
        };
        let (rest, at_eof, error) = fill(src, &mut data, carry);
        *carry = rest;
        *eof = at_eof;
        if error.is_some() {
            pending = error;
        }
    }
}

struct Paris {
    tz: TimeZone,
    memo: Option<((i32, u8), (i32, u8))>,
}

impl Paris {
    fn convert(&mut self, day: i32, hour: u8) -> (i32, u8) {
        if let Some((k, v)) = self.memo
            && k == (day, hour)
        {
            return v;
        }
        let secs = i64::from(day) * 86_400 + i64::from(hour) * 3600;
        let v = match jiff::Timestamp::from_second(secs) {
            Ok(ts) => {
                let z = ts.to_zoned(self.tz.clone());
                let d = z.date();
                (crate::date::days_from_civil(i32::from(d.year()), d.month() as u32, d.day() as u32), z.hour() as u8)
            }
            Err(_) => (day, hour),
        };
        self.memo = Some(((day, hour), v));
        v
    }
}

fn worker(
    work: &Mutex<Receiver<Chunk>>,
    back: SyncSender<Vec<u8>>,
    shape: &Shape,
    opts: &Options,
) -> (Tally, WorkerOut) {
    let mut tally = Tally::new(opts.by_hour);
    let mut out = WorkerOut::default();
    let mut memo = DateMemo::default();
    let mut paris = (opts.paris && matches!(shape, Shape::W3c(_)))
        .then(|| Paris { tz: TimeZone::get("Europe/Paris").unwrap_or(TimeZone::UTC), memo: None });
    loop {
        let chunk = {
            let Ok(rx) = work.lock() else { break };
            match rx.recv() {
                Ok(c) => c,
                Err(_) => break,
            }
        };
        let mut fields = chunk.fields.clone();
        let mut start = 0;
        let mut n = 0u64;
        let data = &chunk.data;
        let mut line_at = |line: &[u8], n: u64, fields: &mut Option<Arc<W3cFields>>| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let entry: Option<Entry<'_>> = match shape {
                Shape::W3c(_) if line.first() == Some(&b'#') => {
                    out.directives += 1;
                    if let Some(v) = line.strip_prefix(b"#Fields:") {
                        *fields = W3cFields::parse(v).map(Arc::new);
                    }
                    return;
                }
                Shape::W3c(_) => fields.as_deref().and_then(|f| parse_w3c(line, f, opts.w3c_ms, &mut memo)),
                Shape::Clf { combined, extras } => parse_clf(line, *combined, *extras, &mut memo),
            };
            match entry {
                Some(mut e) => {
                    if let Some(p) = paris.as_mut() {
                        (e.day, e.hour) = p.convert(e.day, e.hour);
                    }
                    tally.add(&e);
                    out.requests += 1;
                }
                None => {
                    out.bad_lines += 1;
                    if out.bad.len() < BAD_SAMPLES {
                        out.bad.push((chunk.index, n));
                    }
                }
            }
        };
        for nl in memchr_iter(b'\n', data) {
            line_at(&data[start..nl], n, &mut fields);
            n += 1;
            start = nl + 1;
        }
        if start < data.len() {
            line_at(&data[start..], n, &mut fields);
            n += 1;
        }
        out.lines.push((chunk.index, n));
        let _ = back.try_send(chunk.data);
    }
    tally.settle();
    (tally, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    #[test]
    fn a_file_without_line_ends_is_cut_not_held_whole() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("x.log");
        std::fs::write(&path, vec![b'a'; 20 * CHUNK]).expect("write");
        let (tally, out) = analyze(std::slice::from_ref(&path), &Options::default());
        assert_eq!(tally.total.requests, 0);
        assert_eq!(out[0].bad_lines, 3, "cut every 8 chunks: 8 + 8 + 4");
        assert!(out[0].error.is_none());
    }

    #[test]
    fn a_cut_gzip_counts_the_lines_read_before_the_damage() {
        let dir = tempfile::tempdir().expect("tmp");
        let line = "1.2.3.4 - - [30/Mar/2024:18:22:28 +0100] \"GET /a HTTP/1.1\" 200 1\n";
        let text = line.repeat(200_000);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).expect("gz");
        let bytes = gz.finish().expect("gz");
        let path = dir.path().join("x.log.gz");
        std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("write");
        let (tally, out) = analyze(std::slice::from_ref(&path), &Options::default());
        assert!(out[0].error.is_some());
        // Most of the first half of the lines is counted, never more than all of them.
        assert!(tally.total.requests > 50_000 && tally.total.requests < 200_000, "{}", tally.total.requests);
    }
}
