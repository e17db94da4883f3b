//! The async driver's recovery from a dropped future or stream: the next
//! operation first brings the session back in step.

use std::io;

use super::{Client, Pending, RunEnd};
use crate::error::{Error, Result};

impl Client {
    /// Brings the session back in step after a future or stream was
    /// dropped mid-operation: the rest of a command cut short is written,
    /// the session is told what will not come (the data connection, a
    /// transfer's data: ABOR), and the abandoned operation's replies are
    /// read. A no-op when the last operation ran to its end.
    pub(super) async fn resync(&mut self) -> Result<()> {
        if self.session.is_closed() {
            // The operation itself reports it (UsageError::Closed).
            return Ok(());
        }
        if self.session.is_idle()
            && self.pending == Pending::None
            && self.connecting.is_none()
            && self.accepting_from.is_none()
            && self.out_sent == self.out.len()
        {
            return Ok(());
        }
        tracing::debug!("an operation was cancelled midway: bringing the session back in step");
        if self.control.is_none() {
            return Err(
                self.closed_by_cancel("the TLS handshake on the control connection was cancelled")
            );
        }
        if self.out_sent < self.out.len() {
            self.write_out().await?;
        }
        // A data connection half-opened: the same connection is completed
        // (a server may have accepted it already, and would send the next
        // transfer's data down it), and the transfer goes on to be aborted.
        self.finish_connect().await?;
        self.finish_accept().await?;
        let abandoned = match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::Data => {
                self.data = None;
                self.abort_transfer().await.map(|()| None)
            }
            Pending::None if self.session.is_idle() => Ok(None),
            Pending::None => self.run().await.map(Some),
        };
        match abandoned {
            // Accepted by the server just before it was abandoned: ABOR.
            Ok(Some(RunEnd::Transfer(_))) => {
                self.data = None;
                self.abort_transfer().await?;
            }
            Ok(Some(RunEnd::Done(outcome))) => {
                tracing::debug!("the cancelled operation ended: {outcome:?}");
            }
            Ok(None) => {}
            Err(e) if self.session.is_closed() => return Err(e),
            Err(e) => tracing::debug!("the cancelled operation failed: {e}"),
        }
        Ok(())
    }

    /// Closes the session that a cancellation left where it cannot be
    /// brought back in step, and says so.
    pub(super) fn closed_by_cancel(&mut self, what: &str) -> Error {
        self.close_now();
        Error::io(
            "resuming after a cancelled operation",
            io::Error::new(
                io::ErrorKind::Interrupted,
                format!("{what}; the session is closed"),
            ),
        )
    }
}
