//! The splice loop of [`Download::copy_to_file`]: a plain download moved
//! from the socket to the file through a pipe, never entering the process.

use std::io::{self, Write};

use super::{Download, SPLICE_PIPE_SIZE};
use crate::blocking::data::await_data;
use crate::error::{Error, Result};
use crate::tls::Stream;

impl Download<'_> {
    /// The splice loop of [`Download::copy_to_file`]; `None` when splice
    /// cannot be used here (no pipe, or a file that refuses it) and nothing
    /// was moved yet.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub(super) fn splice_to_file(&mut self, file: &mut std::fs::File) -> Result<Option<u64>> {
        use rustix::io::Errno;
        use rustix::pipe::{PipeFlags, SpliceFlags, splice};

        let Ok((pipe_out, pipe_in)) = rustix::pipe::pipe_with(PipeFlags::CLOEXEC) else {
            return Ok(None);
        };
        // Best effort: a smaller pipe only means more system calls.
        let _ = rustix::pipe::fcntl_setpipe_size(&pipe_in, SPLICE_PIPE_SIZE);
        let mut copied = 0u64;
        loop {
            let Some(data) = self.data.as_ref().and_then(Stream::plain) else {
                return Ok(Some(copied));
            };
            if let Err(e) = await_data(&mut self.client.session, data, &mut self.data_wait) {
                return Err(self.end_after_network_error(Error::io("receiving data", e)));
            }
            let n = match splice(
                data,
                None,
                &pipe_in,
                None,
                SPLICE_PIPE_SIZE,
                SpliceFlags::MOVE,
            ) {
                Ok(0) => {
                    self.state.end_of_data();
                    return Ok(Some(copied));
                }
                Ok(n) => n,
                Err(Errno::INTR) => continue,
                Err(Errno::INVAL | Errno::NOSYS) if copied == 0 => return Ok(None),
                Err(errno) => {
                    let error = Error::io_or_timeout(
                        "receiving data",
                        io::Error::from(errno),
                        self.client.data_stall(),
                    );
                    return Err(self.end_after_network_error(error));
                }
            };
            self.state.count(n as u64);
            let mut left = n;
            while left > 0 {
                match splice(&pipe_out, None, &*file, None, left, SpliceFlags::MOVE) {
                    Ok(0) => return Err(self.local_write_failure(io::ErrorKind::WriteZero.into())),
                    Ok(m) => left -= m,
                    Err(Errno::INTR) => {}
                    // A file that takes no splice (opened for appending,
                    // say): these bytes go through memory, and so does the
                    // rest.
                    Err(Errno::INVAL) if copied == 0 && left == n => {
                        let mut pending = vec![0; n];
                        let result =
                            io::Read::read_exact(&mut std::fs::File::from(pipe_out), &mut pending)
                                .and_then(|()| file.write_all(&pending));
                        if let Err(e) = result {
                            return Err(self.local_write_failure(e));
                        }
                        return self.copy_to_end(file).map(|rest| Some(n as u64 + rest));
                    }
                    Err(errno) => return Err(self.local_write_failure(io::Error::from(errno))),
                }
            }
            copied += n as u64;
        }
    }
}
