//! The logger: a non-blocking handle, a writer thread and a helper thread.
//!
//! What: [`Logger::start`] spawns a writer thread fed by a bounded channel and a helper
//! thread that runs sweeps (compression of closed days, retention; see `retention`).
//! [`LogHandle::log`] never blocks: when the channel is full (the disk is slower than
//! the traffic), the record is dropped and counted in [`LogHandle::dropped`]; the proxy
//! is never slowed down by logging. Records are boxed so that the channel's
//! preallocated slots stay small (16 bytes each).
//!
//! The writer keeps one `BufWriter` per (site, day, format), flushes them at least every
//! `flush_interval`, and rotates at Europe/Paris midnight (see
//! [`crate::LoggerConfig::rotation_grace`]): closed files are fsynced, then the helper
//! compresses them. [`Logger::shutdown`] (or drop) writes every record accepted before it,
//! flushes and fsyncs; today's files stay uncompressed and are appended to after a restart.
//!
//! Deliberately not here: blocking back-pressure on the proxy, fsync per line (a crash
//! may lose up to `flush_interval` of lines), log shipping.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TryRecvError, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Instant, SystemTime};

use jiff::civil::Date;

use crate::config::LoggerConfig;
use crate::record::{Record, StampCache, local_day, site_dir_name};
use crate::retention::sweep;
use crate::rotate::{Format, close_file, log_path};
use crate::{clf, w3c};

/// How long the writer sleeps when its queue is empty.
const POLL: std::time::Duration = std::time::Duration::from_millis(4);

enum Msg {
    Record(Box<Record>),
    Sync(Sender<()>),
    Shutdown,
}

enum Job {
    Sweep { closed_before: Date, today: Date },
    Barrier(Sender<()>),
}

#[derive(Debug, Default)]
struct Shared {
    dropped: AtomicU64,
    errors: AtomicU64,
    last_error: Mutex<Option<String>>,
}

impl Shared {
    fn error(&self, msg: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(msg);
        }
    }
}

/// Cheap, clonable, thread-safe handle used by the proxy to log records.
#[derive(Debug, Clone)]
pub struct LogHandle {
    tx: SyncSender<Msg>,
    shared: Arc<Shared>,
}

impl LogHandle {
    /// Queues `record` without ever blocking; when the queue is full (or the logger is
    /// shut down) the record is dropped and counted in [`LogHandle::dropped`].
    pub fn log(&self, record: Record) {
        if self.tx.try_send(Msg::Record(Box::new(record))).is_err() {
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Like [`LogHandle::log`] but gives the record back (queue full or logger stopped)
    /// instead of counting a drop, for callers that prefer to wait or retry. Takes a box
    /// so that retrying does not allocate again.
    pub fn try_log(&self, record: Box<Record>) -> Result<(), Box<Record>> {
        match self.tx.try_send(Msg::Record(record)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(Msg::Record(r)) | TrySendError::Disconnected(Msg::Record(r))) => Err(r),
            Err(_) => Ok(()),
        }
    }

    /// Records dropped so far because the queue was full or the logger stopped.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// I/O failures so far (opening, writing, compressing, deleting files).
    pub fn errors(&self) -> u64 {
        self.shared.errors.load(Ordering::Relaxed)
    }

    /// The last I/O failure, for diagnostics.
    pub fn last_error(&self) -> Option<String> {
        self.shared.last_error.lock().ok().and_then(|e| e.clone())
    }
}

/// The running logger. Dropping it is the same as [`Logger::shutdown`].
#[derive(Debug)]
pub struct Logger {
    handle: LogHandle,
    thread: Option<JoinHandle<()>>,
}

impl Logger {
    /// Creates `config.dir`, starts the threads and schedules the start-up sweep
    /// (compression of past days left uncompressed, retention).
    pub fn start(config: LoggerConfig) -> io::Result<Logger> {
        if config.channel_capacity == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "channel_capacity must be at least 1"));
        }
        private_dir(&config.dir)?;
        let shared = Arc::new(Shared::default());
        let (jobs, jobs_rx) = mpsc::channel();
        let helper = {
            let (dir, days, shared) = (config.dir.clone(), config.retention_days, shared.clone());
            std::thread::Builder::new()
                .name("accesslog-sweep".into())
                .spawn(move || run_helper(dir, days, jobs_rx, &shared))?
        };
        let (tx, rx) = mpsc::sync_channel(config.channel_capacity);
        let mut writer = Writer {
            cfg: config,
            shared: shared.clone(),
            jobs,
            open: HashMap::new(),
            closed_before: Date::MIN,
            newest: SystemTime::UNIX_EPOCH,
            stamps: StampCache::default(),
            buf: Vec::with_capacity(1024),
        };
        writer.check_rotation();
        let thread =
            std::thread::Builder::new().name("accesslog-writer".into()).spawn(move || writer.run(&rx, helper))?;
        Ok(Logger { handle: LogHandle { tx, shared }, thread: Some(thread) })
    }

    /// A handle for logging; clone it freely.
    pub fn handle(&self) -> LogHandle {
        self.handle.clone()
    }

    /// Blocks until every record queued before this call is written and flushed to the
    /// OS, the rotation check has run against the clock, and pending sweeps are done.
    /// For tests and administration; the proxy never needs it.
    pub fn sync(&self) {
        let (ack, done) = mpsc::channel();
        if self.handle.tx.send(Msg::Sync(ack)).is_ok() {
            let _ = done.recv();
        }
    }

    /// Writes every record accepted so far, rotates past days, flushes and fsyncs, waits
    /// for pending compressions, and stops the threads.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = self.handle.tx.send(Msg::Shutdown);
            if thread.join().is_err() {
                self.handle.shared.error("writer thread panicked".into());
            }
        }
    }
}

impl Drop for Logger {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run_helper(dir: PathBuf, retention_days: u32, jobs: Receiver<Job>, shared: &Shared) {
    for job in jobs {
        match job {
            Job::Sweep { closed_before, today } => {
                for e in sweep(&dir, closed_before, today, retention_days).errors {
                    shared.error(e.to_string());
                }
            }
            Job::Barrier(ack) => {
                let _ = ack.send(());
            }
        }
    }
}

struct OpenDay {
    day: Date,
    clf: Option<BufWriter<File>>,
    w3c: Option<BufWriter<File>>,
}

struct Writer {
    cfg: LoggerConfig,
    shared: Arc<Shared>,
    jobs: Sender<Job>,
    /// Open files by safe site name; usually one day per site, two around midnight.
    open: HashMap<String, Vec<OpenDay>>,
    /// Every day before this one is closed: its files are (being) compressed.
    closed_before: Date,
    /// Newest record time seen.
    newest: SystemTime,
    stamps: StampCache,
    buf: Vec<u8>,
}

impl Writer {
    /// Drains the queue in batches and sleeps [`POLL`] between them instead of waiting on the
    /// channel: a sender then never has a sleeping receiver to wake, so logging a request costs
    /// no system call (waking this thread per record was most of the access log's cost).
    fn run(mut self, rx: &Receiver<Msg>, helper: JoinHandle<()>) {
        let interval = self.cfg.flush_interval;
        let mut next_flush = Instant::now() + interval;
        'outer: loop {
            let mut got = 0usize;
            loop {
                match rx.try_recv() {
                    Ok(Msg::Record(r)) => self.write(&r),
                    Ok(Msg::Sync(ack)) => {
                        self.flush_all();
                        self.check_rotation();
                        let _ = self.jobs.send(Job::Barrier(ack));
                    }
                    Ok(Msg::Shutdown) | Err(TryRecvError::Disconnected) => break 'outer,
                    Err(TryRecvError::Empty) => break,
                }
                got += 1;
                if got >= 4096 {
                    break;
                }
            }
            if got == 0 {
                std::thread::sleep(POLL.min(next_flush.saturating_duration_since(Instant::now())).max(POLL / 4));
            }
            if Instant::now() >= next_flush {
                self.flush_all();
                self.check_rotation();
                next_flush = Instant::now() + interval;
            }
        }
        // Records that raced with the shutdown message are still written.
        while let Ok(msg) = rx.try_recv() {
            match msg {
                Msg::Record(r) => self.write(&r),
                Msg::Sync(ack) => {
                    let _ = self.jobs.send(Job::Barrier(ack));
                }
                Msg::Shutdown => {}
            }
        }
        self.check_rotation();
        for (_, days) in self.open.drain() {
            for d in days {
                close_day(d, &self.shared);
            }
        }
        drop(self.jobs);
        if helper.join().is_err() {
            self.shared.error("sweep thread panicked".into());
        }
    }

    /// The instant driving rotation: the later of the clock and the newest record.
    fn reference(&self) -> SystemTime {
        (self.cfg.clock)().max(self.newest)
    }

    fn check_rotation(&mut self) {
        let reference = self.reference();
        let graced = reference.checked_sub(self.cfg.rotation_grace).unwrap_or(reference);
        let closable = local_day(graced);
        if closable <= self.closed_before {
            return;
        }
        self.closed_before = closable;
        for days in self.open.values_mut() {
            let (closed, kept): (Vec<_>, Vec<_>) = days.drain(..).partition(|d| d.day < closable);
            *days = kept;
            for d in closed {
                close_day(d, &self.shared);
            }
        }
        self.open.retain(|_, days| !days.is_empty());
        let _ = self.jobs.send(Job::Sweep { closed_before: closable, today: local_day(reference) });
    }

    fn write(&mut self, rec: &Record) {
        if rec.time > self.newest {
            self.newest = rec.time;
        }
        if self.stamps.get(rec.time).1 {
            self.check_rotation();
        }
        let day = self.stamps.get(rec.time).0.day.max(self.closed_before);
        let site = site_dir_name(&rec.site);
        if !self.open.get(site).is_some_and(|days| days.iter().any(|d| d.day == day)) {
            match self.open_day(site, day) {
                Ok(d) => self.open.entry(site.to_owned()).or_default().push(d),
                Err(e) => {
                    self.shared.error(format!("open {site} {day}: {e}"));
                    return;
                }
            }
        }
        let Some(open) = self.open.get_mut(site).and_then(|days| days.iter_mut().find(|d| d.day == day)) else {
            return;
        };
        let stamp = self.stamps.get(rec.time).0;
        if let Some(w) = open.clf.as_mut() {
            self.buf.clear();
            clf::write_with_date(rec, &stamp.clf, &mut self.buf);
            if let Err(e) = w.write_all(&self.buf) {
                self.shared.error(format!("write {site} {day} clf: {e}"));
            }
        }
        if let Some(w) = open.w3c.as_mut() {
            self.buf.clear();
            w3c::write_with_date(rec, &stamp.w3c, &mut self.buf);
            if let Err(e) = w.write_all(&self.buf) {
                self.shared.error(format!("write {site} {day} w3c: {e}"));
            }
        }
    }

    fn open_day(&self, site: &str, day: Date) -> io::Result<OpenDay> {
        private_dir(&self.cfg.dir.join(site))?;
        let open = |format: Format| -> io::Result<BufWriter<File>> {
            let file = OpenOptions::new().create(true).append(true).mode(FILE_MODE).open(log_path(
                &self.cfg.dir,
                site,
                day,
                format,
            ))?;
            let empty = file.metadata()?.len() == 0;
            let mut w = BufWriter::with_capacity(64 * 1024, file);
            if format == Format::W3c && empty {
                w.write_all(w3c::w3c_header((self.cfg.clock)()).as_bytes())?;
            }
            Ok(w)
        };
        let clf = if self.cfg.formats.clf { Some(open(Format::Clf)?) } else { None };
        let w3c = if self.cfg.formats.w3c { Some(open(Format::W3c)?) } else { None };
        Ok(OpenDay { day, clf, w3c })
    }

    fn flush_all(&mut self) {
        for days in self.open.values_mut() {
            for d in days.iter_mut() {
                for w in [d.clf.as_mut(), d.w3c.as_mut()].into_iter().flatten() {
                    if let Err(e) = w.flush() {
                        self.shared.error(format!("flush {}: {e}", d.day));
                    }
                }
            }
        }
    }
}

fn close_day(d: OpenDay, shared: &Shared) {
    for w in [d.clf, d.w3c].into_iter().flatten() {
        if let Err(e) = close_file(w) {
            shared.error(format!("close {}: {e}", d.day));
        }
    }
}

/// Mode of log files: they hold client addresses (personal data).
pub(crate) const FILE_MODE: u32 = 0o600;

/// Creates `dir` and missing parents owner-only (0700).
pub(crate) fn private_dir(dir: &std::path::Path) -> io::Result<()> {
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}
