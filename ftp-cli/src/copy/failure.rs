//! The engine's copy failures: their one line
//! ([`CopyError::message`]), the exit code the CLI has always given
//! them, and what an interruption's message says of the server's copy.

use ftp_client::engine::UploadError;
use ftp_client::engine::copy::{CopyError, FileCopy, RelayError};

use crate::failure::Failure;
use crate::remote::note_leftover;

/// The one line for a failed copy; `op` names the command (`cp -C` when
/// resumed).
pub(super) fn failure(op: &str, copy: &FileCopy, error: CopyError) -> Failure {
    if let Some(leftover) = error.leftover() {
        note_leftover(leftover);
    }
    if let Some(note) = error.kept_upload() {
        crate::interrupt::remote_note(note);
    }
    match &error {
        CopyError::DeleteRemote {
            url,
            verified: Some(verified),
            ..
        } => eprintln!("ftp-cli: {op} {url}: {verified}"),
        CopyError::DeleteLocal {
            copied_to,
            verified: Some(verified),
            ..
        } => eprintln!("ftp-cli: {op} {copied_to}: {verified}"),
        _ => {}
    }
    let line = error.message(op, copy).to_string();
    if is_usage(&error) {
        Failure::usage(line)
    } else {
        Failure::failed(line)
    }
}

/// The failures that exit with 2: what the command line asked for cannot
/// be done, whatever the server.
fn is_usage(error: &CopyError) -> bool {
    match error {
        CopyError::BothRemote
        | CopyError::BothLocal
        | CopyError::MoveToStdout
        | CopyError::MoveStdin
        | CopyError::ResumeStdout
        | CopyError::ResumeStdin
        | CopyError::MoveToDevice { .. }
        | CopyError::StdinNoName { .. }
        | CopyError::DirectoryUrl { .. }
        | CopyError::NoFileName { .. }
        | CopyError::UploadNoName { .. }
        | CopyError::UploadSource(UploadError::NoName { .. })
        | CopyError::VerifyNeedsFile { .. }
        | CopyError::ResumeNotRegular { .. }
        | CopyError::BadTarget { .. }
        | CopyError::Relay {
            error: RelayError::Directory | RelayError::Resume,
            ..
        } => true,
        CopyError::Upload {
            src,
            error: UploadError::RemoteDirectory { .. },
            resumed,
            ..
        } => *resumed || src.is_none(),
        _ => false,
    }
}
