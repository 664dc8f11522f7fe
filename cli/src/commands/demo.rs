//! `amoe demo`: shows what amoe does, on embedded defaults, in a temporary directory.
//!
//! Each step prints what it is about and the command line it runs, then runs that very command
//! in-process (parsed by the same clap definitions), so the demo shows real output, including
//! two refusals on purpose. Nothing is left behind unless `--keep DIR`. The user's
//! configuration file and `AMOE_*` variables are not read: the demo runs the same everywhere.

use super::{Ctx, execute};
use crate::cli::Cli;
use crate::error::{self, Exit, Failure};
use crate::output::{Format, Output};
use crate::settings::Settings;
use anyhow::{Context, Result};
use clap::Parser;
use std::path::{Path, PathBuf};

/// The operator the demo's audit entries carry.
const DEMO_OPERATOR: &str = "demo";

struct Demo {
    dir: PathBuf,
    step: usize,
    styled: bool,
}

impl Demo {
    fn say(&mut self, ctx: &mut Ctx, title: &str, why: &str) -> Result<()> {
        self.step += 1;
        let (b, r) = if self.styled { ("\x1b[1m", "\x1b[0m") } else { ("", "") };
        ctx.out.line(&format!("\n{b}[{}] {title}{r}\n    {why}", self.step))?;
        Ok(())
    }

    /// Runs `amoe ARGS` against the demo store; `expect_ok` false shows a refusal.
    fn run(&mut self, args: &[&str], expect_ok: bool) -> Result<()> {
        let shown: Vec<String> =
            args.iter().map(|a| if a.contains(' ') { format!("'{a}'") } else { a.to_string() }).collect();
        let mut argv: Vec<String> = vec!["amoe".into()];
        argv.extend(args.iter().map(|a| a.to_string()));
        let cli = Cli::try_parse_from(&argv).with_context(|| format!("demo step `{}`", args.join(" ")))?;
        let store = cli.global.store.clone().unwrap_or_else(|| self.dir.join("amoe.db"));
        let settings = Settings {
            files_anchor: store.clone(),
            store,
            operator: cli.global.operator.clone().unwrap_or_else(|| DEMO_OPERATOR.to_string()),
            output: cli.global.output.unwrap_or(Format::Table),
            output_explicit: true,
            config_file: None,
            ca_dir: Some(self.dir.join("ca")),
            // The operator's certificate once the tour has issued it (step by step, as a
            // newcomer would: before, inventory changes are recorded and not pushed).
            client_cert: Some(self.dir.join("certs").join("operator-demo.pem")).filter(|p| p.exists()),
            client_key: Some(self.dir.join("certs").join("operator-demo.key")).filter(|p| p.exists()),
            logs: crate::settings::LogsConfig {
                archive: Some(self.dir.join("logs")),
                known_hosts: Some(self.dir.join("known_hosts")),
                ..Default::default()
            },
            mail: None,
        };
        let mut out = Output::stdout(settings.output);
        out.line(&format!("$ amoe {}", shown.join(" ")))?;
        let mut ctx = Ctx { settings, out, args: argv[1..].to_vec() };
        match (execute(&mut ctx, cli.command), expect_ok) {
            (Ok(_), true) => Ok(()),
            (Err(e), false) => {
                error::report(&e);
                Ok(())
            }
            (Ok(_), false) => {
                Err(Failure::new(format!("demo step `{}` should have been refused", args.join(" "))).into())
            }
            (Err(e), true) => Err(e.context(format!("demo step `amoe {}` failed", args.join(" ")))),
        }
    }
}

fn prepare_keep_dir(dir: &Path) -> Result<()> {
    if dir.exists()
        && std::fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))?.next().is_some()
    {
        return Err(Failure::new(format!("`{}` is not empty", dir.display()))
            .hint("give `--keep` a new or empty directory")
            .into());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))
}

pub(crate) fn run(ctx: &mut Ctx, keep: Option<&Path>) -> Result<Exit> {
    ctx.out = Output::stdout(Format::Table);
    let temp;
    let dir = match keep {
        Some(d) => {
            prepare_keep_dir(d)?;
            d.to_path_buf()
        }
        None => {
            temp = tempfile::Builder::new()
                .prefix("amoe-demo-")
                .tempdir()
                .context("cannot create a temporary directory")?;
            temp.path().to_path_buf()
        }
    };
    let styled = ctx.out.styled();
    let mut demo = Demo { dir: dir.clone(), step: 0, styled };
    ctx.out.line(&format!("amoe demo: a tour of the store and the inventory, in `{}`", dir.display()))?;

    demo.say(
        ctx,
        "Create the store",
        "One SQLite file (WAL, versioned migrations) holds the inventory and the audit journal.",
    )?;
    demo.run(&["init"], true)?;

    demo.say(
        ctx,
        "Add a beneficiary",
        "Public bodies are identified by SIRET (14 digits, Luhn key) and ordered under a lot.",
    )?;
    demo.run(
        &[
            "beneficiary",
            "add",
            "--siret",
            "120 001 011 00010",
            "--name",
            "Mairie de Démo",
            "--lot",
            "9",
            "--email",
            "dsi@mairie-demo.fr",
        ],
        true,
    )?;
    demo.say(
        ctx,
        "A mistyped SIRET is refused",
        "The check key catches a wrong digit; the refusal is journaled and exits 2.",
    )?;
    demo.run(&["beneficiary", "add", "--siret", "12000101100011", "--name", "Typo", "--lot", "9"], false)?;

    demo.say(ctx, "Add two hosts", "Each host runs amoe-agent; its control API address is recorded.")?;
    demo.run(&["host", "add", "pop-paris-1", "--address", "127.0.0.1:7443", "--location", "Paris"], true)?;
    demo.run(&["host", "add", "pop-lyon-1", "--address", "127.0.0.1:7444", "--location", "Lyon"], true)?;

    demo.say(ctx, "Add a site", "A site has domains, origins and the hosts that serve it.")?;
    demo.run(
        &[
            "site",
            "add",
            "www-demo",
            "--domain",
            "www.mairie-demo.fr",
            "--domain",
            "mairie-demo.fr",
            "--beneficiary",
            "12000101100010",
            "--origin",
            "https://origin.mairie-demo.fr",
            "--host",
            "pop-paris-1",
            "--host",
            "pop-lyon-1",
        ],
        true,
    )?;
    demo.say(ctx, "A domain belongs to one site only", "A second site cannot claim it.")?;
    demo.run(
        &[
            "site",
            "add",
            "other",
            "--domain",
            "www.mairie-demo.fr",
            "--beneficiary",
            "12000101100010",
            "--origin",
            "https://other.example.fr",
        ],
        false,
    )?;
    demo.say(ctx, "Removing a host still in use is refused", "The message names the sites that use it.")?;
    demo.run(&["host", "remove", "pop-lyon-1", "--yes"], false)?;

    demo.say(ctx, "List the sites", "Every listing also speaks JSON (`--output json`) and CSV for scripts.")?;
    demo.run(&["site", "list"], true)?;
    demo.run(&["site", "list", "--output", "json"], true)?;

    demo.say(ctx, "The audit journal", "Every change and every refusal, hash-chained.")?;
    demo.run(&["audit", "list"], true)?;
    demo.run(&["audit", "verify"], true)?;

    demo.say(
        ctx,
        "Reversibility",
        "Everything out as JSON + CSV with SHA-256 sums, back into a new store, out again.",
    )?;
    let first = dir.join("export-1");
    let second = dir.join("export-2");
    let restored = dir.join("restored.db");
    demo.run(&["export", &first.display().to_string()], true)?;
    demo.run(&["--store", &restored.display().to_string(), "import", &first.display().to_string()], true)?;
    demo.run(&["--store", &restored.display().to_string(), "export", &second.display().to_string()], true)?;
    let same = dir_bytes(&first)? == dir_bytes(&second)?;
    ctx.out.line(&format!("    the two exports are {}", if same { "byte-identical" } else { "DIFFERENT" }))?;
    if !same {
        return Err(Failure::new("the round-trip export differs from the first export").into());
    }

    demo.say(ctx, "Backup", "A consistent copy while others keep writing, checked with PRAGMA integrity_check.")?;
    demo.run(&["backup", &dir.join("backup.db").display().to_string()], true)?;

    chain(ctx, &mut demo, &dir)?;

    match keep {
        Some(d) => ctx.out.line(&format!("\nKept everything in `{}`.", d.display()))?,
        None => ctx.out.line("\nDone; the temporary directory is removed. `amoe demo --keep DIR` keeps it.")?,
    }
    Ok(Exit::Success)
}

/// Every file of an export directory, by name, with its bytes.
fn dir_bytes(dir: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))? {
        let entry = entry?;
        let bytes = std::fs::read(entry.path()).with_context(|| format!("cannot read `{}`", entry.path().display()))?;
        files.push((entry.file_name().to_string_lossy().into_owned(), bytes));
    }
    files.sort();
    Ok(files)
}

/// A small origin on loopback: every path is a page with `Cache-Control: max-age=300`.
fn demo_origin() -> Result<std::net::SocketAddr> {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("cannot start the demo origin")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                let mut buf = [0u8; 2048];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let body = "<h1>Mairie de D\u{e9}mo</h1>\n";
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncache-control: max-age=300\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    Ok(addr)
}

/// A GET through the proxy: the status line and the cache headers.
fn fetch(proxy: std::net::SocketAddr, path: &str) -> Result<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(proxy).context("cannot reach the demo agent's proxy")?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: www.mairie-demo.fr\r\nConnection: close\r\n\r\n")?;
    let mut text = String::new();
    let _ = s.read_to_string(&mut text);
    let status = text.lines().next().unwrap_or("").to_string();
    let cache = text.lines().find_map(|l| l.strip_prefix("x-cache: ")).unwrap_or("?").to_string();
    let age = text.lines().find_map(|l| l.strip_prefix("age: ")).map(|a| format!(", Age: {a}")).unwrap_or_default();
    Ok(format!("{status} (X-Cache: {cache}{age})"))
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Stops the demo agent when the demo ends, however it ends.
struct AgentGuard(std::process::Child);

impl Drop for AgentGuard {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill").arg("-TERM").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

/// The whole chain: a CA, a local agent in front of a demo origin, a site pushed to it,
/// MISS then HIT, a flush, MISS again, statistics.
fn chain(ctx: &mut Ctx, demo: &mut Demo, dir: &Path) -> Result<()> {
    let agent_bin = std::env::current_exe()?.with_file_name("amoe-agent");
    if !agent_bin.exists() {
        return Err(Failure::new(format!("`{}` is missing: the demo runs a local agent", agent_bin.display()))
            .hint("build it too: `cargo build --bins`")
            .into());
    }
    let certs = dir.join("certs").display().to_string();
    demo.say(
        ctx,
        "A certificate authority",
        "Hosts and operators authenticate each other with the project's own CA (mutual TLS).",
    )?;
    demo.run(&["ca", "init", "--name", "demo"], true)?;
    demo.run(&["ca", "issue", "operator-demo", "--role", "operator", "--out", &certs], true)?;

    let (mut control, mut proxy) = (free_port()?, free_port()?);
    let mut address = format!("127.0.0.1:{control}");
    let bundle = dir.join("bundle");
    demo.say(
        ctx,
        "Enrol a host and start its agent",
        "The agent embeds the caching proxy and serves the control API.",
    )?;
    demo.run(&["host", "add", "demo-agent", "--address", &address, "--location", "this machine"], true)?;
    demo.run(&["host", "enroll", "demo-agent", "--out", &bundle.display().to_string()], true)?;
    let config = dir.join("agent.toml");
    // A free port can be taken by another program between the check and the agent's bind: the
    // agent then exits, and the tour tries other ports (three times at most).
    let mut agent = None;
    for attempt in 0..3 {
        if attempt > 0 {
            (control, proxy) = (free_port()?, free_port()?);
            address = format!("127.0.0.1:{control}");
            demo.run(&["host", "update", "demo-agent", "--address", &address], true)?;
        }
        std::fs::write(
            &config,
            format!(
                "state_dir = {:?}\n[proxy]\nlog_dir = {:?}\nlisten = [\"127.0.0.1:{proxy}\"]\n[control]\nlisten = \"{address}\"\nca = {:?}\ncert = {:?}\nkey = {:?}\ncrl = {:?}\n[admin]\nlisten = \"127.0.0.1:{}\"\n",
                dir.join("agent-state"),
                dir.join("agent-logs"),
                bundle.join("ca.pem"),
                bundle.join("server.pem"),
                bundle.join("server.key"),
                bundle.join("crl.pem"),
                free_port()?
            ),
        )
        .with_context(|| format!("cannot write `{}`", config.display()))?;
        let child = std::process::Command::new(&agent_bin)
            .arg("--config")
            .arg(&config)
            .stderr(std::process::Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start `{}`", agent_bin.display()))?;
        let mut guard = AgentGuard(child);
        let mut up = false;
        for _ in 0..1000 {
            if std::net::TcpStream::connect(&address).is_ok()
                && std::net::TcpStream::connect(("127.0.0.1", proxy)).is_ok()
            {
                up = true;
                break;
            }
            if guard.0.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        if up {
            agent = Some(guard);
            break;
        }
    }
    let Some(_agent) = agent else {
        return Err(Failure::new("the demo agent did not start").hint("run `amoe demo` again").into());
    };
    ctx.out.line(&format!("    amoe-agent --config {} (proxy on 127.0.0.1:{proxy})", config.display()))?;

    let origin = demo_origin()?;
    demo.say(
        ctx,
        "Serve the site through the agent",
        "Its configuration goes to every host of the site over the control API.",
    )?;
    demo.run(
        &[
            "site",
            "update",
            "www-demo",
            "--add-host",
            "demo-agent",
            "--remove-host",
            "pop-paris-1",
            "--remove-host",
            "pop-lyon-1",
            "--add-origin",
            &format!("http://{origin}"),
            "--remove-origin",
            "https://origin.mairie-demo.fr/",
        ],
        true,
    )?;
    demo.run(&["site", "push", "www-demo"], true)?;

    demo.say(ctx, "Requests", "The first goes to the origin, the second is served from the cache.")?;
    let proxy_addr: std::net::SocketAddr = format!("127.0.0.1:{proxy}").parse()?;
    ctx.out.line(&format!("GET http://www.mairie-demo.fr/ → {}", fetch(proxy_addr, "/")?))?;
    ctx.out.line(&format!("GET http://www.mairie-demo.fr/ → {}", fetch(proxy_addr, "/")?))?;

    demo.say(ctx, "Flush", "Purged on every host; the next request goes to the origin again.")?;
    demo.run(&["flush", "www-demo", "--url", "/", "--timing"], true)?;
    ctx.out.line(&format!("GET http://www.mairie-demo.fr/ → {}", fetch(proxy_addr, "/")?))?;

    demo.say(ctx, "Statistics and host status", "From the agent, over the control API.")?;
    demo.run(&["host", "status", "demo-agent"], true)?;
    let creds = crate::fleet::client::Credentials {
        ca: dir.join("ca").join("ca.pem"),
        cert: dir.join("certs").join("operator-demo.pem"),
        key: dir.join("certs").join("operator-demo.key"),
        crl: None,
    };
    let client = crate::fleet::client::Client::new(&creds, std::time::Duration::from_secs(5)).map_err(Failure::new)?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let answer = rt.block_on(client.call(&address, http::Method::GET, "/v1/sites/www-demo/stats", None))?;
    let s: amoe_proto::SiteStats = serde_json::from_slice(&answer.body).context("the agent's statistics")?;
    ctx.out.line(&format!(
        "site www-demo on demo-agent: {} requests, {} hits, {} misses, {} bytes, {:.0} % answered under 2 s",
        s.requests,
        s.hit,
        s.miss,
        s.bytes,
        s.under_2s * 100.0
    ))?;

    demo.say(
        ctx,
        "Access logs",
        "Each host writes a CLF and a W3C file per site and Paris day; `amoe logs collect` and \
         `amoe logs deliver` bring them to the beneficiary. `amoe logs stats` reads any of them:",
    )?;
    let day = jiff::Zoned::now().with_time_zone(amoe_core::time::paris()).date();
    let log = dir.join("agent-logs").join("www-demo").join(format!("www-demo-{day}.w3c.log"));
    // The agent writes its logs within a second; wait for the three requests, at most 10 s.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::fs::read_to_string(&log).map_or(0, |t| t.lines().filter(|l| !l.starts_with('#')).count()) < 3
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    demo.run(&["logs", "stats", "--top", "3", &log.display().to_string()], true)?;
    Ok(())
}
