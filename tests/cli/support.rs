//! The test harness: a temporary home, a store path in it, and `amoe` runs with a clean
//! environment (no `AMOE_*`, no user configuration).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const AMOE: &str = env!("CARGO_BIN_EXE_amoe");

/// A valid SIRET (INSEE) and another one.
pub const SIRET: &str = "12000101100010";
pub const SIRET2: &str = "73282932000074";

#[derive(Debug)]
pub struct Env {
    pub dir: tempfile::TempDir,
    pub store: PathBuf,
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

impl Env {
    /// A new home with an initialised store.
    pub fn new() -> Env {
        let env = Env::bare();
        env.ok(&["init"]);
        env
    }

    /// Writes `~/.config/amoe/config.toml` with `[mail]` sending through an SMTP server on
    /// loopback `port` (no TLS).
    pub fn mail_config(&self, port: u16) {
        self.config(&Env::mail_table(port));
    }

    /// The `[mail]` table of [`Env::mail_config`].
    pub fn mail_table(port: u16) -> String {
        format!(
            "[mail]\nserver = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nsender = \"cdn@contractor.example\"\n"
        )
    }

    /// Writes `~/.config/amoe/config.toml`.
    pub fn config(&self, text: &str) {
        let dir = self.path(".config/amoe");
        std::fs::create_dir_all(&dir).expect("config dir");
        std::fs::write(dir.join("config.toml"), text).expect("config");
    }

    /// A W3C file of the agents' shape in the archive (`~/archive`), and its row, for `site`
    /// on `day` from host pop1: one line per (path, seconds taken, cache word), status 200,
    /// 1,000 bytes, each from its own address.
    pub fn archive_w3c(&self, site: &str, day: &str, lines: &[(&str, &str, &str)]) {
        use std::io::Write;
        let dir = self.path("archive").join(site).join(day).join("pop1");
        std::fs::create_dir_all(&dir).expect("dir");
        let mut text = String::from(
            "#Version: 1.0\n#Fields: date time c-ip cs-method cs-uri-stem cs-uri-query sc-status sc-bytes time-taken cs(Host) cs(User-Agent) cs(Referer) x-cache\n",
        );
        for (i, (path, secs, cache)) in lines.iter().enumerate() {
            text.push_str(&format!(
                "{day} 10:00:{:02} 192.0.2.{} GET {path} - 200 1000 {secs} \"www.example.fr\" \"UA\" \"-\" {cache}\n",
                i % 60,
                i + 1
            ));
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text.as_bytes()).expect("gz");
        let bytes = gz.finish().expect("gz");
        std::fs::write(dir.join(format!("{site}-{day}.w3c.log.gz")), &bytes).expect("write");
        self.sqlite()
            .execute(
                "INSERT INTO log_archive (site, host, day, format, size, sha256, lines, collected_at) VALUES (?1, 'pop1', ?2, 'w3c', ?3, 'x', ?4, '2026-11-27T00:00:00.000Z')",
                rusqlite::params![site, day, bytes.len() as i64, lines.len() as i64 + 2],
            )
            .expect("row");
    }

    /// A new home, no store yet.
    pub fn bare() -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = dir.path().join("amoe.db");
        Env { dir, store }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `amoe --store STORE ARGS` in a clean environment.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(AMOE);
        clean(&mut cmd, self.dir.path());
        cmd.arg("--store").arg(&self.store).args(args).stdin(Stdio::null());
        cmd
    }

    /// `amoe --store STORE ARGS` for another store than the environment's.
    pub fn run_at(&self, store: &Path, args: &[&str]) -> Run {
        let mut cmd = Command::new(AMOE);
        clean(&mut cmd, self.dir.path());
        cmd.arg("--store").arg(store).args(args).stdin(Stdio::null());
        Run::from(cmd.output().expect("run amoe"))
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd(args).output().expect("run amoe"))
    }

    /// Runs and asserts exit 0.
    pub fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_eq!(r.code, 0, "amoe {args:?} failed:\n{}{}", r.stdout, r.stderr);
        r
    }

    /// Runs and asserts the exit code and that stderr starts with `error:`.
    pub fn fails(&self, code: i32, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_eq!(r.code, code, "amoe {args:?}: expected exit {code}:\n{}{}", r.stdout, r.stderr);
        assert!(r.stderr.starts_with("error: "), "stderr of {args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        r
    }

    /// A beneficiary, two hosts and a site.
    pub fn seed(&self) {
        self.ok(&["beneficiary", "add", "--siret", SIRET, "--name", "INSEE", "--lot", "9", "--email", "dsi@insee.fr"]);
        self.ok(&["host", "add", "pop1", "--address", "127.0.0.1:7443", "--location", "Paris"]);
        self.ok(&["host", "add", "pop2", "--address", "[::1]:7444"]);
        self.ok(&[
            "site",
            "add",
            "www",
            "--domain",
            "www.example.fr",
            "--domain",
            "example.fr",
            "--beneficiary",
            SIRET,
            "--origin",
            "https://origin.example.fr",
            "--host",
            "pop1",
        ]);
    }

    /// Opens the store file directly, as someone tampering with it would.
    pub fn sqlite(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.store).expect("open store")
    }
}

/// Removes the `AMOE_*` variables and points HOME and XDG at `home`.
pub fn clean(cmd: &mut Command, home: &Path) {
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("AMOE_") || k == "NO_COLOR" {
            cmd.env_remove(k);
        }
    }
    cmd.env("HOME", home).env_remove("XDG_CONFIG_HOME").env_remove("XDG_DATA_HOME").env("USER", "tester");
}

/// Sheet `n` (from 1) of a spreadsheet as LibreOffice reads it, converted to CSV.
pub fn libreoffice_sheet(env: &Env, file: &Path, n: usize) -> Vec<Vec<String>> {
    let out = env.path(&format!("lo-{n}-{}", file.file_name().and_then(|e| e.to_str()).unwrap_or("x")));
    std::fs::create_dir_all(&out).expect("dir");
    let profile = format!("file://{}", env.path("lo-profile").display());
    let st = Command::new("libreoffice")
        .arg(format!("-env:UserInstallation={profile}"))
        .args(["--headless", "--convert-to"])
        .arg(format!("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,{n}"))
        .arg("--outdir")
        .arg(&out)
        .arg(file)
        .env("HOME", env.path(""))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run libreoffice (scripts/test.sh installs libreoffice-calc-nogui)");
    assert!(st.success(), "libreoffice could not open {}", file.display());
    let csv_path = std::fs::read_dir(&out).expect("out").next().expect("one csv").expect("entry").path();
    let text = std::fs::read_to_string(&csv_path).expect("converted csv");
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    r.records().map(|rec| rec.expect("csv row").iter().map(str::to_owned).collect()).collect()
}
