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
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpListener;

/// Serves until `shutdown` resolves, then drains for at most `drain`.
pub async fn serve(
    proxy: Arc<Proxy>,
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
    drain: Duration,
) -> std::io::Result<()> {
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
        let limits = proxy.limits.load_full();
        let slot = match proxy.conns.load_full() {
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
        let builder = builder(&limits);
        let tls = tls.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _slot = slot;
            let _open = OpenConnection::new(&proxy);
            let idle = limits.idle_timeout;
            match tls {
                None => {
                    let Some(prefix) = read_prefix(&mut tcp, limits.header_timeout).await else { return };
                    let conn = Arc::new(Conn { peer, tls: false, sni: None });
                    let io = Prefixed::new(prefix, tcp, idle);
                    let busy = io.busy.clone();
                    let svc =
                        service_fn(move |req| counted(busy.clone(), handler::handle(proxy.clone(), conn.clone(), req)));
                    let c = builder.serve_connection(TokioIo::new(io), svc);
                    let _ = watcher.watch(c).await;
                }
                Some(acceptor) => {
                    let handshake = tokio::time::timeout(limits.header_timeout, acceptor.accept(tcp)).await;
                    let Ok(Ok(mut stream)) = handshake else {
                        proxy.tls_handshake_failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        return;
                    };
                    let sni = stream.get_ref().1.server_name().map(str::to_string);
                    let Some(prefix) = read_prefix(&mut stream, limits.header_timeout).await else { return };
                    let conn = Arc::new(Conn { peer, tls: true, sni });
                    let io = Prefixed::new(prefix, stream, idle);
                    let busy = io.busy.clone();
                    let svc =
                        service_fn(move |req| counted(busy.clone(), handler::handle(proxy.clone(), conn.clone(), req)));
                    let c = builder.serve_connection(TokioIo::new(io), svc);
                    let _ = watcher.watch(c).await;
                }
            }
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(drain, graceful.shutdown()).await;
    Ok(())
}

/// The HTTP/1.1 and HTTP/2 server settings of a connection, from the limits when it starts.
fn builder(limits: &crate::config::Limits) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        // Twice the limits: heads between the limit and twice it reach the handler, which
        // answers 431 itself and logs it; beyond, hyper answers 431 (not logged).
        .max_buf_size((limits.max_header_bytes * 2).max(8192))
        .max_headers(limits.max_headers * 2)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        // No keep-alive pings: they would count as activity and defeat the idle time-out,
        // which closes dead peers' connections too.
        .max_header_list_size(limits.max_header_bytes as u32);
    builder
}

/// The HTTP/2 connection preface; HTTP/1.1 is anything that stops matching it.
const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Reads the first bytes of a connection, until they tell HTTP/1.1 from HTTP/2, within
/// `limit`. hyper's header time-out only starts once the protocol is known, so without this a
/// client that connects and sends nothing (or part of the HTTP/2 preface) holds the
/// connection forever. `None`: time-out, error, or closed before sending anything.
async fn read_prefix<S: AsyncRead + Unpin>(io: &mut S, limit: Duration) -> Option<Vec<u8>> {
    let mut buf = Vec::with_capacity(PREFACE.len());
    let read = async {
        let mut chunk = [0u8; PREFACE.len()];
        while buf.len() < PREFACE.len() && PREFACE.starts_with(&buf) {
            let want = PREFACE.len() - buf.len();
            match io.read(&mut chunk[..want]).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    };
    tokio::time::timeout(limit, read).await.ok()?;
    (!buf.is_empty()).then_some(buf)
}

/// A stream whose first bytes were already read: they are replayed before the rest.
struct Prefixed<S> {
    prefix: Vec<u8>,
    pos: usize,
    inner: S,
    /// The idle time-out: when nothing was read or written for `idle` (up to twice that:
    /// activity is counted, not timed, to keep clock reads off the hot path), reads and writes
    /// fail and hyper closes the connection. hyper has no idle time-out for HTTP/2 (a client
    /// that answers pings and sends nothing would hold its connection forever).
    idle: Duration,
    /// Requests whose response head is not ready yet (waiting on an origin, a fill, a
    /// retry): the connection is not idle while there are any.
    busy: Arc<std::sync::atomic::AtomicUsize>,
    /// Reads and writes done, and the count when the timer was last armed.
    activity: u64,
    armed_at: u64,
    timer: Pin<Box<tokio::time::Sleep>>,
}

impl<S> Prefixed<S> {
    fn new(prefix: Vec<u8>, inner: S, idle: Duration) -> Self {
        let timer = Box::pin(tokio::time::sleep(idle));
        Prefixed { prefix, pos: 0, inner, idle, busy: Arc::default(), activity: 0, armed_at: 0, timer }
    }

    /// Called when the inner stream is not ready: `Ready` with an error once idle too long.
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Error> {
        while self.timer.as_mut().poll(cx).is_ready() {
            let busy = self.busy.load(std::sync::atomic::Ordering::Relaxed) > 0;
            if self.activity == self.armed_at && !busy {
                return Poll::Ready(std::io::Error::new(std::io::ErrorKind::TimedOut, "idle connection"));
            }
            self.armed_at = self.activity;
            self.timer.as_mut().reset(tokio::time::Instant::now() + self.idle);
        }
        Poll::Pending
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Prefixed<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        if this.pos < this.prefix.len() {
            let n = (this.prefix.len() - this.pos).min(buf.remaining());
            buf.put_slice(&this.prefix[this.pos..this.pos + n]);
            this.pos += n;
            return Poll::Ready(Ok(()));
        }
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(r) => {
                this.activity += 1;
                Poll::Ready(r)
            }
            Poll::Pending => this.poll_idle(cx).map(Err),
        }
    }
}

impl<S: AsyncWrite + Unpin> Prefixed<S> {
    fn written(&mut self, cx: &mut Context<'_>, r: Poll<std::io::Result<usize>>) -> Poll<std::io::Result<usize>> {
        match r {
            Poll::Ready(r) => {
                self.activity += 1;
                Poll::Ready(r)
            }
            // A client that stops reading is idle too.
            Poll::Pending => self.poll_idle(cx).map(Err),
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Prefixed<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.written(cx, r)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.written(cx, r)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// Runs a request's handler, counted in `busy` until its response head is ready (the body
/// that follows is written, which is activity).
fn counted<F: Future>(busy: Arc<std::sync::atomic::AtomicUsize>, handler: F) -> impl Future<Output = F::Output> {
    struct Busy(Arc<std::sync::atomic::AtomicUsize>);
    impl Drop for Busy {
        fn drop(&mut self) {
            self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
    busy.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let guard = Busy(busy);
    async move {
        let out = handler.await;
        drop(guard);
        out
    }
}

/// Counts a client connection while it is open.
struct OpenConnection(Arc<Proxy>);

impl OpenConnection {
    fn new(proxy: &Arc<Proxy>) -> OpenConnection {
        proxy.open_connections.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        OpenConnection(proxy.clone())
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.open_connections.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}
