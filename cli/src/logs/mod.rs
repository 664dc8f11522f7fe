//! Access logs from hosts to beneficiaries: collection over SFTP ([`collect`]), the merge of
//! a site's day ([`merge`]), delivery with its notice ([`deliver`], [`mail`]), the archive's
//! retention ([`prune`]), a site's figures per day for the extranet ([`daily`]).
//!
//! The local archive (`[logs] archive` in `config.toml`) holds
//! `SITE/DAY/HOST/SITE-DAY.log.gz` and `….w3c.log.gz` as the hosts closed them, and
//! `SITE/DAY/delivery/` what was made for the beneficiary. A file is in the store's
//! `log_archive` only once it is whole under its final name; temporary names end in `.part`.
//! One run at a time holds `ARCHIVE/.lock`.

pub mod collect;
pub mod daily;
pub mod deliver;
pub mod mail;
pub mod merge;
pub mod prune;
pub mod ssh;

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::Failure;
use crate::settings::Settings;

/// The formats a host writes, as named in the store, with their file suffixes.
pub const FORMATS: [(&str, &str); 2] = [("clf", ".log.gz"), ("w3c", ".w3c.log.gz")];

/// The site name under which a host logs requests for no known site.
pub const UNKNOWN_SITE: &str = "_unknown";

/// The archive folder.
pub fn archive_dir(settings: &Settings) -> anyhow::Result<PathBuf> {
    settings
        .logs
        .archive
        .clone()
        .ok_or_else(|| Failure::new("no log archive folder: set `archive` in the `[logs]` table of config.toml").into())
}

/// The archived W3C files of `site` (every site when none) from `from` to `to` (days
/// included, every day when none), as the store lists them: what statistics read.
pub fn w3c_rows(
    store: &impl amoe_store::logs::LogReads,
    site: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> anyhow::Result<Vec<amoe_store::logs::ArchivedLog>> {
    Ok(store
        .archived_logs(site, None, from, to)?
        .into_iter()
        .filter(|a| a.format == "w3c" && a.site != UNKNOWN_SITE && safe_row(a))
        .collect())
}

/// Where an archived file is, under `archive`.
pub fn archived_path(archive: &Path, a: &amoe_store::logs::ArchivedLog) -> PathBuf {
    day_dir(archive, &a.site, &a.day).join(&a.host).join(file_name(&a.site, &a.day, &a.format))
}

/// The archived W3C files of `site` (every site when none) from `from` to `to` (days
/// included), for statistics.
pub fn w3c_files(
    settings: &Settings,
    store: &amoe_store::Store,
    site: Option<&str>,
    from: &str,
    to: &str,
) -> anyhow::Result<Vec<PathBuf>> {
    let archive = archive_dir(settings)?;
    Ok(w3c_rows(store, site, Some(from), Some(to))?.iter().map(|a| archived_path(&archive, a)).collect())
}

/// The folder of one site's day.
pub fn day_dir(archive: &Path, site: &str, day: &str) -> PathBuf {
    archive.join(site).join(day)
}

/// Whether a row's names are safe to make paths of: a site name (or `_unknown`), a host name,
/// a day and a known format. A row written by hand into the store with `..` or `/` in it is
/// never turned into a path.
pub fn safe_row(a: &amoe_store::logs::ArchivedLog) -> bool {
    let name = |s: &str| s.parse::<amoe_core::Name>().is_ok();
    (a.site == UNKNOWN_SITE || name(&a.site))
        && name(&a.host)
        && jiff::civil::Date::strptime("%Y-%m-%d", &a.day).is_ok()
        && FORMATS.iter().any(|(f, _)| *f == a.format)
}

/// Creates a folder of the archive (and its parents), private: access logs hold addresses.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// `SITE-DAY` + suffix.
pub fn file_name(site: &str, day: &str, format: &str) -> String {
    let suffix = FORMATS.iter().find(|(f, _)| *f == format).map_or(".log.gz", |(_, s)| s);
    format!("{site}-{day}{suffix}")
}

/// `(day, format)` of a closed file name of `site`, `None` for anything else (open files,
/// temporary files, other sites).
pub fn parse_name(site: &str, name: &str) -> Option<(String, &'static str)> {
    let rest = name.strip_prefix(site)?.strip_prefix('-')?;
    let (day, suffix) = rest.split_at_checked(10)?;
    jiff::civil::Date::strptime("%Y-%m-%d", day).ok()?;
    let format = FORMATS.iter().find(|(_, s)| *s == suffix)?.0;
    Some((day.to_owned(), format))
}

/// Checks a `--day`-like value: `YYYY-MM-DD`, or `yesterday` / `today` (Paris).
pub fn parse_day(raw: &str) -> anyhow::Result<String> {
    let today = jiff::Zoned::now().with_time_zone(amoe_core::time::paris()).date();
    let day = match raw {
        "today" => today,
        "yesterday" => today.yesterday().map_err(|e| Failure::usage(e.to_string()))?,
        _ => jiff::civil::Date::strptime("%Y-%m-%d", raw).map_err(|_| {
            Failure::usage(format!("`{raw}` is not a day")).hint("write days as YYYY-MM-DD, or `yesterday`")
        })?,
    };
    Ok(day.to_string())
}

/// The run lock: one `amoe logs` run at a time on an archive. Released when dropped.
#[derive(Debug)]
pub struct RunLock(#[allow(dead_code)] File);

impl RunLock {
    /// Takes the lock or says who to wait for.
    pub fn take(archive: &Path) -> anyhow::Result<RunLock> {
        private_dir(archive)
            .map_err(|e| Failure::new(format!("cannot create the log archive `{}`: {e}", archive.display())))?;
        let path = archive.join(".lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Failure::new(format!("cannot open `{}`: {e}", path.display())))?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock(file)),
            Err(std::fs::TryLockError::WouldBlock) => {
                Err(Failure::new(format!("another `amoe logs` run is working on `{}`", archive.display()))
                    .hint("wait for it to finish; nothing was done")
                    .into())
            }
            Err(std::fs::TryLockError::Error(e)) => {
                Err(Failure::new(format!("cannot lock `{}`: {e}", path.display())).into())
            }
        }
    }
}

/// SHA-256 (hex) and line count of a gzip file, reading it whole: a damaged file fails here
/// (gzip checks its CRC).
pub fn check_gz(path: &Path) -> std::io::Result<(String, u64, u64)> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    struct Tee<R> {
        inner: R,
        hash: Sha256,
        len: u64,
    }
    impl<R: Read> Read for Tee<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.hash.update(&buf[..n]);
            self.len += n as u64;
            Ok(n)
        }
    }
    let file = File::open(path)?;
    let mut tee = Tee { inner: std::io::BufReader::with_capacity(1 << 20, file), hash: Sha256::new(), len: 0 };
    let mut lines = 0u64;
    {
        let mut gz = flate2::read::MultiGzDecoder::new(&mut tee);
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = gz.read(&mut buf)?;
            if n == 0 {
                break;
            }
            lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        }
    }
    // Anything after the last gzip member is damage too.
    let mut rest = Vec::new();
    tee.read_to_end(&mut rest)?;
    if !rest.is_empty() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "data after the gzip stream"));
    }
    Ok((hex(&tee.hash.finalize()), lines, tee.len))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Now, UTC, as the store writes times.
pub fn now() -> String {
    amoe_core::time::now_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(parse_name("www", "www-2026-11-26.log.gz"), Some(("2026-11-26".into(), "clf")));
        assert_eq!(parse_name("www", "www-2026-11-26.w3c.log.gz"), Some(("2026-11-26".into(), "w3c")));
        for other in
            ["www-2026-11-26.log", "www-2026-11-26.log.gz.tmp", "www2-2026-11-26.log.gz", "www-2026-13-26.log.gz"]
        {
            assert_eq!(parse_name("www", other), None, "{other}");
        }
        assert_eq!(file_name("www", "2026-11-26", "w3c"), "www-2026-11-26.w3c.log.gz");
    }
}
