//! The control API of a real `amoe-agent` process: mutual TLS with the project CA, roles,
//! revocation, every refusal journaled, sites kept across a restart, metrics.
#![allow(clippy::unwrap_used)]

#[path = "../../proxy/tests/common/extra.rs"]
mod extra;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls_pki_types::pem::PemObject;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const AGENT: &str = env!("CARGO_BIN_EXE_amoe-agent");

struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

struct Client {
    cert: String,
    key: String,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, name);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        Ca { issuer: CertifiedIssuer::self_signed(p, KeyPair::generate().unwrap()).unwrap() }
    }

    fn client(&self, name: &str, role: &str, expired: bool) -> (Client, rcgen::SerialNumber) {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, name);
        p.distinguished_name.push(DnType::OrganizationalUnitName, role);
        p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let serial = rcgen::SerialNumber::from_slice(&rand_serial(name));
        p.serial_number = Some(serial.clone());
        if expired {
            p.not_before = rcgen::date_time_ymd(2020, 1, 1);
            p.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let key = KeyPair::generate().unwrap();
        let cert = p.signed_by(&key, &self.issuer).unwrap();
        (Client { cert: cert.pem(), key: key.serialize_pem() }, serial)
    }

    fn server(&self) -> Client {
        let mut p = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
        p.distinguished_name.push(DnType::CommonName, "pop1");
        p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate().unwrap();
        Client { cert: p.signed_by(&key, &self.issuer).unwrap().pem(), key: key.serialize_pem() }
    }

    /// A list newer than the one the agents start with (number 1).
    fn crl(&self, revoked: &[rcgen::SerialNumber]) -> String {
        self.crl_numbered(revoked, 2, 2036)
    }

    /// A list with this number, valid until 1 January of `until`.
    fn crl_numbered(&self, revoked: &[rcgen::SerialNumber], number: u64, until: i32) -> String {
        let params = rcgen::CertificateRevocationListParams {
            this_update: rcgen::date_time_ymd(2020, 1, 1),
            next_update: rcgen::date_time_ymd(until, 1, 1),
            crl_number: rcgen::SerialNumber::from(number),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|s| rcgen::RevokedCertParams {
                    serial_number: s.clone(),
                    revocation_time: rcgen::date_time_ymd(2026, 1, 2),
                    reason_code: None,
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        };
        params.signed_by(&self.issuer).unwrap().pem().unwrap()
    }
}

fn rand_serial(name: &str) -> Vec<u8> {
    let mut s: Vec<u8> = name.bytes().collect();
    s.insert(0, 0x11);
    s.truncate(16);
    s
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct AgentProc {
    child: Child,
    control: SocketAddr,
    admin: SocketAddr,
    state: PathBuf,
    config: PathBuf,
}

impl AgentProc {
    fn start(dir: &Path, ca: &Ca) -> AgentProc {
        let server = ca.server();
        std::fs::write(dir.join("ca.pem"), ca.issuer.pem()).unwrap();
        std::fs::write(dir.join("server.pem"), &server.cert).unwrap();
        std::fs::write(dir.join("server.key"), &server.key).unwrap();
        std::fs::write(dir.join("crl.pem"), ca.crl_numbered(&[], 1, 2036)).unwrap();
        let (control, admin, proxy) = (free_port(), free_port(), free_port());
        let config = dir.join("agent.toml");
        let state = dir.join("state");
        std::fs::write(
            &config,
            format!(
                "state_dir = {state:?}\n[proxy]\nlisten = [\"127.0.0.1:{proxy}\"]\n[control]\nlisten = \"127.0.0.1:{control}\"\nca = {:?}\ncert = {:?}\nkey = {:?}\ncrl = {:?}\n[admin]\nlisten = \"127.0.0.1:{admin}\"\n",
                dir.join("ca.pem"),
                dir.join("server.pem"),
                dir.join("server.key"),
                dir.join("crl.pem")
            ),
        )
        .unwrap();
        let mut a = AgentProc {
            child: Command::new(AGENT).arg("--config").arg(&config).stderr(Stdio::null()).spawn().unwrap(),
            control: format!("127.0.0.1:{control}").parse().unwrap(),
            admin: format!("127.0.0.1:{admin}").parse().unwrap(),
            state,
            config,
        };
        a.wait_ready();
        a
    }

    fn wait_ready(&mut self) {
        for _ in 0..3000 {
            if std::net::TcpStream::connect(self.control).is_ok() && std::net::TcpStream::connect(self.admin).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("amoe-agent exited: {status}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("amoe-agent did not start listening");
    }

    fn restart(&mut self) {
        self.stop();
        self.child = Command::new(AGENT).arg("--config").arg(&self.config).stderr(Stdio::null()).spawn().unwrap();
        self.wait_ready();
    }

    fn stop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "SIGTERM drains and exits 0: {status}");
    }

    /// The journal's complete lines.
    fn journal(&self) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(self.state.join("control-journal.jsonl")).unwrap_or_default();
        let complete = &text[..text.rfind('\n').map_or(0, |i| i + 1)];
        complete.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    /// The journal once `cond` holds of it (refused handshakes are journaled just after the
    /// client saw the refusal), waiting at most 5 s.
    fn journal_when(&self, cond: impl Fn(&[serde_json::Value]) -> bool) -> Vec<serde_json::Value> {
        for _ in 0..3000 {
            let j = self.journal();
            if cond(&j) {
                return j;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.journal()
    }
}

impl Drop for AgentProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TLS client config trusting `ca_pem`, presenting `client` if any.
fn client_config(
    ca_pem: &str,
    client: Option<&Client>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(rustls_pki_types::CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap()).unwrap();
    let b = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots);
    let config = match client {
        Some(c) => b
            .with_client_auth_cert(
                vec![rustls_pki_types::CertificateDer::from_pem_slice(c.cert.as_bytes()).unwrap()],
                rustls_pki_types::PrivateKeyDer::from_pem_slice(c.key.as_bytes()).unwrap(),
            )
            .unwrap(),
        None => b.with_no_client_auth(),
    };
    Arc::new(config)
}

/// One call; `Err` when the TLS handshake or the request failed (refused at the TLS level).
async fn call(
    agent: &AgentProc,
    tls: Arc<rustls::ClientConfig>,
    method: &str,
    path: &str,
    body: &str,
) -> Result<(u16, serde_json::Value), String> {
    call_with(agent, tls, method, path, body, &[]).await
}

/// [`call`] with extra request headers.
async fn call_with(
    agent: &AgentProc,
    tls: Arc<rustls::ClientConfig>,
    method: &str,
    path: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> Result<(u16, serde_json::Value), String> {
    let tcp = tokio::net::TcpStream::connect(agent.control).await.map_err(|e| e.to_string())?;
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let stream = tokio_rustls::TlsConnector::from(tls).connect(name, tcp).await.map_err(|e| e.to_string())?;
    let (mut send, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let mut req = http::Request::builder().method(method).uri(path).header("host", "localhost");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(Full::new(Bytes::from(body.to_string()))).unwrap();
    let res = send.send_request(req).await.map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    let bytes = res.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
    let json = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null)
    };
    Ok((status, json))
}

const TLS_ALL: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS13, &rustls::version::TLS12];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_revocation_and_every_refusal_journaled() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("amoe test CA");
    let ca_pem = ca.issuer.pem();
    let mut agent = AgentProc::start(dir.path(), &ca);
    let (operator, _) = ca.client("alice", "operator", false);
    let (ci, _) = ca.client("pipeline", "ci", false);
    let (expired, _) = ca.client("old", "operator", true);
    let (revoked, revoked_serial) = ca.client("mallory", "operator", false);
    let other = Ca::new("another CA");
    let (foreign, _) = other.client("eve", "operator", false);
    let self_signed = {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, "selfie");
        p.distinguished_name.push(DnType::OrganizationalUnitName, "operator");
        let key = KeyPair::generate().unwrap();
        Client { cert: p.self_signed(&key).unwrap().pem(), key: key.serialize_pem() }
    };
    let op = client_config(&ca_pem, Some(&operator), TLS_ALL);

    // The operator does everything.
    let site = r#"{"name":"www","domains":["www.example.test"],"origins":["http://127.0.0.1:9"],"rules":"[default]\nttl = \"1h\"\n"}"#;
    let (status, body) = call(&agent, op.clone(), "PUT", "/v1/sites/www", site).await.unwrap();
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(&agent, op.clone(), "GET", "/v1/status", "").await.unwrap();
    assert_eq!((status, body["sites"].clone()), (200, serde_json::json!(["www"])));
    assert!(body["certificate_not_after"].is_string());
    let flush = r#"{"all":true,"idempotency_key":"k-1"}"#;
    let (status, body) = call(&agent, op.clone(), "POST", "/v1/sites/www/flush", flush).await.unwrap();
    assert_eq!((status, body["replayed"].as_bool()), (200, Some(false)));
    let (_, body) = call(&agent, op.clone(), "POST", "/v1/sites/www/flush", flush).await.unwrap();
    assert_eq!(body["replayed"].as_bool(), Some(true), "a retry with the same key is not applied twice");
    // Bad rules are refused with their line.
    let bad = r#"{"name":"bad","domains":["b.example.test"],"origins":["http://127.0.0.1:9"],"rules":"[default]\ntll = \"1h\"\n"}"#;
    let (status, body) = call(&agent, op.clone(), "PUT", "/v1/sites/bad", bad).await.unwrap();
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_rules")));
    assert!(body["error"]["message"].as_str().unwrap().contains("line 2"), "{body}");

    // ci may flush, and nothing else.
    let ci_tls = client_config(&ca_pem, Some(&ci), TLS_ALL);
    assert_eq!(call(&agent, ci_tls.clone(), "POST", "/v1/sites/www/flush", r#"{"urls":["/x"]}"#).await.unwrap().0, 200);
    let (status, body) = call(&agent, ci_tls.clone(), "PUT", "/v1/sites/www", site).await.unwrap();
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")));
    assert!(body["error"]["hint"].is_string());

    // Refused at the TLS level: no certificate, self-signed, another CA, expired.
    for (what, tls) in [
        ("no certificate", client_config(&ca_pem, None, TLS_ALL)),
        ("self-signed", client_config(&ca_pem, Some(&self_signed), TLS_ALL)),
        ("another CA", client_config(&ca_pem, Some(&foreign), TLS_ALL)),
        ("expired", client_config(&ca_pem, Some(&expired), TLS_ALL)),
    ] {
        assert!(call(&agent, tls, "GET", "/v1/status", "").await.is_err(), "{what} must be refused");
    }
    // Revoked: accepted until the revocation list is pushed, refused after.
    let rev_tls = client_config(&ca_pem, Some(&revoked), TLS_ALL);
    assert_eq!(call(&agent, rev_tls.clone(), "GET", "/v1/status", "").await.unwrap().0, 200);
    assert_eq!(call(&agent, op.clone(), "PUT", "/v1/crl", &ca.crl(&[revoked_serial])).await.unwrap().0, 204);
    assert!(call(&agent, rev_tls, "GET", "/v1/status", "").await.is_err(), "a revoked certificate is refused");
    assert_eq!(call(&agent, op.clone(), "GET", "/v1/status", "").await.unwrap().0, 200);
    // TLS 1.1 is not spoken.
    let mut tcp = tokio::net::TcpStream::connect(agent.control).await.unwrap();
    tcp.write_all(&extra::tls11_client_hello("localhost")).await.unwrap();
    let mut first = [0u8; 7];
    if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_secs(5), tcp.read_exact(&mut first)).await {
        assert_eq!((first[0], first[6]), (0x15, 70), "a protocol_version alert");
    }
    drop(tcp);

    // Every call, accepted or refused, is journaled with the identity.
    let tls_refusals = |j: &[serde_json::Value]| {
        j.iter()
            .filter(|e| e["client"].is_null() && e["outcome"].as_str().is_some_and(|o| o.starts_with("refused: TLS")))
            .count()
    };
    let journal = agent.journal_when(|j| tls_refusals(j) >= 6);
    let refused_tls = journal
        .iter()
        .filter(|e| e["client"].is_null() && e["outcome"].as_str().is_some_and(|o| o.starts_with("refused: TLS")))
        .count();
    assert!(
        refused_tls >= 6,
        "no cert, self-signed, other CA, expired, revoked, TLS 1.1: {refused_tls} in {journal:#?}"
    );
    let ci_refused = journal.iter().any(|e| {
        e["client"] == "pipeline"
            && e["status"] == 403
            && e["outcome"].as_str().is_some_and(|o| o.starts_with("refused"))
    });
    assert!(ci_refused, "the ci refusal is journaled");
    assert!(
        journal.iter().any(|e| e["client"] == "alice" && e["path"] == "/v1/sites/www" && e["outcome"] == "accepted")
    );

    // Metrics on the admin listener.
    let metrics = reqwest_like_get(agent.admin, "/metrics").await;
    for series in [
        "amoe_control_calls_total{outcome=\"refused\"}",
        "amoe_cache_objects",
        "amoe_cache_damaged_files_total 0",
        "amoe_open_connections",
        "amoe_requests_total{site=\"www\",cache=\"hit\"}",
    ] {
        assert!(metrics.contains(series), "{series} in {metrics}");
    }

    // A restart keeps the sites and the applied flush keys.
    agent.restart();
    let op = client_config(&ca_pem, Some(&operator), TLS_ALL);
    let (_, body) = call(&agent, op.clone(), "GET", "/v1/sites", "").await.unwrap();
    assert_eq!(body.as_array().map(Vec::len), Some(1));
    let (_, body) = call(&agent, op.clone(), "POST", "/v1/sites/www/flush", flush).await.unwrap();
    assert_eq!(body["replayed"].as_bool(), Some(true));
    agent.stop();
}

/// `PUT /v1/crl` takes only the control CA's own lists, newer than the installed one and not
/// expired; whatever it refuses, every client is still served as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_control_cas_newer_lists_are_installed() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("amoe test CA");
    let ca_pem = ca.issuer.pem();
    let agent = &AgentProc::start(dir.path(), &ca);
    let (operator, operator_serial) = ca.client("alice", "operator", false);
    let (bob, bob_serial) = ca.client("bob", "operator", false);
    let op = client_config(&ca_pem, Some(&operator), TLS_ALL);
    let bob_tls = client_config(&ca_pem, Some(&bob), TLS_ALL);
    // Another CA with the same name, and a PEM block that is not a list at all.
    let impostor = Ca::new("amoe test CA");
    let fake = "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n".to_string();
    let refused = [
        (
            "another CA's list revoking everyone",
            impostor.crl_numbered(&[operator_serial.clone(), bob_serial.clone()], 9, 2036),
        ),
        ("a fake", fake),
        ("an expired list", ca.crl_numbered(std::slice::from_ref(&bob_serial), 2, 2021)),
    ];
    for (what, pem) in &refused {
        let (status, body) = call(agent, op.clone(), "PUT", "/v1/crl", pem).await.unwrap();
        assert_eq!(status, 400, "{what}: {body}");
    }
    assert_eq!(call(agent, op.clone(), "GET", "/v1/status", "").await.unwrap().0, 200);
    assert_eq!(call(agent, bob_tls.clone(), "GET", "/v1/status", "").await.unwrap().0, 200);
    // The CA's list number 5 revoking bob is installed; then an older one (bob not revoked) is
    // refused, and so is the same number again.
    assert_eq!(
        call(agent, op.clone(), "PUT", "/v1/crl", &ca.crl_numbered(std::slice::from_ref(&bob_serial), 5, 2036))
            .await
            .unwrap()
            .0,
        204
    );
    assert!(call(agent, bob_tls.clone(), "GET", "/v1/status", "").await.is_err(), "bob is revoked");
    // The same list delivered again (an outbox retry) is a no-op, not a refusal.
    let again = ca.crl_numbered(std::slice::from_ref(&bob_serial), 5, 2036);
    let installed = std::fs::read_to_string(agent.state.join("crl.pem")).unwrap();
    assert_eq!(call(agent, op.clone(), "PUT", "/v1/crl", &installed).await.unwrap().0, 204);
    assert_eq!(call(agent, op.clone(), "PUT", "/v1/crl", &again).await.unwrap().0, 400, "same number, other bytes");
    for number in [4, 5] {
        let (status, body) =
            call(agent, op.clone(), "PUT", "/v1/crl", &ca.crl_numbered(&[], number, 2036)).await.unwrap();
        assert_eq!(status, 400, "list number {number}: {body}");
        assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("not above")), "{body}");
    }
    assert!(call(agent, bob_tls, "GET", "/v1/status", "").await.is_err(), "bob stays revoked");
    assert_eq!(call(agent, op, "GET", "/v1/status", "").await.unwrap().0, 200);
}

/// A keep-alive connection of a certificate revoked meanwhile is closed within a second of the
/// list landing; others stay open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocation_closes_open_connections() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("amoe test CA");
    let ca_pem = ca.issuer.pem();
    let agent = &AgentProc::start(dir.path(), &ca);
    let (operator, _) = ca.client("alice", "operator", false);
    let (leaver, leaver_serial) = ca.client("leaver", "operator", false);
    let op = client_config(&ca_pem, Some(&operator), TLS_ALL);
    let open = |tls: Arc<rustls::ClientConfig>| async move {
        let tcp = tokio::net::TcpStream::connect(agent.control).await.unwrap();
        let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
        let stream = tokio_rustls::TlsConnector::from(tls).connect(name, tcp).await.unwrap();
        let (send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.unwrap();
        tokio::spawn(conn);
        send
    };
    let status = |send: &mut hyper::client::conn::http1::SendRequest<Full<Bytes>>| {
        let req = http::Request::get("/v1/status").header("host", "localhost").body(Full::new(Bytes::new())).unwrap();
        let fut = send.send_request(req);
        async move { fut.await.map(|r| r.status().as_u16()).map_err(|e| e.to_string()) }
    };
    let mut leaver_conn = open(client_config(&ca_pem, Some(&leaver), TLS_ALL)).await;
    let mut op_conn = open(op.clone()).await;
    assert_eq!(status(&mut leaver_conn).await, Ok(200));
    assert_eq!(status(&mut op_conn).await, Ok(200));
    let crl = ca.crl_numbered(std::slice::from_ref(&leaver_serial), 2, 2036);
    assert_eq!(call(agent, op, "PUT", "/v1/crl", &crl).await.unwrap().0, 204);
    let landed = std::time::Instant::now();
    loop {
        if leaver_conn.ready().await.is_err() || status(&mut leaver_conn).await.is_err() {
            break;
        }
        assert!(landed.elapsed() < Duration::from_secs(5), "the revoked connection still answers");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status(&mut op_conn).await, Ok(200), "the operator's open connection stays");
}

/// A flood of refused handshakes from one address leaves a small journal (a budget of lines a
/// second, the rest counted) and the agent answering its operator at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_handshakes_cannot_fill_the_journal() {
    const FLOOD: usize = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("amoe test CA");
    let ca_pem = ca.issuer.pem();
    let agent = &AgentProc::start(dir.path(), &ca);
    let (operator, _) = ca.client("alice", "operator", false);
    let op = client_config(&ca_pem, Some(&operator), TLS_ALL);
    let anonymous = client_config(&ca_pem, None, TLS_ALL);
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for t in 0..16 {
        let (tls, addr) = (anonymous.clone(), agent.control);
        tasks.push(tokio::spawn(async move {
            for _ in (t..FLOOD).step_by(16) {
                let Ok(tcp) = tokio::net::TcpStream::connect(addr).await else { continue };
                let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
                if let Ok(mut s) = tokio_rustls::TlsConnector::from(tls.clone()).connect(name, tcp).await {
                    // TLS 1.3: the refusal arrives with the first read.
                    let mut b = [0u8; 1];
                    let _ = s.read(&mut b).await;
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let flood = started.elapsed();
    let t0 = std::time::Instant::now();
    assert_eq!(call(agent, op, "GET", "/v1/status", "").await.unwrap().0, 200);
    let answered = t0.elapsed();
    let journal = std::fs::read_to_string(agent.state.join("control-journal.jsonl")).unwrap_or_default();
    println!(
        "{FLOOD} refused handshakes in {flood:?}: journal {} bytes, {} lines; operator answered in {answered:?}",
        journal.len(),
        journal.lines().count()
    );
    assert!(journal.len() < 1 << 20, "journal of {} bytes", journal.len());
    let lines = journal.lines().count() as u64;
    // Every second the flood touched (partial ones at both ends), and the agent's own lines.
    let budget = 20 * (flood.as_secs() + 3);
    assert!(lines <= budget, "{lines} lines for a flood of {flood:?}");
    assert!(journal.contains("suppressed_since_last") || lines as usize >= FLOOD, "the rest is counted");
    assert!(answered < Duration::from_millis(100), "the operator waited {answered:?}");
}

/// Names the CLI cannot make are refused with 400 and leave nothing behind (no ghost site:
/// nothing saved, nothing served, nothing to delete).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_site_names_make_no_ghost_sites() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("amoe test CA");
    let agent = &AgentProc::start(dir.path(), &ca);
    let (operator, _) = ca.client("alice", "operator", false);
    let op = client_config(&ca.issuer.pem(), Some(&operator), TLS_ALL);
    let long = "a".repeat(300);
    for name in [".", "..", "%2e%2e", "WWW", long.as_str()] {
        let body = format!(r#"{{"name":"{name}","domains":["ghost.example.test"],"origins":["http://127.0.0.1:9"]}}"#);
        let (status, reply) = call(agent, op.clone(), "PUT", &format!("/v1/sites/{name}"), &body).await.unwrap();
        assert_eq!(status, 400, "{name}: {reply}");
        let (status, _) = call(agent, op.clone(), "DELETE", &format!("/v1/sites/{name}"), "").await.unwrap();
        assert_eq!(status, 400, "{name}");
    }
    // A valid name with a domain that is not one.
    let bad_domain = r#"{"name":"www","domains":["not a domain"],"origins":["http://127.0.0.1:9"]}"#;
    assert_eq!(call(agent, op.clone(), "PUT", "/v1/sites/www", bad_domain).await.unwrap().0, 400);
    let (_, sites) = call(agent, op, "GET", "/v1/sites", "").await.unwrap();
    assert_eq!(sites, serde_json::json!([]), "nothing applied");
    let saved: Vec<_> = std::fs::read_dir(agent.state.join("sites")).map(|d| d.flatten().collect()).unwrap_or_default();
    assert!(saved.is_empty(), "nothing saved: {saved:?}");
}

async fn reqwest_like_get(addr: SocketAddr, path: &str) -> String {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp)).await.unwrap();
    tokio::spawn(conn);
    let res = send
        .send_request(http::Request::get(path).header("host", "localhost").body(Full::new(Bytes::new())).unwrap())
        .await
        .unwrap();
    String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn systemd_readiness_and_reload_without_dropping_connections() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("amoe test CA");
    let ca_pem = ca.issuer.pem();
    // A systemd-style notification socket.
    let sock_path = dir.path().join("notify.sock");
    let sock = std::os::unix::net::UnixDatagram::bind(&sock_path).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let server = ca.server();
    std::fs::write(dir.path().join("ca.pem"), &ca_pem).unwrap();
    std::fs::write(dir.path().join("server.pem"), &server.cert).unwrap();
    std::fs::write(dir.path().join("server.key"), &server.key).unwrap();
    std::fs::write(dir.path().join("crl.pem"), ca.crl_numbered(&[], 1, 2036)).unwrap();
    let (control, admin) = (free_port(), free_port());
    let config = dir.path().join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "state_dir = {:?}\n[proxy]\n[control]\nlisten = \"127.0.0.1:{control}\"\nca = {:?}\ncert = {:?}\nkey = {:?}\ncrl = {:?}\n[admin]\nlisten = \"127.0.0.1:{admin}\"\n",
            dir.path().join("state"),
            dir.path().join("ca.pem"),
            dir.path().join("server.pem"),
            dir.path().join("server.key"),
            dir.path().join("crl.pem")
        ),
    )
    .unwrap();
    let child = Command::new(AGENT)
        .arg("--config")
        .arg(&config)
        .env("NOTIFY_SOCKET", &sock_path)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut agent = AgentProc {
        child,
        control: format!("127.0.0.1:{control}").parse().unwrap(),
        admin: format!("127.0.0.1:{admin}").parse().unwrap(),
        state: dir.path().join("state"),
        config,
    };
    let mut buf = [0u8; 64];
    let n = sock.recv(&mut buf).expect("READY=1 within 10 s");
    assert_eq!(&buf[..n], b"READY=1");

    // An open connection keeps working across SIGHUP, and a new certificate is used by new ones.
    let (operator, _) = ca.client("alice", "operator", false);
    let tcp = tokio::net::TcpStream::connect(agent.control).await.unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let stream = tokio_rustls::TlsConnector::from(client_config(&ca_pem, Some(&operator), TLS_ALL))
        .connect(name, tcp)
        .await
        .unwrap();
    let (mut send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.unwrap();
    tokio::spawn(conn);
    let get = || http::Request::get("/v1/status").header("host", "localhost").body(Full::new(Bytes::new())).unwrap();
    let res = send.send_request(get()).await.unwrap();
    assert_eq!(res.status(), 200);
    res.into_body().collect().await.unwrap();
    let renewed = ca.server();
    std::fs::write(dir.path().join("server.pem"), &renewed.cert).unwrap();
    std::fs::write(dir.path().join("server.key"), &renewed.key).unwrap();
    assert!(Command::new("kill").arg("-HUP").arg(agent.child.id().to_string()).status().unwrap().success());
    let mut served_new = false;
    for _ in 0..1000 {
        // The previous answer's body is read and the connection ready before the next request.
        send.ready().await.expect("the open connection survives the reload");
        let res = send.send_request(get()).await.unwrap();
        assert_eq!(res.status(), 200, "the open connection survives the reload");
        res.into_body().collect().await.unwrap();
        let tcp = tokio::net::TcpStream::connect(agent.control).await.unwrap();
        let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
        let s = tokio_rustls::TlsConnector::from(client_config(&ca_pem, Some(&operator), TLS_ALL))
            .connect(name, tcp)
            .await
            .unwrap();
        let presented = s.get_ref().1.peer_certificates().and_then(|c| c.first()).map(|c| c.as_ref().to_vec());
        let expected = rustls_pki_types::CertificateDer::from_pem_slice(renewed.cert.as_bytes()).unwrap();
        if presented.as_deref() == Some(expected.as_ref()) {
            served_new = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(served_new, "after SIGHUP new handshakes use the renewed certificate");
    agent.stop();
}

#[test]
fn an_invalid_configuration_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("agent.toml");
    std::fs::write(&config, "state_dir = \"/tmp/x\"\n[proxy]\nlisten = [\"127.0.0.1:0\"]\nbogus = 1\n").unwrap();
    let out = Command::new(AGENT).arg("--config").arg(&config).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("line 4") && stderr.contains("bogus"), "{stderr}");
}

/// Without a revocation list (none kept, none in the bundle) the agent does not start: it would
/// check nothing. Another CA's list in the bundle is refused too.
#[test]
fn the_agent_does_not_start_without_a_revocation_list() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("amoe test CA");
    let server = ca.server();
    for (name, contents) in [("ca.pem", ca.issuer.pem()), ("server.pem", server.cert), ("server.key", server.key)] {
        std::fs::write(dir.path().join(name), contents).unwrap();
    }
    std::fs::write(dir.path().join("foreign-crl.pem"), Ca::new("amoe test CA").crl_numbered(&[], 7, 2036)).unwrap();
    for crl_line in ["", "crl = \"foreign-crl.pem\"\n"] {
        let config = dir.path().join("agent.toml");
        std::fs::write(
            &config,
            format!(
                "state_dir = {:?}\n[proxy]\n[control]\nlisten = \"127.0.0.1:{}\"\nca = {:?}\ncert = {:?}\nkey = {:?}\n{}[admin]\n",
                dir.path().join("state"),
                free_port(),
                dir.path().join("ca.pem"),
                dir.path().join("server.pem"),
                dir.path().join("server.key"),
                crl_line.replace("foreign-crl.pem", &dir.path().join("foreign-crl.pem").display().to_string()),
            ),
        )
        .unwrap();
        let mut child = Command::new(AGENT).arg("--config").arg(&config).stderr(Stdio::piped()).spawn().unwrap();
        let status = wait_exit(&mut child, Duration::from_secs(10));
        let mut stderr = String::new();
        let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr);
        assert_eq!(status, Some(1), "it started ({crl_line:?}): {stderr}");
        assert!(stderr.contains("revocation list"), "{stderr}");
    }
}

fn wait_exit(child: &mut Child, limit: Duration) -> Option<i32> {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if let Ok(Some(s)) = child.try_wait() {
            return s.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[test]
fn a_certificate_close_to_expiry_is_warned_about() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("amoe test CA");
    let mut p = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 5);
    let d = soon.to_zoned(jiff::tz::TimeZone::UTC).date();
    p.not_after = rcgen::date_time_ymd(d.year().into(), d.month() as u8, d.day() as u8);
    let key = KeyPair::generate().unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca.issuer.pem()).unwrap();
    std::fs::write(dir.path().join("server.pem"), p.signed_by(&key, &ca.issuer).unwrap().pem()).unwrap();
    std::fs::write(dir.path().join("server.key"), key.serialize_pem()).unwrap();
    std::fs::write(dir.path().join("crl.pem"), ca.crl_numbered(&[], 1, 2036)).unwrap();
    let config = dir.path().join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "state_dir = {:?}\n[proxy]\n[control]\nlisten = \"127.0.0.1:{}\"\nca = {:?}\ncert = {:?}\nkey = {:?}\ncrl = {:?}\n[admin]\nlisten = \"127.0.0.1:{}\"\n",
            dir.path().join("state"),
            free_port(),
            dir.path().join("ca.pem"),
            dir.path().join("server.pem"),
            dir.path().join("server.key"),
            dir.path().join("crl.pem"),
            free_port()
        ),
    )
    .unwrap();
    let mut child = Command::new(AGENT).arg("--config").arg(&config).stderr(Stdio::piped()).spawn().unwrap();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut warned = false;
    for line in stderr.lines().map_while(Result::ok) {
        if line.contains("expires soon") && line.contains("amoe host renew") {
            warned = true;
        }
        if line.contains("amoe-agent ready") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(warned, "a structured warning on stderr before the certificate expires");
}

/// An operator delivering what a `ci` certificate queued lends it no rights: the agent checks
/// the queuer's signature and certificate, takes the role from that certificate, checks the
/// call against it too, and journals both identities.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_items_are_checked_against_who_queued_them() {
    use amoe_pki::item_sig;
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("amoe test CA");
    let ca_pem = ca.issuer.pem();
    let agent = AgentProc::start(dir.path(), &ca);
    let (operator, _) = ca.client("alice", "operator", false);
    let (ci, _) = ca.client("pipeline", "ci", false);
    let op = client_config(&ca_pem, Some(&operator), TLS_ALL);
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let der = |pem: &str| rustls_pki_types::CertificateDer::from_pem_slice(pem.as_bytes()).unwrap().to_vec();
    // The headers of an item queued by `who`, signed with `signer`'s key.
    let signed = |who: &Client, signer: &Client, method: &str, path: &str, body: &str| -> Vec<(String, String)> {
        let sig =
            item_sig::sign(signer.key.as_bytes(), &item_sig::message("pop1", method, path, body.as_bytes())).unwrap();
        vec![
            ("amoe-queued-by".into(), "x".into()),
            ("amoe-queued-cert".into(), hex(&der(&who.cert))),
            ("amoe-queued-sig".into(), hex(&sig)),
        ]
    };
    let send = |h: &Vec<(String, String)>| h.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>();
    let site = r#"{"name":"www","domains":["www.example.test"],"origins":["http://127.0.0.1:9"],"active":true}"#;
    let put = |headers: Vec<(String, String)>| {
        let op = op.clone();
        let agent = &agent;
        async move {
            let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            call_with(agent, op, "PUT", "/v1/sites/www", site, &h).await.unwrap()
        }
    };
    // Queued by ci: refused, whoever delivers it.
    let (status, body) = put(send(&signed(&ci, &ci, "PUT", "/v1/sites/www", site))).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("pipeline"), "{body}");
    // An operator's certificate claimed with ci's signature: the signature does not hold.
    let (status, body) = put(send(&signed(&operator, &ci, "PUT", "/v1/sites/www", site))).await;
    assert_eq!(status, 403, "{body}");
    // A claim without certificate or signature, and a signature of another call.
    assert_eq!(put(vec![("amoe-queued-by".into(), "alice".into())]).await.0, 403);
    assert_eq!(put(send(&signed(&operator, &operator, "PUT", "/v1/sites/other", site))).await.0, 403);
    // Signed for another host (this one is `pop1`): refused.
    let sig =
        item_sig::sign(operator.key.as_bytes(), &item_sig::message("pop2", "PUT", "/v1/sites/www", site.as_bytes()))
            .unwrap();
    let elsewhere = vec![
        ("amoe-queued-by".to_string(), "alice".to_string()),
        ("amoe-queued-cert".to_string(), hex(&der(&operator.cert))),
        ("amoe-queued-sig".to_string(), hex(&sig)),
    ];
    assert_eq!(put(elsewhere).await.0, 403);
    let (status, _) = call(&agent, op.clone(), "GET", "/v1/sites/www", "").await.unwrap();
    assert_eq!(status, 404, "nothing was applied");
    // Signed by the operator: applied. What ci may do goes through, journaled with both.
    assert_eq!(put(send(&signed(&operator, &operator, "PUT", "/v1/sites/www", site))).await.0, 200);
    let flush = r#"{"all":true,"idempotency_key":"k1"}"#;
    let h = signed(&ci, &ci, "POST", "/v1/sites/www/flush", flush);
    let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = call_with(&agent, op.clone(), "POST", "/v1/sites/www/flush", flush, &h).await.unwrap();
    assert_eq!(status, 200, "{body}");
    let journal = agent.journal();
    let line = journal.iter().find(|l| l["path"] == "/v1/sites/www/flush").expect("flush journaled");
    assert_eq!((line["client"].as_str(), line["role"].as_str()), (Some("alice"), Some("operator")), "{line}");
    assert_eq!((line["queued_by"].as_str(), line["queued_role"].as_str()), (Some("pipeline"), Some("ci")), "{line}");
    let refused = journal.iter().filter(|l| l["method"] == "PUT" && l["status"] == 403).count();
    assert_eq!(refused, 5, "{journal:?}");
}

/// Flush idempotency keys are bound to their site and request; what the agent writes (state,
/// journal, cache files, access logs) is owner-only whatever the umask.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_bound_to_their_request_and_private_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("amoe test CA");
    let ca_pem = ca.issuer.pem();
    let mut agent = AgentProc::start(dir.path(), &ca);
    // The disk tier and the access logs on, as a host runs.
    let config = std::fs::read_to_string(&agent.config).unwrap();
    let proxy: u16 = config.split("listen = [\"127.0.0.1:").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    let (cache, logs) = (dir.path().join("cache"), dir.path().join("logs"));
    let config = config.replace("[proxy]\n", &format!("[proxy]\ncache_dir = {cache:?}\nlog_dir = {logs:?}\n"));
    std::fs::write(&agent.config, config).unwrap();
    // Directories an older agent made world-readable are closed at start.
    for d in [&cache, &logs] {
        std::fs::create_dir(d).unwrap();
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(&agent.state, std::fs::Permissions::from_mode(0o755)).unwrap();
    agent.restart();
    let origin = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin_addr = origin.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = origin.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let _ =
                    s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncache-control: max-age=600\r\n\r\nok").await;
            });
        }
    });
    let (operator, _) = ca.client("alice", "operator", false);
    let op = client_config(&ca_pem, Some(&operator), TLS_ALL);
    for name in ["www", "blog"] {
        let site = format!(
            r#"{{"name":"{name}","domains":["{name}.example.test"],"origins":["http://{origin_addr}"],"active":true}}"#
        );
        assert_eq!(call(&agent, op.clone(), "PUT", &format!("/v1/sites/{name}"), &site).await.unwrap().0, 200);
    }
    let flush = r#"{"all":true,"idempotency_key":"k1"}"#;
    let (status, body) = call(&agent, op.clone(), "POST", "/v1/sites/www/flush", flush).await.unwrap();
    assert_eq!((status, body["replayed"].as_bool()), (200, Some(false)), "{body}");
    let (status, body) = call(&agent, op.clone(), "POST", "/v1/sites/www/flush", flush).await.unwrap();
    assert_eq!((status, body["replayed"].as_bool()), (200, Some(true)), "a retry is answered, not applied: {body}");
    let (status, body) = call(&agent, op.clone(), "POST", "/v1/sites/blog/flush", flush).await.unwrap();
    assert_eq!(status, 409, "the key of another site's flush: {body}");
    let other = r#"{"urls":["/a"],"idempotency_key":"k1"}"#;
    assert_eq!(call(&agent, op.clone(), "POST", "/v1/sites/www/flush", other).await.unwrap().0, 409);

    // A response cached (and written to disk) and logged.
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", proxy)).await.unwrap();
    s.write_all(b"GET /b HTTP/1.1\r\nHost: www.example.test\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).await.unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer));

    // The latency histogram has its sum (Prometheus computes averages from it).
    let metrics = admin_get(agent.admin, "/metrics").await.1;
    let sum: f64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("amoe_response_seconds_sum{site=\"www\"} "))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no _sum: {metrics}"));
    assert!(sum > 0.0, "{metrics}");

    // Every file and directory the agent made is owner-only (the disk tier writes behind).
    let mut seen = (0, 0);
    for _ in 0..1000 {
        seen = (0, 0);
        let mut stack = vec![agent.state.clone(), cache.clone(), logs.clone()];
        while let Some(p) = stack.pop() {
            // A temporary file renamed into place between the listing and this look is gone.
            let meta = match std::fs::metadata(&p) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                meta => meta.unwrap(),
            };
            let mode = meta.permissions().mode() & 0o777;
            if meta.is_dir() {
                assert_eq!(mode, 0o700, "{}", p.display());
                stack.extend(std::fs::read_dir(&p).unwrap().filter_map(|e| e.ok()).map(|e| e.path()));
            } else {
                assert_eq!(mode, 0o600, "{}", p.display());
                if p.starts_with(&cache) {
                    seen.0 += 1;
                }
                if p.starts_with(&logs) {
                    seen.1 += 1;
                }
            }
        }
        if seen.0 > 0 && seen.1 > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(seen.0 > 0 && seen.1 > 0, "a cache file and a log file were checked: {seen:?}");
}

/// With `refuse_when_crl_expired`, an expired list stops every call but the delivery of a new
/// one; without it, an expired list still revokes and the agent answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_list_is_refused_only_when_configured() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("amoe test CA");
    let ca_pem = ca.issuer.pem();
    let mut agent = AgentProc::start(dir.path(), &ca);
    let (operator, _) = ca.client("alice", "operator", false);
    let (mallory, mallory_serial) = ca.client("mallory", "operator", false);
    let op = client_config(&ca_pem, Some(&operator), TLS_ALL);
    // An expired list (next update 2025), newer than the installed one, comes with the bundle.
    std::fs::write(dir.path().join("crl.pem"), ca.crl_numbered(std::slice::from_ref(&mallory_serial), 5, 2025))
        .unwrap();
    agent.restart();
    assert_eq!(call(&agent, op.clone(), "GET", "/v1/sites", "").await.unwrap().0, 200, "default: still answers");
    let m = client_config(&ca_pem, Some(&mallory), TLS_ALL);
    assert!(call(&agent, m.clone(), "GET", "/v1/sites", "").await.is_err(), "an expired list still revokes");

    let config = std::fs::read_to_string(&agent.config).unwrap();
    std::fs::write(&agent.config, config.replace("[control]\n", "[control]\nrefuse_when_crl_expired = true\n"))
        .unwrap();
    agent.restart();
    let (status, body) = call(&agent, op.clone(), "GET", "/v1/sites", "").await.unwrap();
    assert_eq!((status, body["error"]["code"].as_str()), (503, Some("crl_expired")), "{body}");
    assert_eq!(call(&agent, op.clone(), "POST", "/v1/sites/www/flush", "{}").await.unwrap().0, 503);
    // The new list is delivered over the same API, then everything answers again.
    let (status, why) = admin_get(agent.admin, "/readyz").await;
    assert_eq!(status, 503, "not ready while the enforced list is expired: {why}");
    assert!(why.contains("revocation list"), "{why}");
    let fresh = ca.crl_numbered(std::slice::from_ref(&mallory_serial), 6, 2036);
    assert_eq!(call(&agent, op.clone(), "PUT", "/v1/crl", &fresh).await.unwrap().0, 204);
    assert_eq!(call(&agent, op.clone(), "GET", "/v1/sites", "").await.unwrap().0, 200);
    assert_eq!(admin_get(agent.admin, "/readyz").await.0, 200);
    assert!(call(&agent, m, "GET", "/v1/sites", "").await.is_err());
    let journal = agent.journal();
    assert!(journal.iter().any(|l| l["status"] == 503 && l["outcome"].as_str().unwrap().contains("revocation list")));
}

/// A GET on the admin listener: status and body.
async fn admin_get(addr: SocketAddr, path: &str) -> (u16, String) {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp)).await.unwrap();
    tokio::spawn(conn);
    let req = http::Request::get(path).header("host", "localhost").body(Full::new(Bytes::new())).unwrap();
    let res = send.send_request(req).await.unwrap();
    let status = res.status().as_u16();
    (status, String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap())
}

/// `--check-config` checks a file like `nginx -t`; SIGHUP with a bad file keeps the running
/// configuration (and says so in a metric); `/healthz` and `/readyz` answer load balancers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_checks_bad_reloads_and_health_endpoints() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("amoe test CA");
    let ca_pem = ca.issuer.pem();
    let agent = AgentProc::start(dir.path(), &ca);
    let check = |path: &Path| Command::new(AGENT).arg("--check-config").arg(path).output().unwrap();
    let out = check(&agent.config);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("is valid"));
    let good = std::fs::read_to_string(&agent.config).unwrap();
    let typo = dir.path().join("typo.toml");
    std::fs::write(&typo, good.replace("[control]\n", "[control]\nlisen = \"x\"\n")).unwrap();
    let out = check(&typo);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("lisen") && err.contains("line"), "{err}");
    let missing = dir.path().join("missing.toml");
    std::fs::write(&missing, good.replace("server.key", "nowhere.key")).unwrap();
    let out = check(&missing);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere.key"), "{}", String::from_utf8_lossy(&out.stderr));

    assert_eq!(admin_get(agent.admin, "/healthz").await, (200, "ok\n".to_string()));
    assert_eq!(admin_get(agent.admin, "/readyz").await, (200, "ready\n".to_string()));
    // A bad file and SIGHUP: refused, counted, still serving with the previous configuration.
    std::fs::write(&agent.config, good.replace("[control]\n", "[control]\nlisen = \"x\"\n")).unwrap();
    let _ = Command::new("kill").arg("-HUP").arg(agent.child.id().to_string()).status();
    let mut metrics = String::new();
    for _ in 0..2000 {
        metrics = admin_get(agent.admin, "/metrics").await.1;
        if metrics.contains("amoe_agent_reload_failures_total 1") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(metrics.contains("amoe_agent_reload_failures_total 1"), "{metrics}");
    assert!(metrics.contains("amoe_certificate_expiry_seconds{certificate=\"control\"}"), "{metrics}");
    let (operator, _) = ca.client("alice", "operator", false);
    let op = client_config(&ca_pem, Some(&operator), TLS_ALL);
    assert_eq!(call(&agent, op.clone(), "GET", "/v1/status", "").await.unwrap().0, 200);
    // Fixed and reloaded: no new failure.
    std::fs::write(&agent.config, &good).unwrap();
    let _ = Command::new("kill").arg("-HUP").arg(agent.child.id().to_string()).status();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(admin_get(agent.admin, "/metrics").await.1.contains("amoe_agent_reload_failures_total 1"));
    assert_eq!(call(&agent, op, "GET", "/v1/status", "").await.unwrap().0, 200);
}

/// One request on a new connection to the proxy: the status.
async fn proxy_status(addr: SocketAddr, method: &str, body: usize) -> u16 {
    proxy_answer(addr, method, body).await.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0)
}

/// One request on a new connection to the proxy: the whole answer, as text.
async fn proxy_answer(addr: SocketAddr, method: &str, body: usize) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "{method} /x HTTP/1.1\r\nHost: www.example.test\r\nContent-Length: {body}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let _ = s.write_all(&vec![b'x'; body]).await;
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

/// `[proxy.limits]` in agent.toml: the rate and connection caps and the body limit take
/// effect, bad values are refused naming their key, and SIGHUP changes them without dropping
/// open connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_limits_from_agent_toml_and_reloaded() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("amoe test CA");
    let ca_pem = ca.issuer.pem();
    let mut agent = AgentProc::start(dir.path(), &ca);
    let base = std::fs::read_to_string(&agent.config).unwrap();
    let proxy: SocketAddr =
        format!("127.0.0.1:{}", base.split("listen = [\"127.0.0.1:").nth(1).unwrap().split('"').next().unwrap())
            .parse()
            .unwrap();
    let with = |limits: &str| base.replace("[control]\n", &format!("[proxy.limits]\n{limits}\n[control]\n"));
    // Bad values are refused by --check-config, naming the key.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, with("rate_per_second = 0")).unwrap();
    let out = Command::new(AGENT).arg("--check-config").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("rate_per_second"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(
        &agent.config,
        with("rate_per_second = 1\nrate_burst = 3\nconnections_per_ip = 3\nmax_body_bytes = 1024"),
    )
    .unwrap();
    agent.restart();
    let origin = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin_addr = origin.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = origin.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let _ = s.read(&mut buf).await;
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok").await;
            });
        }
    });
    let (operator, _) = ca.client("alice", "operator", false);
    let op = client_config(&ca_pem, Some(&operator), TLS_ALL);
    let site =
        format!(r#"{{"name":"www","domains":["www.example.test"],"origins":["http://{origin_addr}"],"active":true}}"#);
    assert_eq!(call(&agent, op.clone(), "PUT", "/v1/sites/www", &site).await.unwrap().0, 200);

    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(proxy_status(proxy, "GET", 0).await);
    }
    assert!(statuses.iter().filter(|s| **s == 429).count() >= 4, "the rate limit bites: {statuses:?}");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(proxy_status(proxy, "POST", 2048).await, 413, "the body limit");
    // Three connections held open; the fourth is turned away.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(tokio::net::TcpStream::connect(proxy).await.unwrap());
    }
    // Once the proxy has taken the three in, every further connection is turned away (with
    // a cap of four, each of these would be served). The cap's answer is an empty 429, the
    // rate limit's says "too many requests".
    let mut capped = false;
    for _ in 0..250 {
        let answer = proxy_answer(proxy, "GET", 0).await;
        if answer.starts_with("HTTP/1.1 429") && !answer.contains("too many requests") {
            capped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(capped, "the connection cap");
    drop(held);

    // Reloaded without the rate limit: a keep-alive connection opened before stays up.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut kept = tokio::net::TcpStream::connect(proxy).await.unwrap();
    // One whole response (its body is `ok`) on the kept connection.
    async fn exchange(kept: &mut tokio::net::TcpStream, path: &str) -> String {
        kept.write_all(format!("GET {path} HTTP/1.1\r\nHost: www.example.test\r\n\r\n").as_bytes()).await.unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        while !(got.windows(4).any(|w| w == b"\r\n\r\n") && got.ends_with(b"ok")) {
            let n = tokio::time::timeout(Duration::from_secs(5), kept.read(&mut buf)).await.unwrap().unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&got).into_owned()
    }
    assert!(exchange(&mut kept, "/k1").await.starts_with("HTTP/1.1 200"));
    std::fs::write(&agent.config, with("connections_per_ip = 50\nmax_body_bytes = 4096")).unwrap();
    let _ = Command::new("kill").arg("-HUP").arg(agent.child.id().to_string()).status();
    let mut ok = false;
    for _ in 0..1000 {
        if proxy_status(proxy, "POST", 2048).await == 200 {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(ok, "the new body limit applies after SIGHUP");
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(proxy_status(proxy, "GET", 0).await);
    }
    assert!(statuses.iter().all(|s| *s == 200), "no rate limit any more: {statuses:?}");
    let again = exchange(&mut kept, "/k2").await;
    assert!(again.starts_with("HTTP/1.1 200"), "the connection opened before the reload still serves: {again}");
}
