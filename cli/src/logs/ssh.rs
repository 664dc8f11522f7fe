//! SFTP sessions (libssh2 through `ssh2`): key authentication only, the server's key pinned.
//!
//! Hosts' keys are pinned in an OpenSSH `known_hosts` file; a beneficiary account's key is
//! pinned in the store beside the account. An unknown key is refused unless the caller accepts
//! new keys (`--accept-new-host-key`, then it is pinned); a changed key is always refused,
//! naming both fingerprints (`SHA256:…`, as `ssh-keygen -l` prints them). A private key file
//! readable by group or others is refused before any connection.

use std::io::{Read, Seek, SeekFrom, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use sha2::{Digest, Sha256};
use ssh2::{CheckResult, KnownHostFileKind, OpenFlags, OpenType, RenameFlags, Session, Sftp};

/// One thread at a time reads and rewrites the known_hosts file.
static KNOWN_HOSTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// How long a silent server may keep us waiting (connect, and every read or write).
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Where the server's key is pinned.
#[derive(Debug)]
pub enum Pin<'a> {
    /// An OpenSSH known_hosts file (hosts).
    KnownHosts(&'a Path),
    /// A key held by the caller (`TYPE BASE64`), `None` when not yet known (accounts).
    Stored(Option<&'a str>),
}

/// What failed, said so that an operator knows what to do.
#[derive(Debug, thiserror::Error)]
pub enum SshError {
    /// Network or protocol.
    #[error("cannot reach {endpoint}: {reason}")]
    Unreachable { endpoint: String, reason: String },
    /// The server's key is not pinned yet.
    #[error(
        "the SSH key of {endpoint} is unknown ({presented}); check it with the host's administrator, then run again with --accept-new-host-key"
    )]
    UnknownKey { endpoint: String, presented: String },
    /// The server's key changed.
    #[error(
        "the SSH key of {endpoint} changed: pinned {pinned}, presented {presented}; refusing (if the host was reinstalled, remove its line from the pinned keys after checking)"
    )]
    ChangedKey { endpoint: String, pinned: String, presented: String },
    /// The private key file is not private.
    #[error("the key file {path} is readable by others (mode {mode:o}); run `chmod 600 {path}`")]
    OpenKey { path: String, mode: u32 },
    /// Authentication refused.
    #[error("{user}@{endpoint} refused the key {key}: {reason}")]
    Refused { user: String, endpoint: String, key: String, reason: String },
    /// A file operation failed.
    #[error("{what} on {endpoint}: {reason}")]
    Io { endpoint: String, what: String, reason: String },
}

/// An open SFTP session.
pub struct Conn {
    /// `host:port`.
    pub endpoint: String,
    _session: Session,
    sftp: Sftp,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn").field("endpoint", &self.endpoint).finish()
    }
}

/// What was pinned during a connection (`Some` when a new key was accepted).
pub type NewPin = Option<String>;

/// `SHA256:…` of a raw public key blob.
pub fn fingerprint(blob: &[u8]) -> String {
    format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(blob)))
}

/// Refuses a private key readable by group or others (as OpenSSH does).
pub fn check_key_file(path: &Path) -> Result<(), SshError> {
    let meta = std::fs::metadata(path).map_err(|e| SshError::Refused {
        user: String::new(),
        endpoint: String::new(),
        key: path.display().to_string(),
        reason: format!("cannot read the key file: {e}"),
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SshError::OpenKey { path: path.display().to_string(), mode });
    }
    Ok(())
}

fn known_hosts_name(host: &str, port: u16) -> String {
    if port == 22 { host.to_owned() } else { format!("[{host}]:{port}") }
}

/// Connects, checks the server's key against `pin` and authenticates with `key`.
pub fn connect(
    host: &str,
    port: u16,
    user: &str,
    key: &Path,
    pin: Pin<'_>,
    accept_new: bool,
) -> Result<(Conn, NewPin), SshError> {
    let endpoint = if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
    let unreachable = |reason: String| SshError::Unreachable { endpoint: endpoint.clone(), reason };
    check_key_file(key)?;
    let addr = (host, port)
        .to_socket_addrs()
        .map_err(|e| unreachable(e.to_string()))?
        .next()
        .ok_or_else(|| unreachable("no address".into()))?;
    let tcp = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| unreachable(e.to_string()))?;
    let mut session = Session::new().map_err(|e| unreachable(e.to_string()))?;
    session.set_timeout(TIMEOUT.as_millis() as u32);
    session.set_tcp_stream(tcp);
    session.handshake().map_err(|e| unreachable(format!("SSH handshake: {e}")))?;
    let (blob, kind) = session.host_key().ok_or_else(|| unreachable("the server sent no host key".into()))?;
    let blob = blob.to_vec();
    let presented = fingerprint(&blob);
    let type_name = match kind {
        ssh2::HostKeyType::Rsa => "ssh-rsa",
        ssh2::HostKeyType::Dss => "ssh-dss",
        ssh2::HostKeyType::Ecdsa256 => "ecdsa-sha2-nistp256",
        ssh2::HostKeyType::Ecdsa384 => "ecdsa-sha2-nistp384",
        ssh2::HostKeyType::Ecdsa521 => "ecdsa-sha2-nistp521",
        ssh2::HostKeyType::Ed25519 => "ssh-ed25519",
        ssh2::HostKeyType::Unknown => "unknown",
    };
    let line = format!("{type_name} {}", STANDARD.encode(&blob));
    let mut new_pin = None;
    match pin {
        Pin::KnownHosts(file) => {
            // Hosts are checked in parallel threads: one at a time reads and rewrites the file,
            // and the new file replaces the old one whole, so no check ever sees it half-written.
            let _guard = KNOWN_HOSTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let mut kh = session.known_hosts().map_err(|e| unreachable(e.to_string()))?;
            if file.exists() {
                kh.read_file(file, KnownHostFileKind::OpenSSH)
                    .map_err(|e| unreachable(format!("cannot read {}: {e}", file.display())))?;
            }
            match kh.check_port(host, port, &blob) {
                CheckResult::Match => {}
                CheckResult::Mismatch => {
                    let name = known_hosts_name(host, port);
                    let pinned = kh
                        .iter()
                        .ok()
                        .into_iter()
                        .flatten()
                        .filter(|h| h.name() == Some(name.as_str()) || h.name() == Some(host))
                        .filter_map(|h| STANDARD.decode(h.key()).ok())
                        .map(|b| fingerprint(&b))
                        .collect::<Vec<_>>()
                        .join(", ");
                    return Err(SshError::ChangedKey { endpoint, pinned, presented });
                }
                CheckResult::NotFound | CheckResult::Failure if accept_new => {
                    kh.add(&known_hosts_name(host, port), &blob, "amoe", kind.into())
                        .map_err(|e| unreachable(e.to_string()))?;
                    if let Some(dir) = file.parent() {
                        std::fs::create_dir_all(dir).map_err(|e| unreachable(e.to_string()))?;
                    }
                    let tmp = file.with_extension("tmp");
                    kh.write_file(&tmp, KnownHostFileKind::OpenSSH)
                        .map_err(|e| unreachable(format!("cannot write {}: {e}", tmp.display())))?;
                    std::fs::rename(&tmp, file)
                        .map_err(|e| unreachable(format!("cannot write {}: {e}", file.display())))?;
                    new_pin = Some(line);
                }
                CheckResult::NotFound | CheckResult::Failure => {
                    return Err(SshError::UnknownKey { endpoint, presented });
                }
            }
        }
        Pin::Stored(Some(pinned)) => {
            let pinned_blob =
                pinned.split_whitespace().nth(1).and_then(|b| STANDARD.decode(b).ok()).unwrap_or_default();
            if pinned_blob != blob {
                return Err(SshError::ChangedKey { endpoint, pinned: fingerprint(&pinned_blob), presented });
            }
        }
        Pin::Stored(None) if accept_new => new_pin = Some(line),
        Pin::Stored(None) => return Err(SshError::UnknownKey { endpoint, presented }),
    }
    session.userauth_pubkey_file(user, None, key, None).map_err(|e| SshError::Refused {
        user: user.to_owned(),
        endpoint: endpoint.clone(),
        key: key.display().to_string(),
        reason: e.message().to_owned(),
    })?;
    let sftp = session.sftp().map_err(|e| unreachable(format!("SFTP: {e}")))?;
    Ok((Conn { endpoint, _session: session, sftp }, new_pin))
}

impl Conn {
    fn io(&self, what: String, e: impl std::fmt::Display) -> SshError {
        SshError::Io { endpoint: self.endpoint.clone(), what, reason: e.to_string() }
    }

    /// Names and sizes of the files in `dir` (none when it does not exist).
    pub fn list(&self, dir: &str) -> Result<Vec<(String, u64)>, SshError> {
        match self.sftp.readdir(Path::new(dir)) {
            Ok(entries) => Ok(entries
                .into_iter()
                .filter(|(_, st)| st.is_file())
                .filter_map(|(p, st)| Some((p.file_name()?.to_str()?.to_owned(), st.size.unwrap_or(0))))
                .collect()),
            Err(e) if e.code() == ssh2::ErrorCode::SFTP(2) => Ok(Vec::new()),
            Err(e) => Err(self.io(format!("listing {dir}"), e)),
        }
    }

    /// Names of the folders in `dir` (none when it does not exist).
    pub fn list_dirs(&self, dir: &str) -> Result<Vec<String>, SshError> {
        match self.sftp.readdir(Path::new(dir)) {
            Ok(entries) => Ok(entries
                .into_iter()
                .filter(|(_, st)| st.is_dir())
                .filter_map(|(p, _)| Some(p.file_name()?.to_str()?.to_owned()))
                .collect()),
            Err(e) if e.code() == ssh2::ErrorCode::SFTP(2) => Ok(Vec::new()),
            Err(e) => Err(self.io(format!("listing {dir}"), e)),
        }
    }

    /// Size of a remote file, `None` when missing.
    pub fn size(&self, path: &str) -> Result<Option<u64>, SshError> {
        match self.sftp.stat(Path::new(path)) {
            Ok(st) => Ok(st.size),
            Err(e) if e.code() == ssh2::ErrorCode::SFTP(2) => Ok(None),
            Err(e) => Err(self.io(format!("stat {path}"), e)),
        }
    }

    /// Copies `remote` to `local`, resuming after what `local` already holds; `progress` gets
    /// each block's length.
    pub fn download(&self, remote: &str, local: &Path, progress: &dyn Fn(u64)) -> Result<u64, SshError> {
        use std::os::unix::fs::OpenOptionsExt;
        let mut out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(local)
            .map_err(|e| self.io(format!("writing {}", local.display()), e))?;
        let have = out.metadata().map(|m| m.len()).unwrap_or(0);
        let mut src = self.sftp.open(Path::new(remote)).map_err(|e| self.io(format!("opening {remote}"), e))?;
        src.seek(SeekFrom::Start(have)).map_err(|e| self.io(format!("seeking {remote}"), e))?;
        progress(have);
        let mut buf = vec![0u8; 256 * 1024];
        let mut total = have;
        loop {
            let n = src.read(&mut buf).map_err(|e| self.io(format!("reading {remote}"), e))?;
            if n == 0 {
                break;
            }
            out.write_all(&buf[..n]).map_err(|e| self.io(format!("writing {}", local.display()), e))?;
            total += n as u64;
            progress(n as u64);
        }
        out.sync_all().map_err(|e| self.io(format!("writing {}", local.display()), e))?;
        Ok(total)
    }

    /// Uploads `local` (whose SHA-256 is `sha256`) as `dir/name` through
    /// `dir/name.SHA16.part`, resumed when that very content was partly sent before, checks the
    /// size, then renames it: the final name only ever shows a whole file. `reuse_final`: a
    /// file of the same size already under the final name is this content (an interrupted run
    /// of the same delivery), so it is kept.
    pub fn upload(
        &self,
        local: &Path,
        dir: &str,
        name: &str,
        sha256: &str,
        reuse_final: bool,
    ) -> Result<u64, SshError> {
        let len = std::fs::metadata(local).map_err(|e| self.io(format!("reading {}", local.display()), e))?.len();
        let dir = dir.trim_end_matches('/');
        let final_path = format!("{dir}/{name}");
        if reuse_final && self.size(&final_path)? == Some(len) {
            return Ok(len);
        }
        let part = format!("{final_path}.{}.part", &sha256[..sha256.len().min(16)]);
        let have = self.size(&part)?.filter(|&n| n <= len).unwrap_or(0);
        let mut dst = self
            .sftp
            .open_mode(Path::new(&part), OpenFlags::WRITE | OpenFlags::CREATE, 0o640, OpenType::File)
            .map_err(|e| self.io(format!("creating {part}"), e))?;
        dst.seek(SeekFrom::Start(have)).map_err(|e| self.io(format!("seeking {part}"), e))?;
        let mut src = std::fs::File::open(local).map_err(|e| self.io(format!("reading {}", local.display()), e))?;
        src.seek(SeekFrom::Start(have)).map_err(|e| self.io(format!("reading {}", local.display()), e))?;
        std::io::copy(&mut src, &mut dst).map_err(|e| self.io(format!("writing {part}"), e))?;
        drop(dst);
        let got = self.size(&part)?.unwrap_or(0);
        if got != len {
            let _ = self.sftp.unlink(Path::new(&part));
            return Err(self.io(format!("checking {part}"), format!("{got} bytes on the server, {len} sent")));
        }
        // The server's rename does not replace: the old file goes just before.
        let _ = self.sftp.unlink(Path::new(&final_path));
        self.sftp
            .rename(Path::new(&part), Path::new(&final_path), Some(RenameFlags::ATOMIC | RenameFlags::NATIVE))
            .map_err(|e| self.io(format!("renaming {part}"), e))?;
        // Leftovers of other contents of this name (an interrupted earlier delivery).
        for (other, _) in self.list(dir).unwrap_or_default() {
            if other.starts_with(&format!("{name}.")) && other.ends_with(".part") {
                let _ = self.sftp.unlink(Path::new(&format!("{dir}/{other}")));
            }
        }
        Ok(len)
    }

    /// Creates `dir` when missing (one level).
    pub fn ensure_dir(&self, dir: &str) -> Result<(), SshError> {
        if self.sftp.stat(Path::new(dir)).is_ok() {
            return Ok(());
        }
        self.sftp.mkdir(Path::new(dir), 0o750).map_err(|e| self.io(format!("creating {dir}"), e))
    }
}

/// Expands `~/` in a key path from an account.
pub fn key_path(raw: &str) -> PathBuf {
    match (raw.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(raw),
    }
}
