//! `amoe-agent`, the daemon on every host: it embeds the caching reverse proxy (`amoe-proxy`)
//! and serves the control API over mutual TLS (DESIGN §5).
//!
//! Two ways to run it:
//! - **daemon**, `amoe-agent --config agent.toml` ([`daemon`]): the proxy, the control API,
//!   metrics, reload on SIGHUP;
//! - **quick mode**, `amoe-agent --listen ADDR --origin URL`: one catch-all site in front of
//!   one origin, RFC 9111 defaults, no control API — for trying the proxy and for benchmarks,
//!   like `varnishd -a … -b …`.
//!
//! SIGTERM or Ctrl-C stops accepting, lets in-flight requests finish (10 s at most) and flushes
//! the access logs.

pub mod daemon;

use amoe_proxy::config::{ProxyConfig, SiteConfig, StorageConfig};
use amoe_proxy::{Proxy, server};
use clap::{CommandFactory, Parser};
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const AFTER: &str = "\
QUICK MODE:
  Serves every Host as one site in front of ORIGIN with the HTTP caching rules of RFC 9111:
  only what the origin allows is cached, for as long as it says. Responses carry
  `X-Cache: HIT|MISS|STALE|PASS|ERROR` and `Age`.

DAEMON:
  amoe-agent --config /etc/amoe/agent.toml (schema: schemas/agent-config.schema.json).
  The control API listens with mutual TLS only; its certificates come from `amoe host enroll`.
  SIGHUP reloads certificates, the revocation list and the sites; a file that does not load is
  refused loudly and the running configuration kept. Logs go to stderr.
  amoe-agent --check-config /etc/amoe/agent.toml checks a file before a reload or a start (like
  `nginx -t`): its syntax and keys, then the certificates, key and revocation list it names.

EXIT STATUS:
  0 stopped by SIGTERM or Ctrl-C after draining, or --check-config found the file valid;
  1 could not start (address in use, bad origin, unwritable directory) or the file is
  invalid; 2 usage error.

EXAMPLES:
  amoe-agent --listen 127.0.0.1:8080 --origin http://127.0.0.1:9000
  amoe-agent --listen 127.0.0.1:8080 --tls-listen 127.0.0.1:8443 --tls-cert cert.pem \\
      --tls-key key.pem --origin http://127.0.0.1:9000
  amoe-agent --listen 0.0.0.0:80 --origin https://origin.example.fr \\
      --cache-dir /var/cache/amoe --disk-size 50G --log-dir /var/log/amoe";

/// amoe-agent: the daemon on every amoe host (caching reverse proxy).
#[derive(Debug, Parser)]
#[command(name = "amoe-agent", version, after_long_help = AFTER, max_term_width = 100)]
pub struct AgentCli {
    /// Run as the daemon with this configuration file
    #[arg(long, value_name = "FILE", conflicts_with_all = ["listen", "origin"])]
    pub config: Option<PathBuf>,
    /// Check a daemon configuration file and the files it names, then exit
    #[arg(long, value_name = "FILE", conflicts_with_all = ["config", "listen", "origin"])]
    pub check_config: Option<PathBuf>,
    /// Quick mode: address to serve HTTP on
    #[arg(long, value_name = "ADDR", required_unless_present_any = ["config", "check_config"], requires = "origin")]
    pub listen: Option<SocketAddr>,
    /// Quick mode: origin base URL (http or https)
    #[arg(long, value_name = "URL", requires = "listen")]
    pub origin: Option<String>,
    /// Directory of the disk tier, kept across restarts
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Budget of the disk tier (K, M, G suffixes)
    #[arg(long, value_name = "SIZE", default_value = "10G", value_parser = parse_size)]
    pub disk_size: u64,
    /// Budget of the memory tier (K, M, G suffixes)
    #[arg(long, value_name = "SIZE", default_value = "256M", value_parser = parse_size)]
    pub memory_size: u64,
    /// Memory for the index of the disk tier's objects (K, M, G suffixes); when full, the
    /// oldest disk objects go
    #[arg(long, value_name = "SIZE", default_value = "256M", value_parser = parse_size)]
    pub index_size: u64,
    /// Directory of the access logs (per site and day, CLF and W3C extended)
    #[arg(long, value_name = "DIR")]
    pub log_dir: Option<PathBuf>,
    /// Quick mode: also serve HTTPS (HTTP/2 and HTTP/1.1 by ALPN) on this address, with
    /// --tls-cert and --tls-key for every name
    #[arg(long, value_name = "ADDR", requires_all = ["tls_cert", "tls_key", "listen"])]
    pub tls_listen: Option<SocketAddr>,
    /// Quick mode: PEM certificate chain for --tls-listen
    #[arg(long, value_name = "FILE", requires = "tls_listen")]
    pub tls_cert: Option<PathBuf>,
    /// Quick mode: PEM private key for --tls-listen
    #[arg(long, value_name = "FILE", requires = "tls_listen")]
    pub tls_key: Option<PathBuf>,
    /// Worker threads (default: one per CPU)
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

fn parse_size(s: &str) -> Result<u64, String> {
    amoe_core::size::parse_size(s).ok_or_else(|| format!("`{}` is not a size like 512M or 10G", s.trim()))
}

/// The JSON Schema of `agent.toml`.
pub fn config_schema() -> schemars::Schema {
    schemars::schema_for!(daemon::config::AgentConfig)
}

/// The clap definition, for the man page.
pub fn command() -> clap::Command {
    AgentCli::command()
}

/// Runs the agent with these arguments; returns its exit code.
pub fn run(args: Vec<OsString>) -> ExitCode {
    let cli = match AgentCli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    if let Some(path) = &cli.check_config {
        return match daemon::check_config(path) {
            Ok(summary) => {
                println!("{summary}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = cli.threads {
        rt.worker_threads(n.max(1));
    }
    let rt = match rt.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let _ = tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(false).with_target(false).try_init();
    let result = match cli.config.clone() {
        Some(path) => rt.block_on(daemon::run(&path)),
        None => rt.block_on(quick(cli)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn quick(cli: AgentCli) -> Result<(), String> {
    let (Some(listen), Some(origin)) = (cli.listen, cli.origin.clone()) else {
        return Err("quick mode needs --listen and --origin".into());
    };
    let mut site = SiteConfig::new("default", &["*"], &[origin.as_str()]);
    if let (Some(cert), Some(key)) = (cli.tls_cert.clone(), cli.tls_key.clone()) {
        site.tls = Some(amoe_proxy::config::TlsFiles { cert, key });
    }
    let config = ProxyConfig {
        sites: vec![site],
        storage: StorageConfig {
            memory_bytes: cli.memory_size,
            disk: cli.cache_dir.map(|d| (d, cli.disk_size)),
            index_bytes: cli.index_size,
            ..StorageConfig::default()
        },
        log_dir: cli.log_dir,
        ..ProxyConfig::default()
    };
    let proxy = Proxy::new(config).map_err(|e| format!("{e}"))?;
    let listener =
        tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    eprintln!("amoe-agent: serving {listen} in front of {origin}");
    let shutdown = async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = async { match &mut term { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
        }
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let tls_task = match cli.tls_listen {
        Some(addr) => {
            let l = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            let acceptor = proxy.tls_acceptor().map_err(|e| e.to_string())?;
            eprintln!("amoe-agent: serving HTTPS on {addr}");
            let mut rx = stop_rx.clone();
            let stopped = async move {
                let _ = rx.wait_for(|s| *s).await;
            };
            Some(tokio::spawn(server::serve(proxy.clone(), l, Some(acceptor), stopped, Duration::from_secs(10))))
        }
        None => None,
    };
    server::serve(proxy.clone(), listener, None, shutdown, Duration::from_secs(10)).await.map_err(|e| e.to_string())?;
    let _ = stop_tx.send(true);
    if let Some(t) = tls_task {
        let _ = t.await;
    }
    drop(stop_rx);
    proxy.shutdown();
    Ok(())
}
