//! What the commands do, apart from parsing and printing: each function takes typed options
//! and the store, validates inside the write transaction (so that a refusal is journaled), and
//! returns data. Nothing here prints.

pub mod access;
pub mod audit;
pub mod beneficiary;
pub mod ca;
pub mod fleet;
pub mod host;
pub mod intake;
pub mod notices;
pub mod sheets;
pub mod site;
pub mod tickets;
pub mod transfer;

/// SHA-256 of `bytes`, lower-case hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    crate::logs::hex(&Sha256::digest(bytes))
}

/// Keeps the first occurrence of each item, in order.
pub(crate) fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// Parses every item.
pub(crate) fn parse_all<T: std::str::FromStr>(items: &[String]) -> Result<Vec<T>, T::Err> {
    items.iter().map(|s| s.parse()).collect()
}

/// Writes a secret (a key, an ACME account) to `path`, mode 0600, its folder created 0700
/// (see [`replace_file`]). Nothing is written when the file already holds `bytes`.
pub(crate) fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if std::fs::read(path).is_ok_and(|b| b == bytes) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    replace_file(path, bytes, 0o600)
}

/// Replaces `path` with `bytes` (created with `mode`) through a temporary file beside it and a
/// rename, so that a reader or a crash sees the old file or the new one, never half of one.
pub(crate) fn replace_file(path: &std::path::Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    // A name of our own, created new: never a file or link someone left there.
    let name = path.file_name().map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let tmp = path.with_file_name(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(mode).open(&tmp)?;
    let written = f.write_all(bytes).and_then(|()| f.sync_all()).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Whether a chart file is PNG (else SVG); other names are refused before any work.
pub(crate) fn chart_kind(path: &std::path::Path) -> anyhow::Result<bool> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("svg") => Ok(false),
        Some("png") => Ok(true),
        _ => {
            Err(crate::error::Failure::usage(format!("cannot draw `{}`: charts are SVG or PNG files", path.display()))
                .hint("name the chart FILE.svg or FILE.png")
                .into())
        }
    }
}

/// Draws `bars` into `path`, SVG or PNG by its name (`amoe stats`, `logs stats`, the reports).
pub(crate) fn write_chart(path: &std::path::Path, bars: &amoe_logstats::chart::Bars) -> anyhow::Result<()> {
    let bytes = if chart_kind(path)? {
        amoe_logstats::chart::bars_png(bars)
    } else {
        amoe_logstats::chart::bars_svg(bars).into_bytes()
    };
    replace_file(path, &bytes, 0o644)
        .map_err(|e| crate::error::Failure::new(format!("cannot write the chart `{}`: {e}", path.display())).into())
}
