//! Site releases on this host (`amoe deploy`, DESIGN §10): each bundle is received streamed,
//! unpacked into `.ID.partial/` as it arrives while its SHA-256 is computed, checked against what
//! the CLI announced (a header before the body, or a trailer after it), and renamed `ID/` only
//! when whole. For `deploy promote`, the host the CLI names keeps an archive it was given as
//! `ID.bundle`; a folder's bundle is made again from the release (`amoe_proto::pack`, byte for
//! byte). `current` is a symlink to the release served,
//! replaced atomically (a new link renamed over the old one). `ID.json` keeps what is known of
//! each release.
//!
//! Unpacking refuses, naming the entry: absolute paths, `..`, links that leave the release
//! (checked on the finished tree, through every link), hard links, device files and FIFOs,
//! writing through a link, and bundles or trees over the size set in `agent.toml`. Files get
//! 0644 (0755 when executable), directories 0755: the release is served, never secret.
//!
//! Releases removed beyond the number kept are renamed `.trash-…` at once (they are gone from
//! the list) and deleted in the background, after the switch has answered. Each site's folder
//! is marked as the top of a hierarchy for ext4's allocator (`chattr +T`): each release is
//! placed in a block group of its own, so that creating one does not scan past the inodes of
//! one just removed (without a journal, ext4 skips recently freed inodes one by one).

use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use amoe_proto::{ReleaseInfo, ReleaseMeta, SwitchResult};
use http_body_util::BodyExt;
use sha2::Digest;

use super::control::ApiError;

/// Releases kept per site unless the switch says otherwise.
pub const DEFAULT_KEEP: usize = 5;

#[derive(Debug)]
pub struct Releases {
    root: PathBuf,
}

fn io(what: &str, e: std::io::Error) -> ApiError {
    ApiError::new("internal", format!("{what}: {e}"))
}

/// A release id: 1 to 80 of `A-Za-z0-9._-`, not starting with `.` (ids become file names).
pub fn check_id(id: &str) -> Result<(), ApiError> {
    let ok = !id.is_empty()
        && id.len() <= 80
        && !id.starts_with('.')
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok { Ok(()) } else { Err(ApiError::new("bad_request", format!("`{id}` is not a release id"))) }
}

impl Releases {
    pub fn new(state_dir: &Path) -> Releases {
        Releases { root: state_dir.join("releases") }
    }

    fn dir(&self, site: &str) -> PathBuf {
        self.root.join(site)
    }

    /// The `current` link of `site` (which may not exist yet).
    pub fn current_link(&self, site: &str) -> PathBuf {
        self.dir(site).join("current")
    }

    /// The folder of the release `site` serves now, if any.
    pub fn current_dir(&self, site: &str) -> Option<PathBuf> {
        let link = self.dir(site).join("current");
        let target = std::fs::read_link(&link).ok()?;
        Some(self.dir(site).join(target))
    }

    fn current_id(&self, site: &str) -> Option<String> {
        std::fs::read_link(self.dir(site).join("current")).ok().and_then(|t| t.to_str().map(str::to_owned))
    }

    fn info(&self, site: &str, id: &str) -> Option<ReleaseInfo> {
        let bytes = std::fs::read(self.dir(site).join(format!("{id}.json"))).ok()?;
        let mut info: ReleaseInfo = serde_json::from_slice(&bytes).ok()?;
        info.bundle = info.meta.packed || self.dir(site).join(format!("{id}.bundle")).is_file();
        Some(info)
    }

    /// Creates the site's folder if needed, marked as the top of a hierarchy (see the module).
    fn site_dir(&self, site: &str) -> Result<PathBuf, ApiError> {
        let dir = self.dir(site);
        std::fs::DirBuilder::new().recursive(true).mode(0o755).create(&dir).map_err(|e| io("releases folder", e))?;
        // A hint only: other file systems refuse it, and nothing depends on it.
        if let Ok(d) = std::fs::File::open(&dir)
            && let Ok(flags) = rustix::fs::ioctl_getflags(&d)
            && !flags.contains(rustix::fs::IFlags::TOPDIR)
        {
            let _ = rustix::fs::ioctl_setflags(&d, flags | rustix::fs::IFlags::TOPDIR);
        }
        Ok(dir)
    }

    fn save_info(&self, site: &str, info: &ReleaseInfo) -> Result<(), ApiError> {
        let path = self.dir(site).join(format!("{}.json", info.id));
        let tmp = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(info).map_err(|e| ApiError::new("internal", e.to_string()))?;
        std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, &path)).map_err(|e| io("release record", e))
    }

    /// The site's releases, oldest first.
    pub fn list(&self, site: &str) -> Vec<ReleaseInfo> {
        let current = self.current_id(site);
        let mut out: Vec<ReleaseInfo> = std::fs::read_dir(self.dir(site))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let id = name.strip_suffix(".json")?;
                if id.starts_with('.') || !self.dir(site).join(id).is_dir() {
                    return None;
                }
                self.info(site, id)
            })
            .map(|mut i| {
                i.current = current.as_deref() == Some(i.id.as_str());
                i
            })
            .collect();
        out.sort_by(|a, b| a.received_at.cmp(&b.received_at).then(a.id.cmp(&b.id)));
        out
    }

    /// Receives a bundle: unpacked as it arrives, its hash checked against the one announced
    /// (`announced`, from a header, or the trailer after the body; one of them at least, and
    /// they must agree), kept as `ID.bundle` if `keep_bundle`. A release already received with
    /// the same SHA-256 is answered as it is (a retried upload); with another one it is a
    /// conflict.
    #[allow(clippy::too_many_arguments)]
    pub async fn receive(
        &self,
        site: &str,
        id: &str,
        announced: &str,
        meta: ReleaseMeta,
        keep_bundle: bool,
        mut body: hyper::body::Incoming,
        max_bytes: u64,
    ) -> Result<ReleaseInfo, ApiError> {
        check_id(id)?;
        let announced = (!announced.is_empty()).then_some(announced);
        if announced.is_some_and(|s| !is_sha256(s)) {
            return Err(ApiError::new("bad_request", "the bundle's SHA-256 is not 64 hexadecimal digits"));
        }
        if let Some(info) = self.info(site, id).filter(|_| self.dir(site).join(id).is_dir()) {
            // Answered without unpacking again, once the body is read: the client gets the
            // answer, not a connection cut in the middle of its upload.
            let trailer = drain(&mut body, max_bytes).await;
            let sha256 = expected_sha(announced, trailer.as_deref())?;
            if info.sha256.eq_ignore_ascii_case(&sha256) {
                return Ok(info);
            }
            return Err(ApiError::new("conflict", format!("release `{id}` exists with another SHA-256")));
        }
        let dir = self.site_dir(site)?;
        let upload = dir.join(format!(".{id}.upload"));
        let partial = dir.join(format!(".{id}.partial"));
        let cleanup = || {
            let _ = std::fs::remove_file(&upload);
            let _ = std::fs::remove_dir_all(&partial);
        };
        // Unpacked as it arrives (one pass): the chunks are hashed here and handed, 1 MiB at a
        // time, to a blocking worker that writes the bundle file (if kept) and unpacks; the
        // release is renamed into place only if the hash holds.
        let bundle = match keep_bundle {
            true => Some(
                std::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .mode(0o600)
                    .open(&upload)
                    .map_err(|e| io("upload file", e))?,
            ),
            false => None,
        };
        // The chunks are copied into a few buffers of 1 MiB that go round between the two
        // (filled here, emptied by the worker, given back): the connection's own buffer is
        // reused at once, and no fresh memory is touched for each chunk.
        let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(BUFFERS);
        let (back_tx, mut back_rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
        let p = partial.clone();
        let unpacker = tokio::task::spawn_blocking(move || {
            let mut source = ChannelReader { rx, back: back_tx, cur: Vec::new(), at: 0, bundle };
            let files = unpack_from(&mut source, &p, max_bytes)?;
            // The rest (the archive's padding) still goes to the bundle file. Not forced to
            // disk (no more than the unpacked files, or rsync's copies): a host that crashes
            // before the switch gets the release again (`amoe deploy list` shows what each has).
            std::io::copy(&mut source, &mut std::io::sink()).map_err(|e| format!("writing the bundle: {e}"))?;
            Ok::<_, String>(files)
        });
        let received = async {
            let mut feeding = true;
            let mut made = 1;
            let mut buf: Vec<u8> = Vec::with_capacity(BUFFER);
            let mut hasher = sha2::Sha256::new();
            let mut size: u64 = 0;
            let mut trailer = None;
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|e| ApiError::new("bad_request", format!("the upload broke off: {e}")))?;
                let data = match frame.into_data() {
                    Ok(data) => data,
                    Err(frame) => {
                        trailer = frame.into_trailers().ok().and_then(|t| sha_trailer(&t));
                        continue;
                    }
                };
                {
                    size += data.len() as u64;
                    if size > max_bytes {
                        // Read on so that the client gets this answer rather than a connection
                        // cut in the middle of its upload.
                        drain(&mut body, 64 << 20).await;
                        return Err(ApiError::new(
                            "too_large",
                            format!("the bundle is over this host's limit of {max_bytes} bytes"),
                        )
                        .hint("raise `max_bundle_bytes` in [deploy] of agent.toml, or deploy less"));
                    }
                    hasher.update(&data);
                    let mut rest = &data[..];
                    while !rest.is_empty() {
                        let n = rest.len().min(BUFFER - buf.len());
                        buf.extend_from_slice(&rest[..n]);
                        rest = &rest[n..];
                        if buf.len() < BUFFER {
                            continue;
                        }
                        // A worker that stopped (a refused entry) takes no more; its answer is
                        // read below.
                        if feeding && tx.send(std::mem::take(&mut buf)).await.is_err() {
                            feeding = false;
                        }
                        buf = match back_rx.try_recv() {
                            Ok(b) => b,
                            Err(_) if made < BUFFERS + 2 || !feeding => {
                                made += 1;
                                Vec::with_capacity(BUFFER)
                            }
                            Err(_) => back_rx.recv().await.unwrap_or_else(|| Vec::with_capacity(BUFFER)),
                        };
                        buf.clear();
                    }
                }
            }
            if feeding && !buf.is_empty() {
                let _ = tx.send(buf).await;
            }
            drop(tx);
            let sha256 = expected_sha(announced, trailer.as_deref())?;
            let got = amoe_pki::hex(&hasher.finalize());
            if !got.eq_ignore_ascii_case(&sha256) {
                return Err(ApiError::new(
                    "bad_request",
                    format!("checksum mismatch: the bundle received has SHA-256 {got}, not {sha256}"),
                ));
            }
            Ok((size, got))
        }
        .await;
        // The unpacker is always waited for before anything is removed.
        let unpacked = unpacker
            .await
            .map_err(|e| ApiError::new("internal", e.to_string()))
            .and_then(|r| r.map_err(|e| ApiError::new("bad_request", format!("bundle refused: {e}"))));
        let (size, sha256) = match received {
            Ok(s) => s,
            Err(e) => {
                cleanup();
                return Err(e);
            }
        };
        let files = match unpacked {
            Ok(n) => n,
            Err(e) => {
                cleanup();
                return Err(e);
            }
        };
        std::fs::rename(&partial, dir.join(id)).map_err(|e| {
            cleanup();
            io("release folder", e)
        })?;
        if keep_bundle {
            std::fs::rename(&upload, dir.join(format!("{id}.bundle"))).map_err(|e| io("bundle", e))?;
        }
        let info = ReleaseInfo {
            id: id.to_string(),
            sha256,
            size,
            files,
            received_at: jiff::Timestamp::now().to_string(),
            switched_at: None,
            current: false,
            bundle: keep_bundle,
            meta,
        };
        self.save_info(site, &info)?;
        Ok(info)
    }

    /// Makes `id` current (idempotent), then removes the oldest releases beyond `keep`, never
    /// the current one or one never made current (staged).
    pub fn switch(&self, site: &str, id: &str, keep: usize) -> Result<SwitchResult, ApiError> {
        check_id(id)?;
        let dir = self.dir(site);
        let Some(mut info) = self.info(site, id).filter(|_| dir.join(id).is_dir()) else {
            let known: Vec<String> = self.list(site).into_iter().map(|r| r.id).collect();
            return Err(ApiError::new("not_found", format!("no release `{id}` of `{site}` on this host")).hint(
                if known.is_empty() { "none was received".to_string() } else { format!("known: {}", known.join(", ")) },
            ));
        };
        let previous = self.current_id(site);
        if previous.as_deref() != Some(id) {
            let tmp = dir.join(format!(".current-{}", std::process::id()));
            let _ = std::fs::remove_file(&tmp);
            std::os::unix::fs::symlink(id, &tmp).map_err(|e| io("current link", e))?;
            std::fs::rename(&tmp, dir.join("current")).map_err(|e| io("current link", e))?;
            if let Ok(d) = std::fs::File::open(&dir) {
                let _ = d.sync_all();
            }
        }
        info.switched_at = Some(jiff::Timestamp::now().to_string());
        self.save_info(site, &info)?;
        let mut removed = Vec::new();
        let mut trash: Vec<PathBuf> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".trash-"))
            .map(|e| e.path())
            .collect();
        let all = self.list(site);
        let mut excess = all.len().saturating_sub(keep.max(1));
        for r in all {
            if excess == 0 {
                break;
            }
            if r.current || r.switched_at.is_none() {
                continue;
            }
            // Out of the list at once (the record first); the files go in the background.
            let _ = std::fs::remove_file(dir.join(format!("{}.json", r.id)));
            let _ = std::fs::remove_file(dir.join(format!("{}.bundle", r.id)));
            let to = dir.join(format!(".trash-{}", r.id));
            if std::fs::rename(dir.join(&r.id), &to).is_ok() {
                trash.push(to);
            }
            removed.push(r.id);
            excess -= 1;
        }
        if !trash.is_empty() {
            std::thread::spawn(move || {
                for t in trash {
                    let _ = std::fs::remove_dir_all(t);
                }
            });
        }
        Ok(SwitchResult { previous, current: id.to_string(), removed, hooks: Vec::new() })
    }
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The SHA-256 in a body's trailers, if any.
fn sha_trailer(t: &http::HeaderMap) -> Option<String> {
    t.get(amoe_proto::RELEASE_SHA256).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// The SHA-256 the bundle must have: the one announced before the body, the one sent after
/// it, or both if they agree.
fn expected_sha(announced: Option<&str>, trailer: Option<&str>) -> Result<String, ApiError> {
    match (announced, trailer) {
        (Some(a), Some(t)) if !a.eq_ignore_ascii_case(t) => {
            Err(ApiError::new("bad_request", format!("the bundle's SHA-256 was announced as {a} and then as {t}")))
        }
        (_, Some(t)) if !is_sha256(t) => {
            Err(ApiError::new("bad_request", "the bundle's SHA-256 is not 64 hexadecimal digits"))
        }
        (Some(s), _) | (None, Some(s)) => Ok(s.to_ascii_lowercase()),
        (None, None) => Err(ApiError::new(
            "bad_request",
            format!(
                "the bundle's SHA-256 is missing: send it as `{}`, a header or a trailer",
                amoe_proto::RELEASE_SHA256
            ),
        )),
    }
}

/// Reads and discards the rest of a request body, `limit` bytes at most; the SHA-256 trailer
/// if it came.
async fn drain(body: &mut hyper::body::Incoming, limit: u64) -> Option<String> {
    let mut drained: u64 = 0;
    while drained < limit {
        match body.frame().await {
            Some(Ok(f)) => match f.into_data() {
                Ok(d) => drained += d.len() as u64,
                Err(f) => return f.into_trailers().ok().and_then(|t| sha_trailer(&t)),
            },
            _ => break,
        }
    }
    None
}

/// A release's bundle sent as a response body in chunks, never whole in memory: the file kept,
/// or the canonical pack of the release made as it is sent.
pub enum FileBody {
    File(tokio_util::io::ReaderStream<tokio::fs::File>),
    Packed(tokio::sync::mpsc::Receiver<std::io::Result<bytes::Bytes>>),
}

impl std::fmt::Debug for FileBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FileBody")
    }
}

impl hyper::body::Body for FileBody {
    type Data = bytes::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<bytes::Bytes>, std::io::Error>>> {
        use futures_core::Stream;
        let next = match &mut *self {
            FileBody::File(reader) => std::pin::Pin::new(reader).poll_next(cx),
            FileBody::Packed(rx) => rx.poll_recv(cx),
        };
        next.map(|c| c.map(|r| r.map(hyper::body::Frame::data)))
    }
}

/// What the packer writes, in chunks of 256 KiB, to a response body.
struct ToBody {
    tx: tokio::sync::mpsc::Sender<std::io::Result<bytes::Bytes>>,
    buf: bytes::BytesMut,
}

impl ToBody {
    fn hand_over(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = self.buf.split().freeze();
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl std::io::Write for ToBody {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= 256 << 10 {
            self.hand_over()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Releases {
    /// The bundle of a release, to stream back: its body, its length if known, its SHA-256.
    pub async fn bundle(&self, site: &str, id: &str) -> Result<(FileBody, Option<u64>, String), ApiError> {
        check_id(id)?;
        let info = self
            .info(site, id)
            .ok_or_else(|| ApiError::new("not_found", format!("no release `{id}` of `{site}` on this host")))?;
        let path = self.dir(site).join(format!("{id}.bundle"));
        if let Ok(f) = tokio::fs::File::open(&path).await {
            let len = f.metadata().await.map_err(|e| io("bundle", e))?.len();
            let body = FileBody::File(tokio_util::io::ReaderStream::with_capacity(f, 256 << 10));
            return Ok((body, Some(len), info.sha256));
        }
        if !info.meta.packed {
            return Err(ApiError::new("not_found", format!("this host did not keep the bundle of release `{id}`"))
                .hint("`amoe deploy list` names the host that did"));
        }
        // Made again from the release (the client checks the SHA-256); a file that cannot be
        // read ends the body with an error, never a short bundle.
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let dir = self.dir(site).join(id);
        tokio::task::spawn_blocking(move || {
            let mut out = ToBody { tx: tx.clone(), buf: bytes::BytesMut::new() };
            let r = amoe_proto::pack::pack(&dir, &mut out).map_err(|e| std::io::Error::other(e.to_string()));
            if let Err(e) = r.and_then(|_| out.hand_over()) {
                let _ = tx.blocking_send(Err(e));
            }
        });
        Ok((FileBody::Packed(rx), None, info.sha256))
    }
}

/// Buffers of an upload going round between the receiver and the unpacker, and their size.
const BUFFERS: usize = 4;
const BUFFER: usize = 1 << 20;

/// The buffers of an upload as a `Read`, for the blocking unpacker; each is written to the
/// bundle file (if kept) as it arrives, and given back once read.
struct ChannelReader {
    rx: tokio::sync::mpsc::Receiver<Vec<u8>>,
    back: tokio::sync::mpsc::UnboundedSender<Vec<u8>>,
    cur: Vec<u8>,
    at: usize,
    bundle: Option<std::fs::File>,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.cur.len() {
            let Some(next) = self.rx.blocking_recv() else { return Ok(0) };
            if let Some(f) = self.bundle.as_mut() {
                std::io::Write::write_all(f, &next)?;
            }
            let done = std::mem::replace(&mut self.cur, next);
            self.at = 0;
            if done.capacity() > 0 {
                let _ = self.back.send(done);
            }
        }
        let n = buf.len().min(self.cur.len() - self.at);
        buf[..n].copy_from_slice(&self.cur[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Unpacks the tar (plain, gzip or zstd, told by their first bytes) read from `source` into
/// `dest`, which must not exist; returns the number of files. Every refusal names the entry.
fn unpack_from(source: impl Read, dest: &Path, max_bytes: u64) -> Result<u64, String> {
    use std::io::BufRead;
    let mut f = std::io::BufReader::with_capacity(256 << 10, source);
    let head = f.fill_buf().map_err(|e| e.to_string())?;
    let magic: Vec<u8> = head.iter().take(4).copied().collect();
    let reader: Box<dyn Read + '_> = match magic.as_slice() {
        [0x1f, 0x8b, ..] => Box::new(flate2::read::GzDecoder::new(f)),
        [0x28, 0xb5, 0x2f, 0xfd] => {
            Box::new(ruzstd::decoding::StreamingDecoder::new(f).map_err(|e| format!("not a zstd stream: {e}"))?)
        }
        _ => Box::new(f),
    };
    std::fs::DirBuilder::new().mode(0o755).create(dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    let mut archive = tar::Archive::new(reader);
    let mut files = 0u64;
    let mut written = 0u64;
    let mut links: Vec<PathBuf> = Vec::new();
    let mut copy_buf = vec![0u8; 256 << 10];
    for entry in archive.entries().map_err(|e| format!("not a tar archive: {e}"))? {
        let mut entry = entry.map_err(|e| format!("a damaged entry: {e}"))?;
        let raw = entry.path().map_err(|e| format!("an entry with a bad name: {e}"))?.into_owned();
        let name = raw.display().to_string();
        let mut rel = PathBuf::new();
        for c in raw.components() {
            match c {
                Component::Normal(p) => rel.push(p),
                Component::CurDir => {}
                Component::ParentDir => return Err(format!("`{name}` climbs out with `..`")),
                Component::RootDir | Component::Prefix(_) => return Err(format!("`{name}` is an absolute path")),
            }
        }
        if rel.as_os_str().is_empty() {
            continue;
        }
        let target = dest.join(&rel);
        // Never write through a link: every folder on the way must be a real folder.
        let mut walk = dest.to_path_buf();
        for c in rel.parent().into_iter().flat_map(Path::components) {
            walk.push(c);
            match std::fs::symlink_metadata(&walk) {
                Ok(m) if m.file_type().is_symlink() => return Err(format!("`{name}` would be written through a link")),
                Ok(m) if !m.is_dir() => return Err(format!("`{name}` is under a file")),
                Ok(_) => {}
                Err(_) => std::fs::DirBuilder::new().mode(0o755).create(&walk).map_err(|e| format!("`{name}`: {e}"))?,
            }
        }
        if std::fs::symlink_metadata(&target).is_ok_and(|m| !m.is_dir()) {
            return Err(format!("`{name}` appears twice"));
        }
        let kind = entry.header().entry_type();
        match kind {
            tar::EntryType::Directory => {
                if !target.is_dir() {
                    std::fs::DirBuilder::new().mode(0o755).create(&target).map_err(|e| format!("`{name}`: {e}"))?;
                }
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                let size = entry.header().size().map_err(|e| format!("`{name}`: {e}"))?;
                written += size;
                if written > max_bytes {
                    return Err(format!(
                        "unpacked, the release is over this host's limit of {max_bytes} bytes (at `{name}`)"
                    ));
                }
                let exec = entry.header().mode().is_ok_and(|m| m & 0o111 != 0);
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(if exec { 0o755 } else { 0o644 })
                    .open(&target)
                    .map_err(|e| format!("`{name}`: {e}"))?;
                // Written 256 KiB at a time (not in the copy's default 8 KiB), through one buffer.
                let mut out = file;
                let mut left = size;
                while left > 0 {
                    let want = copy_buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    let n = entry.read(&mut copy_buf[..want]).map_err(|e| format!("`{name}`: {e}"))?;
                    if n == 0 {
                        return Err(format!("`{name}` is cut short"));
                    }
                    std::io::Write::write_all(&mut out, &copy_buf[..n]).map_err(|e| format!("`{name}`: {e}"))?;
                    left -= n as u64;
                }
                out.set_permissions(std::fs::Permissions::from_mode(if exec { 0o755 } else { 0o644 }))
                    .map_err(|e| format!("`{name}`: {e}"))?;
                files += 1;
            }
            tar::EntryType::Symlink => {
                let to = entry
                    .link_name()
                    .map_err(|e| format!("`{name}`: {e}"))?
                    .ok_or_else(|| format!("`{name}` is a link to nothing"))?
                    .into_owned();
                if to.is_absolute() {
                    return Err(format!("`{name}` links to an absolute path ({})", to.display()));
                }
                std::os::unix::fs::symlink(&to, &target).map_err(|e| format!("`{name}`: {e}"))?;
                links.push(rel.clone());
            }
            tar::EntryType::XGlobalHeader
            | tar::EntryType::XHeader
            | tar::EntryType::GNULongName
            | tar::EntryType::GNULongLink => {}
            tar::EntryType::Link => return Err(format!("`{name}` is a hard link")),
            other => return Err(format!("`{name}` is a {other:?} entry (devices and FIFOs are refused)")),
        }
    }
    // Links are checked on the finished tree, through every link on the way: each must lead to
    // something inside the release.
    let root = dest.canonicalize().map_err(|e| e.to_string())?;
    for rel in links {
        let name = rel.display().to_string();
        match dest.join(&rel).canonicalize() {
            Ok(real) if real.starts_with(&root) => {}
            Ok(_) => return Err(format!("`{name}` links out of the release")),
            Err(_) => return Err(format!("`{name}` is a link to nothing in the release")),
        }
    }
    Ok(files)
}

/// Runs one hook after a switch, without a shell, killed at its time-out; `AMOE_SITE` and
/// `AMOE_RELEASE` tell it what changed. Its output (stdout then stderr) is kept, at most 8 KiB.
pub async fn run_hook(hook: &super::config::Hook, site: &str, release: &str) -> amoe_proto::HookRun {
    const MAX_OUTPUT: usize = 8 << 10;
    let Some((program, args)) = hook.command.split_first() else {
        return amoe_proto::HookRun { command: hook.command.clone(), code: None, output: "an empty command".into() };
    };
    let child = tokio::process::Command::new(program)
        .args(args)
        .env("AMOE_SITE", site)
        .env("AMOE_RELEASE", release)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let child = match child {
        Ok(c) => c,
        Err(e) => {
            return amoe_proto::HookRun {
                command: hook.command.clone(),
                code: None,
                output: format!("cannot start: {e}"),
            };
        }
    };
    let limit = std::time::Duration::from_secs(hook.timeout_secs.unwrap_or(30));
    let (code, mut output) = match tokio::time::timeout(limit, child.wait_with_output()).await {
        Ok(Ok(out)) => {
            let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&out.stderr));
            (out.status.code(), text)
        }
        Ok(Err(e)) => (None, format!("failed: {e}")),
        Err(_) => (None, format!("killed after {} s", limit.as_secs())),
    };
    if output.len() > MAX_OUTPUT {
        let mut cut = MAX_OUTPUT;
        while !output.is_char_boundary(cut) {
            cut -= 1;
        }
        output.truncate(cut);
    }
    tracing::info!(site, release, command = ?hook.command, ?code, "hook run after a switch");
    amoe_proto::HookRun { command: hook.command.clone(), code, output }
}
