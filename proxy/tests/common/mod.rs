//! Test support: real origin servers (hyper on 127.0.0.1:0) whose behaviour each test sets, a
//! proxy served on 127.0.0.1:0, and a plain HTTP/1.1 client.
#![allow(dead_code, clippy::unwrap_used)]

use amoe_proxy::config::{ProxyConfig, SiteConfig};
use amoe_proxy::{Proxy, server};
use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// What an origin saw of a request.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: HeaderMap,
}

type Handler = Arc<dyn Fn(&Seen, usize) -> Response<Full<Bytes>> + Send + Sync>;

/// An origin server; dropped or [`Origin::stop`]ped, it stops listening.
pub struct Origin {
    pub addr: SocketAddr,
    pub hits: Arc<AtomicUsize>,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    pub delay: Arc<Mutex<Duration>>,
}

impl Origin {
    /// Starts an origin answering with `handler(request, n)` (n counts from 1).
    pub async fn start(handler: impl Fn(&Seen, usize) -> Response<Full<Bytes>> + Send + Sync + 'static) -> Origin {
        Self::start_on("127.0.0.1:0".parse().unwrap(), Arc::new(handler)).await
    }

    pub async fn start_on(addr: SocketAddr, handler: Handler) -> Origin {
        let listener = TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let delay = Arc::new(Mutex::new(Duration::ZERO));
        let (tx, mut rx) = oneshot::channel::<()>();
        let (h2, s2, d2) = (hits.clone(), seen.clone(), delay.clone());
        let task = tokio::spawn(async move {
            let mut conns = Vec::new();
            loop {
                tokio::select! {
                    _ = &mut rx => break,
                    acc = listener.accept() => {
                        let Ok((tcp, _)) = acc else { continue };
                        let (handler, hits, seen, delay) = (handler.clone(), h2.clone(), s2.clone(), d2.clone());
                        conns.push(tokio::spawn(async move {
                            let svc = service_fn(move |req: Request<Incoming>| {
                                let (handler, hits, seen, delay) = (handler.clone(), hits.clone(), seen.clone(), delay.clone());
                                async move {
                                    let s = Seen {
                                        method: req.method().to_string(),
                                        path: req.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default(),
                                        headers: req.headers().clone(),
                                    };
                                    let _ = req.into_body().collect().await;
                                    let n = hits.fetch_add(1, Ordering::SeqCst) + 1;
                                    seen.lock().unwrap().push(s.clone());
                                    let d = *delay.lock().unwrap();
                                    if !d.is_zero() {
                                        tokio::time::sleep(d).await;
                                    }
                                    Ok::<_, hyper::Error>(handler(&s, n))
                                }
                            });
                            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(tcp), svc).await;
                        }));
                    }
                }
            }
            for c in conns {
                c.abort();
            }
        });
        Origin { addr, hits, seen, stop: Some(tx), task: Some(task), delay }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    pub fn last(&self) -> Seen {
        self.seen.lock().unwrap().last().cloned().expect("the origin saw a request")
    }

    /// Stops listening and closes open connections; returns once the port is closed, so that
    /// the next connection to it is refused.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Origin {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// A response with these headers and body.
pub fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> Response<Full<Bytes>> {
    let mut b = Response::builder().status(status);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Full::new(Bytes::from(body.to_string()))).unwrap()
}

/// A proxy served on 127.0.0.1:0.
pub struct Running {
    pub proxy: Arc<Proxy>,
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    pub async fn start(config: ProxyConfig) -> Running {
        let proxy = Proxy::new(config).unwrap();
        Self::serve(proxy, None).await
    }

    pub async fn serve(proxy: Arc<Proxy>, tls: Option<tokio_rustls::TlsAcceptor>) -> Running {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let p = proxy.clone();
        let task = tokio::spawn(async move {
            let _ = server::serve(
                p,
                listener,
                tls,
                async {
                    let _ = rx.await;
                },
                Duration::from_secs(5),
            )
            .await;
        });
        Running { proxy, addr, stop: Some(tx), task: Some(task) }
    }

    /// Stops the server and waits for it to drain.
    pub async fn stop(mut self) -> Arc<Proxy> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
        self.proxy.clone()
    }
}

/// One site `s` for `www.example.test` in front of `origins`.
pub fn site(origins: &[&str]) -> SiteConfig {
    SiteConfig::new("s", &["www.example.test"], origins)
}

pub fn config(sites: Vec<SiteConfig>) -> ProxyConfig {
    ProxyConfig { sites, ..ProxyConfig::default() }
}

/// A reply as the tests look at it.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn cache(&self) -> &str {
        self.header("x-cache").unwrap_or("")
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// An HTTP/1.1 client with keep-alive.
#[derive(Clone)]
pub struct Http(Client<HttpConnector, Full<Bytes>>);

impl Default for Http {
    fn default() -> Self {
        Http(Client::builder(TokioExecutor::new()).build_http())
    }
}

impl Http {
    /// Sends `method path` to `addr` with `Host: www.example.test` and extra headers.
    pub async fn send(
        &self,
        addr: SocketAddr,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Reply {
        let mut b =
            Request::builder().method(method).uri(format!("http://{addr}{path}")).header("host", "www.example.test");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let res = self.0.request(b.body(Full::new(Bytes::from(body.to_string()))).unwrap()).await.unwrap();
        let (parts, body) = res.into_parts();
        Reply { status: parts.status, headers: parts.headers, body: body.collect().await.unwrap().to_bytes() }
    }

    pub async fn get(&self, addr: SocketAddr, path: &str) -> Reply {
        self.send(addr, "GET", path, &[], "").await
    }

    pub async fn get_with(&self, addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.send(addr, "GET", path, headers, "").await
    }
}

impl Running {
    /// Waits until the disk tier's background re-indexing at start is over.
    pub async fn rebuilt(&self) {
        let proxy = self.proxy.clone();
        eventually("the disk tier is re-indexed", move || proxy.cache.rebuild_progress().1).await;
    }
}

/// Waits until `cond` holds, checking every 10 ms, for at most 30 s (a loaded CI machine can
/// take seconds to write behind or re-index).
pub async fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..3000 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for: {what}");
}
