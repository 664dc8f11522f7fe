//! Any bytes as what a client sends on a connection: the proxy answers or closes, and never
//! panics (libFuzzer's panic hook aborts on a panic in any thread, tasks included).
#![no_main]

use amoe_proxy::config::{Limits, ProxyConfig, SiteConfig};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct World {
    rt: tokio::runtime::Runtime,
    proxy: SocketAddr,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        // libFuzzer's C main does not ignore SIGPIPE as a Rust main does: a write to a
        // connection the proxy closed would kill the harness, not reveal a bug.
        // SAFETY: setting a signal disposition to SIG_IGN at start, before any thread uses it.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        }
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let proxy = rt.block_on(async {
            // An origin that answers everything, cacheable, with a Vary and tags.
            let origin = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind origin");
            let origin_addr = origin.local_addr().expect("addr");
            tokio::spawn(async move {
                loop {
                    let Ok((tcp, _)) = origin.accept().await else { continue };
                    tokio::spawn(async move {
                        let svc = hyper::service::service_fn(|req: hyper::Request<hyper::body::Incoming>| async move {
                            let body = format!("{} {}", req.method(), req.uri());
                            Ok::<_, std::convert::Infallible>(
                                hyper::Response::builder()
                                    .header("cache-control", "max-age=60, stale-while-revalidate=10")
                                    .header("vary", "accept-language")
                                    .header("surrogate-key", "a b")
                                    .header("etag", "\"x\"")
                                    .body(http_body_util::Full::new(bytes::Bytes::from(body)))
                                    .expect("response"),
                            )
                        });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(hyper_util::rt::TokioIo::new(tcp), svc)
                            .await;
                    });
                }
            });
            let rules = amoe_rules::Rules::parse("[default]\nttl = \"1m\"\n\n[[deny]]\npath = \"^/deny\"\n").expect("rules");
            let mut site = SiteConfig::new("s", &["*"], &[&format!("http://{origin_addr}")]);
            site.rules = std::sync::Arc::new(rules);
            let limits = Limits { header_timeout: Duration::from_millis(200), body_timeout: Duration::from_millis(200), max_body_bytes: 4096, ..Limits::default() };
            let proxy = amoe_proxy::Proxy::new(ProxyConfig { sites: vec![site], limits, ..ProxyConfig::default() }).expect("proxy");
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
            let addr = listener.local_addr().expect("addr");
            tokio::spawn(amoe_proxy::server::serve(proxy, listener, None, std::future::pending(), Duration::from_secs(1)));
            addr
        });
        World { rt, proxy }
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let w = world();
    w.rt.block_on(async {
        let Ok(mut tcp) = tokio::net::TcpStream::connect(w.proxy).await else { return };
        let _ = tcp.write_all(data).await;
        let _ = tcp.shutdown().await;
        let mut buf = vec![0u8; 64 * 1024];
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            while let Ok(n) = tcp.read(&mut buf).await {
                if n == 0 {
                    break;
                }
            }
        })
        .await;
    });
});
