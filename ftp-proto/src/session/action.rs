//! What the session asks of its driver ([`Action`]), and the data
//! transfers it runs ([`DataCommand`], [`Direction`], [`TransferStart`]).

use std::net::{IpAddr, SocketAddr};

use crate::command::{Arg, Command};
use crate::reply::Reply;

use super::outcome::{Failure, Outcome};

/// What the driver must do next; see the [module docs](super).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Write this command to the control connection.
    Send(Command),
    /// Run the TLS handshake on the control connection now, then call
    /// [`Session::handle_control_secured`](super::Session::handle_control_secured), or
    /// [`Session::handle_control_secure_failed`](super::Session::handle_control_secure_failed) if it failed. Every byte
    /// after it, both ways, goes through TLS.
    SecureControl,
    /// Read from the control connection and feed the bytes back; if
    /// nothing comes by [`Session::poll_timeout`](super::Session::poll_timeout), call
    /// [`Session::handle_timeout`](super::Session::handle_timeout).
    ReadControl,
    /// Open the data connection to this address.
    ConnectData(SocketAddr),
    /// Active mode: listen for the data connection (on the control
    /// connection's local address, or one the user chose), then call
    /// [`Session::handle_listening`](super::Session::handle_listening) with the address the server must
    /// connect to, or [`Session::handle_data_connect_failed`](super::Session::handle_data_connect_failed).
    Listen,
    /// Active mode: the server was told to connect; accept its data
    /// connection, only from this IP (close any other and keep waiting),
    /// until [`Session::poll_timeout`](super::Session::poll_timeout) (then call
    /// [`Session::handle_timeout`](super::Session::handle_timeout)). Then call
    /// [`Session::handle_data_connected`](super::Session::handle_data_connected), or
    /// [`Session::handle_data_connect_failed`](super::Session::handle_data_connect_failed) if none came.
    AcceptData {
        /// The IP the connection must come from: the control connection's
        /// peer.
        from: IpAddr,
    },
    /// The server is ready: move the data, then close the data connection
    /// and call [`Session::handle_data_finished`](super::Session::handle_data_finished).
    Transfer(TransferStart),
    /// A reply was received (reported for logging; the session acts on it).
    Reply(Reply),
    /// The operation ended.
    Done(Result<Outcome, Failure>),
}

/// Which way the data of a transfer flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Server to client: RETR, LIST, NLST, MLSD.
    Download,
    /// Client to server: STOR, APPE.
    Upload,
}

/// Details of a transfer the server has accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferStart {
    /// Which way the bytes go.
    pub direction: Direction,
    /// The size the server announced in its 150 reply, if any.
    pub size_hint: Option<u64>,
}

impl TransferStart {
    /// Whether a download whose TLS data connection ended without
    /// close_notify after `received` bytes, and which the server confirmed
    /// with 2xx, is complete: only if the server announced its size and
    /// exactly that many bytes arrived. Otherwise someone in the path may
    /// have cut it short (RFC 4217 leaves the end of data to TLS).
    ///
    /// ```
    /// use ftp_proto::{Direction, TransferStart};
    /// let start = TransferStart { direction: Direction::Download, size_hint: Some(10) };
    /// assert!(start.accepts_unclean_end(10));
    /// assert!(!start.accepts_unclean_end(9));
    /// let unannounced = TransferStart { size_hint: None, ..start };
    /// assert!(!unannounced.accepts_unclean_end(10));
    /// ```
    pub fn accepts_unclean_end(&self, received: u64) -> bool {
        self.direction == Direction::Download && self.size_hint == Some(received)
    }
}

/// A command that moves data over a data connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataCommand {
    /// `RETR path`: download a file.
    Retr(Arg),
    /// `STOR path`: upload a file, replacing it.
    Stor(Arg),
    /// `APPE path`: upload, appending to the file.
    Appe(Arg),
    /// `LIST [path]`: a human-readable directory listing.
    List(Option<Arg>),
    /// `NLST [path]`: names only.
    Nlst(Option<Arg>),
    /// `MLSD [path]`: machine-readable listing (RFC 3659).
    Mlsd(Option<Arg>),
}

impl DataCommand {
    /// Which way the data flows.
    pub fn direction(&self) -> Direction {
        match self {
            DataCommand::Stor(_) | DataCommand::Appe(_) => Direction::Upload,
            _ => Direction::Download,
        }
    }

    /// For a listing that names a directory: the directory.
    pub(super) fn listed_path(&self) -> Option<&Arg> {
        match self {
            DataCommand::List(path) | DataCommand::Nlst(path) | DataCommand::Mlsd(path) => {
                path.as_ref()
            }
            _ => None,
        }
    }

    /// The same listing of the working directory (no argument).
    pub(super) fn of_working_directory(&self) -> DataCommand {
        match self {
            DataCommand::List(_) => DataCommand::List(None),
            DataCommand::Nlst(_) => DataCommand::Nlst(None),
            DataCommand::Mlsd(_) => DataCommand::Mlsd(None),
            other => other.clone(),
        }
    }

    pub(super) fn command(&self) -> Command {
        match self.clone() {
            DataCommand::Retr(a) => Command::Retr(a),
            DataCommand::Stor(a) => Command::Stor(a),
            DataCommand::Appe(a) => Command::Appe(a),
            DataCommand::List(a) => Command::List(a),
            DataCommand::Nlst(a) => Command::Nlst(a),
            DataCommand::Mlsd(a) => Command::Mlsd(a),
        }
    }
}
