//! What `amoe deploy` sends: a directory packed as a tar in a private temporary file (its
//! files read one at a time, never the whole tree in memory), or a `.tar` / `.tar.gz` given as
//! it is; its SHA-256 and size, read in one streaming pass.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::Digest;

use crate::error::Failure;

/// A bundle ready to send.
#[derive(Debug)]
pub struct Bundle {
    pub path: PathBuf,
    pub sha256: String,
    pub size: u64,
    /// Regular files in it (directories only: a given archive is not read for this).
    pub files: Option<u64>,
    /// The temporary folder of a packed directory, removed when the bundle is dropped.
    _tmp: Option<tempfile::TempDir>,
}

fn sha256_of(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(&buf[..n]);
    }
    Ok((h.finalize().iter().map(|b| format!("{b:02x}")).collect(), size))
}

/// What is written, hashed and counted on the way (one pass over the bundle).
struct Hashing<W> {
    inner: W,
    hash: sha2::Sha256,
    size: u64,
}

impl<W: std::io::Write> std::io::Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A packed folder: where, its SHA-256 and size, its files.
type Packed = (tempfile::TempDir, PathBuf, String, u64, u64);

/// Packs `dir` (links kept as links, never followed) into a tar in a private temporary folder,
/// hashing it as it is written.
fn pack(dir: &Path) -> anyhow::Result<Packed> {
    let tmp = tempfile::Builder::new().prefix("amoe-deploy").tempdir()?;
    let out = tmp.path().join("bundle.tar");
    let file = std::fs::File::create(&out)?;
    let sink = Hashing { inner: std::io::BufWriter::with_capacity(1 << 20, file), hash: sha2::Sha256::new(), size: 0 };
    let mut b = tar::Builder::new(sink);
    b.follow_symlinks(false);
    b.mode(tar::HeaderMode::Deterministic);
    let mut files = 0u64;
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir.join(&rel))?.collect::<Result<_, _>>()?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for e in entries {
            let name = rel.join(e.file_name());
            let ty = e.file_type()?;
            if ty.is_dir() {
                b.append_dir(&name, e.path())?;
                stack.push(name);
            } else if ty.is_file() || ty.is_symlink() {
                b.append_path_with_name(e.path(), &name)?;
                files += u64::from(ty.is_file());
            } else {
                return Err(Failure::new(format!("`{}` is neither a file, a folder nor a link", e.path().display()))
                    .hint("sockets, FIFOs and devices cannot be deployed")
                    .into());
            }
        }
    }
    // A temporary file, read back at once: no need to force it to disk.
    let sink = b.into_inner()?;
    sink.inner.into_inner().map_err(|e| e.into_error())?;
    let sha = sink.hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((tmp, out, sha, sink.size, files))
}

/// The bundle of `source`: a directory (packed) or a `.tar`, `.tar.gz` or `.tar.zst` file (by its
/// name, `name`: an attachment's file has none of its own).
pub fn bundle(source: &Path, name: &str) -> anyhow::Result<Bundle> {
    let meta =
        std::fs::metadata(source).map_err(|e| Failure::new(format!("cannot read `{}`: {e}", source.display())))?;
    if meta.is_dir() {
        let (tmp, path, sha256, size, files) =
            pack(source).map_err(|e| Failure::new(format!("cannot pack `{}`: {e:#}", source.display())))?;
        return Ok(Bundle { path, sha256, size, files: Some(files), _tmp: Some(tmp) });
    }
    let (tmp, path, files) = {
        let name = name.to_ascii_lowercase();
        if ![".tar", ".tar.gz", ".tgz", ".tar.zst", ".tzst"].iter().any(|e| name.ends_with(e)) {
            return Err(Failure::usage(format!("`{name}` is neither a folder nor a .tar, .tar.gz or .tar.zst file"))
                .hint("deploy a folder, or a tar archive of it")
                .into());
        }
        (None, source.to_path_buf(), None)
    };
    let (sha256, size) =
        sha256_of(&path).map_err(|e| Failure::new(format!("cannot read `{}`: {e}", path.display())))?;
    Ok(Bundle { path, sha256, size, files, _tmp: tmp })
}

/// A bundle fetched from a host into a private temporary file (`amoe deploy promote`), checked
/// against the SHA-256 the host announced.
pub fn fetched(tmp: tempfile::TempDir, path: PathBuf, expected: &str) -> anyhow::Result<Bundle> {
    let (sha256, size) = sha256_of(&path)?;
    if !sha256.eq_ignore_ascii_case(expected) {
        return Err(
            Failure::new(format!("the bundle fetched has SHA-256 {sha256}, not {expected}: not promoted")).into()
        );
    }
    Ok(Bundle { path, sha256, size, files: None, _tmp: Some(tmp) })
}

/// A release id: the UTC time and the start of the bundle's SHA-256.
pub fn release_id(sha256: &str) -> String {
    format!("{}-{}", jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ"), &sha256[..12.min(sha256.len())])
}
