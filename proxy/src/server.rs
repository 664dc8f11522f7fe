//! Runs a [`Proxy`] on a listener: accepts connections (a per-IP connection cap), optionally
//! terminates TLS (SNI, ALPN), and serves HTTP/1.1 and HTTP/2 with hyper, with the header
//! time-out (slowloris) and header size limits of [`crate::config::Limits`]. On shutdown it stops
//! accepting, lets in-flight requests finish (bounded by `drain`), then returns.
//!
//! Tests bind `127.0.0.1:0` and pass the listener in.

use crate::Proxy;
use crate::handler::{self, Conn};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// Serves until `shutdown` resolves, then drains for at most `drain`.
pub async fn serve(
    proxy: Arc<Proxy>,
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
    drain: Duration,
) -> std::io::Result<()> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(proxy.limits.header_timeout)
        .max_buf_size(proxy.limits.max_header_bytes.max(8192))
        .max_headers(proxy.limits.max_headers)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(proxy.limits.max_header_bytes as u32)
        .keep_alive_interval(Some(Duration::from_secs(30)));
    let builder = Arc::new(builder);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (mut tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = tcp.set_nodelay(true);
        let slot = match &proxy.conns {
            Some(limiter) => match limiter.acquire(peer.ip()) {
                Some(slot) => Some(slot),
                None => {
                    if tls.is_none() {
                        let _ = tcp
                            .write_all(
                                b"HTTP/1.1 429 Too Many Requests\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                            )
                            .await;
                    }
                    continue;
                }
            },
            None => None,
        };
        let proxy = proxy.clone();
        let builder = builder.clone();
        let tls = tls.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _slot = slot;
            match tls {
                None => {
                    let conn = Arc::new(Conn { peer, tls: false, sni: None });
                    let svc = service_fn(move |req| handler::handle(proxy.clone(), conn.clone(), req));
                    let c = builder.serve_connection(TokioIo::new(tcp), svc);
                    let _ = watcher.watch(c).await;
                }
                Some(acceptor) => {
                    let handshake = tokio::time::timeout(proxy.limits.header_timeout, acceptor.accept(tcp)).await;
                    let Ok(Ok(stream)) = handshake else { return };
                    let sni = stream.get_ref().1.server_name().map(str::to_string);
                    let conn = Arc::new(Conn { peer, tls: true, sni });
                    let svc = service_fn(move |req| handler::handle(proxy.clone(), conn.clone(), req));
                    let c = builder.serve_connection(TokioIo::new(stream), svc);
                    let _ = watcher.watch(c).await;
                }
            }
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(drain, graceful.shutdown()).await;
    Ok(())
}
