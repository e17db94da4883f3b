//! SIGINT, SIGTERM and SIGHUP during a run: nothing hidden is left behind.
//!
//! A watcher thread takes the signals. At the first one it cancels the
//! run's [`Cancel`](ftp_client::engine::Cancel)
//! ([`crate::cancellation::handle`]), which cuts the data connection of the
//! transfer under way and stops retries; the
//! operation then fails, removes its temporary files as any failure does
//! (an upload deletes its server-side name), and `main` exits with the
//! signal's status and one line saying what was interrupted
//! ([`exit_if_interrupted`]). Should the operation not get there within
//! [`GRACE`] (a server that does not answer), or at a second signal, the
//! watcher has the engine's record of the local temporary files remove
//! them ([`crate::cancellation::temporaries`]) and exits at once.
//!
//! Recursive runs move several files at once: each transfer registers its
//! canceller with [`cancel`] and all are cut at the signal; the
//! workers take no new file, each failed upload deletes its
//! server-side name, each temporary file goes, and the run exits as soon as
//! its workers are done, without waiting for [`GRACE`].
//!
//! Exit statuses: 130 (SIGINT), 143 (SIGTERM), 129 (SIGHUP), as shells
//! report a process killed by the signal.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// How long the operation has, after the first signal, to clean up (the
/// server-side name of an upload included) before the watcher exits.
pub const GRACE: Duration = Duration::from_millis(1500);

/// The signal received, 0 for none.
static SIGNAL: AtomicI32 = AtomicI32::new(0);

/// What a run in progress would leave behind.
struct Registry {
    /// What is running, for the message (`cp SRC`).
    what: Option<String>,
    /// What happened to the server's copies, for the message.
    remote_notes: Vec<String>,
    /// The process is on its way out: nothing more is said.
    exiting: bool,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    what: None,
    remote_notes: Vec::new(),
    exiting: false,
});

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts the watcher. Without it signals keep their default effect.
pub fn install() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        use signal_hook::iterator::Signals;
        let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        std::thread::spawn(move || {
            for signal in signals.forever() {
                if SIGNAL.swap(signal, Ordering::SeqCst) != 0 {
                    // A second signal: out at once.
                    leave();
                }
                crate::cancellation::handle().cancel();
                std::thread::spawn(|| {
                    std::thread::sleep(GRACE);
                    leave();
                });
            }
        });
    }
}

/// The signal received, if any.
pub fn signalled() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// Names what is running, for the interruption's message.
pub fn running(what: impl Into<String>) {
    registry().what = Some(what.into());
}

/// Says what became of a server's copy, for the message.
pub fn remote_note(note: impl Into<String>) {
    registry().remote_notes.push(note.into());
}

/// After an operation: if a signal came, removes what is left, prints the
/// one line and exits with the signal's status.
pub fn exit_if_interrupted() {
    if signalled().is_some() {
        leave();
    }
}

/// The exit status for `signal`: 128 + its number.
pub fn status(signal: i32) -> i32 {
    128 + signal
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        1 => "SIGHUP",
        2 => "SIGINT",
        15 => "SIGTERM",
        _ => "a signal",
    }
}

/// Removes the local temporary files, says what was interrupted and exits.
fn leave() -> ! {
    let signal = signalled().unwrap_or(2);
    // Interrupted at the password prompt: echo back on, and off its line.
    if crate::credentials::restore_terminal() {
        eprintln!();
    }
    let mut registry = registry();
    if !registry.exiting {
        registry.exiting = true;
        let mut notes = crate::cancellation::temporaries().remove_all().notes();
        notes.append(&mut registry.remote_notes);
        crate::progress::clear_now();
        let what = registry.what.as_deref().unwrap_or("the run");
        let mut line = format!("ftp-cli: {what}: interrupted by {}", signal_name(signal));
        for note in notes {
            line.push_str("; ");
            line.push_str(&note);
        }
        eprintln!("{line}");
    }
    std::process::exit(status(signal))
}
