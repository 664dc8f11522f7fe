//! Merging the hosts' files of one site's day into one file in time order, in bounded memory.
//!
//! Each host's file is only nearly sorted (CLF logs the request's start, written at its end),
//! so every input goes through a reorder window of [`WINDOW`] lines (a min-heap), and the
//! window heads are merged. Memory is `inputs × WINDOW` lines whatever the day's size; a line
//! later than the window can fix is written where it comes and counted (`late`). A line with no
//! readable time keeps its neighbour's. W3C output has one header (`#Fields:` of the first
//! input); the inputs' directives are dropped.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use amoe_logstats::date::{clf_day, hour_of, w3c_day};
use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};

/// Lines held per input to put it back in order.
pub const WINDOW: usize = 20_000;

/// Bytes held per input at most, whatever the lines' length.
pub const WINDOW_BYTES: usize = 32 << 20;

/// What a merge wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// Data lines written.
    pub lines: u64,
    /// Lines written after a later one (out of the window's reach).
    pub late: u64,
    /// Size of the `.gz`.
    pub size: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
}

fn secs_of(h: &[u8]) -> Option<i64> {
    let hour = i64::from(hour_of(h)?);
    let d = |b: &[u8]| -> i64 { i64::from(b[0] - b'0') * 10 + i64::from(b[1] - b'0') };
    Some(hour * 3600 + d(&h[3..5]) * 60 + d(&h[6..8]))
}

/// Seconds since the epoch (UTC) of a line, `None` when it has no readable time.
pub fn line_time(line: &[u8], w3c: bool) -> Option<i64> {
    if w3c {
        let day = w3c_day(line.get(..10)?)?;
        return Some(i64::from(day) * 86_400 + secs_of(line.get(11..19)?)?);
    }
    let open = line.iter().position(|&b| b == b'[')?;
    let t = line.get(open + 1..open + 27)?;
    let day = clf_day(&t[..11])?;
    let secs = secs_of(&t[12..20])?;
    let sign = match t[21] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let z = &t[22..26];
    if !z.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let offset =
        i64::from((z[0] - b'0') * 10 + (z[1] - b'0')) * 3600 + i64::from((z[2] - b'0') * 10 + (z[3] - b'0')) * 60;
    Some(i64::from(day) * 86_400 + secs - sign * offset)
}

struct Input {
    reader: Box<dyn BufRead>,
    heap: BinaryHeap<Reverse<(i64, u64, Vec<u8>)>>,
    held: usize,
    seq: u64,
    last_time: i64,
    eof: bool,
    w3c: bool,
    fields: Option<Vec<u8>>,
}

impl Input {
    fn open(path: &Path, w3c: bool) -> io::Result<Input> {
        let file = File::open(path)?;
        let gz = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, file));
        Ok(Input {
            reader: Box::new(BufReader::with_capacity(1 << 16, gz)),
            heap: BinaryHeap::new(),
            held: 0,
            seq: 0,
            last_time: i64::MIN,
            eof: false,
            w3c,
            fields: None,
        })
    }

    /// Fills the window, then shows its earliest line's time.
    fn head(&mut self) -> io::Result<Option<i64>> {
        while !self.eof && self.heap.len() < WINDOW && self.held < WINDOW_BYTES {
            let mut line = Vec::with_capacity(256);
            if self.reader.read_until(b'\n', &mut line)? == 0 {
                self.eof = true;
                break;
            }
            if line.last() != Some(&b'\n') {
                line.push(b'\n');
            }
            if self.w3c && line.first() == Some(&b'#') {
                if self.fields.is_none() && line.starts_with(b"#Fields:") {
                    self.fields = Some(line);
                }
                continue;
            }
            let t = line_time(&line, self.w3c).unwrap_or(self.last_time);
            self.last_time = t;
            self.held += line.len();
            self.heap.push(Reverse((t, self.seq, line)));
            self.seq += 1;
        }
        Ok(self.heap.peek().map(|Reverse((t, _, _))| *t))
    }
}

struct HashingWriter<W> {
    inner: W,
    hash: Sha256,
    len: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Merges `inputs` (gzip) into `out` (gzip), written as `out.part` then renamed.
/// `header`: the W3C header before the first `#Fields:` (None for CLF).
pub fn merge(inputs: &[PathBuf], w3c: bool, software: &str, out: &Path) -> io::Result<Merged> {
    let mut ins = inputs.iter().map(|p| Input::open(p, w3c)).collect::<io::Result<Vec<_>>>()?;
    let part = out.with_extension("part");
    let file = {
        use std::os::unix::fs::OpenOptionsExt;
        File::options().write(true).create(true).truncate(true).mode(0o600).open(&part)?
    };
    let hashing = HashingWriter { inner: BufWriter::with_capacity(1 << 20, file), hash: Sha256::new(), len: 0 };
    let mut gz = GzEncoder::new(hashing, Compression::new(6));
    let mut heads = Vec::with_capacity(ins.len());
    for i in &mut ins {
        heads.push(i.head()?);
    }
    if w3c {
        let fields = ins.iter().find_map(|i| i.fields.clone()).unwrap_or_else(|| b"#Fields: \n".to_vec());
        // `#Date` is the day's first record, so the same inputs always give the same bytes.
        let first = heads.iter().flatten().min().copied().unwrap_or(0);
        let date = jiff::Timestamp::from_second(first)
            .map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        write!(gz, "#Version: 1.0\n#Software: {software}\n#Date: {date}\n")?;
        gz.write_all(&fields)?;
    }
    let mut merged = Merged { lines: 0, late: 0, size: 0, sha256: String::new() };
    let mut last = i64::MIN;
    loop {
        let mut best: Option<(usize, i64)> = None;
        for (i, h) in heads.iter().enumerate() {
            if let Some(t) = h
                && best.is_none_or(|(_, b)| *t < b)
            {
                best = Some((i, *t));
            }
        }
        let Some((i, t)) = best else { break };
        if let Some(Reverse((_, _, line))) = ins[i].heap.pop() {
            ins[i].held -= line.len();
            gz.write_all(&line)?;
        }
        merged.lines += 1;
        if t < last {
            merged.late += 1;
        }
        last = last.max(t);
        heads[i] = ins[i].head()?;
    }
    let mut hashing = gz.finish()?;
    hashing.flush()?;
    merged.size = hashing.len;
    merged.sha256 = super::hex(&hashing.hash.finalize());
    hashing.inner.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&part, out)?;
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gz(path: &Path, text: &str) {
        let mut e = GzEncoder::new(File::create(path).expect("create"), Compression::fast());
        e.write_all(text.as_bytes()).expect("write");
        e.finish().expect("finish");
    }

    #[test]
    fn times_of_both_formats() {
        let clf = b"1.2.3.4 - - [30/Mar/2024:03:00:00 +0200] \"GET / HTTP/1.1\" 200 1";
        let w3c = b"2024-03-30 01:00:00 1.2.3.4 GET";
        assert_eq!(line_time(clf, false), line_time(w3c, true));
        assert_eq!(line_time(b"garbage", false), None);
    }

    #[test]
    fn nearly_sorted_inputs_come_out_sorted() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut inputs = Vec::new();
        for host in 0..3 {
            // Each file swaps neighbours: nearly sorted.
            let mut text = String::from("#Version: 1.0\n#Fields: date time c-ip\n");
            for i in 0..3000u32 {
                let s = (if i % 2 == 0 { i + 1 } else { i - 1 }) * 3 + host;
                text.push_str(&format!("2024-03-30 {:02}:{:02}:{:02} 10.0.0.{host}\n", s / 3600, s / 60 % 60, s % 60));
            }
            let p = dir.path().join(format!("h{host}.gz"));
            gz(&p, &text);
            inputs.push(p);
        }
        let out = dir.path().join("out.gz");
        let m = merge(&inputs, true, "amoe", &out).expect("merge");
        assert_eq!((m.lines, m.late), (9000, 0));
        let (sha, lines, size) = super::super::check_gz(&out).expect("valid gzip");
        assert_eq!((sha, lines - 4, size), (m.sha256.clone(), 9000, m.size));
        // Same inputs, same bytes.
        let again = merge(&inputs, true, "amoe", &dir.path().join("again.gz")).expect("merge");
        assert_eq!(again.sha256, m.sha256);
    }
}
