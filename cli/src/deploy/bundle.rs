//! What `amoe deploy` sends: a directory packed as a tar while it is sent (its files read one at
//! a time, never the whole tree in memory, never a temporary copy), or a `.tar`, `.tar.gz` or
//! `.tar.zst` sent as it is. Either is read once, in chunks handed to every host's upload at
//! once and hashed on the way; the SHA-256 follows the last chunk (a trailer).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use bytes::{Bytes, BytesMut};
use sha2::Digest;

use crate::error::Failure;

/// Bytes handed to the uploads at a time.
const CHUNK: usize = 1 << 20;

/// Where a bundle comes from.
#[derive(Debug)]
enum Source {
    /// A folder, packed as it is sent.
    Folder(PathBuf),
    /// An archive file, sent as it is.
    Archive(PathBuf),
}

/// A bundle ready to send.
#[derive(Debug)]
pub struct Bundle {
    source: Source,
    /// Its SHA-256 when known before sending (a bundle fetched for promotion).
    pub sha256: Option<String>,
    /// It is the canonical pack of a folder (`amoe_proto::pack`): hosts need not keep it.
    pub packed: bool,
    /// About how many bytes will be sent (for progress bars).
    pub estimate: u64,
    /// The temporary folder of a fetched bundle, removed when the bundle is dropped.
    _tmp: Option<tempfile::TempDir>,
}

/// What was sent: its SHA-256, size and files (folders only: a given archive is not read
/// for this).
#[derive(Debug, Clone)]
pub struct Sent {
    pub sha256: String,
    pub size: u64,
    pub files: Option<u64>,
}

/// What each upload receives: the bundle's bytes, then its SHA-256.
#[derive(Debug)]
pub enum Chunk {
    Data(Bytes),
    End(String),
}

fn hex(h: sha2::Sha256) -> String {
    amoe_pki::hex(&h.finalize())
}

/// The writer the bundle goes through: chunks to every upload still taking them, hashed and
/// counted on the way.
struct FanOut {
    sinks: Vec<Option<tokio::sync::mpsc::Sender<Chunk>>>,
    buf: BytesMut,
    hash: sha2::Sha256,
    size: u64,
    /// Every upload has failed: there is no one left to send to.
    abandoned: bool,
}

impl FanOut {
    fn hand_over(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = self.buf.split().freeze();
        self.hash.update(&chunk);
        self.size += chunk.len() as u64;
        let had = !self.sinks.is_empty();
        for sink in &mut self.sinks {
            // An upload that failed has dropped its end: the others go on without it.
            if sink.as_ref().is_some_and(|s| s.blocking_send(Chunk::Data(chunk.clone())).is_err()) {
                *sink = None;
            }
        }
        if had && self.sinks.iter().all(Option::is_none) {
            self.abandoned = true;
            return Err(std::io::Error::new(std::io::ErrorKind::BrokenPipe, "no host takes the bundle any more"));
        }
        Ok(())
    }
}

impl Write for FanOut {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() >= CHUNK {
            self.hand_over()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// About the size of `dir` packed: a header per entry, contents rounded up to 512 bytes.
fn estimate(dir: &Path) -> u64 {
    let mut total = 1024;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let long = e.path().as_os_str().len() as u64 > 100;
            total += if long { 1536 } else { 512 };
            match e.metadata() {
                Ok(m) if m.is_dir() => stack.push(e.path()),
                Ok(m) if m.is_file() => total += m.len().div_ceil(512) * 512,
                _ => {}
            }
        }
    }
    total
}

impl Bundle {
    /// Sends the bundle to every sink: packed (or read) once, in chunks of 1 MiB, each handed
    /// to every sink still taking them, then its SHA-256. A sink whose upload failed is left
    /// out; when none is left, it stops and returns `None` (the uploads say why). Without
    /// sinks, it only hashes (`--dry-run`).
    pub fn send(&self, sinks: Vec<tokio::sync::mpsc::Sender<Chunk>>) -> anyhow::Result<Option<Sent>> {
        let mut out = FanOut {
            sinks: sinks.into_iter().map(Some).collect(),
            buf: BytesMut::new(),
            hash: sha2::Sha256::new(),
            size: 0,
            abandoned: false,
        };
        match self.make(&mut out) {
            Err(_) if out.abandoned => Ok(None),
            r => r.map(Some),
        }
    }

    fn make(&self, out: &mut FanOut) -> anyhow::Result<Sent> {
        let files = match &self.source {
            Source::Folder(dir) => Some(amoe_proto::pack::pack(dir, &mut *out).map_err(|e| {
                let f = Failure::new(format!("cannot pack `{}`: {e}", dir.display()));
                match e {
                    amoe_proto::pack::PackError::Special(_) => f.hint("sockets, FIFOs and devices cannot be deployed"),
                    amoe_proto::pack::PackError::Io(_) => f,
                }
            })?),
            Source::Archive(path) => {
                let mut f = std::fs::File::open(path)
                    .map_err(|e| Failure::new(format!("cannot read `{}`: {e}", path.display())))?;
                let mut buf = vec![0u8; CHUNK];
                loop {
                    let n =
                        f.read(&mut buf).map_err(|e| Failure::new(format!("cannot read `{}`: {e}", path.display())))?;
                    if n == 0 {
                        break;
                    }
                    out.write_all(&buf[..n])?;
                }
                None
            }
        };
        out.hand_over()?;
        let sha256 = hex(std::mem::take(&mut out.hash));
        if let Some(expected) = &self.sha256
            && !expected.eq_ignore_ascii_case(&sha256)
        {
            // The hosts refuse it as well (the header announced the other hash).
            return Err(Failure::new(format!("the bundle has SHA-256 {sha256}, not {expected}: not sent")).into());
        }
        for sink in out.sinks.iter().flatten() {
            let _ = sink.blocking_send(Chunk::End(sha256.clone()));
        }
        Ok(Sent { sha256, size: out.size, files })
    }
}

/// The bundle of `source`: a directory (packed as it is sent) or a `.tar`, `.tar.gz` or
/// `.tar.zst` file (by its name, `name`: an attachment's file has none of its own).
pub fn bundle(source: &Path, name: &str) -> anyhow::Result<Bundle> {
    let meta =
        std::fs::metadata(source).map_err(|e| Failure::new(format!("cannot read `{}`: {e}", source.display())))?;
    if meta.is_dir() {
        let estimate = estimate(source);
        return Ok(Bundle {
            source: Source::Folder(source.to_path_buf()),
            sha256: None,
            packed: true,
            estimate,
            _tmp: None,
        });
    }
    archive_name(name)?;
    Ok(Bundle {
        source: Source::Archive(source.to_path_buf()),
        sha256: None,
        packed: false,
        estimate: meta.len(),
        _tmp: None,
    })
}

/// Refuses a file whose name is not a tar archive's.
fn archive_name(name: &str) -> anyhow::Result<()> {
    let name = name.to_ascii_lowercase();
    if ![".tar", ".tar.gz", ".tgz", ".tar.zst", ".tzst"].iter().any(|e| name.ends_with(e)) {
        return Err(Failure::usage(format!("`{name}` is neither a folder nor a .tar, .tar.gz or .tar.zst file"))
            .hint("deploy a folder, or a tar archive of it")
            .into());
    }
    Ok(())
}

/// A bundle deposited on a ticket (`ticket:N:FILE`): the attachment's bytes, named `name`,
/// written to a private temporary file and sent with the SHA-256 the store gives.
pub fn from_attachment(bytes: &[u8], name: &str, sha256: &str) -> anyhow::Result<Bundle> {
    archive_name(name)?;
    let tmp = tempfile::Builder::new().prefix("amoe-attachment").tempdir()?;
    let path = tmp.path().join("bundle");
    std::fs::write(&path, bytes).map_err(|e| Failure::new(format!("cannot write `{}`: {e}", path.display())))?;
    fetched(tmp, path, sha256, false)
}

/// A bundle fetched from a host into a private temporary file (`amoe deploy promote`); it must
/// have the SHA-256 the host announced, checked as it is sent (and by every host).
pub fn fetched(tmp: tempfile::TempDir, path: PathBuf, expected: &str, packed: bool) -> anyhow::Result<Bundle> {
    let estimate = std::fs::metadata(&path)?.len();
    Ok(Bundle {
        source: Source::Archive(path),
        sha256: Some(expected.to_ascii_lowercase()),
        packed,
        estimate,
        _tmp: Some(tmp),
    })
}

/// A release id: the UTC time, then 12 hexadecimal digits that tell apart two deploys of the
/// same second (a hash of the time in nanoseconds, the process and the source).
pub fn release_id(source: &Path) -> String {
    let now = jiff::Timestamp::now();
    let mut h = sha2::Sha256::new();
    h.update(now.as_nanosecond().to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(source.as_os_str().as_encoded_bytes());
    format!("{}-{}", now.strftime("%Y%m%dT%H%M%SZ"), &hex(h)[..12])
}
