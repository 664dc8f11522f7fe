//! The proxy's protections (seed 003 §3.2.8), seen from raw and ordinary clients: slowloris,
//! oversized heads, rate and connection limits, body limits, deny rules, unknown hosts and
//! garbage input.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/extra.rs"]
mod extra;

use amoe_proxy::config::{Limits, ProxyConfig};
use common::*;
use extra::*;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const HOST: &str = "www.example.test";

async fn origin_ok() -> Origin {
    Origin::start(|s, _| resp(200, &[("cache-control", "max-age=60")], &format!("ok {}", s.path))).await
}

fn with_limits(origin: &Origin, limits: Limits) -> ProxyConfig {
    ProxyConfig { limits, ..config(vec![site(&[&origin.url()])]) }
}

/// A normal request still gets a normal answer.
async fn still_serves(addr: std::net::SocketAddr, path: &str) {
    let r = raw_exchange(addr, &get_close(path, HOST)).await.expect("an answer");
    assert_eq!(r.status, 200, "the proxy still serves {path}");
    assert_eq!(r.text(), format!("ok {path}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_head_is_cut_after_the_header_timeout() {
    let origin = origin_ok().await;
    let limits = Limits { header_timeout: Duration::from_millis(300), ..Limits::default() };
    let p = Running::start(with_limits(&origin, limits)).await;
    let mut tcp = TcpStream::connect(p.addr).await.unwrap();
    let t0 = Instant::now();
    tcp.write_all(b"GET / HTTP/1.1\r\nHost: www.example.test\r\n").await.unwrap();
    let ending = wait_closed(&mut tcp, Duration::from_secs(5)).await;
    let took = t0.elapsed();
    assert_eq!(ending, Ending::Closed, "the proxy must close a connection whose head never ends");
    assert!(took >= Duration::from_millis(250), "closed too early ({took:?}): the timeout is 300 ms");
    assert_eq!(origin.hits(), 0);
    still_serves(p.addr, "/after").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connection_is_cut_after_the_header_timeout() {
    // A client that connects and sends nothing at all (or only part of the HTTP/2 preface)
    // must not hold a connection forever either.
    let origin = origin_ok().await;
    let limits = Limits { header_timeout: Duration::from_millis(300), ..Limits::default() };
    let p = Running::start(with_limits(&origin, limits)).await;
    for start in [&b""[..], &b"PRI * HTTP/2.0\r\n"[..]] {
        let mut tcp = TcpStream::connect(p.addr).await.unwrap();
        let t0 = Instant::now();
        tcp.write_all(start).await.unwrap();
        let ending = wait_closed(&mut tcp, Duration::from_secs(5)).await;
        let took = t0.elapsed();
        assert_eq!(ending, Ending::Closed, "connection that sent {start:?} still open after 5 s");
        assert!(took >= Duration::from_millis(250), "closed too early ({took:?})");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_head_gets_431_and_the_proxy_keeps_serving() {
    let origin = origin_ok().await;
    let limits = Limits { max_header_bytes: 16 * 1024, ..Limits::default() };
    let p = Running::start(with_limits(&origin, limits)).await;
    let big = "a".repeat(64 * 1024);
    let req = format!("GET / HTTP/1.1\r\nHost: {HOST}\r\nX-Big: {big}\r\n\r\n");
    let r = raw_exchange(p.addr, req.as_bytes()).await.expect("a response, not a silent close");
    assert_eq!(r.status, 431);
    assert_eq!(origin.hits(), 0);
    still_serves(p.addr, "/next").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_just_under_the_size_limit_passes() {
    // The guard against a limit set so low that it rejects ordinary requests.
    let origin = origin_ok().await;
    let limits = Limits { max_header_bytes: 16 * 1024, ..Limits::default() };
    let p = Running::start(with_limits(&origin, limits)).await;
    let value = "a".repeat(8 * 1024);
    let req = format!("GET /fits HTTP/1.1\r\nHost: {HOST}\r\nX-Big: {value}\r\nConnection: close\r\n\r\n");
    let r = raw_exchange(p.addr, req.as_bytes()).await.expect("an answer");
    assert_eq!(r.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_header_fields_get_431() {
    let origin = origin_ok().await;
    let limits = Limits { max_headers: 20, ..Limits::default() };
    let p = Running::start(with_limits(&origin, limits)).await;
    let mut req = format!("GET / HTTP/1.1\r\nHost: {HOST}\r\n");
    for i in 0..50 {
        req.push_str(&format!("X-H{i}: v\r\n"));
    }
    req.push_str("\r\n");
    let r = raw_exchange(p.addr, req.as_bytes()).await.expect("a response");
    assert_eq!(r.status, 431);
    assert_eq!(origin.hits(), 0);
    // 10 fields are fine.
    let mut ok = format!("GET /few HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n");
    for i in 0..10 {
        ok.push_str(&format!("X-H{i}: v\r\n"));
    }
    ok.push_str("\r\n");
    assert_eq!(raw_exchange(p.addr, ok.as_bytes()).await.expect("a response").status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_answers_429_with_retry_after_beyond_the_burst() {
    let origin = origin_ok().await;
    let limits = Limits { rate_per_ip: Some((1.0, 3.0)), ..Limits::default() };
    let p = Running::start(with_limits(&origin, limits)).await;
    let c = Http::default();
    for i in 0..3 {
        let r = c.get(p.addr, &format!("/r{i}")).await;
        assert_eq!(r.status, 200, "request {} is within the burst", i + 1);
    }
    let r = c.get(p.addr, "/r3").await;
    assert_eq!(r.status, 429);
    let retry: u64 = r.header("retry-after").expect("Retry-After").parse().expect("Retry-After in seconds");
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    assert_eq!(origin.hits(), 3, "the refused request never reaches the origin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declared_body_too_large_gets_413_and_never_reaches_the_origin() {
    let origin = origin_ok().await;
    let limits = Limits { max_body_bytes: 1000, ..Limits::default() };
    let p = Running::start(with_limits(&origin, limits)).await;
    let c = Http::default();
    let r = c.send(p.addr, "POST", "/upload", &[], &"x".repeat(2000)).await;
    assert_eq!(r.status, 413);
    assert_eq!(origin.hits(), 0);
    let small = c.send(p.addr, "POST", "/upload", &[], &"x".repeat(500)).await;
    assert_eq!(small.status, 200, "a body within the limit passes");
    assert_eq!(origin.hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunked_body_too_large_gets_413() {
    let origin = origin_ok().await;
    let limits = Limits { max_body_bytes: 1000, ..Limits::default() };
    let p = Running::start(with_limits(&origin, limits)).await;
    let mut req = format!("POST /upload HTTP/1.1\r\nHost: {HOST}\r\nTransfer-Encoding: chunked\r\n\r\n");
    for _ in 0..4 {
        req.push_str(&format!("200\r\n{}\r\n", "y".repeat(0x200)));
    }
    req.push_str("0\r\n\r\n");
    let r = raw_exchange(p.addr, req.as_bytes()).await.expect("a response");
    assert_eq!(r.status, 413);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn third_connection_from_one_ip_is_refused() {
    let origin = origin_ok().await;
    let limits = Limits { connections_per_ip: Some(2), ..Limits::default() };
    let p = Running::start(with_limits(&origin, limits)).await;
    let keep_alive = format!("GET /k HTTP/1.1\r\nHost: {HOST}\r\n\r\n");
    let mut open = Vec::new();
    for _ in 0..2 {
        let mut tcp = TcpStream::connect(p.addr).await.unwrap();
        tcp.write_all(keep_alive.as_bytes()).await.unwrap();
        let r = read_response(&mut tcp, Duration::from_secs(5)).await.expect("an answer");
        assert_eq!(r.status, 200);
        open.push(tcp);
    }
    let third = raw_exchange(p.addr, &get_close("/third", HOST)).await;
    match third {
        None => {}
        Some(r) => assert_eq!(r.status, 429, "the third connection is refused"),
    }
    // The first two still work (keep-alive).
    for tcp in &mut open {
        tcp.write_all(keep_alive.as_bytes()).await.unwrap();
        let r = read_response(tcp, Duration::from_secs(5)).await.expect("keep-alive answer");
        assert_eq!(r.status, 200);
    }
    // Closing one frees its slot, once the proxy has seen the close.
    drop(open.pop());
    let mut served = false;
    for _ in 0..1000 {
        if let Some(r) = raw_exchange(p.addr, &get_close("/again", HOST)).await
            && r.status == 200
        {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(served, "a slot is released when a connection closes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deny_rules_answer_403_and_never_reach_the_origin() {
    let origin = origin_ok().await;
    let mut s = site(&[&origin.url()]);
    s.rules = Arc::new(
        amoe_rules::Rules::parse("[[deny]]\nmethods = [\"TRACE\"]\n\n[[deny]]\npath = \"^/wp-admin\"\n").unwrap(),
    );
    let p = Running::start(config(vec![s])).await;
    let c = Http::default();
    assert_eq!(c.send(p.addr, "TRACE", "/", &[], "").await.status, 403);
    assert_eq!(c.get(p.addr, "/wp-admin/x").await.status, 403);
    assert_eq!(origin.hits(), 0, "denied requests never reach the origin");
    let ok = c.get(p.addr, "/ok").await;
    assert_eq!((ok.status.as_u16(), ok.text().as_str()), (200, "ok /ok"));
    assert_eq!(origin.hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_host_gets_404_unknown_site() {
    let origin = origin_ok().await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let r = raw_exchange(p.addr, &get_close("/", "nobody.example.test")).await.expect("a response");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("unknown site"), "body: {}", r.text());
    assert_eq!(origin.hits(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_bytes_get_4xx_or_close_and_the_proxy_keeps_serving() {
    let origin = origin_ok().await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let mut tcp = TcpStream::connect(p.addr).await.unwrap();
    tcp.write_all(b"\x00\x01GARBAGE\r\n\r\n").await.unwrap();
    match read_response(&mut tcp, Duration::from_secs(5)).await {
        Some(r) => assert!((400..500).contains(&r.status), "status {}", r.status),
        None => assert_eq!(wait_closed(&mut tcp, Duration::from_secs(5)).await, Ending::Closed),
    }
    assert_eq!(origin.hits(), 0);
    still_serves(p.addr, "/fine").await;
}

/// Valid request heads to start mutating from.
const SEEDS: &[&str] = &[
    "GET / HTTP/1.1\r\nHost: www.example.test\r\n\r\n",
    "GET /a/b?c=d HTTP/1.1\r\nHost: www.example.test\r\nAccept: */*\r\nRange: bytes=0-3\r\n\r\n",
    "POST /p HTTP/1.1\r\nHost: www.example.test\r\nContent-Length: 5\r\n\r\nhello",
    "POST /c HTTP/1.1\r\nHost: www.example.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "HEAD /h HTTP/1.0\r\nHost: www.example.test\r\nIf-None-Match: \"x\"\r\n\r\n",
    "GET http://www.example.test/abs HTTP/1.1\r\nHost: other.test\r\n\r\n",
    "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
];

fn mutate(rng: &mut XorShift, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = v.len().max(1);
        match rng.below(8) {
            0 => {
                let i = rng.below(len);
                if let Some(b) = v.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
            1 => {
                let i = rng.below(len);
                v.insert(i.min(v.len()), rng.next_u64() as u8);
            }
            2 => {
                let i = rng.below(len).min(v.len());
                let n = rng.below(16).min(v.len() - i);
                v.drain(i..i + n);
            }
            3 => {
                let i = rng.below(len).min(v.len());
                let piece: Vec<u8> = v[i..(i + rng.below(32)).min(v.len())].to_vec();
                for _ in 0..rng.below(50) {
                    v.splice(i..i, piece.iter().copied());
                }
            }
            4 => {
                let i = rng.below(len).min(v.len());
                let junk: &[&[u8]] = &[
                    b"\r\n",
                    b"\n",
                    b"\r",
                    b":",
                    b" ",
                    b"\0",
                    b"\xff\xfe",
                    b"Content-Length: 99999999999999999999\r\n",
                ];
                let j = junk[rng.below(junk.len())];
                v.splice(i..i, j.iter().copied());
            }
            5 => {
                let n = rng.below(len);
                v.truncate(n);
            }
            6 => {
                let i = rng.below(len).min(v.len());
                let h = format!("X-{}: {}\r\n", rng.next_u64(), "v".repeat(rng.below(4000)));
                v.splice(i..i, h.into_bytes());
            }
            _ => {
                let i = rng.below(len).min(v.len());
                let n = rng.below(64);
                v.splice(i..i, (0..n).map(|_| rng.next_u64() as u8));
            }
        }
    }
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutated_request_heads_never_crash_or_hang_the_proxy() {
    let origin = origin_ok().await;
    let limits = Limits { header_timeout: Duration::from_secs(2), ..Limits::default() };
    let p = Running::start(with_limits(&origin, limits)).await;
    let mut rng = XorShift::new(0x00a3_0e5e_ed00_0001);
    for round in 0..200 {
        let seed = SEEDS[rng.below(SEEDS.len())].as_bytes();
        let input = mutate(&mut rng, seed);
        let mut tcp = TcpStream::connect(p.addr).await.unwrap();
        let _ = tcp.write_all(&input).await;
        // Half-close: the proxy sees the end of the input, so it must answer or close now.
        let _ = tcp.shutdown().await;
        let ending = wait_closed(&mut tcp, Duration::from_secs(5)).await;
        assert_eq!(ending, Ending::Closed, "round {round}: connection left open for input {input:?}");
    }
    still_serves(p.addr, "/survived").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_request_body_gets_408() {
    let origin = origin_ok().await;
    let limits = Limits { body_timeout: Duration::from_millis(300), ..Limits::default() };
    let p = Running::start(with_limits(&origin, limits)).await;
    let mut tcp = TcpStream::connect(p.addr).await.unwrap();
    let head = format!("POST /upload HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: 100\r\n\r\n0123456789");
    tcp.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let r = read_response(&mut tcp, Duration::from_secs(5)).await.expect("an answer");
    assert_eq!(r.status, 408);
    assert!(started.elapsed() >= Duration::from_millis(250), "answered before the time-out");
    still_serves(p.addr, "/after").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_in_http1_and_cleartext_http2() {
    use http_body_util::{BodyExt, Empty};
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use tokio::io::AsyncReadExt;
    let origin = origin_ok().await;
    let limits = Limits { idle_timeout: Duration::from_millis(600), ..Limits::default() };
    let p = Running::start(with_limits(&origin, limits)).await;
    // HTTP/1.1 keep-alive: one request answered, then nothing.
    let mut tcp = TcpStream::connect(p.addr).await.unwrap();
    tcp.write_all(b"GET /one HTTP/1.1\r\nHost: www.example.test\r\n\r\n").await.unwrap();
    let mut first = [0u8; 12];
    tcp.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    let t0 = Instant::now();
    assert_eq!(wait_closed(&mut tcp, Duration::from_secs(5)).await, Ending::Closed);
    assert!(t0.elapsed() >= Duration::from_millis(400), "not before the time-out: {:?}", t0.elapsed());
    // HTTP/2 with prior knowledge: a client that answers pings but asks nothing more.
    let tcp = TcpStream::connect(p.addr).await.unwrap();
    let (mut send, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tcp)).await.unwrap();
    let conn = tokio::spawn(conn);
    let req = http::Request::get("http://www.example.test/two").body(Empty::<bytes::Bytes>::new()).unwrap();
    let res = send.send_request(req).await.unwrap();
    assert_eq!(res.status(), 200);
    let _ = res.into_body().collect().await.unwrap();
    let t0 = Instant::now();
    let closed = tokio::time::timeout(Duration::from_secs(5), conn).await;
    assert!(closed.is_ok(), "the idle HTTP/2 connection was closed");
    assert!(t0.elapsed() >= Duration::from_millis(400), "{:?}", t0.elapsed());
    // An active client is not cut: a request every 200 ms for longer than the time-out.
    let mut tcp = TcpStream::connect(p.addr).await.unwrap();
    for i in 0..8 {
        tcp.write_all(format!("GET /k{i} HTTP/1.1\r\nHost: www.example.test\r\n\r\n").as_bytes()).await.unwrap();
        // The whole answer, head and body (it may come in several reads), so that the next
        // one starts clean.
        let mut got = Vec::new();
        let complete = |got: &[u8]| {
            let text = String::from_utf8_lossy(got);
            let Some((head, body)) = text.split_once("\r\n\r\n") else { return false };
            let len = head
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
                .and_then(|v| v.parse::<usize>().ok());
            len.is_some_and(|n| body.len() >= n)
        };
        while !complete(&got) {
            let mut buf = [0u8; 4096];
            let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf)).await.unwrap().unwrap();
            assert!(n > 0, "closed in the middle of answer {i}");
            got.extend_from_slice(&buf[..n]);
        }
        assert!(got.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&got));
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    tcp.write_all(b"GET /last HTTP/1.1\r\nHost: www.example.test\r\n\r\n").await.unwrap();
    let mut head = [0u8; 12];
    tcp.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200", "the same connection, after 2 s of use");
    // Nothing moves while the origin thinks, for longer than the time-out: not idle, on either
    // protocol (the request is in flight).
    *origin.delay.lock().unwrap() = Duration::from_millis(1500);
    let mut tcp = TcpStream::connect(p.addr).await.unwrap();
    tcp.write_all(b"GET /slow1 HTTP/1.1\r\nHost: www.example.test\r\n\r\n").await.unwrap();
    let mut head = [0u8; 12];
    tcp.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    let tcp = TcpStream::connect(p.addr).await.unwrap();
    let (mut send, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tcp)).await.unwrap();
    tokio::spawn(conn);
    let req = http::Request::get("http://www.example.test/slow2").body(Empty::<bytes::Bytes>::new()).unwrap();
    assert_eq!(send.send_request(req).await.unwrap().status(), 200);
    *origin.delay.lock().unwrap() = Duration::ZERO;
    still_serves(p.addr, "/after").await;
}
