//! The pool of sessions a tree operation's files are carried out over:
//! the planning session feeds jobs into a [`Queue`] as it finds them, up
//! to `jobs - 1` more sessions open as soon as there is a job for each,
//! and the planning session joins them once the plan is complete.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};

use super::{Connect, Planned, Tally, quit};
use crate::engine::{Cancel, RetryPolicy, Retryable};
use crate::{Client, Error};

/// A file, or a listing, whose failure may pass is tried again in the same
/// session: [`RetryPolicy::quick`], short at first, as the usual transient
/// refusal (Pure-FTPd's 425 when the passive port it drew is still in
/// TIME_WAIT) is gone at the next EPSV, which draws another port; longer
/// for a refusal that lasts.
pub(super) const QUICK: RetryPolicy = RetryPolicy::quick();

/// Why one job failed, and whether trying it again may help
/// ([`crate::engine::is_transient`]).
#[derive(Debug)]
pub(super) struct JobError {
    pub(super) message: String,
    pub(super) transient: bool,
}

impl From<String> for JobError {
    fn from(message: String) -> Self {
        JobError {
            message,
            transient: false,
        }
    }
}

impl From<Error> for JobError {
    fn from(error: Error) -> Self {
        JobError {
            transient: crate::engine::is_transient(&error),
            message: error.to_string(),
        }
    }
}

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Retryable for JobError {
    fn is_retryable(&self) -> bool {
        self.transient
    }
}

/// A job, and whether it was already put back once after its session died.
struct Queued<J> {
    job: J,
    retried: bool,
}

/// The jobs the planning session finds, taken by the sessions as they
/// come: transfers start with the first directory, not after the last.
/// Jobs come in groups (a directory's files), and consecutive takes go to
/// different groups: sessions working in different directories do not
/// queue behind each other's directory locks, here (creating and
/// renaming files) or on the server.
struct Queue<J> {
    state: Mutex<QueueState<J>>,
    changed: Condvar,
}

struct QueueState<J> {
    /// Groups with jobs left, each with its key.
    groups: VecDeque<(usize, VecDeque<Queued<J>>)>,
    /// Jobs ever added.
    added: usize,
    /// No more jobs will come.
    closed: bool,
}

impl<J> Queue<J> {
    fn new() -> Self {
        Queue {
            state: Mutex::new(QueueState {
                groups: VecDeque::new(),
                added: 0,
                closed: false,
            }),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState<J>> {
        // A worker that panicked aborts the process anyway (the scope
        // re-raises); the queue itself is never left half-changed.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a job to group `group` (a new group unless it is the group of
    /// the last job added).
    fn push(&self, group: usize, job: J) {
        let mut state = self.lock();
        let queued = Queued {
            job,
            retried: false,
        };
        match state.groups.back_mut() {
            Some((key, jobs)) if *key == group => jobs.push_back(queued),
            _ => state.groups.push_back((group, VecDeque::from([queued]))),
        }
        state.added += 1;
        drop(state);
        self.changed.notify_all();
    }

    fn put_back(&self, queued: Queued<J>) {
        self.lock()
            .groups
            .push_front((usize::MAX, VecDeque::from([queued])));
        self.changed.notify_one();
    }

    fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }

    /// The next job, from the group after the last one taken from; `None`
    /// once the queue is closed and empty.
    fn take(&self) -> Option<Queued<J>> {
        let mut state = self.lock();
        loop {
            if let Some((key, mut jobs)) = state.groups.pop_front() {
                let queued = jobs.pop_front();
                if !jobs.is_empty() {
                    state.groups.push_back((key, jobs));
                }
                if let Some(queued) = queued {
                    return Some(queued);
                }
                continue;
            }
            if state.closed {
                return None;
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Waits until `n` jobs were added (true) or the queue closed with
    /// fewer (false): a session is opened only when there is work for it.
    fn wait_for(&self, n: usize) -> bool {
        let mut state = self.lock();
        while state.added < n && !state.closed {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.added >= n
    }

    fn drain(&self) -> Vec<J> {
        self.lock()
            .groups
            .drain(..)
            .flat_map(|(_, jobs)| jobs.into_iter().map(|q| q.job))
            .collect()
    }
}

/// The planning work: given the planning session and where to put each
/// job found, with its group (its directory's number).
pub(super) type Producer<'a, J> = dyn FnMut(&mut Client, &dyn Fn(usize, J)) + 'a;

/// What the sessions of a pool share.
pub(super) struct Pool<'a, J> {
    /// Opens another session.
    pub(super) connect: &'a Connect<'a>,
    /// Sessions at most.
    pub(super) sessions: usize,
    pub(super) tally: &'a Tally<'a>,
    pub(super) cancel: &'a Cancel,
    /// How a job is named in messages.
    pub(super) label: &'a (dyn Fn(&J) -> String + Sync),
    /// Carries a job out on a session.
    pub(super) work: &'a (dyn Fn(&mut Client, &J) -> Result<(), JobError> + Sync),
}

impl<J: Send> Pool<'_, J> {
    /// Runs `produce` on the planning session `first`, which feeds the
    /// jobs; up to `sessions - 1` more sessions, opened as soon as there is
    /// a job for each, take them as they come, and `first` joins them once
    /// `produce` returns. A session the server refuses (421, a refused
    /// connection) means fewer sessions; a session that dies is reopened
    /// once, and its job put back. Returns a session still open (`first`
    /// if it is), for the work after the transfers.
    pub(super) fn run(&self, first: Client, produce: &mut Producer<'_, J>) -> Option<Client> {
        let queue: Queue<J> = Queue::new();
        let kept: Mutex<Option<Client>> = Mutex::new(None);
        self.tally.tell(Planned::Started);
        let kept_first = std::thread::scope(|scope| {
            for worker in 1..self.sessions.max(1) {
                let (queue, kept) = (&queue, &kept);
                scope.spawn(move || self.extra(queue, kept, worker));
            }
            // Closed however `produce` ends, so that no session waits
            // forever.
            let closing = Closing(&queue);
            let mut first = first;
            let push = |group: usize, job: J| {
                self.tally.tell(Planned::Copy {
                    what: &(self.label)(&job),
                });
                queue.push(group, job);
            };
            produce(&mut first, &push);
            drop(closing);
            if first.is_closed() {
                None
            } else {
                self.serve(&queue, first, 0)
            }
        });
        // Jobs no session could take.
        for job in queue.drain() {
            self.tally
                .fail(&(self.label)(&job), "no session left to transfer it");
            self.tally.tell(Planned::Finished);
        }
        self.tally.tell(Planned::Ended);
        let other = kept.into_inner().unwrap_or_else(|e| e.into_inner());
        match (kept_first, other) {
            (Some(first), other) => {
                if let Some(other) = other {
                    quit(other);
                }
                Some(first)
            }
            (None, other) => other,
        }
    }

    /// A session beyond the first: opened once there is a job for it,
    /// kept afterwards if no other is.
    fn extra(&self, queue: &Queue<J>, kept: &Mutex<Option<Client>>, worker: usize) {
        if !queue.wait_for(worker) {
            return;
        }
        let client = match (self.connect)() {
            Ok(client) => client,
            Err(e) => {
                tracing::debug!("session {worker} not opened ({e}); fewer sessions");
                return;
            }
        };
        if let Some(client) = self.serve(queue, client, worker) {
            let mut k = kept.lock().unwrap_or_else(|e| e.into_inner());
            if k.is_none() {
                *k = Some(client);
            } else {
                drop(k);
                quit(client);
            }
        }
    }

    /// Takes jobs until there are none; `None` if the session could not be
    /// reopened, otherwise the session if it is still open.
    fn serve(&self, queue: &Queue<J>, mut client: Client, worker: usize) -> Option<Client> {
        while let Some(mut queued) = queue.take() {
            // Once cancelled, no new file.
            if self.cancel.is_cancelled() {
                break;
            }
            match self.attempt(&mut client, &queued.job) {
                Ok(()) => self.tally.tell(Planned::Finished),
                Err(e) if client.is_closed() && !queued.retried && !self.cancel.is_cancelled() => {
                    tracing::debug!("session {worker} closed ({}); reconnecting", e.message);
                    queued.retried = true;
                    queue.put_back(queued);
                    match (self.connect)() {
                        Ok(fresh) => client = fresh,
                        Err(e) => {
                            tracing::debug!("session {worker} not reopened: {e}");
                            return None;
                        }
                    }
                }
                Err(e) => {
                    self.tally.tell(Planned::Finished);
                    self.tally.fail(&(self.label)(&queued.job), e.message);
                }
            }
        }
        (!client.is_closed()).then_some(client)
    }

    /// One job, tried again while its failure may pass: in the same
    /// session while it lasts, the last try in a new one (a worn-out
    /// session may refuse every data connection with 425).
    fn attempt(&self, client: &mut Client, job: &J) -> Result<(), JobError> {
        QUICK.run(
            self.cancel,
            self.tally.progress,
            &(self.label)(job),
            |attempt| {
                if attempt > 0 && attempt == QUICK.retries() {
                    if let Ok(fresh) = (self.connect)() {
                        quit(std::mem::replace(client, fresh));
                    }
                }
                (self.work)(client, job).map_err(|mut e| {
                    e.transient &= !client.is_closed();
                    e
                })
            },
        )
    }
}

/// Closes the queue when dropped.
struct Closing<'q, J>(&'q Queue<J>);

impl<J> Drop for Closing<'_, J> {
    fn drop(&mut self) {
        self.0.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_hands_out_directories_in_turn() {
        let queue = Queue::new();
        for (group, job) in [
            (1, "a1"),
            (1, "a2"),
            (1, "a3"),
            (2, "b1"),
            (3, "c1"),
            (3, "c2"),
        ] {
            queue.push(group, job);
        }
        let mut taken = Vec::new();
        for _ in 0..4 {
            taken.push(queue.take().unwrap().job);
        }
        assert_eq!(taken, ["a1", "b1", "c1", "a2"]);
        // A job put back comes first.
        queue.put_back(Queued {
            job: "b1",
            retried: true,
        });
        let again = queue.take().unwrap();
        assert_eq!((again.job, again.retried), ("b1", true));
        assert!(queue.wait_for(6), "six were added");
        queue.close();
        assert!(!queue.wait_for(7), "closed with six");
        assert_eq!(queue.drain(), ["c2", "a3"]);
        assert!(queue.take().is_none(), "closed and empty");
    }
}
