//! The test harness: a temporary home, a store path in it, and `amoe` runs with a clean
//! environment (no `AMOE_*`, no user configuration).
//!
//! With `AMOE_TEST_BACKEND=postgres` (and `AMOE_TEST_PG`, the throwaway cluster of
//! `scripts/test.sh`), [`Env::new`] gives each test a new PostgreSQL database instead of a
//! file, so that the same tests run against both backends. Tests that tamper with the SQLite
//! file itself ([`Env::sqlite`]) run on SQLite only.

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
    /// A new home with an initialised store (a new PostgreSQL database when the tests run on
    /// that backend).
    pub fn new() -> Env {
        let mut env = Env::bare();
        if let Some(server) = pg_server() {
            env.store = new_database(&server, "env");
        }
        env.ok(&["init"]);
        env
    }

    /// True when the store is a PostgreSQL database.
    pub fn is_pg(&self) -> bool {
        amoe_store::is_url(&self.store)
    }

    /// Runs SQL statements on the store, whichever backend (fixtures).
    pub fn execute(&self, sql: &str) {
        if self.is_pg() {
            let url = self.store.to_str().expect("utf8").replace("postgres://", "postgresql://");
            let out = Command::new("psql").arg(url).args(["-v", "ON_ERROR_STOP=1", "-qc", sql]).output().expect("psql");
            assert!(out.status.success(), "psql: {}", String::from_utf8_lossy(&out.stderr));
        } else {
            self.sqlite().execute_batch(sql).expect("sql");
        }
    }

    /// The first column of the first row of a query, as text, whichever backend.
    pub fn query(&self, sql: &str) -> String {
        if self.is_pg() {
            let url = self.store.to_str().expect("utf8").replace("postgres://", "postgresql://");
            let out =
                Command::new("psql").arg(url).args(["-v", "ON_ERROR_STOP=1", "-tAqc", sql]).output().expect("psql");
            assert!(out.status.success(), "psql: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or_default().to_owned()
        } else {
            self.sqlite()
                .query_row(sql, [], |r| {
                    Ok(match r.get_ref(0)? {
                        rusqlite::types::ValueRef::Null => String::new(),
                        rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                        rusqlite::types::ValueRef::Real(x) => x.to_string(),
                        rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                            String::from_utf8_lossy(t).into_owned()
                        }
                    })
                })
                .expect("query")
        }
    }

    /// Where the store's files are (attachments, the extranet's key), as the store file's path
    /// would be: the file itself, or `~/.local/share/amoe/store` for a PostgreSQL store.
    pub fn files_anchor(&self) -> PathBuf {
        if self.is_pg() { self.dir.path().join(".local/share/amoe/store") } else { self.store.clone() }
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
        // Names and days of the tests' own making: plain words, safe in a literal.
        assert!(site.chars().chain(day.chars()).all(|c| c.is_ascii_alphanumeric() || c == '-'));
        self.execute(&format!(
            "INSERT INTO log_archive (site, host, day, format, size, sha256, lines, collected_at) VALUES ('{site}', 'pop1', '{day}', 'w3c', {}, 'x', {}, '2026-11-27T00:00:00.000Z')",
            bytes.len(),
            lines.len() + 2
        ));
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

    /// Opens the store's database directly, as someone tampering with it would, whichever
    /// backend (portable SQL with `?N` placeholders).
    pub fn db(&self) -> amoe_store::db::Conn {
        amoe_store::db::Conn::open(&self.store).expect("open store")
    }

    /// Opens the store file directly, as someone tampering with it would (SQLite's own
    /// features: pragmas, triggers).
    pub fn sqlite(&self) -> rusqlite::Connection {
        assert!(!self.is_pg(), "this test reads the SQLite file itself: it runs on SQLite only (see `pg_pass`)");
        rusqlite::Connection::open(&self.store).expect("open store")
    }
}

impl Drop for Env {
    /// A test's PostgreSQL database goes with it (a file store goes with its directory).
    fn drop(&mut self) {
        if self.is_pg() {
            let _ = amoe_store::db::pg::drop_database(self.store.to_str().unwrap_or_default());
        }
    }
}

/// The PostgreSQL server tests put their stores on, when `AMOE_TEST_BACKEND=postgres`.
/// The test cluster's URL (its `postgres` database): `AMOE_TEST_PG`, set by `scripts/test.sh`.
/// `None` outside CI without a cluster; in CI, a missing cluster fails the test.
pub fn pg_cluster() -> Option<String> {
    match std::env::var("AMOE_TEST_PG") {
        Ok(url) => Some(url),
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI runs the PostgreSQL tests: scripts/test.sh sets AMOE_TEST_PG"
            );
            eprintln!("AMOE_TEST_PG is not set: PostgreSQL tests skipped (scripts/pg-cluster.sh starts a cluster)");
            None
        }
    }
}

/// A new empty database on the cluster `server`, as a store URL (dropped with its [`Env`]
/// when it is one's store).
pub fn new_database(server: &str, name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let db = format!("t{}_{}_{name}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    PathBuf::from(amoe_store::db::pg::create_database(server, &db).expect("create database"))
}

fn pg_server() -> Option<String> {
    (std::env::var("AMOE_TEST_BACKEND").as_deref() == Ok("postgres"))
        .then(|| std::env::var("AMOE_TEST_PG").expect("AMOE_TEST_BACKEND=postgres needs AMOE_TEST_PG"))
}

/// True when this run puts stores on PostgreSQL: a test that checks the SQLite file itself
/// returns early (it ran on SQLite in the other pass).
pub fn pg_pass() -> bool {
    pg_server().is_some()
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
