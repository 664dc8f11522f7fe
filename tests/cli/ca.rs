//! The certificate authority: `amoe ca init|issue|list|revoke`, `amoe host enroll|renew`. The
//! certificates written are read back and checked with rustls's own verifiers, as the agent
//! will check them.

use crate::support::{Env, Run};
use amoe_pki::{ClientIdentity, Role};
use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::ClientCertVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, ServerName, UnixTime};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn ca_dir(env: &Env) -> PathBuf {
    env.dir.path().join(".local/share/amoe/ca")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

fn der(path: &Path) -> CertificateDer<'static> {
    CertificateDer::from_pem_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn roots(ca_pem: &Path) -> Arc<RootCertStore> {
    let mut roots = RootCertStore::empty();
    roots.add(der(ca_pem)).expect("CA certificate");
    Arc::new(roots)
}

fn client_verifier(ca_pem: &Path, crl: Option<&Path>) -> Arc<dyn ClientCertVerifier> {
    let crls: Vec<_> =
        crl.map(|p| CertificateRevocationListDer::from_pem_file(p).expect("crl.pem")).into_iter().collect();
    WebPkiClientVerifier::builder_with_provider(roots(ca_pem), provider()).with_crls(crls).build().expect("verifier")
}

/// A store and a CA.
fn with_ca() -> Env {
    let env = Env::new();
    env.ok(&["ca", "init", "--name", "test"]);
    env
}

fn has_hint(r: &Run, hint: &str) {
    assert!(r.stderr.contains(&format!("hint: {hint}")), "expected hint `{hint}`:\n{}", r.stderr);
}

#[test]
fn init_writes_a_private_key_and_refuses_to_replace_the_ca() {
    let env = Env::new();
    let r = env.ok(&["ca", "init", "--name", "test", "-o", "json"]).json();
    assert_eq!(r["kind"], "ca");
    assert_eq!(r["name"], "test");
    let dir = ca_dir(&env);
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("ca.key")), 0o600);
    let info = amoe_pki::inspect(&std::fs::read_to_string(dir.join("ca.pem")).expect("ca.pem")).expect("parse");
    assert!(info.is_ca);
    assert_eq!(info.common_name.as_deref(), Some("amoe CA test"));
    assert_eq!(r["serial"], info.serial_hex.as_str());
    assert_eq!(r["fingerprint"], info.sha256_fingerprint.as_str());
    let key = std::fs::read_to_string(dir.join("ca.key")).expect("key");

    let again = env.fails(1, &["ca", "init"]);
    assert!(again.stderr.contains("a CA already exists"), "{}", again.stderr);
    has_hint(&again, "amoe never replaces a CA");
    assert_eq!(std::fs::read_to_string(dir.join("ca.key")).expect("key"), key, "the key is untouched");

    // AMOE_CA_DIR chooses another directory.
    let other = env.path("other-ca");
    let out = env.cmd(&["ca", "init"]).env("AMOE_CA_DIR", &other).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(other.join("ca.key").exists());
    let list = env.ok(&["ca", "list", "-o", "json"]).json();
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    // No key material in the store.
    let dump = env.query("SELECT string_agg(serial || name || fingerprint, ',') FROM certificates");
    assert!(!dump.contains("PRIVATE"));
}

#[test]
fn issued_client_certificates_carry_their_role() {
    let env = with_ca();
    let out = env.path("certs");
    let out_s = out.to_str().expect("utf-8");
    let op = env.ok(&["ca", "issue", "j.dupont", "--role", "operator", "--out", out_s, "-o", "json"]).json();
    assert_eq!(op["kind"], "operator");
    let r = env.ok(&["ca", "issue", "gitlab", "--role", "ci", "--days", "30", "--out", out_s]);
    assert!(r.stdout.starts_with("issued ci certificate for `gitlab`"), "{}", r.stdout);
    assert_eq!(mode(&out.join("j.dupont.key")), 0o600);
    assert_eq!(mode(&out.join("gitlab.key")), 0o600);

    let ca_pem = out.join("ca.pem");
    assert_eq!(std::fs::read(&ca_pem).expect("bundle ca"), std::fs::read(ca_dir(&env).join("ca.pem")).expect("ca"));
    let verifier = client_verifier(&ca_pem, None);
    for (name, role) in [("j.dupont", Role::Operator), ("gitlab", Role::Ci)] {
        let cert = der(&out.join(format!("{name}.pem")));
        verifier.verify_client_cert(&cert, &[], UnixTime::now()).expect("accepted by the CA");
        assert_eq!(amoe_pki::client_identity(&cert).expect("identity"), ClientIdentity { name: name.into(), role });
    }
    let info = amoe_pki::info_of(&der(&out.join("gitlab.pem"))).expect("parse");
    assert_eq!(info.organizational_unit.as_deref(), Some("ci"));
    assert_eq!(info.not_after.duration_since(info.not_before).as_hours() / 24, 30);
    assert_eq!(op["serial"], amoe_pki::info_of(&der(&out.join("j.dupont.pem"))).expect("parse").serial_hex.as_str());

    // A certificate from another CA is refused.
    let stranger = Env::new();
    stranger.ok(&["ca", "init"]);
    let other = stranger.path("certs");
    stranger.ok(&["ca", "issue", "j.dupont", "--role", "operator", "--out", other.to_str().expect("utf-8")]);
    assert!(verifier.verify_client_cert(&der(&other.join("j.dupont.pem")), &[], UnixTime::now()).is_err());

    // Existing files are never overwritten.
    let key = std::fs::read(out.join("gitlab.key")).expect("key");
    let again = env.fails(1, &["ca", "issue", "gitlab", "--role", "ci", "--out", out_s]);
    assert!(again.stderr.contains("gitlab.pem` already exists"), "{}", again.stderr);
    has_hint(&again, "amoe never overwrites a certificate or a key");
    assert_eq!(std::fs::read(out.join("gitlab.key")).expect("key"), key);

    let list = env.ok(&["ca", "list", "-o", "json"]).json();
    let kinds: Vec<&str> = list.as_array().expect("array").iter().filter_map(|c| c["kind"].as_str()).collect();
    assert_eq!(kinds, ["ci", "operator", "ca"], "by name: gitlab, j.dupont, test");
}

#[test]
fn enrolled_hosts_get_their_address_as_subject_alternative_name() {
    let env = with_ca();
    env.seed(); // pop1 at 127.0.0.1, pop2 at [::1]
    env.ok(&["host", "add", "edge", "--address", "edge.cdn.example.net:7443"]);
    for (host, address) in [("pop1", "127.0.0.1"), ("pop2", "::1"), ("edge", "edge.cdn.example.net")] {
        let bundle = env.path(&format!("{host}-bundle"));
        let r = env.ok(&["host", "enroll", host, "--out", bundle.to_str().expect("utf-8"), "-o", "json"]).json();
        assert_eq!(r["kind"], "host");
        assert_eq!(r["files"].as_array().map(Vec::len), Some(4), "ca.pem, server.pem, server.key, crl.pem");
        assert_eq!(mode(&bundle.join("server.key")), 0o600);
        let cert = der(&bundle.join("server.pem"));
        let info = amoe_pki::info_of(&cert).expect("parse");
        assert_eq!(info.sans, [host, address]);
        assert!(info.server_auth && !info.client_auth);
        let days = info.not_after.duration_since(info.not_before).as_hours() / 24;
        assert_eq!(days, 90);
        let verifier =
            WebPkiServerVerifier::builder_with_provider(roots(&bundle.join("ca.pem")), provider()).build().expect("v");
        for name in [host, address] {
            let name = ServerName::try_from(name).expect("server name");
            verifier.verify_server_cert(&cert, &[], &name, &[], UnixTime::now()).expect("valid for its names");
        }
        let wrong = ServerName::try_from("other.example.net").expect("name");
        assert!(verifier.verify_server_cert(&cert, &[], &wrong, &[], UnixTime::now()).is_err());
    }

    // The default bundle directory is ./NAME-bundle.
    env.ok(&["host", "add", "pop3", "--address", "10.0.0.3:7443"]);
    let out = env.cmd(&["host", "enroll", "pop3"]).current_dir(env.dir.path()).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(env.path("pop3-bundle/server.key").exists());

    // Enrolling twice is refused; renewing issues a new certificate and keeps the old one valid.
    let again = env.fails(1, &["host", "enroll", "pop1", "--out", env.path("x").to_str().expect("utf-8")]);
    has_hint(&again, "to issue a new certificate, use `amoe host renew pop1`");
    let renewed = env.path("pop1-renewed");
    let r = env.ok(&["host", "renew", "pop1", "--out", renewed.to_str().expect("utf-8"), "--days", "10"]);
    assert!(r.stdout.contains("renewed host `pop1`"), "{}", r.stdout);
    assert!(r.stdout.contains("stays valid until it expires"), "{}", r.stdout);
    let list = env.ok(&["ca", "list", "-o", "json"]).json();
    let pop1: Vec<_> = list.as_array().expect("array").iter().filter(|c| c["name"] == "pop1").collect();
    assert_eq!(pop1.len(), 2);
    assert!(pop1.iter().all(|c| c["revoked_at"].is_null() && c["expired"] == false));
    assert_ne!(pop1[0]["serial"], pop1[1]["serial"]);

    let table = env.ok(&["ca", "list"]).stdout;
    assert!(table.trim_start().starts_with("NAME"), "{table}");
    assert!(table.contains("pop1") && table.contains(" host "), "{table}");
}

#[test]
fn revoked_certificates_are_listed_in_the_crl() {
    let env = with_ca();
    let out = env.path("certs");
    let out_s = out.to_str().expect("utf-8");
    env.ok(&["ca", "issue", "leaver", "--role", "operator", "--out", out_s]);
    env.ok(&["ca", "issue", "stayer", "--role", "operator", "--out", out_s]);
    let r = env.ok(&["ca", "revoke", "leaver"]);
    let crl = ca_dir(&env).join("crl.pem");
    assert!(r.stdout.starts_with("revoked 1 certificate of `leaver`; revocation list 1 written to"), "{}", r.stdout);
    assert!(r.stdout.contains(&crl.display().to_string()), "{}", r.stdout);

    let verifier = client_verifier(&out.join("ca.pem"), Some(&crl));
    let err = verifier.verify_client_cert(&der(&out.join("leaver.pem")), &[], UnixTime::now()).expect_err("revoked");
    assert!(format!("{err:?}").contains("Revoked"), "{err:?}");
    verifier.verify_client_cert(&der(&out.join("stayer.pem")), &[], UnixTime::now()).expect("still valid");

    let list = env.ok(&["ca", "list", "-o", "json"]).json();
    let leaver = list.as_array().expect("array").iter().find(|c| c["name"] == "leaver").expect("listed").clone();
    assert!(leaver["revoked_at"].is_string());
    let table = env.ok(&["ca", "list"]).stdout;
    let line = table.lines().find(|l| l.trim_start().starts_with("leaver")).expect("row");
    assert!(!line.contains(" no "), "revoked: {line}");

    // Nothing left to revoke; a second revocation bumps the CRL number and keeps the first.
    let again = env.fails(1, &["ca", "revoke", "leaver"]);
    assert!(again.stderr.contains("`leaver` has no valid certificate to revoke"), "{}", again.stderr);
    let r = env.ok(&["ca", "revoke", "stayer", "-o", "json"]).json();
    assert_eq!(r["crl_number"], 2);
    let verifier = client_verifier(&out.join("ca.pem"), Some(&crl));
    assert!(verifier.verify_client_cert(&der(&out.join("leaver.pem")), &[], UnixTime::now()).is_err());
    assert!(verifier.verify_client_cert(&der(&out.join("stayer.pem")), &[], UnixTime::now()).is_err());
}

#[test]
fn every_change_is_journaled() {
    let env = with_ca();
    env.ok(&["host", "add", "pop1", "--address", "127.0.0.1:7443"]);
    let p = |n: &str| env.path(n).to_str().expect("utf-8").to_string();
    env.ok(&["ca", "issue", "ci1", "--role", "ci", "--out", &p("c")]);
    env.ok(&["host", "enroll", "pop1", "--out", &p("b1")]);
    env.ok(&["host", "renew", "pop1", "--out", &p("b2")]);
    // Revoked; the new list is queued for the host (no client certificate here to send it).
    let r = env.run(&["ca", "revoke", "ci1"]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("queued for 1 hosts"), "{}", r.stderr);
    let owed = env.ok(&["outbox", "list", "-o", "json"]).json();
    assert_eq!((owed[0]["kind"].as_str(), owed[0]["host"].as_str()), (Some("crl"), Some("pop1")));
    env.fails(1, &["ca", "revoke", "ci1"]);
    let all = env.ok(&["audit", "list", "-o", "json"]).json();
    let entries: Vec<(String, String, String)> = all
        .as_array()
        .expect("array")
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s("command"), s("target"), s("outcome"))
        })
        .filter(|(c, _, _)| {
            (c.starts_with("ca ") && c != "ca revoke push")
                || c.starts_with("host enroll")
                || c.starts_with("host renew")
        })
        .collect();
    let commands: Vec<(&str, &str)> = entries.iter().map(|(c, t, _)| (c.as_str(), t.as_str())).collect();
    assert_eq!(
        commands,
        [
            ("ca init", "ca:test"),
            ("ca issue", "certificate:ci1"),
            ("host enroll", "host:pop1"),
            ("host renew", "host:pop1"),
            ("ca revoke", "certificate:ci1"),
            ("ca revoke", "certificate:ci1"),
        ]
    );
    assert!(entries[..5].iter().all(|(_, _, o)| o == "ok"));
    assert!(entries[5].2.starts_with("refused: `ci1` has no valid certificate"), "{}", entries[5].2);
    env.ok(&["audit", "verify"]);
}

#[test]
fn errors_say_what_to_do() {
    let env = Env::new();
    env.ok(&["host", "add", "pop1", "--address", "127.0.0.1:7443"]);
    let out = env.path("certs");
    let out_s = out.to_str().expect("utf-8");

    // No CA yet.
    for args in [
        &["ca", "issue", "a", "--role", "ci", "--out", out_s][..],
        &["host", "enroll", "pop1", "--out", out_s],
        &["ca", "revoke", "a"],
    ] {
        let r = env.fails(1, args);
        assert!(r.stderr.contains("no CA in"), "{args:?}: {}", r.stderr);
        has_hint(&r, "create it with `amoe ca init`");
    }
    assert!(!out.exists(), "nothing written without a CA");
    env.ok(&["ca", "init"]);

    // Unknown host, host not enrolled yet.
    let r = env.fails(1, &["host", "enroll", "nosuch", "--out", out_s]);
    assert!(r.stderr.contains("host `nosuch` not found"), "{}", r.stderr);
    has_hint(&r, "`amoe host list` shows the known ones");
    let r = env.fails(1, &["host", "renew", "pop1", "--out", out_s]);
    has_hint(&r, "enroll it first with `amoe host enroll pop1`");

    // An output directory that cannot be created.
    std::fs::write(env.path("file"), "x").expect("write");
    let r = env.fails(1, &["ca", "issue", "a", "--role", "ci", "--out", env.path("file/sub").to_str().expect("utf-8")]);
    assert!(r.stderr.contains("cannot create the directory"), "{}", r.stderr);
    assert!(r.stderr.contains("hint: "), "{}", r.stderr);

    // Existing bundle files, in enroll too; nothing recorded for refused attempts.
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::write(out.join("server.key"), "mine").expect("write");
    let r = env.fails(1, &["host", "enroll", "pop1", "--out", out_s]);
    assert!(r.stderr.contains("server.key` already exists"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(out.join("server.key")).expect("read"), "mine");
    assert!(!out.join("server.pem").exists());
    assert_eq!(env.ok(&["ca", "list", "-o", "json"]).json().as_array().map(Vec::len), Some(1));

    // A name is a host or a client, not both.
    env.ok(&["host", "enroll", "pop1", "--out", env.path("b").to_str().expect("utf-8")]);
    let r = env.fails(1, &["ca", "issue", "pop1", "--role", "operator", "--out", out_s]);
    assert!(r.stderr.contains("`pop1` already has a host certificate"), "{}", r.stderr);

    // Bad values are usage errors.
    env.fails(2, &["ca", "issue", "a", "--role", "admin"]);
    env.fails(2, &["ca", "issue", "A/B", "--role", "ci", "--out", out_s]);
    env.fails(2, &["host", "enroll", "pop1", "--days", "0"]);
}

/// A certificate whose record the store could not commit is not left on disk: it could never
/// be listed or revoked.
#[test]
fn no_certificate_files_without_their_record() {
    if crate::support::pg_pass() {
        return; // the failing commit is made by a SQLite trigger
    }
    let env = with_ca();
    env.ok(&["beneficiary", "add", "--siret", crate::support::SIRET, "--name", "B", "--lot", "9"]);
    env.ok(&["host", "add", "pop0", "--address", "127.0.0.1:7001"]);
    // The commit fails after the files were written (the audit entry, written last, is refused).
    env.sqlite()
        .execute_batch(
            "CREATE TRIGGER no_cert BEFORE INSERT ON audit WHEN NEW.command IN ('ca issue', 'host enroll')
             BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
        )
        .expect("trigger");
    let out = env.path("certs");
    let r = env.run(&["ca", "issue", "alice", "--role", "operator", "--out", out.to_str().expect("utf8")]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(!out.join("alice.pem").exists() && !out.join("alice.key").exists(), "files removed");
    let bundle = env.path("bundle");
    let r = env.run(&["host", "enroll", "pop0", "--out", bundle.to_str().expect("utf8")]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(!bundle.join("server.pem").exists() && !bundle.join("server.key").exists(), "files removed");
    env.sqlite().execute_batch("DROP TRIGGER no_cert").expect("drop");
    assert!(env.ok(&["ca", "list", "-o", "json"]).stdout.contains("\"ca\""));
    env.ok(&["ca", "issue", "alice", "--role", "operator", "--out", out.to_str().expect("utf8")]);
    assert!(out.join("alice.pem").exists());
}
