//! File names and crash-safe gzip compression of a finished day's file.
//!
//! What: the layout `{dir}/{site}/{site}-{YYYY-MM-DD}.log` (CLF) and `….w3c.log` (W3C),
//! parsing those names back, and [`compress_file`], which turns `X` into `X.gz`:
//! write `X.gz.tmp`, fsync it, rename it to `X.gz`, fsync the directory, and only then
//! remove `X`. A crash at any point leaves either `X` alone, `X` plus a stray `.tmp`
//! (removed by the next sweep), or `X` plus a complete `X.gz`.
//!
//! Why: the day's logs are evidence kept for months; they must never be lost half-way.
//!
//! Deliberately not here: deciding *when* to rotate (the writer does, at Europe/Paris
//! midnight) or *what* to delete (see `retention`).

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use jiff::civil::Date;

/// The two log formats, as they appear in file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Common Logfile Format: `….log`.
    Clf,
    /// W3C extended: `….w3c.log`.
    W3c,
}

impl Format {
    /// File-name suffix of an uncompressed file.
    pub fn suffix(self) -> &'static str {
        match self {
            Format::Clf => ".log",
            Format::W3c => ".w3c.log",
        }
    }
}

/// `{dir}/{site}/{site}-{day}{suffix}`; `site` must already be safe (see `site_dir_name`).
pub fn log_path(dir: &Path, site: &str, day: Date, format: Format) -> PathBuf {
    dir.join(site).join(format!("{site}-{day}{}", format.suffix()))
}

/// State of a file found in a site directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    /// `….log` / `….w3c.log`: being written, or left by a crash.
    Plain,
    /// `….gz`: finished.
    Gz,
    /// `….gz.tmp`: an interrupted compression.
    Tmp,
}

/// Parses `{site}-{YYYY-MM-DD}{suffix}` for the given `site`; `None` for foreign files.
pub fn parse_file_name(site: &str, name: &str) -> Option<(Date, Format, FileKind)> {
    let rest = name.strip_prefix(site)?.strip_prefix('-')?;
    let day: Date = rest.get(..10)?.parse().ok()?;
    let (kind, rest) = match rest.get(10..)? {
        r if r.ends_with(".gz.tmp") => (FileKind::Tmp, &r[..r.len() - 7]),
        r if r.ends_with(".gz") => (FileKind::Gz, &r[..r.len() - 3]),
        r => (FileKind::Plain, r),
    };
    let format = match rest {
        ".log" => Format::Clf,
        ".w3c.log" => Format::W3c,
        _ => return None,
    };
    Some((day, format, kind))
}

fn with_ext(path: &Path, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(ext);
    PathBuf::from(s)
}

/// Compresses `path` to `path.gz` crash-safely (see module doc), then removes `path`.
///
/// If `path.gz` already exists (a crash between rename and removal, or records written
/// again for that day), its content is compared with `path`: identical → `path` is just
/// removed; different → a new `.gz` holding the old content followed by `path`'s is built
/// the same safe way. Nothing is ever lost.
pub fn compress_file(path: &Path) -> io::Result<()> {
    let gz = with_ext(path, ".gz");
    let tmp = with_ext(path, ".gz.tmp");
    let existing = gz.exists();
    if existing && same_content(MultiGzDecoder::new(BufReader::new(File::open(&gz)?)), File::open(path)?)? {
        return fs::remove_file(path);
    }
    {
        let out = {
            use std::os::unix::fs::OpenOptionsExt;
            fs::OpenOptions::new().write(true).create(true).truncate(true).mode(crate::writer::FILE_MODE).open(&tmp)?
        };
        let mut enc = GzEncoder::new(BufWriter::with_capacity(64 * 1024, out), Compression::default());
        if existing {
            io::copy(&mut MultiGzDecoder::new(BufReader::new(File::open(&gz)?)), &mut enc)?;
        }
        io::copy(&mut BufReader::with_capacity(64 * 1024, File::open(path)?), &mut enc)?;
        let out = enc.finish()?.into_inner().map_err(|e| e.into_error())?;
        out.sync_all()?;
    }
    fs::rename(&tmp, &gz)?;
    sync_dir(path)?;
    fs::remove_file(path)?;
    sync_dir(path)
}

fn sync_dir(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(dir) => File::open(dir)?.sync_all(),
        None => Ok(()),
    }
}

fn same_content(mut a: impl Read, mut b: impl Read) -> io::Result<bool> {
    let mut ba = vec![0u8; 64 * 1024];
    let mut bb = vec![0u8; 64 * 1024];
    loop {
        let na = read_full(&mut a, &mut ba)?;
        let nb = read_full(&mut b, &mut bb)?;
        if na != nb || ba[..na] != bb[..nb] {
            return Ok(false);
        }
        if na == 0 {
            return Ok(true);
        }
    }
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Flushes and fsyncs a writer's file (used when closing a day).
pub(crate) fn close_file(mut w: BufWriter<File>) -> io::Result<()> {
    w.flush()?;
    let f = w.into_inner().map_err(|e| e.into_error())?;
    f.sync_all()
}
