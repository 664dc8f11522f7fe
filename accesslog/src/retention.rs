//! The sweep: recovery of past days left uncompressed, and retention.
//!
//! What: [`sweep`] walks `{dir}/{site}/` and, for files named like ours only,
//! 1. removes `*.gz.tmp` left by an interrupted compression;
//! 2. compresses every uncompressed file of a day before `closed_before` (a crash or a
//!    stop before midnight left it behind, or the writer just closed it);
//! 3. deletes compressed files whose day is more than `retention_days` days before
//!    `today` (`retention_days == 0` disables deletion).
//!
//! It runs at start and after each rotation, on the logger's helper thread, so that a
//! large compression never stalls the writer.
//!
//! Deliberately not here: files of other names (never touched), directories that are
//! not site names, uncompressed files (never deleted, only compressed first).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use jiff::Span;
use jiff::civil::Date;

use crate::record::{UNKNOWN_SITE, is_valid_site};
use crate::rotate::{FileKind, compress_file, parse_file_name};

/// A file operation that failed during a sweep.
#[derive(Debug, thiserror::Error)]
#[error("{op} {}: {source}", path.display())]
pub struct FileError {
    /// What was attempted: `read dir`, `compress`, `delete`.
    pub op: &'static str,
    /// The file or directory.
    pub path: PathBuf,
    /// The cause.
    #[source]
    pub source: io::Error,
}

/// What a sweep did.
#[derive(Debug, Default)]
pub struct SweepReport {
    /// Files compressed to `.gz`.
    pub compressed: Vec<PathBuf>,
    /// Files deleted by retention (and stray `.tmp` files).
    pub deleted: Vec<PathBuf>,
    /// Failures; the sweep goes on after each.
    pub errors: Vec<FileError>,
}

/// The first day kept: days strictly before it are deleted. `None` when disabled.
pub fn retention_cutoff(today: Date, retention_days: u32) -> Option<Date> {
    (retention_days > 0).then(|| today.saturating_sub(Span::new().days(i64::from(retention_days))))
}

/// Runs the sweep described in the module doc.
pub fn sweep(dir: &Path, closed_before: Date, today: Date, retention_days: u32) -> SweepReport {
    let mut report = SweepReport::default();
    let cutoff = retention_cutoff(today, retention_days);
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return report,
        Err(source) => {
            report.errors.push(FileError { op: "read dir", path: dir.to_owned(), source });
            return report;
        }
    };
    let mut sites: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            (is_valid_site(&name) || name == UNKNOWN_SITE).then(|| (name, e.path()))
        })
        .collect();
    sites.sort();
    for (site, path) in sites {
        sweep_site(&site, &path, closed_before, cutoff, &mut report);
    }
    report
}

fn list(site: &str, dir: &Path, report: &mut SweepReport) -> Vec<(PathBuf, Date, FileKind)> {
    match fs::read_dir(dir) {
        Ok(entries) => {
            let mut files: Vec<_> = entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    let (day, _, kind) = parse_file_name(site, &name)?;
                    Some((e.path(), day, kind))
                })
                .collect();
            files.sort();
            files
        }
        Err(source) => {
            report.errors.push(FileError { op: "read dir", path: dir.to_owned(), source });
            Vec::new()
        }
    }
}

fn sweep_site(site: &str, dir: &Path, closed_before: Date, cutoff: Option<Date>, report: &mut SweepReport) {
    for (path, day, kind) in list(site, dir, report) {
        match kind {
            FileKind::Tmp => match fs::remove_file(&path) {
                Ok(()) => report.deleted.push(path),
                Err(source) => report.errors.push(FileError { op: "delete", path, source }),
            },
            FileKind::Plain if day < closed_before => match compress_file(&path) {
                Ok(()) => report.compressed.push(path),
                Err(source) => report.errors.push(FileError { op: "compress", path, source }),
            },
            _ => {}
        }
    }
    let Some(cutoff) = cutoff else { return };
    for (path, day, kind) in list(site, dir, report) {
        if kind == FileKind::Gz && day < cutoff {
            match fs::remove_file(&path) {
                Ok(()) => report.deleted.push(path),
                Err(source) => report.errors.push(FileError { op: "delete", path, source }),
            }
        }
    }
}
