//! The progress bar on stderr: bytes, rate and ETA for a transfer, files
//! too for recursive work.
//!
//! Shown when stderr is a terminal (and neither `-q` nor `-v`), or always
//! with `--progress`; never otherwise. A thread polls the transfer's
//! [`ByteCounter`] ten times a second, so the transfer itself, splice and
//! sendfile included, only pays one atomic add per system call; indicatif
//! redraws at most ten times a second. Nothing is drawn for a transfer
//! over within [`SHOW_AFTER`], and the bar is cleared when it ends.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ftp_client::ByteCounter;
use ftp_client::engine::{Counts, Outcome, Progress, Transfer};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};

/// A transfer shorter than this shows no bar.
pub const SHOW_AFTER: Duration = Duration::from_millis(300);
/// How often the bar is updated.
const TICK: Duration = Duration::from_millis(100);

/// Whether bars are drawn, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Never,
    /// On stderr, a terminal.
    Terminal,
    /// On stderr, whatever it is (`--progress`).
    Forced,
}

static MODE: OnceLock<Mode> = OnceLock::new();
/// A bar is on the screen now.
static SHOWN: AtomicBool = AtomicBool::new(false);

/// Sets when bars are drawn: `--progress` forces them, `-q` turns them off,
/// and otherwise they are drawn on a terminal unless `-v` prints the
/// conversation there.
pub fn configure(quiet: bool, forced: bool, verbose: bool) {
    let mode = if forced {
        Mode::Forced
    } else if quiet || verbose || !std::io::stderr().is_terminal() {
        Mode::Never
    } else {
        Mode::Terminal
    };
    let _ = MODE.set(mode);
}

/// Whether bars are drawn at all: a caller may then ask the server for a
/// size it would not need otherwise.
pub fn enabled() -> bool {
    mode() != Mode::Never
}

fn mode() -> Mode {
    MODE.get().copied().unwrap_or(Mode::Never)
}

/// Clears a bar on the screen, before a message is printed at exit.
pub fn clear_now() {
    if SHOWN.swap(false, Ordering::SeqCst) {
        let mut err = std::io::stderr();
        let _ = err.write_all(b"\r\x1b[2K");
        let _ = err.flush();
    }
}

/// Where a bar's byte count comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// One transfer's counter, plus bytes that were there before it (a
    /// resumed transfer's offset).
    Transfer { counter: ByteCounter, before: u64 },
    /// Recursive work's counts (the bytes of the files done and of the
    /// transfers under way), shown with `N/M files` beside the bytes.
    Counts(Counts),
}

impl Source {
    fn bytes(&self) -> u64 {
        match self {
            Source::Transfer { counter, before } => before + counter.get(),
            Source::Counts(counts) => counts.bytes(),
        }
    }
}

/// The bar of one transfer (a single-file copy), as the engine's observer.
#[derive(Debug)]
struct Bar(Mutex<Option<(u64, Watch)>>);

static BAR: Bar = Bar(Mutex::new(None));

/// The observer of a single-file copy: its transfer's bar.
pub fn bar() -> &'static dyn Progress {
    &BAR
}

impl Progress for Bar {
    fn started(&self, transfer: &Transfer) {
        let source = Source::Transfer {
            counter: transfer.counter.clone(),
            before: transfer.offset,
        };
        if let Some(watch) = watch(transfer.path.clone(), transfer.size, source) {
            let mut shown = self.0.lock().unwrap_or_else(|e| e.into_inner());
            *shown = Some((transfer.id, watch));
        }
    }

    fn finished(&self, transfer: &Transfer, _: Outcome) {
        let ended = {
            let mut shown = self.0.lock().unwrap_or_else(|e| e.into_inner());
            match &*shown {
                Some((id, _)) if *id == transfer.id => shown.take(),
                _ => None,
            }
        };
        // Cleared here, outside the lock: the drawing thread is joined.
        drop(ended);
    }
}

/// A bar being drawn; it is cleared when this is dropped.
#[derive(Debug)]
pub struct Watch {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts a bar for `label`, `total` bytes if known, unless bars are off.
pub fn watch(label: String, total: Option<u64>, source: Source) -> Option<Watch> {
    let mode = mode();
    if mode == Mode::Never {
        return None;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let thread = {
        let stop = stop.clone();
        std::thread::spawn(move || draw(mode, &label, total, &source, &stop))
    };
    Some(Watch {
        stop,
        thread: Some(thread),
    })
}

/// Sleeps up to `time`, waking early when `stop` is set; whether it was.
fn stopped_within(stop: &AtomicBool, time: Duration) -> bool {
    let until = Instant::now() + time;
    loop {
        if stop.load(Ordering::SeqCst) {
            return true;
        }
        let now = Instant::now();
        if now >= until {
            return false;
        }
        std::thread::sleep((until - now).min(Duration::from_millis(20)));
    }
}

fn draw(mode: Mode, label: &str, total: Option<u64>, source: &Source, stop: &AtomicBool) {
    if stopped_within(stop, SHOW_AFTER) {
        return;
    }
    let target = match mode {
        Mode::Forced => ProgressDrawTarget::term_like_with_hz(Box::new(Stderr), 10),
        _ => ProgressDrawTarget::stderr_with_hz(10),
    };
    let bar = ProgressBar::with_draw_target(total, target);
    let files = match source {
        Source::Counts(counts) => Some(counts),
        Source::Transfer { .. } => None,
    };
    let files_part = if files.is_some() { "{msg} " } else { "" };
    let template = match total {
        Some(_) => format!(
            "{{prefix}} {files_part}[{{bar:24}}] {{bytes}}/{{total_bytes}} {{binary_bytes_per_sec}} ETA {{eta}}"
        ),
        None => format!("{{prefix}} {files_part}{{bytes}} {{binary_bytes_per_sec}} {{elapsed}}"),
    };
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(label.to_owned());
    SHOWN.store(true, Ordering::SeqCst);
    // Never backwards: a file's bytes leave the flowing count just before
    // they join the total, and a failed file's are gone.
    let mut position = 0;
    loop {
        // Set again each time: a message printed meanwhile cleared it.
        SHOWN.store(true, Ordering::SeqCst);
        position = position.max(source.bytes());
        bar.set_position(position);
        if let Some(files) = files {
            bar.set_message(format!(
                "{}/{} files",
                files.files_done(),
                files.files_total()
            ));
        }
        if stopped_within(stop, TICK) {
            break;
        }
    }
    bar.finish_and_clear();
    SHOWN.store(false, Ordering::SeqCst);
}

/// stderr as indicatif's terminal when it is none (`--progress` into a
/// pipe or file): 80 columns, the bar rewritten in place with CR.
#[derive(Debug)]
struct Stderr;

impl TermLike for Stderr {
    fn width(&self) -> u16 {
        80
    }

    fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }

    fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }

    fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }

    fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }

    fn write_line(&self, line: &str) -> std::io::Result<()> {
        std::io::stderr().write_all(line.as_bytes())
    }

    fn write_str(&self, s: &str) -> std::io::Result<()> {
        std::io::stderr().write_all(s.as_bytes())
    }

    fn clear_line(&self) -> std::io::Result<()> {
        std::io::stderr().write_all(b"\r\x1b[2K")
    }

    fn flush(&self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
