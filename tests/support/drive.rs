//! Driving the async client from plain `#[test]` functions: a runtime per
//! test, and a future dropped after a given number of waits (for the
//! cancellation tests).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs `body` on a current-thread runtime of its own. The test servers
/// (in-process or scripted) run on other threads and runtimes: a runtime
/// cannot start or stop inside another.
pub fn block_on<F: Future>(body: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(body)
}

/// Polls `fut`, and drops it after its `n`th `Pending`: `None` if it was
/// dropped, its output if it completed first.
pub struct DropAfter<F: Future> {
    fut: Pin<Box<F>>,
    pending_left: usize,
}

impl<F: Future> Future for DropAfter<F> {
    type Output = Option<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.fut.as_mut().poll(cx) {
            Poll::Ready(output) => Poll::Ready(Some(output)),
            Poll::Pending if self.pending_left == 0 => Poll::Ready(None),
            Poll::Pending => {
                self.pending_left -= 1;
                Poll::Pending
            }
        }
    }
}

/// `fut`, dropped after its `n`th wait (see [`DropAfter`]).
pub fn drop_after<F: Future>(fut: F, n: usize) -> DropAfter<F> {
    DropAfter {
        fut: Box::pin(fut),
        pending_left: n,
    }
}
