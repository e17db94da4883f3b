//! The copy loop of a TLS download: each decrypted record is written out
//! from rustls's own buffer, not copied into one of ours first.

use std::io::Write;

use super::Download;
use crate::blocking::data::await_data;
use crate::error::{Error, Result};

impl Download<'_> {
    /// [`Download::copy_to_end`] over TLS (without a rate limit): rustls
    /// decrypts each record into a buffer of its own; writing from there
    /// (`BufRead`) saves copying every byte once more. The end and its
    /// kind (close_notify or not), the stall timeout and the failures are
    /// those of [`Download`]'s `Read`.
    pub(super) fn copy_tls(&mut self, out: &mut (impl Write + ?Sized)) -> Result<u64> {
        let mut copied = 0u64;
        loop {
            let Some(data) = self.data.as_mut() else {
                return Ok(copied);
            };
            let ready = await_data(&mut self.client.session, data.tcp(), &mut self.data_wait);
            let read = match ready.and_then(|()| data.tls_plaintext().unwrap_or(Ok(&[]))) {
                Ok(plaintext) => out.write_all(plaintext).map(|()| Ok(plaintext.len())),
                Err(e) => Ok(Err(e)),
            };
            let n = match read {
                Ok(Ok(n)) => {
                    data.consume(n);
                    self.state.read(Ok(n), 1, true)
                }
                Ok(Err(e)) => self.state.read(Err(e), 1, true),
                Err(e) => return Err(self.local_write_failure(e)),
            };
            match n {
                Ok(0) => return Ok(copied),
                Ok(n) => copied += n as u64,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let error = Error::io_or_timeout("receiving data", e, self.client.data_stall());
                    return Err(self.end_after_network_error(error));
                }
            }
        }
    }
}
