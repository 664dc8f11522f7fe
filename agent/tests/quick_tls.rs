//! Quick mode with `--tls-listen`: HTTPS with HTTP/2 by ALPN for every name, in front of one
//! origin, checked with curl against the certificate.

#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::Duration;

const AGENT: &str = env!("CARGO_BIN_EXE_amoe-agent");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn quick_mode_serves_https_with_http2() {
    let dir = tempfile::tempdir().unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert =
        rcgen::CertificateParams::new(vec!["quick.example.test".to_string()]).unwrap().self_signed(&key).unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    let origin = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin_addr = origin.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut s in origin.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncache-control: max-age=60\r\nconnection: close\r\n\r\nok\n",
            );
        }
    });
    let (http, https) = (free_port(), free_port());
    let mut child = Command::new(AGENT)
        .args(["--listen", &format!("127.0.0.1:{http}"), "--tls-listen", &format!("127.0.0.1:{https}")])
        .arg("--tls-cert")
        .arg(&cert_path)
        .arg("--tls-key")
        .arg(&key_path)
        .args(["--origin", &format!("http://{origin_addr}")])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..3000 {
        if std::net::TcpStream::connect(("127.0.0.1", https)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let curl = |path: &str| {
        let out = Command::new("curl")
            .args(["-sS", "--http2", "--max-time", "5", "-D", "-", "-w", "%{http_version}", "--cacert"])
            .arg(&cert_path)
            .arg("--resolve")
            .arg(format!("quick.example.test:{https}:127.0.0.1"))
            .arg(format!("https://quick.example.test:{https}{path}"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let first = curl("/a");
    assert!(first.ends_with('2') && first.contains("ok\n"), "HTTP/2 answer: {first}");
    assert!(first.contains("x-cache: MISS"), "{first}");
    assert!(curl("/a").contains("x-cache: HIT"), "cached over HTTPS too");
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let _ = child.wait();
}
