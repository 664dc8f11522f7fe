//! Fleet commands against three real `amoe-agent` processes on loopback: push, flush, a host
//! stopped (exit 3, the flush waits in the outbox), restarted (`amoe outbox run` delivers it),
//! nothing lost and nothing applied twice; roles enforced by the agents.

use crate::support::{Env, Run, SIRET, clean};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn agent_binary() -> PathBuf {
    let p = Path::new(crate::support::AMOE).with_file_name("amoe-agent");
    assert!(p.exists(), "{} is missing: run the whole workspace's tests (`cargo test --workspace`)", p.display());
    p
}

/// A port free now, for an agent to bind a moment later. Taken below the kernel's ephemeral
/// range (32768 and up), which outgoing connections draw from: a port the system hands out
/// (`bind` to 0) could be taken by another test's client connection before the agent binds it.
pub(crate) fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let start = std::process::id().wrapping_mul(97);
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = 20_000 + (start.wrapping_add(n) % 12_000) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// An origin answering every request with `503`, and the request lines it saw.
fn failing_origin() -> (SocketAddr, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let log = log.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let n = s.read(&mut buf).unwrap_or(0);
                let line = String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or("").to_string();
                log.lock().expect("log").push(line);
                let _ = s.write_all(
                    b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\nconnection: close\r\n\r\ndown",
                );
            });
        }
    });
    (addr, seen)
}

/// An origin answering every request with a cacheable `ok`.
fn origin() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncache-control: max-age=600\r\nconnection: close\r\n\r\nok");
            });
        }
    });
    addr
}

/// A GET through an agent's proxy; returns the `x-cache` value.
pub(crate) fn get(proxy: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", proxy)).expect("connect proxy");
    s.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    write!(s, "GET {path} HTTP/1.1\r\nHost: www.example.test\r\nConnection: close\r\n\r\n").expect("write");
    let mut text = String::new();
    let _ = s.read_to_string(&mut text);
    text.lines().find_map(|l| l.strip_prefix("x-cache: ")).unwrap_or("").trim().to_string()
}

pub(crate) struct Agent {
    child: Option<Child>,
    pub(crate) config: PathBuf,
    pub(crate) state: PathBuf,
    control: u16,
    pub(crate) proxy: u16,
    /// The HTTPS listener (0 when none).
    pub(crate) tls: u16,
    /// The admin listener (metrics; 0 when none).
    admin: u16,
    /// Run inside this network namespace, reached at this address.
    netns: Option<(String, String)>,
}

impl Agent {
    pub(crate) fn in_netns(ns: &str, config: PathBuf, state: PathBuf, address: String) -> Agent {
        Agent {
            child: None,
            config,
            state,
            control: 0,
            proxy: 0,
            tls: 0,
            admin: 0,
            netns: Some((ns.to_string(), address)),
        }
    }

    fn spawn(&mut self, log: &Path) {
        let mut cmd = match &self.netns {
            Some((ns, _)) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns]).arg(agent_binary());
                c
            }
            None => Command::new(agent_binary()),
        };
        let err_file = std::fs::File::create(log).expect("agent stderr file");
        let child = cmd.arg("--config").arg(&self.config).stderr(Stdio::from(err_file)).spawn().expect("spawn agent");
        self.child = Some(child);
    }

    pub(crate) fn start(&mut self) {
        let log = self.config.with_extension("stderr");
        self.spawn(&log);
        // Up to 30 s: a loaded CI machine starts processes slowly. A port still held by a
        // connection of the moment (ports are shared with every client on the machine) is
        // waited for; any other exit is reported at once with what the agent said.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while std::time::Instant::now() < deadline {
            if let Some(c) = self.child.as_mut()
                && let Ok(Some(status)) = c.try_wait()
            {
                let err = std::fs::read_to_string(&log).unwrap_or_default();
                if err.contains("Address already in use") {
                    std::thread::sleep(Duration::from_millis(200));
                    self.spawn(&log);
                    continue;
                }
                panic!("the agent exited ({status}) before listening: {err}");
            }
            let up = match &self.netns {
                Some((_, address)) => {
                    TcpStream::connect_timeout(&address.parse().expect("address"), Duration::from_millis(200)).is_ok()
                }
                None => {
                    TcpStream::connect(("127.0.0.1", self.control)).is_ok()
                        && TcpStream::connect(("127.0.0.1", self.proxy)).is_ok()
                }
            };
            if up {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("agent did not start");
    }

    pub(crate) fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(c.id().to_string()).status();
            let _ = c.wait();
        }
    }

    /// The control journal's complete lines.
    pub(crate) fn journal(&self) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(self.state.join("control-journal.jsonl")).unwrap_or_default();
        let complete = &text[..text.rfind('\n').map_or(0, |i| i + 1)];
        complete.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }

    /// The flush ids this agent applied (its idempotency record).
    pub(crate) fn applied(&self) -> Vec<String> {
        std::fs::read_to_string(self.state.join("applied-flushes.jsonl"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["key"].as_str().map(str::to_string))
            .collect()
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub(crate) struct Fleet {
    pub(crate) env: Env,
    certs: PathBuf,
    pub(crate) agents: Vec<Agent>,
}

impl Fleet {
    /// `amoe` with the CA and the operator's (or `who`'s) certificate.
    pub(crate) fn run_as(&self, who: &str, args: &[&str]) -> Run {
        self.run_full(who, args, &[])
    }

    /// `amoe` as the operator with extra environment variables.
    pub(crate) fn run_env(&self, args: &[&str], vars: &[(&str, &str)]) -> Run {
        self.run_full("op", args, vars)
    }

    /// Tables unless the test asks for `-o` (whatever the user's environment says): the tests
    /// read the sentences.
    fn run_full(&self, who: &str, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let mut cmd = self.cmd(who, args);
        if !args.iter().any(|a| *a == "-o" || *a == "--output") && !vars.iter().any(|(k, _)| *k == "AMOE_OUTPUT") {
            cmd.env("AMOE_OUTPUT", "table");
        }
        let out = cmd.envs(vars.iter().copied()).output().expect("run amoe");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub(crate) fn run(&self, args: &[&str]) -> Run {
        self.run_as("op", args)
    }

    /// The command `amoe ARGS` with the CA and `who`'s client certificate, not yet run.
    pub(crate) fn cmd(&self, who: &str, args: &[&str]) -> Command {
        let mut cmd = self.env.cmd(args);
        clean(&mut cmd, self.env.dir.path());
        cmd.env("AMOE_CA_DIR", self.env.path("ca"))
            .env("AMOE_CLIENT_CERT", self.certs.join(format!("{who}.pem")))
            .env("AMOE_CLIENT_KEY", self.certs.join(format!("{who}.key")));
        cmd
    }

    /// A mutual-TLS connection to agent `i`'s control API as `who`.
    fn tls_to(
        &self,
        i: usize,
        who: &str,
        timeout: Duration,
    ) -> rustls::StreamOwned<rustls::ClientConnection, TcpStream> {
        use rustls_pki_types::pem::PemObject;
        use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from_pem_file(self.env.path("ca").join("ca.pem")).expect("ca")).expect("root");
        let cert = CertificateDer::from_pem_file(self.certs.join(format!("{who}.pem"))).expect("cert");
        let key = PrivateKeyDer::from_pem_file(self.certs.join(format!("{who}.key"))).expect("key");
        let config =
            rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("versions")
                .with_root_certificates(roots)
                .with_client_auth_cert(vec![cert], key)
                .expect("client auth");
        let name = ServerName::try_from("127.0.0.1").expect("name");
        let conn = rustls::ClientConnection::new(std::sync::Arc::new(config), name).expect("conn");
        let tcp = TcpStream::connect(("127.0.0.1", self.agents[i].control)).expect("connect");
        tcp.set_read_timeout(Some(timeout)).expect("timeout");
        rustls::StreamOwned::new(conn, tcp)
    }

    /// Whether agent `i` refuses a TLS session with `who`'s certificate (a request is sent: with
    /// TLS 1.3 the refusal comes with the first read).
    fn handshake_refused(&self, i: usize, who: &str) -> bool {
        let mut tls = self.tls_to(i, who, Duration::from_secs(5));
        if tls.write_all(b"GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").is_err() {
            return true;
        }
        let mut answer = Vec::new();
        let _ = tls.read_to_end(&mut answer);
        !answer.starts_with(b"HTTP/1.1 200")
    }

    /// One raw call to agent `i`'s control API as `who` (mutual TLS): the status line's code and
    /// the whole answer as text.
    pub(crate) fn raw_call(&self, i: usize, who: &str, head: &str, body: &[u8]) -> (u16, String) {
        let mut tls = self.tls_to(i, who, Duration::from_secs(10));
        tls.write_all(head.as_bytes()).expect("head");
        tls.write_all(body).expect("body");
        let mut answer = Vec::new();
        let _ = tls.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer).into_owned();
        (text.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0), text)
    }

    pub(crate) fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_eq!(r.code, 0, "amoe {args:?}:\n{}{}", r.stdout, r.stderr);
        r
    }

    /// Adds host `pop{i}`, enrolls it and starts its agent with the bundle; returns its name.
    pub(crate) fn add_host(&mut self, i: usize) -> String {
        self.add_host_listening(i, None)
    }

    /// [`Fleet::add_host`] with one more plain-HTTP listener (e.g. `127.0.0.2:PORT`).
    pub(crate) fn add_host_listening(&mut self, i: usize, extra: Option<String>) -> String {
        let (control, proxy, admin, tls) = (free_port(), free_port(), free_port(), free_port());
        let extra = extra.map(|e| format!(", {e:?}")).unwrap_or_default();
        let name = format!("pop{i}");
        self.ok(&["host", "add", &name, "--address", &format!("127.0.0.1:{control}")]);
        let bundle = self.env.path(&format!("bundle-{i}"));
        self.ok(&["host", "enroll", &name, "--out", bundle.to_str().expect("utf8")]);
        let state = self.env.path(&format!("state-{i}"));
        let config = self.env.path(&format!("agent-{i}.toml"));
        let logs = state.join("logs");
        std::fs::write(
            &config,
            format!(
                "state_dir = {state:?}\n[proxy]\nlog_dir = {logs:?}\nlisten = [\"127.0.0.1:{proxy}\"{extra}]\ntls_listen = [\"127.0.0.1:{tls}\"]\n[control]\nlisten = \"127.0.0.1:{control}\"\nca = {:?}\ncert = {:?}\nkey = {:?}\ncrl = {:?}\n[admin]\nlisten = \"127.0.0.1:{admin}\"\n",
                bundle.join("ca.pem"),
                bundle.join("server.pem"),
                bundle.join("server.key"),
                bundle.join("crl.pem")
            ),
        )
        .expect("write config");
        let mut agent = Agent { child: None, config, state, control, proxy, tls, admin, netns: None };
        agent.start();
        self.agents.push(agent);
        name
    }

    pub(crate) fn new(n: usize) -> Fleet {
        Fleet::new_listening(n, &|_| None)
    }

    /// [`Fleet::new`] with one more plain-HTTP listener per host, as `extra(i)` says.
    pub(crate) fn new_listening(n: usize, extra: &dyn Fn(usize) -> Option<String>) -> Fleet {
        let env = Env::new();
        let certs = env.path("certs");
        let mut fleet = Fleet { env, certs: certs.clone(), agents: Vec::new() };
        fleet.ok(&["ca", "init"]);
        fleet.ok(&["ca", "issue", "op", "--role", "operator", "--out", certs.to_str().expect("utf8")]);
        fleet.ok(&["ca", "issue", "pipeline", "--role", "ci", "--out", certs.to_str().expect("utf8")]);
        fleet.ok(&["beneficiary", "add", "--siret", SIRET, "--name", "B", "--lot", "9"]);
        let origin = origin();
        let hosts: Vec<String> = (0..n).map(|i| fleet.add_host_listening(i, extra(i))).collect();
        let mut args = vec!["site", "add", "www", "--domain", "www.example.test", "--beneficiary", SIRET];
        let origin_url = format!("http://{origin}");
        args.extend(["--origin", &origin_url]);
        for h in &hosts {
            args.extend(["--host", h.as_str()]);
        }
        fleet.ok(&args);
        fleet
    }
}

#[test]
fn flush_reaches_every_host_and_waits_in_the_outbox_for_a_stopped_one() {
    let mut fleet = Fleet::new(3);
    let r = fleet.ok(&["site", "push", "www", "-o", "json"]);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(report["hosts"].as_array().map(|h| h.iter().filter(|h| h["ok"] == true).count()), Some(3), "{report}");

    for a in &fleet.agents {
        assert_eq!(get(a.proxy, "/a"), "MISS");
        assert_eq!(get(a.proxy, "/a"), "HIT");
    }
    let r = fleet.ok(&["flush", "www", "--url", "/a", "--timing"]);
    assert!(r.stdout.contains("3 of 3 hosts confirmed") && r.stdout.contains("timing: "), "{}", r.stdout);
    for a in &fleet.agents {
        assert_eq!(get(a.proxy, "/a"), "MISS", "flushed on every host");
    }

    // One host down: exit 3, its flush waits in the outbox.
    fleet.agents[2].stop();
    let r = fleet.run(&["flush", "www", "--all", "-o", "json"]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let failed: Vec<&serde_json::Value> =
        report["hosts"].as_array().expect("hosts").iter().filter(|h| h["ok"] == false).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["host"], "pop2");
    let owed: serde_json::Value =
        serde_json::from_str(&fleet.ok(&["outbox", "list", "-o", "json"]).stdout).expect("json");
    assert_eq!(owed.as_array().map(Vec::len), Some(1));
    assert_eq!(owed[0]["host"], "pop2");
    assert_eq!(owed[0]["kind"], "flush");
    assert_eq!(owed[0]["attempts"], 1);

    // Back: the outbox delivers, once, when the backoff allows it.
    fleet.agents[2].start();
    let due: jiff::Timestamp = owed[0]["next_attempt_at"].as_str().expect("time").parse().expect("timestamp");
    let wait = due.duration_since(jiff::Timestamp::now());
    if wait.is_positive() {
        std::thread::sleep(Duration::from_millis(wait.as_millis() as u64 + 50));
    }
    let r = fleet.ok(&["outbox", "run"]);
    assert!(r.stdout.contains("1 of 1 hosts confirmed"), "{}", r.stdout);
    assert_eq!(fleet.ok(&["outbox", "list", "-o", "json"]).stdout.trim(), "[]");
    let r = fleet.ok(&["outbox", "run"]);
    assert!(r.stdout.contains("nothing owed"), "{}", r.stdout);
    for a in &fleet.agents {
        let applied = a.applied();
        let mut unique = applied.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(applied.len(), 2, "two flushes applied on every host: {applied:?}");
        assert_eq!(unique.len(), applied.len(), "nothing applied twice");
    }
    // The journal holds the operations.
    let audit = fleet.ok(&["audit", "list", "--target", "site:www", "-o", "json"]).stdout;
    assert!(audit.contains("\"flush\"") && audit.contains("\"site push\""), "{audit}");

    // A host taken off the site stops serving it at once; the others get the new configuration.
    assert!(fleet.agents[2].state.join("sites/www.json").exists());
    let r = fleet.ok(&["site", "update", "www", "--remove-host", "pop2", "--add-domain", "m.example.test"]);
    assert!(r.stderr.contains("3 of 3 hosts confirmed"), "{}", r.stderr);
    assert_eq!(fleet.ok(&["outbox", "list", "-o", "json"]).stdout.trim(), "[]");
    assert!(!fleet.agents[2].state.join("sites/www.json").exists(), "the agent no longer serves the site");
    let served = std::fs::read_to_string(fleet.agents[0].state.join("sites/www.json")).expect("site");
    assert!(served.contains("m.example.test"), "the new domain is served without another command: {served}");
    // `--no-push` stages; `host status --pending` shows what each host owes.
    fleet.ok(&["site", "update", "www", "--remove-domain", "m.example.test", "--no-push"]);
    let pending = fleet.ok(&["host", "status", "--pending", "-o", "json"]).json();
    let pop0 = pending.as_array().expect("rows").iter().find(|r| r["host"] == "pop0").expect("pop0");
    assert_eq!(pop0["owed"], 1, "{pending}");
    fleet.ok(&["outbox", "run", "--all"]);
    let served = std::fs::read_to_string(fleet.agents[0].state.join("sites/www.json")).expect("site");
    assert!(!served.contains("m.example.test"), "{served}");
    // The audit records the outcome per host.
    let audit = fleet.ok(&["audit", "list", "--target", "site:www", "-o", "json"]).stdout;
    assert!(audit.contains("site update delivery") && audit.contains("ok: 3 of 3 hosts confirmed"), "{audit}");
    // A removed site stops being served at once, without another command.
    assert_eq!(http(fleet.agents[0].proxy, "GET", "/gone", b"").0, 200);
    let r = fleet.ok(&["site", "remove", "www", "--yes"]);
    assert!(r.stderr.contains("2 of 2 hosts confirmed"), "{}", r.stderr);
    for a in &fleet.agents {
        assert!(!a.state.join("sites/www.json").exists(), "the agent no longer keeps the site");
        assert_eq!(http(a.proxy, "GET", "/gone", b"").0, 404, "the site is no longer served");
    }
}

#[test]
fn a_ci_certificate_may_flush_but_not_push() {
    let fleet = Fleet::new(1);
    fleet.ok(&["site", "push", "www"]);
    let r = fleet.run_as("pipeline", &["flush", "www", "--all"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // Refused before anything is changed or queued: an operator's later run cannot deliver it.
    let r = fleet.run_as("pipeline", &["site", "deactivate", "www", "-o", "json"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("may not") && r.stderr.contains("operator certificate"), "{}", r.stderr);
    assert_eq!(fleet.ok(&["outbox", "list", "-o", "json"]).stdout.trim(), "[]");
    let site = fleet.ok(&["site", "show", "www", "-o", "json"]).json();
    assert_eq!(site["active"], true, "{site}");
    let r = fleet.ok(&["outbox", "run", "--all"]);
    assert!(r.stdout.contains("nothing owed"), "{}", r.stdout);
    assert!(fleet.agents[0].journal().iter().all(|l| l["client"] != "pipeline" || l["method"] == "POST"));
    // Revoked: the list reaches the agent, which then refuses the certificate.
    let r = fleet.ok(&["ca", "revoke", "pipeline"]);
    assert!(r.stdout.contains("1 of 1 hosts confirmed"), "{}", r.stdout);
    // The CLI itself refuses to act as a revoked certificate (it queues nothing), and the
    // agent refuses its handshake.
    let r = fleet.run_as("pipeline", &["flush", "www", "--all"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("revoked"), "{}", r.stderr);
    assert_eq!(fleet.ok(&["outbox", "list", "-o", "json"]).stdout.trim(), "[]");
    assert!(fleet.handshake_refused(0, "pipeline"), "the agent refuses the revoked certificate");
    assert!(!fleet.handshake_refused(0, "op"));
    // The list issued again (before it expires) still revokes, and reaches the host.
    let r = fleet.ok(&["ca", "crl"]);
    // (List 1 came with the enrolment bundle, list 2 with the revocation.)
    assert!(r.stdout.contains("revocation list 3") && r.stdout.contains("1 of 1 hosts confirmed"), "{}", r.stdout);
    assert_eq!(fleet.run_as("pipeline", &["flush", "www", "--all"]).code, 1);
    fleet.ok(&["flush", "www", "--all"]);
}

#[test]
fn rules_are_validated_locally_and_explained() {
    let fleet = Fleet::new(1);
    let bad = fleet.env.path("bad.toml");
    std::fs::write(&bad, "[default]\nttl = \"1h\"\n\n[[directory]]\npath = \"static\"\n").expect("write");
    let r = fleet.run(&["site", "rules", "www", "--file", bad.to_str().expect("utf8")]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("line 4") || r.stderr.contains("line 5"), "{}", r.stderr);
    let good = fleet.env.path("good.toml");
    std::fs::write(&good, "[default]\nttl = \"1h\"\n\n[[directory]]\npath = \"/static/\"\nttl = \"30d\"\n")
        .expect("write");
    let r = fleet.ok(&["site", "rules", "www", "--file", good.to_str().expect("utf8")]);
    assert!(r.stdout.contains("1 of 1 hosts confirmed"), "{}", r.stdout);
    let r = fleet.ok(&["site", "explain", "www", "https://www.example.test/static/a.css", "-o", "json"]);
    let e: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(e["ttl_secs"].as_u64(), Some(30 * 86_400), "{e}");
    // Dry runs change nothing.
    let r = fleet.ok(&["flush", "www", "--all", "--dry-run"]);
    assert!(r.stdout.contains("would send to pop0: POST /v1/sites/www/flush"), "{}", r.stdout);
    assert_eq!(fleet.ok(&["outbox", "list", "-o", "json"]).stdout.trim(), "[]");
}

/// No command switches format on its own: piped, a fleet command prints its table; JSON when
/// asked, with latencies rounded to a tenth of a millisecond.
#[test]
fn fleet_commands_keep_their_format_when_piped() {
    let fleet = Fleet::new(1);
    // No --output, no AMOE_OUTPUT, stdout a pipe.
    let r = fleet.run_env(&["site", "push", "www"], &[("AMOE_OUTPUT", "")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("site push: 1 of 1 hosts confirmed"), "{}", r.stdout);
    assert!(serde_json::from_str::<serde_json::Value>(&r.stdout).is_err(), "{}", r.stdout);
    let r = fleet.run_env(&["flush", "www", "--all", "-o", "json"], &[("AMOE_OUTPUT", "")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = r.json();
    assert_eq!(report["operation"], "flush");
    assert_eq!(report["hosts"][0]["ok"], true);
    for v in [&report["hosts"][0]["latency_ms"], &report["total_ms"]] {
        let ms = v.as_f64().expect("a number");
        assert_eq!((ms * 10.0).round() / 10.0, ms, "rounded: {v}");
    }
}

#[test]
fn flush_targets_that_match_nothing_are_usage_errors() {
    let env = Env::new();
    env.seed();
    for (args, says) in [
        (&["--prefix", "static"][..], "is not a directory path"),
        (&["--prefix", "/static?x=1"], "is not a directory path"),
        (&["--url", "https://other.example.org/a"], "is not a domain of site `www`"),
        (&["--url", "ftp://www.example.fr/a"], "neither a path nor an http(s) URL"),
        (&["--url", "index.html"], "neither a path nor an http(s) URL"),
    ] {
        let mut full = vec!["flush", "www"];
        full.extend_from_slice(args);
        let r = env.fails(2, &full);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
    let r = env.ok(&["flush", "www", "--url", "https://WWW.example.fr:443/a", "--prefix", "/static", "--dry-run"]);
    assert!(r.stdout.contains("would send"), "{}", r.stdout);
}

#[test]
fn a_revoked_host_certificate_is_refused_by_the_cli() {
    let fleet = Fleet::new(2);
    fleet.ok(&["site", "push", "www"]);
    // Enrolled hosts run the bundle's list (number 1) from their first start.
    let r = fleet.ok(&["host", "status", "pop0", "-o", "json"]);
    let status: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(status[0]["status"]["crl_number"], 1, "{status}");
    // The host's certificate (a stolen key, say) is revoked: the CLI stops trusting that agent.
    // The list reaches pop0; pop1 is refused already, by the CLI.
    let r = fleet.run(&["ca", "revoke", "pop1"]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Revoked"), "{}", r.stdout);
    let r = fleet.run(&["flush", "www", "--all", "-o", "json"]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let hosts = report["hosts"].as_array().expect("hosts");
    let pop1 = hosts.iter().find(|h| h["host"] == "pop1").expect("pop1");
    assert_eq!(pop1["ok"], false, "{report}");
    assert!(pop1["error"].as_str().is_some_and(|e| e.to_lowercase().contains("revoked")), "{report}");
    assert!(hosts.iter().any(|h| h["host"] == "pop0" && h["ok"] == true), "{report}");
    // pop0 runs the list: its number and next update are in its status, and no warning.
    let r = fleet.ok(&["host", "status", "pop0", "-o", "json"]);
    let status: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(status[0]["status"]["crl_number"], 2, "{status}");
    assert!(status[0]["status"]["crl_next_update"].is_string(), "{status}");
    assert!(!r.stderr.contains("revocation list"), "{}", r.stderr);
}

/// What a `ci` certificate queued is delivered with `ci` rights only, whoever runs the outbox;
/// what an operator queued waits for an operator.
#[test]
fn ci_items_are_never_delivered_with_an_operator_identity() {
    let mut fleet = Fleet::new(1);
    fleet.ok(&["site", "push", "www"]);
    fleet.agents[0].stop();
    // Queued while the host is down: a ci flush, then an operator's push.
    assert_eq!(fleet.run_as("pipeline", &["flush", "www", "--all"]).code, 1);
    assert_eq!(fleet.run(&["site", "deactivate", "www"]).code, 1);
    let owed = fleet.ok(&["outbox", "list", "-o", "json"]).json();
    let queued: Vec<(&str, &str)> = owed
        .as_array()
        .expect("list")
        .iter()
        .map(|i| (i["kind"].as_str().expect("value"), i["queued_by"].as_str().expect("value")))
        .collect();
    assert_eq!(queued, [("flush", "pipeline"), ("put_site", "op")]);
    // An item forged in the store (claiming the operator, but not signed) is parked, never sent.
    let forged_id = "f0f0f0f0f0f0f0f0f0f0f0f0";
    fleet
        .env
        .db()
        .execute(
            "INSERT INTO outbox (id, seq, host, site, kind, method, path, body, created_at, attempts, next_attempt_at, queued_by, queued_role)
             VALUES (?1, 100, 'pop0', 'www', 'delete_site', 'DELETE', '/v1/sites/www', NULL, '2026-01-01T00:00:00.000Z', 0, '2026-01-01T00:00:00.000Z', 'op', 'operator')",
            [forged_id],
        )
        .expect("insert");
    fleet.agents[0].start();
    // The ci certificate delivers its flush but not the operator's push behind it (which waits).
    let r = fleet.run_as("pipeline", &["outbox", "run", "--all", "-o", "json"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("waits for an operator certificate"), "{}", r.stdout);
    let journal = fleet.agents[0].journal();
    let flush = journal.iter().find(|l| l["path"] == "/v1/sites/www/flush").expect("flush delivered");
    assert_eq!((flush["client"].as_str(), flush["queued_by"].as_str()), (Some("pipeline"), Some("pipeline")));
    assert!(!journal.iter().any(|l| l["client"] == "pipeline" && l["method"] == "PUT"), "{journal:?}");
    // The operator's run delivers the push with both identities journaled and parks the
    // forged item without sending it.
    let r = fleet.run(&["outbox", "run", "--all", "-o", "json"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let report = r.json();
    assert_eq!(report["hosts"][0]["delivered"], 1, "{report}");
    assert_eq!(report["hosts"][0]["parked"], 1, "{report}");
    assert!(report["hosts"][0]["error"].as_str().expect("value").contains("not signed"), "{report}");
    let journal = fleet.agents[0].journal();
    let put = journal.iter().find(|l| l["method"] == "PUT" && l["path"] == "/v1/sites/www" && l["status"] == 200);
    let put = put.expect("push delivered");
    assert_eq!((put["client"].as_str(), put["queued_by"].as_str()), (Some("op"), Some("op")));
    assert!(!journal.iter().any(|l| l["method"] == "DELETE"), "the forged item never reached the agent");
    assert!(fleet.agents[0].state.join("sites/www.json").exists());
    // The audit journal names the certificate beside the operator.
    let audit = fleet.ok(&["audit", "list", "-o", "json"]).json();
    let flush = audit.as_array().expect("value").iter().find(|e| e["command"] == "flush").expect("flush audited");
    assert_eq!(flush["identity"], "pipeline (ci)", "{flush}");
    // Parked, then dropped by the operator (journaled).
    let owed = fleet.ok(&["outbox", "list", "-o", "json"]).json();
    assert_eq!(owed[0]["id"], forged_id, "{owed}");
    assert!(owed[0]["parked_at"].is_string(), "{owed}");
    fleet.ok(&["outbox", "drop", forged_id]);
    assert_eq!(fleet.ok(&["outbox", "list", "-o", "json"]).stdout.trim(), "[]");
    let r = fleet.run(&["outbox", "drop", forged_id]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("no outbox item"), "{}", r.stderr);
    let audit = fleet.ok(&["audit", "list", "-o", "json"]).stdout;
    assert!(audit.contains("\"outbox drop\""), "{audit}");
}

/// A host removed with items still owed does not stall `outbox run`; an item a host refuses
/// for good is parked and the queue behind it (a revocation list) goes on.
#[test]
fn the_outbox_never_stalls() {
    let mut fleet = Fleet::new(2);
    fleet.ok(&["site", "push", "www"]);
    fleet.agents[1].stop();
    assert_eq!(fleet.run(&["flush", "www", "--all"]).code, 3);
    assert_eq!(fleet.run(&["site", "update", "www", "--remove-host", "pop1"]).code, 3, "pop1 is down");
    let owed = fleet.ok(&["outbox", "list", "-o", "json"]).json();
    assert_eq!(owed.as_array().expect("value").len(), 2, "{owed}");
    fleet.ok(&["host", "remove", "pop1", "--yes"]);
    assert_eq!(fleet.ok(&["outbox", "list", "-o", "json"]).stdout.trim(), "[]");
    let audit = fleet.ok(&["audit", "list", "--target", "host:pop1", "-o", "json"]).json();
    let drop = audit.as_array().expect("value").iter().find(|e| e["command"] == "outbox drop").expect("audited");
    assert!(drop["outcome"].as_str().expect("value").contains("2 items"), "{drop}");
    // Items of a host unknown to the inventory (an older amoe kept them) are dropped by the run.
    let sql = fleet.env.db();
    sql.execute(
        "INSERT INTO outbox (id, seq, host, site, kind, method, path, body, created_at, attempts, next_attempt_at, queued_by, queued_role)
         VALUES ('aaaaaaaaaaaaaaaaaaaaaaaa', 50, 'ghost', NULL, 'flush', 'POST', '/v1/sites/www/flush', '{}', '2026-01-01T00:00:00.000Z', 0, '2026-01-01T00:00:00.000Z', 'op', 'operator')",
        [],
    )
    .expect("insert");
    // And an item pop0 refuses for good (a flush of a site it was never given), queued while it
    // was down, ahead of a revocation list.
    let origin = fleet.ok(&["site", "show", "www", "-o", "json"]).json()["origins"][0].as_str().expect("o").to_string();
    fleet.ok(&[
        "site",
        "add",
        "other",
        "--domain",
        "other.example.test",
        "--beneficiary",
        SIRET,
        "--origin",
        &origin,
        "--host",
        "pop0",
        "--no-push",
    ]);
    // pop0 is never given it: the staged push is dropped.
    let staged = fleet.ok(&["outbox", "list", "-o", "json"]).json();
    let staged = staged.as_array().expect("list").iter().find(|i| i["site"] == "other").expect("staged")["id"].clone();
    fleet.ok(&["outbox", "drop", staged.as_str().expect("id")]);
    let before = fleet.ok(&["host", "status", "pop0", "-o", "json"]).json()[0]["status"]["crl_number"].as_u64();
    fleet.agents[0].stop();
    assert_eq!(fleet.run(&["flush", "other", "--all"]).code, 1);
    let owed = fleet.ok(&["outbox", "list", "-o", "json"]).json();
    let refused = owed.as_array().expect("list").iter().find(|i| i["site"] == "other").expect("owed flush");
    let refused_id = refused["id"].as_str().expect("id").to_string();
    assert_eq!(fleet.run(&["ca", "crl"]).code, 1);
    fleet.agents[0].start();
    let r = fleet.run(&["outbox", "run", "--all"]);
    assert_eq!(r.code, 1, "the parking is reported: {}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("HTTP 404"), "{}", r.stdout);
    assert!(r.stderr.contains("no longer a host"), "{}", r.stderr);
    let after = fleet.ok(&["host", "status", "pop0", "-o", "json"]).json()[0]["status"]["crl_number"].as_u64();
    assert_eq!(after, before.map(|n| n + 1), "the list behind the refused item was installed");
    let owed = fleet.ok(&["outbox", "list", "-o", "json"]).json();
    let ids: Vec<&str> = owed.as_array().expect("value").iter().map(|i| i["id"].as_str().expect("value")).collect();
    assert_eq!(ids, [refused_id.as_str()], "only the parked item is left: {owed}");
    // Parked items are not retried.
    let r = fleet.run(&["outbox", "run", "--all"]);
    assert!(r.stdout.contains("nothing owed"), "{}", r.stdout);
    fleet.ok(&["flush", "www", "--all"]);
    let refused = fleet.agents[0].journal().iter().filter(|l| l["status"] == 404).count();
    assert_eq!(refused, 1);
}

/// Three `outbox run` at once, against three agents, deliver each item once, in the order
/// queued (on SQLite, and on PostgreSQL in the second pass of the suite).
#[test]
fn concurrent_outbox_runs_deliver_each_item_once_in_order() {
    let mut fleet = Fleet::new(3);
    fleet.ok(&["site", "push", "www"]);
    for agent in &mut fleet.agents {
        agent.stop();
    }
    for i in 0..15 {
        assert_eq!(fleet.run(&["flush", "www", "--url", &format!("/p{i}")]).code, 1);
        assert_eq!(fleet.run(&["site", "push", "www"]).code, 1);
    }
    let owed = fleet.ok(&["outbox", "list", "-o", "json"]).json();
    let hosts: Vec<String> = fleet
        .ok(&["host", "list", "-o", "json"])
        .json()
        .as_array()
        .expect("hosts")
        .iter()
        .map(|h| h["name"].as_str().expect("name").to_string())
        .collect();
    assert_eq!(hosts.len(), 3);
    let queued: Vec<Vec<String>> = hosts
        .iter()
        .map(|host| {
            owed.as_array()
                .expect("value")
                .iter()
                .filter(|i| i["kind"] == "flush" && i["host"] == host.as_str())
                .map(|i| i["id"].as_str().expect("value").to_string())
                .collect()
        })
        .collect();
    assert!(queued.iter().all(|q| q.len() == 15), "{owed}");
    for agent in &mut fleet.agents {
        agent.start();
    }
    let runs: Vec<_> = (0..3)
        .map(|_| {
            let mut cmd = fleet.env.cmd(&["outbox", "run", "--all", "-o", "json"]);
            clean(&mut cmd, fleet.env.dir.path());
            // A run waits for the others' leases as long as one host call may take: on a loaded
            // machine the first run's 30 items per host can outlast the default 10 s.
            cmd.env("AMOE_CA_DIR", fleet.env.path("ca"))
                .env("AMOE_CLIENT_CERT", fleet.certs.join("op.pem"))
                .env("AMOE_CLIENT_KEY", fleet.certs.join("op.key"))
                .env("AMOE_HOST_TIMEOUT_MS", "60000")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for r in runs {
        let out = r.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(fleet.ok(&["outbox", "list", "-o", "json"]).stdout.trim(), "[]");
    // Agents are created in the order of their host names.
    for (agent, queued) in fleet.agents.iter().zip(&queued) {
        let journal = agent.journal();
        let calls: Vec<&serde_json::Value> = journal.iter().filter(|l| l["status"] == 200).collect();
        let puts = calls.iter().filter(|l| l["method"] == "PUT").count();
        let flushes = calls.iter().filter(|l| l["method"] == "POST").count();
        assert_eq!((puts, flushes), (17, 15), "each item sent once (two pushes came before the stop)");
        // Flushes and pushes alternate, as queued.
        let kinds: Vec<&str> = calls.iter().skip(2).map(|l| l["method"].as_str().expect("value")).collect();
        let expected: Vec<&str> = (0..15).flat_map(|_| ["POST", "PUT"]).collect();
        assert_eq!(kinds, expected);
        assert_eq!(&agent.applied(), queued, "flushes applied in the order queued");
    }
}

/// `site activate|deactivate|rules` change the store and queue the push in one transaction:
/// when queuing fails, the change is not kept either.
#[test]
fn a_site_change_and_its_push_are_one_transaction() {
    if crate::support::pg_pass() {
        return; // the failing write is made by a SQLite trigger
    }
    let fleet = Fleet::new(1);
    fleet.ok(&["site", "push", "www"]);
    fleet
        .env
        .sqlite()
        .execute_batch("CREATE TRIGGER no_queue BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END;")
        .expect("trigger");
    let r = fleet.run(&["site", "deactivate", "www"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(fleet.ok(&["site", "show", "www", "-o", "json"]).json()["active"], true);
    let rules = fleet.env.path("rules.toml");
    std::fs::write(&rules, "[default]\nttl = \"1h\"\n").expect("write");
    let r = fleet.run(&["site", "rules", "www", "--file", rules.to_str().expect("utf8")]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let versions: i64 =
        fleet.env.sqlite().query_row("SELECT COUNT(*) FROM site_rules", [], |r| r.get(0)).expect("count");
    assert_eq!(versions, 0, "no rules version kept without its push");
    fleet.env.sqlite().execute_batch("DROP TRIGGER no_queue").expect("drop");
    fleet.ok(&["site", "deactivate", "www"]);
    assert_eq!(fleet.ok(&["site", "show", "www", "-o", "json"]).json()["active"], false);
}

/// A host enrolled after a revocation refuses the revoked certificate from its first start:
/// its bundle carries the current list.
#[test]
fn a_host_enrolled_after_a_revocation_refuses_the_revoked_certificate() {
    let mut fleet = Fleet::new(1);
    fleet.ok(&["ca", "revoke", "pipeline"]);
    let late = fleet.add_host(1);
    fleet.ok(&["site", "update", "www", "--add-host", &late]);
    fleet.ok(&["site", "push", "www"]);
    assert!(fleet.handshake_refused(1, "pipeline"), "the new host refuses the revoked certificate");
    assert!(!fleet.handshake_refused(1, "op"));
    let journal = fleet.agents[1].journal();
    assert!(!journal.iter().any(|l| l["client"] == "pipeline"), "no call of the revoked certificate: {journal:?}");
    assert!(fleet.ok(&["flush", "www", "--all"]).stdout.contains("2 of 2 hosts confirmed"));
}

/// A certificate for `names` signed by `issuer`, valid `days` (negative: expired); PEM chain
/// and key.
pub(crate) fn site_cert(issuer: &rcgen::Issuer<'_, rcgen::KeyPair>, names: &[&str], days: i64) -> (String, String) {
    let key = rcgen::KeyPair::generate().expect("key");
    let mut p = rcgen::CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).expect("params");
    let now = time::OffsetDateTime::now_utc();
    p.not_before = now - time::Duration::days(2);
    p.not_after = now + time::Duration::days(days);
    (p.signed_by(&key, issuer).expect("sign").pem(), key.serialize_pem())
}

/// `curl` over HTTPS to `port` as `domain`, trusting `ca`: (HTTP version, body), or the error.
pub(crate) fn curl(ca: &Path, domain: &str, port: u16, path: &str) -> Result<(String, String), String> {
    let out = Command::new("curl")
        .args(["-sS", "--http2", "--max-time", "5", "--cacert"])
        .arg(ca)
        .arg("--resolve")
        .arg(format!("{domain}:{port}:127.0.0.1"))
        .args(["-w", "\n%{http_version}", "-D", "-"])
        .arg(format!("https://{domain}:{port}{path}"))
        .output()
        .expect("curl");
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (rest, version) = text.rsplit_once('\n').expect("version line");
    Ok((version.to_string(), rest.to_string()))
}

/// Sites served over HTTPS with their own certificates by SNI, on every host, with HTTP/2 by
/// ALPN; bad certificates refused before anything is pushed; keys never in the store.
#[test]
fn sites_are_served_over_https_with_their_own_certificates() {
    let fleet = Fleet::new(2);
    let origin = fleet.ok(&["site", "show", "www", "-o", "json"]).json()["origins"][0].as_str().expect("o").to_string();
    fleet.ok(&[
        "site",
        "add",
        "blog",
        "--domain",
        "blog.example.test",
        "--beneficiary",
        SIRET,
        "--origin",
        &origin,
        "--host",
        "pop0",
        "--host",
        "pop1",
    ]);
    fleet.ok(&["site", "push", "www"]);
    fleet.ok(&["site", "push", "blog"]);
    let ca_key = rcgen::KeyPair::generate().expect("key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "Test Public CA");
    let ca_cert = ca_params.self_signed(&ca_key).expect("ca");
    let ca_pem = fleet.env.path("public-ca.pem");
    std::fs::write(&ca_pem, ca_cert.pem()).expect("write");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let write = |name: &str, (c, k): (String, String)| {
        let (cp, kp) = (fleet.env.path(&format!("{name}.pem")), fleet.env.path(&format!("{name}.key")));
        std::fs::write(&cp, c).expect("write");
        std::fs::write(&kp, k).expect("write");
        (cp.to_str().expect("utf8").to_string(), kp.to_str().expect("utf8").to_string())
    };
    let www = write("www", site_cert(&issuer, &["www.example.test"], 90));
    let blog = write("blog", site_cert(&issuer, &["blog.example.test"], 20));
    let expired = write("expired", site_cert(&issuer, &["www.example.test"], -1));

    // Refused before anything is queued: another site's key, a domain not covered, expired.
    for (cert, key, why) in [
        (&www.0, &blog.1, "does not belong"),
        (&blog.0, &blog.1, "does not cover `www.example.test`"),
        (&expired.0, &expired.1, "expired"),
    ] {
        let r = fleet.run(&["site", "cert", "www", "--cert", cert, "--key", key]);
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(why), "{why}: {}", r.stderr);
    }
    assert_eq!(fleet.ok(&["outbox", "list", "-o", "json"]).stdout.trim(), "[]");
    assert!(curl(&ca_pem, "www.example.test", fleet.agents[0].tls, "/").is_err(), "no certificate yet");

    let r = fleet.run(&["site", "cert", "www", "--cert", &www.0, "--key", &www.1]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("2 of 2 hosts confirmed"), "{}", r.stdout);
    let r = fleet.run(&["site", "cert", "blog", "--cert", &blog.0, "--key", &blog.1]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("warning: the certificate of site `blog` expires"), "{}", r.stderr);
    for agent in &fleet.agents {
        for domain in ["www.example.test", "blog.example.test"] {
            let (version, text) = curl(&ca_pem, domain, agent.tls, "/page").unwrap_or_else(|e| panic!("{domain}: {e}"));
            assert_eq!(version, "2", "HTTP/2 by ALPN on {domain}");
            assert!(text.ends_with("ok"), "{text}");
        }
        assert!(curl(&ca_pem, "other.example.test", agent.tls, "/").is_err(), "no certificate for an unknown name");
        // Counted, for monitoring.
        let metrics = http_get(agent.admin, "/metrics");
        let failures: u64 = metrics
            .lines()
            .find_map(|l| l.strip_prefix("amoe_tls_handshake_failures_total "))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        assert!(failures >= 1, "{metrics}");
    }
    // What each host serves.
    let rows = fleet.ok(&["site", "cert", "list", "-o", "json"]).json();
    let rows = rows.as_array().expect("rows");
    assert_eq!(rows.len(), 4, "{rows:?}");
    for row in rows {
        let c = &row["certificate"];
        assert!(c["issuer"].as_str().expect("issuer").contains("Test Public CA"), "{row}");
        let site = row["site"].as_str().expect("site");
        assert_eq!(c["names"][0], format!("{site}.example.test"), "{row}");
    }
    // The key is neither in the store nor in an export; it is kept 0600 beside the CA.
    let store_bytes = std::fs::read(fleet.env.dir.path().join("amoe.db")).unwrap_or_default();
    let key_text = std::fs::read_to_string(&www.1).expect("key");
    let key_line = key_text.lines().nth(1).expect("key body");
    assert!(!String::from_utf8_lossy(&store_bytes).contains(key_line), "the key is not in the store");
    let export = fleet.env.path("export");
    fleet.ok(&["export", export.to_str().expect("utf8")]);
    for f in std::fs::read_dir(&export).expect("export") {
        let text = std::fs::read_to_string(f.expect("entry").path()).unwrap_or_default();
        assert!(!text.contains("PRIVATE KEY") && !text.contains(key_line), "no key in the export");
    }
    let kept = fleet.env.path("ca").join("sites/www");
    for f in std::fs::read_dir(&kept).expect("kept") {
        let meta = std::fs::metadata(f.expect("entry").path()).expect("meta");
        assert_eq!(std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777, 0o600);
    }
    // A host restarted serves the certificate it was given.
    let mut fleet = fleet;
    fleet.agents[1].stop();
    fleet.agents[1].start();
    assert_eq!(curl(&ca_pem, "www.example.test", fleet.agents[1].tls, "/").map(|r| r.0), Ok("2".to_string()));
    // A host added to the site later gets its certificate with it.
    let late = fleet.add_host(2);
    let r = fleet.run(&["site", "update", "www", "--add-host", &late]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let served = curl(&ca_pem, "www.example.test", fleet.agents[2].tls, "/page");
    assert_eq!(served.map(|r| r.0), Ok("2".to_string()), "the new host serves HTTPS");
}

/// Status, headers and body of a plain-HTTP request to an agent's proxy.
fn http(port: u16, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect proxy");
    s.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: www.example.test\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).expect("write");
    let _ = s.write_all(body);
    let mut text = String::new();
    let _ = s.read_to_string(&mut text);
    let status = text.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, text)
}

/// Serving settings set with `amoe site update` take effect on the running agents once pushed:
/// HTTPS redirect, HSTS, the body limit and active health checks.
#[test]
fn site_settings_take_effect_on_the_agents() {
    let fleet = Fleet::new(1);
    // A second origin that answers 503 to everything, health checks included.
    let (down, seen) = failing_origin();
    fleet.ok(&["site", "update", "www", "--add-origin", &format!("http://{down}")]);
    fleet.ok(&["site", "push", "www"]);
    let proxy = fleet.agents[0].proxy;
    std::thread::sleep(Duration::from_millis(1500));
    assert!(!seen.lock().expect("seen").iter().any(|l| l.contains("/health")), "no active checks yet");
    // Bad values are usage errors naming the flag; nothing changes.
    let r = fleet.run(&["site", "update", "www", "--health-interval", "0"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--health-interval"), "{}", r.stderr);
    let r = fleet.run(&["site", "update", "www", "--max-body", "-1"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    fleet.ok(&[
        "site",
        "update",
        "www",
        "--health-path",
        "/health",
        "--health-interval",
        "1",
        "--health-failures",
        "1",
        "--max-body",
        "1K",
    ]);
    let shown = fleet.ok(&["site", "show", "www", "-o", "json"]).json();
    assert_eq!(shown["settings"]["health_path"], "/health", "{shown}");
    fleet.ok(&["site", "push", "www"]);
    // The agent now checks the origins on the path, every second.
    let mut checks = 0;
    for _ in 0..300 {
        checks = seen.lock().expect("seen").iter().filter(|l| l.starts_with("GET /health ")).count();
        if checks >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(checks >= 2, "active health checks reach the origin: {:?}", seen.lock().expect("seen"));
    // Taken out, the failing origin gets no traffic: every request is answered by the good one.
    let answers: Vec<u16> = (0..8).map(|i| http(proxy, "POST", &format!("/h{i}"), b"x").0).collect();
    assert!(answers.iter().all(|s| *s == 200), "{answers:?}");
    let (status, _) = http(proxy, "POST", "/form", &[b'x'; 2048]);
    assert_eq!(status, 413, "the site's body limit");
    assert_eq!(http(proxy, "POST", "/form", &[b'x'; 512]).0, 200);
    // HTTPS only, with HSTS.
    fleet.ok(&[
        "site",
        "update",
        "www",
        "--https-redirect",
        "true",
        "--hsts-max-age",
        "600",
        "--hsts-subdomains",
        "true",
    ]);
    fleet.ok(&["site", "push", "www"]);
    let (status, text) = http(proxy, "GET", "/page?q=1", b"");
    assert_eq!(status, 301, "{text}");
    assert!(text.to_ascii_lowercase().contains("location: https://www.example.test/page?q=1"), "{text}");
    assert_eq!(http(proxy, "POST", "/form", b"x").0, 308);
    let ca_key = rcgen::KeyPair::generate().expect("key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "Test Public CA");
    let ca_pem = fleet.env.path("public-ca.pem");
    std::fs::write(&ca_pem, ca_params.self_signed(&ca_key).expect("ca").pem()).expect("write");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let (c, k) = site_cert(&issuer, &["www.example.test"], 90);
    let (cp, kp) = (fleet.env.path("www.pem"), fleet.env.path("www.key"));
    std::fs::write(&cp, c).expect("write");
    std::fs::write(&kp, k).expect("write");
    fleet.ok(&["site", "cert", "www", "--cert", cp.to_str().expect("utf8"), "--key", kp.to_str().expect("utf8")]);
    let (_, text) = curl(&ca_pem, "www.example.test", fleet.agents[0].tls, "/page").expect("https");
    assert!(text.contains("strict-transport-security: max-age=600; includeSubDomains"), "{text}");
}

/// Rows written into the store by hand get nothing past the CLI: a `crl` row that is another
/// call, and a certificate row pointing at a key `site cert` does not keep (the CA's), are
/// parked without being sent.
#[test]
fn forged_rows_are_parked_unsent() {
    let fleet = Fleet::new(1);
    fleet.ok(&["site", "push", "www"]);
    let ca_key = fleet.env.path("ca").join("ca.key");
    let body = serde_json::json!({"cert_pem": "x", "key_file": ca_key}).to_string();
    let sql = fleet.env.db();
    for (id, seq, kind, method, path, body) in [
        ("c1c1c1c1c1c1c1c1c1c1c1c1", 90, "crl", "DELETE", "/v1/sites/www", None),
        ("c2c2c2c2c2c2c2c2c2c2c2c2", 91, "put_cert", "PUT", "/v1/sites/www/cert", Some(body.as_str())),
        ("c3c3c3c3c3c3c3c3c3c3c3c3", 92, "format_disk", "DELETE", "/v1/sites/www", None),
    ] {
        sql.execute(
            "INSERT INTO outbox (id, seq, host, site, kind, method, path, body, created_at, attempts, next_attempt_at, queued_by, queued_role, queued_cert, signature)
             VALUES (?1, ?2, 'pop0', 'www', ?3, ?4, ?5, ?6, '2026-01-01T00:00:00.000Z', 0, '2026-01-01T00:00:00.000Z', 'op', 'operator', 'ab', 'cd')",
            amoe_store::params![id, seq, kind, method, path, body],
        )
        .expect("insert");
    }
    let r = fleet.run(&["outbox", "run", "--all", "-o", "json"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["hosts"][0]["parked"], 3, "{}", r.stdout);
    let journal = fleet.agents[0].journal();
    assert!(!journal.iter().any(|l| l["method"] == "DELETE" || l["path"] == "/v1/sites/www/cert"), "{journal:?}");
    let owed = fleet.ok(&["outbox", "list", "-o", "json"]).json();
    let errors: Vec<&str> =
        owed.as_array().expect("list").iter().map(|i| i["last_error"].as_str().expect("error")).collect();
    assert!(errors[0].contains("not one"), "{errors:?}");
    assert!(errors[1].contains("is not one `amoe site cert` keeps"), "{errors:?}");
    assert!(errors[2].contains("of a kind this amoe does not know"), "{errors:?}");
    assert_eq!(owed[2]["kind"], "unknown", "{owed}");
}

/// Rules can be read back and rolled back; the audit keeps the hash of the rules pushed.
#[test]
fn rules_show_and_rollback() {
    use sha2::Digest;
    let fleet = Fleet::new(1);
    let r = fleet.run(&["site", "rules", "www", "--rollback"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("no earlier rules version"), "{}", r.stderr);
    let v1 = "[default]\nttl = \"1h\"\n";
    let v2 = "[default]\nttl = \"5m\"\n";
    for (i, text) in [v1, v2].iter().enumerate() {
        let f = fleet.env.path(&format!("rules{i}.toml"));
        std::fs::write(&f, text).expect("write");
        fleet.ok(&["site", "rules", "www", "--file", f.to_str().expect("utf8")]);
    }
    let shown = fleet.ok(&["site", "rules", "www", "--show"]).stdout;
    assert!(shown.contains("ttl = \"5m\"") && shown.contains("version 2"), "{shown}");
    let versions = fleet.ok(&["site", "rules", "www", "--show", "-o", "json"]).json();
    assert_eq!(versions.as_array().map(Vec::len), Some(2), "{versions}");
    let r = fleet.ok(&["site", "rules", "www", "--rollback"]);
    assert!(r.stderr.contains("version 1"), "{}", r.stderr);
    let served = std::fs::read_to_string(fleet.agents[0].state.join("sites/www.json")).expect("site");
    assert!(served.contains("ttl = \\\"1h\\\""), "the agent runs version 1's rules again: {served}");
    let versions = fleet.ok(&["site", "rules", "www", "--show", "-o", "json"]).json();
    assert_eq!(versions[2]["rules"], v1, "{versions}");
    let digest: String = sha2::Sha256::digest(v1.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    let audit = fleet.ok(&["audit", "list", "--target", "site:www", "-o", "json"]).stdout;
    assert!(audit.contains("site rules rollback") && audit.contains(&format!("--rules-sha256={digest}")), "{audit}");
}

/// A plain GET on loopback: the whole answer.
fn http_get(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").expect("write");
    let mut text = String::new();
    let _ = s.read_to_string(&mut text);
    text
}

/// An HTTPS origin at `127.0.0.1` whose certificate names only `origin.test`, signed by a
/// test CA (returned as PEM): it answers every request with `tls`.
fn tls_origin() -> (SocketAddr, String) {
    use rustls_pki_types::pem::PemObject;
    let ca_key = rcgen::KeyPair::generate().expect("key");
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name.push(rcgen::DnType::CommonName, "Origin test CA");
    let ca_cert = ca.self_signed(&ca_key).expect("ca");
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let (leaf, key) = site_cert(&issuer, &["origin.test"], 30);
    let chain: Vec<_> = rustls_pki_types::CertificateDer::pem_slice_iter(leaf.as_bytes()).flatten().collect();
    let key = rustls_pki_types::PrivateKeyDer::from_pem_slice(key.as_bytes()).expect("key");
    let config =
        rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("server config");
    let config = std::sync::Arc::new(config);
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let conn = rustls::ServerConnection::new(config).expect("conn");
                let mut tls = rustls::StreamOwned::new(conn, s);
                let mut buf = [0u8; 4096];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close\r\n\r\ntls");
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    (addr, ca_cert.pem())
}

/// Origin TLS per site, set with `amoe site update` and applied by the running agent: the
/// origin's CA, the SNI name its certificate carries, and verification off (said aloud).
#[test]
fn origin_tls_is_set_per_site() {
    let fleet = Fleet::new(1);
    let plain = fleet.ok(&["site", "show", "www", "-o", "json"]).json()["origins"][0].as_str().expect("o").to_string();
    let (addr, ca) = tls_origin();
    let ca_file = fleet.env.path("origin-ca.pem");
    std::fs::write(&ca_file, ca).expect("write");
    let ca_file = ca_file.to_str().expect("utf8");
    let proxy = fleet.agents[0].proxy;
    let status = |path: &str| http(proxy, "GET", path, b"");
    let origin = format!("https://127.0.0.1:{}", addr.port());
    fleet.ok(&["site", "update", "www", "--add-origin", &origin, "--remove-origin", &plain]);
    // Unknown CA (and a name the certificate does not carry): refused by the proxy.
    assert_eq!(status("/a").0, 502, "{:?}", status("/a"));
    fleet.ok(&["site", "update", "www", "--origin-ca", ca_file]);
    assert_eq!(status("/b").0, 502, "the certificate names origin.test, not 127.0.0.1");
    fleet.ok(&["site", "update", "www", "--origin-sni", "origin.test"]);
    let (code, text) = status("/c");
    assert_eq!(code, 200, "{text}");
    assert!(text.ends_with("tls"), "{text}");
    // Verification off: said on the terminal, and it serves without the CA.
    let r = fleet.run(&[
        "site",
        "update",
        "www",
        "--origin-ca",
        "none",
        "--origin-sni",
        "none",
        "--origin-verify",
        "false",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("are not verified"), "{}", r.stderr);
    let r = fleet.run(&["site", "push", "www"]);
    assert!(r.stderr.contains("are not verified"), "said on every push: {}", r.stderr);
    assert_eq!(status("/d").0, 200);
    fleet.ok(&["site", "update", "www", "--origin-verify", "true"]);
    assert_eq!(status("/e").0, 502);
    // Bad values: usage errors naming the flag, nothing changed.
    let junk = fleet.env.path("junk.pem");
    std::fs::write(&junk, "not a certificate").expect("write");
    let with_key = fleet.env.path("ca-and-key.pem");
    let pem = std::fs::read_to_string(ca_file).expect("ca");
    std::fs::write(&with_key, format!("{pem}-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
        .expect("write");
    for args in [
        vec!["--origin-ca", "/nonexistent/ca.pem"],
        vec!["--origin-ca", junk.to_str().expect("utf8")],
        vec!["--origin-sni", "bad name"],
        vec!["--origin-ca", with_key.to_str().expect("utf8")],
    ] {
        let mut full = vec!["site", "update", "www"];
        full.extend(args.iter().copied());
        let r = fleet.run(&full);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(args[0]), "{}", r.stderr);
    }
    assert_eq!(fleet.ok(&["site", "show", "www", "-o", "json"]).json()["settings"]["origin_insecure"], false);
}

/// The outbox backlog as Prometheus metrics: what a stopped host owes, zeros for the others,
/// written atomically for node_exporter's textfile collector.
#[test]
fn the_outbox_backlog_is_exported_as_metrics() {
    let mut fleet = Fleet::new(2);
    fleet.ok(&["site", "push", "www"]);
    fleet.agents[1].stop();
    let r = fleet.run(&["flush", "www", "--all"]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let text = fleet.run_env(&["outbox", "metrics"], &[("AMOE_OUTPUT", "")]).stdout;
    let value = |series: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series).and_then(|v| v.trim().parse().ok()))
            .unwrap_or_else(|| panic!("no {series} in:\n{text}"))
    };
    assert_eq!(value("amoe_outbox_items{host=\"pop1\",state=\"pending\"} "), 1.0);
    assert_eq!(value("amoe_outbox_items{host=\"pop0\",state=\"pending\"} "), 0.0);
    assert_eq!(value("amoe_outbox_items{host=\"pop1\",state=\"parked\"} "), 0.0);
    assert!(value("amoe_outbox_attempts_max{host=\"pop1\"} ") >= 1.0, "{text}");
    assert!(value("amoe_outbox_oldest_age_seconds{host=\"pop1\"} ") < 600.0, "{text}");
    assert!(text.contains("# TYPE amoe_outbox_items gauge"), "{text}");
    let out = fleet.env.path("amoe_outbox.prom");
    fleet.ok(&["outbox", "metrics", "--out", out.to_str().expect("utf8")]);
    assert_eq!(std::fs::read_to_string(&out).expect("written").trim_end(), text.trim_end());
    let r = fleet.run(&["outbox", "metrics", "--out", "/nonexistent/dir/x.prom"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("cannot write"), "{}", r.stderr);
    // The same figures as records when asked.
    let rows = fleet.ok(&["outbox", "metrics", "-o", "json"]).json();
    assert_eq!(rows[1]["host"], "pop1", "{rows}");
    assert_eq!(rows[1]["pending"], 1, "{rows}");
    assert_eq!(rows[0]["pending"], 0, "{rows}");
    // Delivered once the host is back: the backlog is gone.
    fleet.agents[1].start();
    fleet.ok(&["outbox", "run", "--all"]);
    let text = fleet.run_env(&["outbox", "metrics"], &[("AMOE_OUTPUT", "")]).stdout;
    assert!(text.contains("amoe_outbox_items{host=\"pop1\",state=\"pending\"} 0"), "{text}");
}
