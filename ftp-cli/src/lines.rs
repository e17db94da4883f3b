//! Listings as a terminal expects them: the server's bytes, with its CRLF
//! line ends turned into LF.

use std::io::{self, Write};

/// Writes a listing to `inner` byte for byte (names that are not UTF-8
/// included), dropping the CR of each CRLF, and remembers whether `inner`
/// was closed by its reader (`ftp-cli ls … | head`).
pub struct UnixLines<W: Write> {
    inner: W,
    /// A CR ended the last write; whether it was part of a CRLF is known
    /// only from the next byte.
    pending_cr: bool,
    /// The last byte written through, to end the output with a line break.
    last: Option<u8>,
    closed: bool,
}

impl<W: Write> UnixLines<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        UnixLines {
            inner,
            pending_cr: false,
            last: None,
            closed: false,
        }
    }

    /// The reader of the output went away (broken pipe): not an error of
    /// the listing, only the end of the interest in it.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Writes what is held back and a final line break if the listing did
    /// not end with one, then flushes.
    pub fn finish(&mut self) -> io::Result<()> {
        if std::mem::take(&mut self.pending_cr) {
            self.emit(b"\r")?;
        }
        if self.last.is_some_and(|b| b != b'\n') {
            self.emit(b"\n")?;
        }
        self.flush()
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        match self.inner.write_all(bytes) {
            Ok(()) => {
                self.last = bytes.last().copied();
                Ok(())
            }
            Err(e) => {
                self.closed |= e.kind() == io::ErrorKind::BrokenPipe;
                Err(e)
            }
        }
    }
}

impl<W: Write> Write for UnixLines<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        if std::mem::take(&mut self.pending_cr) && rest.first() != Some(&b'\n') {
            self.emit(b"\r")?;
        }
        while let Some(i) = rest.iter().position(|&b| b == b'\r') {
            self.emit(&rest[..i])?;
            match rest.get(i + 1) {
                // CRLF: the LF goes out with the next run.
                Some(b'\n') => {}
                Some(_) => self.emit(b"\r")?,
                None => self.pending_cr = true,
            }
            rest = &rest[i + 1..];
        }
        self.emit(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().inspect_err(|e| {
            self.closed |= e.kind() == io::ErrorKind::BrokenPipe;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::UnixLines;
    use std::io::Write;

    fn convert(chunks: &[&[u8]]) -> Vec<u8> {
        let mut lines = UnixLines::new(Vec::new());
        for chunk in chunks {
            lines.write_all(chunk).unwrap();
        }
        lines.finish().unwrap();
        lines.inner
    }

    #[test]
    fn crlf_becomes_lf_at_any_split() {
        let listing: &[u8] = b"a\r\nb c\r\n\xff\xfe name\r\nlast";
        let expected: &[u8] = b"a\nb c\n\xff\xfe name\nlast\n";
        assert_eq!(convert(&[listing]), expected);
        for split in 0..=listing.len() {
            let (head, tail) = listing.split_at(split);
            assert_eq!(convert(&[head, tail]), expected, "split at {split}");
        }
        let bytes: Vec<&[u8]> = listing.chunks(1).collect();
        assert_eq!(convert(&bytes), expected);
    }

    #[test]
    fn lone_cr_and_lf_are_kept() {
        assert_eq!(convert(&[b"a\rb\nc\r"]), b"a\rb\nc\r\n");
        assert_eq!(convert(&[b"x\r", b"y\n"]), b"x\ry\n");
        assert_eq!(convert(&[]), b"");
        assert_eq!(convert(&[b"\r\n"]), b"\n");
    }

    struct ClosedPipe;

    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_reader_is_noticed() {
        let mut lines = UnixLines::new(ClosedPipe);
        assert!(lines.write_all(b"a\r\n").is_err());
        assert!(lines.is_closed());
    }
}
