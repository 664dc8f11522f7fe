//! The canonical bundle of a folder: the tar `amoe deploy` sends for a folder, and an agent
//! makes again from a release it unpacked (for `amoe deploy promote`), byte for byte. Entries
//! come depth first, sorted by name; links are kept as links; owners, times and modes are left
//! out but for the executable bit (0755 or 0644), which is what agents give unpacked files. The
//! same tree always packs to the same bytes, so its SHA-256 checks the copy.

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

/// Files are read this much at a time.
const READ: usize = 256 << 10;

/// Why a folder cannot be packed.
#[derive(Debug)]
pub enum PackError {
    /// Something that is neither a file, a folder nor a link (a socket, FIFO or device).
    Special(PathBuf),
    Io(std::io::Error),
}

impl std::fmt::Display for PackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PackError::Special(p) => write!(f, "`{}` is neither a file, a folder nor a link", p.display()),
            PackError::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for PackError {}

impl From<std::io::Error> for PackError {
    fn from(e: std::io::Error) -> Self {
        PackError::Io(e)
    }
}

/// Packs `dir` into `out`; returns the number of regular files.
pub fn pack(dir: &Path, out: impl Write) -> Result<u64, PackError> {
    let mut b = tar::Builder::new(out);
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
            } else if ty.is_file() {
                // Read 256 KiB at a time (the archive copies in 8 KiB pieces otherwise).
                let f = std::fs::File::open(e.path())?;
                let mut header = tar::Header::new_gnu();
                header.set_metadata_in_mode(&f.metadata()?, tar::HeaderMode::Deterministic);
                b.append_data(&mut header, &name, BufReader::with_capacity(READ, f))?;
                files += 1;
            } else if ty.is_symlink() {
                b.append_path_with_name(e.path(), &name)?;
            } else {
                return Err(PackError::Special(e.path()));
            }
        }
    }
    b.into_inner()?;
    Ok(files)
}
