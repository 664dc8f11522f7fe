//! Real servers for the log tests: OpenSSH's `sshd` (SFTP through `internal-sftp`) and
//! aiosmtpd (SMTP, each message a file), on loopback ports, with temporary configurations.
//! Both are stopped when dropped.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::fleet::free_port;

/// An `sshd` accepting one key for the current user.
pub struct Sshd {
    child: Child,
    pub port: u16,
    /// The client key (0600) and the server's public key line (`TYPE BASE64`).
    pub client_key: PathBuf,
    pub host_key_line: String,
    pub user: String,
}

fn keygen(path: &Path) {
    let st = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .stdout(Stdio::null())
        .status()
        .expect("ssh-keygen");
    assert!(st.success(), "ssh-keygen failed");
}

fn wait_port(port: u16, what: &str) {
    for _ in 0..3000 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{what} did not start on port {port}");
}

impl Sshd {
    pub fn start(dir: &Path) -> Sshd {
        std::fs::create_dir_all(dir).expect("dir");
        // sshd's privilege separation wants this folder (the package makes it at boot).
        let _ = std::fs::create_dir_all("/run/sshd");
        let host_key = dir.join("host_key");
        let client_key = dir.join("client_key");
        keygen(&host_key);
        keygen(&client_key);
        let auth = dir.join("authorized_keys");
        std::fs::copy(dir.join("client_key.pub"), &auth).expect("authorized_keys");
        let user = String::from_utf8(Command::new("id").arg("-un").output().expect("id").stdout)
            .expect("utf8")
            .trim()
            .to_owned();
        let port = free_port();
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\nAuthorizedKeysFile {}\n\
                 StrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
                 PubkeyAuthentication yes\nPermitRootLogin prohibit-password\nAllowUsers {user}\n\
                 Subsystem sftp internal-sftp\nLogLevel ERROR\n",
                host_key.display(),
                dir.join("sshd.pid").display(),
                auth.display()
            ),
        )
        .expect("sshd_config");
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stderr(Stdio::null())
            .spawn()
            .expect("start /usr/sbin/sshd (openssh-server)");
        wait_port(port, "sshd");
        let pubkey = std::fs::read_to_string(dir.join("host_key.pub")).expect("host key");
        let host_key_line = pubkey.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
        Sshd { child, port, client_key, host_key_line, user }
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// aiosmtpd writing each message received to a Maildir.
pub struct Smtp {
    child: Option<Child>,
    pub port: u16,
    pub maildir: PathBuf,
}

impl Smtp {
    pub fn start(maildir: &Path, port: u16) -> Smtp {
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd (python3-aiosmtpd)");
        wait_port(port, "aiosmtpd");
        Smtp { child: Some(child), port, maildir: maildir.to_path_buf() }
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The messages received so far, as text.
    pub fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(rd) = std::fs::read_dir(self.maildir.join(sub)) {
                for e in rd.flatten() {
                    out.push(std::fs::read_to_string(e.path()).unwrap_or_default());
                }
            }
        }
        out
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        self.stop();
    }
}
