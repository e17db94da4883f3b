//! Listings as data: [`Client::entries`], [`Client::stat`] and
//! [`Client::set_modified`]. The protocol choices (MLSD or LIST, which
//! features exist) are the session's; this module only carries them out.

use ftp_proto::decode::Timestamp;
use ftp_proto::listing::{Entry, Format};

use super::Client;
use crate::error::{Error, Result};
use crate::shared::{self, arg, optional_arg};

impl Client {
    /// The entries of the directory `path` (`""` for the working
    /// directory), parsed: MLSD when the server's FEAT lists MLST, LIST
    /// and the [`listing`](ftp_proto::listing) parsers otherwise. FEAT is
    /// asked once per session and the choice kept; a server that lists
    /// MLST but refuses MLSD as unknown is listed with LIST from then on.
    ///
    /// Every line becomes an [`Entry`], `cdir`/`pdir` and lines no parser
    /// understood ([`Kind::Unknown`](crate::Kind::Unknown)) included; [`Entry::component`] says
    /// which names are safe to use as one path component. The directory is
    /// listed by changing into it, so any name works, spaces, leading `-`
    /// and glob characters included.
    ///
    /// ```no_run
    /// # let mut ftp: ftp_client::Client = unimplemented!();
    /// use ftp_client::Kind;
    /// for entry in ftp.entries("pub")? {
    ///     match entry.kind {
    ///         Kind::Dir => println!("{}/", entry.name_lossy()),
    ///         Kind::File => println!("{} ({:?} bytes)", entry.name_lossy(), entry.size),
    ///         _ => {}
    ///     }
    /// }
    /// # Ok::<(), ftp_client::Error>(())
    /// ```
    pub fn entries(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Entry>> {
        let path = optional_arg(path)?;
        self.ensure_features()?;
        loop {
            let Some((request, format)) = self.session.listing_request(path.clone()) else {
                return Err(Error::Internal("no listing format after FEAT".to_owned()));
            };
            match self.listing_lines(request) {
                Ok(lines) => return Ok(shared::parse_entries(format, &lines)),
                Err(Error::Refused { command, reply })
                    if format == Format::Mlsd && self.session.note_mlsd_refusal(&reply) =>
                {
                    tracing::debug!("{command} refused ({reply}); listing with LIST from now on");
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// What `path` is: its kind, size and modification time. MLST where
    /// FEAT lists it; otherwise SIZE and MDTM for a file, and for a name
    /// SIZE refuses, CWD into it and back to tell a directory. A path that
    /// can only name a directory — `""`, the working directory, or one
    /// ending in `/` — is never asked about with SIZE: `""` is a directory,
    /// and one ending in `/` is if CWD goes into it. The entry's name is
    /// `path` (MLST: the pathname the server gave).
    ///
    /// ```no_run
    /// # let mut ftp: ftp_client::Client = unimplemented!();
    /// let entry = ftp.stat("pub/report.pdf")?;
    /// if entry.is_file() {
    ///     println!("{:?} bytes, modified {:?}", entry.size, entry.modified);
    /// }
    /// # Ok::<(), ftp_client::Error>(())
    /// ```
    pub fn stat(&mut self, path: impl AsRef<[u8]>) -> Result<Entry> {
        let path = path.as_ref();
        self.ensure_features()?;
        if self.session.supports("MLST") {
            match self.mlst(path) {
                Ok(facts) => return Ok(shared::stat_entry(&facts)),
                Err(e) if shared::mlst_unknown(&e) => {}
                Err(e) => return Err(e),
            }
        }
        if path.is_empty() {
            return Ok(shared::dir_entry(path));
        }
        if shared::names_directory(path) {
            return self.dir_by_cwd(path)?;
        }
        match self.size(path) {
            Ok(size) => {
                let modified = self.mdtm(path).ok();
                Ok(shared::file_entry(path, size, modified))
            }
            // No file of that name (or no SIZE): a directory?
            Err(size_error) if shared::size_refusal_may_be_dir(&size_error) => {
                Ok(self.dir_by_cwd(path)?.map_err(|_| size_error)?)
            }
            Err(e) => Err(e),
        }
    }

    /// Whether `path` is a directory, by changing into it and back: the
    /// outer error if finding or going back to the working directory
    /// failed, the inner one if CWD into `path` was refused.
    fn dir_by_cwd(&mut self, path: &[u8]) -> Result<Result<Entry>> {
        let home = self.pwd()?;
        if let Err(refused) = self.cwd(path) {
            return Ok(Err(refused));
        }
        self.cwd(&home)?;
        Ok(Ok(shared::dir_entry(path)))
    }

    /// Sets the modification time of the file at `path` (MFMT, to the
    /// second, UTC). Fails with [`Error::Unsupported`] and sends nothing
    /// when the server's FEAT does not list MFMT.
    ///
    /// ```no_run
    /// # let mut ftp: ftp_client::Client = unimplemented!();
    /// use ftp_client::Timestamp;
    /// let when = Timestamp::new(2026, 1, 2, 3, 4, 5).unwrap();
    /// ftp.set_modified("report.pdf", when)?;
    /// # Ok::<(), ftp_client::Error>(())
    /// ```
    pub fn set_modified(&mut self, path: impl AsRef<[u8]>, time: Timestamp) -> Result<()> {
        self.ensure_features()?;
        if !self.session.supports("MFMT") {
            return Err(Error::Unsupported { feature: "MFMT" });
        }
        self.session.mfmt(arg("path", path)?, time)?;
        shared::completed("MFMT", self.run_to_done()?).map(drop)
    }

    /// Whether the server's FEAT lists `feature` (e.g. `"MLST"`, `"MFMT"`);
    /// FEAT is asked once per session.
    pub fn supports(&mut self, feature: &str) -> Result<bool> {
        self.ensure_features()?;
        Ok(self.session.supports(feature))
    }

    /// How [`Client::entries`] lists on this session (FEAT asked first).
    pub fn listing_format(&mut self) -> Result<Format> {
        self.ensure_features()?;
        self.session
            .listing_format()
            .ok_or_else(|| Error::Internal("no listing format after FEAT".to_owned()))
    }

    fn ensure_features(&mut self) -> Result<()> {
        if self.session.features().is_none() {
            self.features()?;
        }
        Ok(())
    }
}
