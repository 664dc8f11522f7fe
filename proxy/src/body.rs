//! Response bodies: a whole body in memory (cache hits), a channel fed by a fetch task (misses
//! and pass-through, streamed with back-pressure), a slice of a disk-tier file, or nothing.
//! [`Counted`] wraps any of them to count the bytes sent and run a callback (the access log and
//! statistics) when the body is finished or dropped.

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::AsyncRead;
use tokio::sync::mpsc;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body of every response the proxy sends.
#[derive(Debug)]
pub enum ProxyBody {
    Empty,
    Full(Option<Bytes>),
    /// Chunks sent by a task; an `Err` aborts the response.
    Channel(mpsc::Receiver<Result<Bytes, BoxError>>),
    /// `remaining` bytes of a file, read in chunks.
    File {
        file: Pin<Box<tokio::fs::File>>,
        remaining: u64,
        buf: Vec<u8>,
        /// For a whole body: its expected checksum, checked before the last chunk is sent.
        verify: Option<Verify>,
    },
}

/// Checks a disk body's CRC-32 as it streams. On a mismatch the last chunk is replaced by an
/// error (the client sees a short body, never a complete torn one) and `on_damage` runs.
pub struct Verify {
    pub hasher: crc32fast::Hasher,
    pub expected: u32,
    pub on_damage: Option<Box<dyn FnOnce() + Send + Sync>>,
}

impl std::fmt::Debug for Verify {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verify").field("expected", &self.expected).finish()
    }
}

impl ProxyBody {
    pub fn full(bytes: Bytes) -> ProxyBody {
        ProxyBody::Full(Some(bytes))
    }

    pub fn text(s: &str) -> ProxyBody {
        ProxyBody::Full(Some(Bytes::copy_from_slice(s.as_bytes())))
    }
}

const FILE_CHUNK: usize = 64 * 1024;

impl Body for ProxyBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.get_mut() {
            ProxyBody::Empty => Poll::Ready(None),
            ProxyBody::Full(b) => Poll::Ready(b.take().filter(|b| !b.is_empty()).map(|b| Ok(Frame::data(b)))),
            ProxyBody::Channel(rx) => rx.poll_recv(cx).map(|o| o.map(|r| r.map(Frame::data))),
            ProxyBody::File { file, remaining, buf, verify } => {
                if *remaining == 0 {
                    return Poll::Ready(None);
                }
                let want = (*remaining).min(FILE_CHUNK as u64) as usize;
                buf.resize(want, 0);
                let mut read_buf = tokio::io::ReadBuf::new(&mut buf[..want]);
                match file.as_mut().poll_read(cx, &mut read_buf) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e.into()))),
                    Poll::Ready(Ok(())) => {
                        let n = read_buf.filled().len();
                        if n == 0 {
                            return Poll::Ready(Some(Err("cache file ended early".into())));
                        }
                        *remaining -= n as u64;
                        if let Some(v) = verify {
                            v.hasher.update(&buf[..n]);
                            if *remaining == 0 && v.hasher.clone().finalize() != v.expected {
                                if let Some(f) = v.on_damage.take() {
                                    f();
                                }
                                return Poll::Ready(Some(Err("cache file damaged (checksum)".into())));
                            }
                        }
                        Poll::Ready(Some(Ok(Frame::data(Bytes::copy_from_slice(&buf[..n])))))
                    }
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ProxyBody::Empty => true,
            ProxyBody::Full(b) => b.as_ref().is_none_or(Bytes::is_empty),
            ProxyBody::File { remaining, .. } => *remaining == 0,
            ProxyBody::Channel(_) => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ProxyBody::Empty => SizeHint::with_exact(0),
            ProxyBody::Full(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
            ProxyBody::File { remaining, .. } => SizeHint::with_exact(*remaining),
            ProxyBody::Channel(_) => SizeHint::default(),
        }
    }
}

/// Called once when a response body is done: bytes sent and whether it completed.
pub type OnDone = Box<dyn FnOnce(u64, bool) + Send + Sync>;

/// A body that counts what it sends and reports when it ends.
pub struct Counted {
    inner: ProxyBody,
    sent: u64,
    complete: bool,
    on_done: Option<OnDone>,
}

impl std::fmt::Debug for Counted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Counted").field("inner", &self.inner).field("sent", &self.sent).finish()
    }
}

impl Counted {
    pub fn new(inner: ProxyBody, on_done: Option<OnDone>) -> Counted {
        Counted { inner, sent: 0, complete: false, on_done }
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        if let Some(f) = self.on_done.take() {
            f(self.sent, self.complete || self.inner.is_end_stream());
        }
    }
}

impl Body for Counted {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(d) = frame.data_ref() {
                    this.sent += d.len() as u64;
                }
            }
            Poll::Ready(None) => this.complete = true,
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
