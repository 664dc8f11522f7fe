//! `amoe site cert --acme` and `amoe site cert renew` against Pebble, the ACME test server,
//! and three real agents whose proxies answer the HTTP-01 challenges. Pebble's DNS
//! (`pebble-challtestsrv`) sends the validation to one loopback address; each agent listens
//! on its own (`127.0.0.1`, `.2`, `.3`) at the port Pebble validates on.

use crate::fleet::{Fleet, curl, free_port};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Pebble and its DNS server, stopped on drop.
struct Pebble {
    children: Vec<Child>,
    directory: String,
    /// The CA of Pebble's own HTTPS (made by the test).
    trust: PathBuf,
    management: u16,
    dns_management: u16,
}

impl Drop for Pebble {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn wait_for(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not start on port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Pebble {
    /// Starts Pebble validating HTTP-01 on `http_port`, its DNS answering `127.0.0.1`.
    fn start(dir: &Path, http_port: u16) -> Pebble {
        // Pebble's own HTTPS: a CA and a certificate for 127.0.0.1, made here.
        let ca_key = rcgen::KeyPair::generate().expect("key");
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name.push(rcgen::DnType::CommonName, "Pebble test listener CA");
        let ca_cert = ca.self_signed(&ca_key).expect("ca");
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let key = rcgen::KeyPair::generate().expect("key");
        let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .expect("params")
            .signed_by(&key, &issuer)
            .expect("leaf");
        let trust = dir.join("pebble-ca.pem");
        std::fs::write(&trust, ca_cert.pem()).expect("write");
        std::fs::write(dir.join("pebble.pem"), leaf.pem()).expect("write");
        std::fs::write(dir.join("pebble.key"), key.serialize_pem()).expect("write");
        let (listen, management, dns, dns_management) = (free_port(), free_port(), free_port(), free_port());
        let config = serde_json::json!({"pebble": {
            "listenAddress": format!("127.0.0.1:{listen}"),
            "managementListenAddress": format!("127.0.0.1:{management}"),
            "certificate": dir.join("pebble.pem"),
            "privateKey": dir.join("pebble.key"),
            "httpPort": http_port,
            "tlsPort": free_port(),
            "ocspResponderURL": "",
            "externalAccountBindingRequired": false,
        }});
        std::fs::write(dir.join("pebble.json"), config.to_string()).expect("write");
        let spawn = |cmd: &mut Command, what: &str| {
            cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap_or_else(|e| {
                panic!("cannot start {what} ({e}): install Debian's `pebble` package (scripts/test.sh does)")
            })
        };
        let mut children = vec![spawn(
            Command::new("pebble-challtestsrv").args([
                "-defaultIPv6",
                "",
                "-dns01",
                &format!("127.0.0.1:{dns}"),
                "-http01",
                "",
                "-https01",
                "",
                "-tlsalpn01",
                "",
                "-management",
                &format!("127.0.0.1:{dns_management}"),
            ]),
            "pebble-challtestsrv",
        )];
        wait_for(dns_management, "pebble-challtestsrv");
        children.push(spawn(
            Command::new("pebble")
                .arg("-config")
                .arg(dir.join("pebble.json"))
                .args(["-dnsserver", &format!("127.0.0.1:{dns}")])
                // Deterministic: no random waits, no rejected nonces, every order validated.
                .env("PEBBLE_VA_NOSLEEP", "1")
                .env("PEBBLE_WFE_NONCEREJECT", "0")
                .env("PEBBLE_AUTHZREUSE", "0"),
            "pebble",
        ));
        let pebble = Pebble {
            children,
            directory: format!("https://127.0.0.1:{listen}/dir"),
            trust,
            management,
            dns_management,
        };
        wait_for(listen, "pebble");
        pebble
    }

    /// The root Pebble issues under (it makes a new one at each start).
    fn root(&self, dir: &Path) -> PathBuf {
        let out = Command::new("curl")
            .args(["-sS", "--fail", "--cacert"])
            .arg(&self.trust)
            .arg(format!("https://127.0.0.1:{}/roots/0", self.management))
            .output()
            .expect("curl");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let path = dir.join("pebble-root.pem");
        std::fs::write(&path, &out.stdout).expect("write");
        path
    }

    /// Points the validation at another address from now on.
    fn resolve_to(&self, ip: &str) {
        let out = Command::new("curl")
            .args(["-sS", "--fail", "-d", &format!("{{\"ip\":\"{ip}\"}}")])
            .arg(format!("http://127.0.0.1:{}/set-default-ipv4", self.dns_management))
            .output()
            .expect("curl");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

/// The SHA-256 of the certificate an agent serves for `www.example.test` (openssl's view).
fn served_fingerprint(tls: u16) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "openssl s_client -connect 127.0.0.1:{tls} -servername www.example.test </dev/null 2>/dev/null \
             | openssl x509 -noout -fingerprint -sha256"
        ))
        .output()
        .expect("openssl");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A certificate ordered from Pebble for a site on three agents: an agent down during the order
/// fails it cleanly (named, nothing installed); `renew` once it is back installs Pebble's
/// certificate everywhere; `renew` again leaves it; a renewal validated by another host works.
#[test]
fn certificates_are_ordered_from_acme_and_renewed() {
    let port = free_port();
    let fleet = Fleet::new_listening(3, &|i| Some(format!("127.0.0.{}:{port}", i + 1)));
    let mut fleet = fleet;
    fleet.ok(&["site", "push", "www"]);
    let pebble = Pebble::start(fleet.env.dir.path(), port);
    let trust = pebble.trust.to_str().expect("utf8").to_string();
    let order = [
        "site",
        "cert",
        "www",
        "--acme",
        "--directory",
        &pebble.directory,
        "--acme-ca",
        &trust,
        "--email",
        "exploitation@example.test",
    ];

    // An unreachable ACME server: named, nothing installed.
    let r =
        fleet.run(&["site", "cert", "www", "--acme", "--directory", "https://127.0.0.1:9/dir", "--acme-ca", &trust]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("ACME server `https://127.0.0.1:9/dir`"), "{}", r.stderr);

    // One agent down: the order fails naming it; no certificate anywhere, nothing queued.
    fleet.agents[1].stop();
    let r = fleet.run(&order);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("the ACME order for site `www` failed: host `pop1`"), "{}", r.stderr);
    assert!(r.stderr.contains("nothing was installed"), "{}", r.stderr);
    let audit = fleet.ok(&["audit", "list", "--target", "site:www", "-o", "json"]).stdout;
    assert!(audit.contains("failed: the order: host `pop1`"), "the failure is journaled: {audit}");
    // A ci certificate orders nothing.
    let r = fleet.run_as("pipeline", &["site", "cert", "renew", "--acme-ca", &trust]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("may not install certificates"), "{}", r.stderr);
    assert_eq!(fleet.ok(&["outbox", "list", "-o", "json"]).stdout.trim(), "[]");
    let root = pebble.root(fleet.env.dir.path());
    assert!(curl(&root, "www.example.test", fleet.agents[0].tls, "/").is_err(), "no certificate was installed");
    // The account key is kept like the CA key.
    let accounts: Vec<_> = std::fs::read_dir(fleet.env.path("ca").join("acme")).expect("acme dir").flatten().collect();
    assert_eq!(accounts.len(), 1);
    let mode = std::os::unix::fs::PermissionsExt::mode(&accounts[0].metadata().expect("meta").permissions());
    assert_eq!(mode & 0o777, 0o600);

    // Back: the cron job's renew orders what failed.
    fleet.agents[1].start();
    let r = fleet.run(&["site", "cert", "renew", "--acme-ca", &trust, "-o", "json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let rows = r.json();
    assert_eq!(rows[0]["site"], "www", "{rows}");
    assert_eq!(rows[0]["action"], "renewed", "{rows}");
    assert_eq!(rows[0]["reason"], "no certificate yet", "{rows}");
    assert_eq!(rows[0]["hosts"], "3/3", "{rows}");
    // Every agent serves the certificate Pebble issued (verified against Pebble's root).
    let first = served_fingerprint(fleet.agents[0].tls);
    assert!(first.contains("Fingerprint"), "{first}");
    for agent in &fleet.agents {
        let (version, body) = curl(&root, "www.example.test", agent.tls, "/page").expect("HTTPS with Pebble's cert");
        assert_eq!(version, "2");
        assert!(body.ends_with("ok"), "{body}");
        assert_eq!(served_fingerprint(agent.tls), first);
    }
    let listed = fleet.ok(&["site", "cert", "list", "-o", "json"]).json();
    for row in listed.as_array().expect("rows") {
        assert!(row["certificate"]["issuer"].as_str().unwrap_or("").contains("Pebble Intermediate"), "{row}");
    }

    // Not due: nothing ordered.
    let r = fleet.run(&["site", "cert", "renew", "--acme-ca", &trust, "-o", "json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()[0]["action"], "not-due", "{}", r.stdout);
    assert_eq!(served_fingerprint(fleet.agents[2].tls), first);

    // Due (Pebble's certificates last five years), validated this time through the third host.
    pebble.resolve_to("127.0.0.3");
    let r = fleet.run(&["site", "cert", "renew", "www", "--within", "2000d", "--acme-ca", &trust, "-o", "json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()[0]["reason"], "expires soon", "{}", r.stdout);
    let second = served_fingerprint(fleet.agents[0].tls);
    assert_ne!(second, first, "a new certificate");
    for agent in &fleet.agents {
        assert_eq!(served_fingerprint(agent.tls), second);
    }
    // The challenge unreachable (the CA's resolver points where no host listens): the ACME
    // server's reason, nothing installed, the previous certificate keeps serving.
    pebble.resolve_to("127.0.0.9");
    let r = fleet.run(&["site", "cert", "renew", "--within", "2000d", "--acme-ca", &trust, "-o", "json"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let row = &r.json()[0];
    assert_eq!(row["action"], "failed", "{row}");
    let why = row["error"].as_str().unwrap_or("");
    assert!(why.contains("refused `www.example.test`") && why.contains("127.0.0.9"), "{why}");
    for agent in &fleet.agents {
        assert_eq!(served_fingerprint(agent.tls), second, "the previous certificate keeps serving");
    }
    // A host down during a renewal: named, the others keep the previous certificate.
    pebble.resolve_to("127.0.0.1");
    fleet.agents[2].stop();
    let r = fleet.run(&["site", "cert", "renew", "--within", "2000d", "--acme-ca", &trust, "-o", "json"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.json()[0]["error"].as_str().unwrap_or("").contains("host `pop2`"), "{}", r.stdout);
    assert_eq!(served_fingerprint(fleet.agents[0].tls), second);
    let audit = fleet.ok(&["audit", "list", "--target", "site:www", "-o", "json"]).stdout;
    assert!(audit.contains("site cert renew") && audit.contains("failed: "), "{audit}");
    // An uploaded certificate takes the site off ACME: renew leaves it alone from then on.
    let key = rcgen::KeyPair::generate().expect("key");
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let issuer = rcgen::Issuer::new(ca, key);
    let (cert, key) = crate::fleet::site_cert(&issuer, &["www.example.test"], 20);
    let (cert_file, key_file) = (fleet.env.path("bought.pem"), fleet.env.path("bought.key"));
    std::fs::write(&cert_file, cert).expect("write");
    std::fs::write(&key_file, key).expect("write");
    let r = fleet.run(&[
        "site",
        "cert",
        "www",
        "--cert",
        cert_file.to_str().expect("utf8"),
        "--key",
        key_file.to_str().expect("utf8"),
    ]);
    assert_eq!(r.code, 3, "pop2 is still down: {}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("no longer takes its certificates from ACME"), "{}", r.stderr);
    assert_eq!(fleet.ok(&["site", "cert", "renew", "--acme-ca", &trust, "-o", "json"]).stdout.trim(), "[]");
    // Usage errors.
    let r = fleet.run(&["site", "cert", "renew", "--within", "soon"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--within"), "{}", r.stderr);
}
