//! Library cases run through both drivers: each case is written once
//! against [`Driver`], the operations the cases use, and runs through the
//! blocking `ftp_client::Client` and through the async
//! `ftp_client::tokio::Client` ([`Tokio`]). The end-to-end matrix's
//! library cases and the fault scenarios ([`crate::fault_cases`]) use it.
//!
//! [`Tokio`] calls the async client's own API on a current-thread tokio
//! runtime that the test owns: every byte moves through the async
//! driver's loop, streams and timers; the test only waits for each call.

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use ftp_client::{Client, Config, Error, FtpUrl, Reply};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::runtime::Runtime;

type Result<T> = std::result::Result<T, Error>;

/// A download stream of either driver.
pub trait DownloadStream: Read {
    /// Ends the transfer: the byte count if complete and confirmed.
    fn finish(self) -> Result<u64>;
    /// Gives up the transfer and the session.
    fn abandon(self);
    /// Whether the TLS data connection resumed the session.
    fn tls_resumed(&self) -> Option<bool>;
    /// The size the server announced in its 150, if any.
    fn size_hint(&self) -> Option<u64>;
    /// Copies the rest of the data into `out`.
    fn copy_to_end(&mut self, out: &mut dyn Write) -> Result<u64>;
}

/// An upload stream of either driver.
pub trait UploadStream: Write {
    /// Ends the data and checks the final reply.
    fn finish(self) -> Result<u64>;
    /// Whether the TLS data connection resumed the session.
    fn tls_resumed(&self) -> Option<bool>;
}

/// The operations the library cases use, with the blocking client's
/// signatures.
pub trait Driver: Sized {
    /// The group name suffix: "" for the blocking driver.
    const SUFFIX: &'static str;
    /// A download in progress.
    type Download<'a>: DownloadStream
    where
        Self: 'a;
    /// An upload in progress.
    type Upload<'a>: UploadStream
    where
        Self: 'a;

    fn connect(addr: SocketAddr, config: Config) -> Result<Self>;
    fn connect_url(url: &FtpUrl, config: Config) -> Result<Self>;
    fn login(&mut self, user: &str, password: &str) -> Result<()>;
    fn peer_addr(&self) -> SocketAddr;
    fn is_tls(&self) -> bool;
    fn is_closed(&self) -> bool;
    fn noop(&mut self) -> Result<()>;
    fn quit(self) -> Result<()>;
    fn pwd(&mut self) -> Result<Vec<u8>>;
    fn cwd(&mut self, path: impl AsRef<[u8]>) -> Result<()>;
    fn mkdir(&mut self, path: impl AsRef<[u8]>) -> Result<()>;
    fn mkdir_all(&mut self, path: impl AsRef<[u8]>) -> Result<()>;
    fn rmdir(&mut self, path: impl AsRef<[u8]>) -> Result<()>;
    fn delete(&mut self, path: impl AsRef<[u8]>) -> Result<()>;
    fn rename(&mut self, from: impl AsRef<[u8]>, to: impl AsRef<[u8]>) -> Result<()>;
    fn check_rename(&mut self, path: impl AsRef<[u8]>) -> Result<ftp_client::RenameCheck>;
    fn stat(&mut self, path: impl AsRef<[u8]>) -> Result<ftp_client::Entry>;
    fn resolve_link(&mut self, path: impl AsRef<[u8]>) -> Result<ftp_client::Entry>;
    fn size(&mut self, path: impl AsRef<[u8]>) -> Result<u64>;
    fn mdtm(&mut self, path: impl AsRef<[u8]>) -> Result<ftp_client::Timestamp>;
    fn mdtm_each(&mut self, paths: &[String]) -> Result<Vec<Option<ftp_client::Timestamp>>>;
    fn features(&mut self) -> Result<ftp_client::Features>;
    fn hash(
        &mut self,
        path: impl AsRef<[u8]>,
        algorithm: ftp_client::HashAlgorithm,
    ) -> Result<ftp_client::Digest>;
    fn hash_algorithms(&mut self) -> Result<Vec<ftp_client::HashAlgorithm>>;
    fn raw(&mut self, line: &str) -> Result<Reply>;
    fn list(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>>;
    fn nlst(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>>;
    fn nlst_bytes(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Vec<u8>>>;
    fn mlsd(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>>;
    fn retrieve(&mut self, path: impl AsRef<[u8]>, out: &mut (impl Write + ?Sized)) -> Result<u64>;
    fn retrieve_file(&mut self, path: impl AsRef<[u8]>, file: &mut File) -> Result<u64>;
    fn retrieve_from(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
        out: &mut (impl Write + ?Sized),
    ) -> Result<u64>;
    fn retrieve_stream(&mut self, path: impl AsRef<[u8]>) -> Result<Self::Download<'_>>;
    /// `len` bytes from `offset` (REST, RETR), the rest not read: the
    /// range ended with `Download::end_range`.
    fn retrieve_range(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
        len: usize,
    ) -> Result<Vec<u8>>;
    fn store(&mut self, path: impl AsRef<[u8]>, src: &mut (impl Read + ?Sized)) -> Result<u64>;
    fn store_file(&mut self, path: impl AsRef<[u8]>, file: &mut File) -> Result<u64>;
    fn store_stream(&mut self, path: impl AsRef<[u8]>) -> Result<Self::Upload<'_>>;
}

// ------------------------------------------------------------- blocking

impl DownloadStream for ftp_client::Download<'_> {
    fn finish(self) -> Result<u64> {
        ftp_client::Download::finish(self)
    }
    fn abandon(self) {
        ftp_client::Download::abandon(self)
    }
    fn tls_resumed(&self) -> Option<bool> {
        ftp_client::Download::tls_resumed(self)
    }
    fn size_hint(&self) -> Option<u64> {
        ftp_client::Download::size_hint(self)
    }
    fn copy_to_end(&mut self, out: &mut dyn Write) -> Result<u64> {
        ftp_client::Download::copy_to_end(self, out)
    }
}

impl UploadStream for ftp_client::Upload<'_> {
    fn finish(self) -> Result<u64> {
        ftp_client::Upload::finish(self)
    }
    fn tls_resumed(&self) -> Option<bool> {
        ftp_client::Upload::tls_resumed(self)
    }
}

impl Driver for Client {
    const SUFFIX: &'static str = "";
    type Download<'a> = ftp_client::Download<'a>;
    type Upload<'a> = ftp_client::Upload<'a>;

    fn connect(addr: SocketAddr, config: Config) -> Result<Self> {
        Client::connect(addr, config)
    }
    fn connect_url(url: &FtpUrl, config: Config) -> Result<Self> {
        Client::connect_url(url, config)
    }
    fn login(&mut self, user: &str, password: &str) -> Result<()> {
        Client::login(self, user, password)
    }
    fn peer_addr(&self) -> SocketAddr {
        Client::peer_addr(self)
    }
    fn is_tls(&self) -> bool {
        Client::is_tls(self)
    }
    fn is_closed(&self) -> bool {
        Client::is_closed(self)
    }
    fn noop(&mut self) -> Result<()> {
        Client::noop(self)
    }
    fn quit(self) -> Result<()> {
        Client::quit(self)
    }
    fn pwd(&mut self) -> Result<Vec<u8>> {
        Client::pwd(self)
    }
    fn cwd(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        Client::cwd(self, path)
    }
    fn mkdir(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        Client::mkdir(self, path)
    }
    fn mkdir_all(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        Client::mkdir_all(self, path)
    }
    fn rmdir(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        Client::rmdir(self, path)
    }
    fn delete(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        Client::delete(self, path)
    }
    fn rename(&mut self, from: impl AsRef<[u8]>, to: impl AsRef<[u8]>) -> Result<()> {
        Client::rename(self, from, to)
    }
    fn check_rename(&mut self, path: impl AsRef<[u8]>) -> Result<ftp_client::RenameCheck> {
        Client::check_rename(self, path)
    }
    fn stat(&mut self, path: impl AsRef<[u8]>) -> Result<ftp_client::Entry> {
        Client::stat(self, path)
    }
    fn resolve_link(&mut self, path: impl AsRef<[u8]>) -> Result<ftp_client::Entry> {
        Client::resolve_link(self, path)
    }
    fn size(&mut self, path: impl AsRef<[u8]>) -> Result<u64> {
        Client::size(self, path)
    }
    fn mdtm(&mut self, path: impl AsRef<[u8]>) -> Result<ftp_client::Timestamp> {
        Client::mdtm(self, path)
    }
    fn mdtm_each(&mut self, paths: &[String]) -> Result<Vec<Option<ftp_client::Timestamp>>> {
        Client::mdtm_each(self, paths)
    }
    fn features(&mut self) -> Result<ftp_client::Features> {
        Client::features(self)
    }
    fn hash(
        &mut self,
        path: impl AsRef<[u8]>,
        algorithm: ftp_client::HashAlgorithm,
    ) -> Result<ftp_client::Digest> {
        Client::hash(self, path, algorithm)
    }
    fn hash_algorithms(&mut self) -> Result<Vec<ftp_client::HashAlgorithm>> {
        Client::hash_algorithms(self)
    }
    fn raw(&mut self, line: &str) -> Result<Reply> {
        Client::raw(self, line)
    }
    fn list(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
        Client::list(self, path)
    }
    fn nlst(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
        Client::nlst(self, path)
    }
    fn nlst_bytes(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Vec<u8>>> {
        Client::nlst_bytes(self, path)
    }
    fn mlsd(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
        Client::mlsd(self, path)
    }
    fn retrieve(&mut self, path: impl AsRef<[u8]>, out: &mut (impl Write + ?Sized)) -> Result<u64> {
        Client::retrieve(self, path, out)
    }
    fn retrieve_file(&mut self, path: impl AsRef<[u8]>, file: &mut File) -> Result<u64> {
        Client::retrieve_file(self, path, file)
    }
    fn retrieve_from(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
        out: &mut (impl Write + ?Sized),
    ) -> Result<u64> {
        Client::retrieve_from(self, path, offset, out)
    }
    fn retrieve_stream(&mut self, path: impl AsRef<[u8]>) -> Result<Self::Download<'_>> {
        Client::retrieve_stream(self, path)
    }
    fn retrieve_range(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
        len: usize,
    ) -> Result<Vec<u8>> {
        let mut download = Client::retrieve_stream_from(self, path, offset)?;
        let mut range = vec![0; len];
        download
            .read_exact(&mut range)
            .map_err(|source| Error::Io {
                during: "reading the range".into(),
                source,
            })?;
        download.end_range()?;
        Ok(range)
    }
    fn store(&mut self, path: impl AsRef<[u8]>, src: &mut (impl Read + ?Sized)) -> Result<u64> {
        Client::store(self, path, src)
    }
    fn store_file(&mut self, path: impl AsRef<[u8]>, file: &mut File) -> Result<u64> {
        Client::store_file(self, path, file)
    }
    fn store_stream(&mut self, path: impl AsRef<[u8]>) -> Result<Self::Upload<'_>> {
        Client::store_stream(self, path)
    }
}

// ---------------------------------------------------------------- async

/// The async client on a runtime of the test's own.
pub struct Tokio {
    // Dropped before the runtime.
    client: ftp_client::tokio::Client,
    rt: Runtime,
}

fn runtime() -> Result<Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::Io {
            during: "starting a tokio runtime".into(),
            source,
        })
}

/// A blocking `Write` seen as an `AsyncWrite` (each write completes at
/// once), for the cases' `Vec`s and files.
struct SyncWriter<'a, W: ?Sized>(&'a mut W);

impl<W: Write + ?Sized> AsyncWrite for SyncWriter<'_, W> {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(self.get_mut().0.write(buf))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.get_mut().0.flush())
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// A blocking `Read` seen as an `AsyncRead`.
struct SyncReader<'a, R: ?Sized>(&'a mut R);

impl<R: Read + ?Sized> AsyncRead for SyncReader<'_, R> {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = self.get_mut().0.read(buf.initialize_unfilled())?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

/// A std file as a tokio file, sharing its position.
fn tokio_file(file: &File) -> Result<tokio::fs::File> {
    file.try_clone()
        .map(tokio::fs::File::from_std)
        .map_err(|source| Error::Io {
            during: "sharing the file".into(),
            source,
        })
}

/// The async [`ftp_client::tokio::Download`], read through `Read`.
pub struct TokioDownload<'a> {
    inner: ftp_client::tokio::Download<'a>,
    rt: &'a Runtime,
}

impl Read for TokioDownload<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.rt.block_on(self.inner.read(buf))
    }
}

impl DownloadStream for TokioDownload<'_> {
    fn finish(self) -> Result<u64> {
        self.rt.block_on(self.inner.finish())
    }
    fn abandon(self) {
        self.inner.abandon()
    }
    fn tls_resumed(&self) -> Option<bool> {
        self.inner.tls_resumed()
    }
    fn size_hint(&self) -> Option<u64> {
        self.inner.size_hint()
    }
    fn copy_to_end(&mut self, out: &mut dyn Write) -> Result<u64> {
        self.rt
            .block_on(self.inner.copy_to_end(&mut SyncWriter(out)))
    }
}

/// The async [`ftp_client::tokio::Upload`], written through `Write`.
pub struct TokioUpload<'a> {
    inner: ftp_client::tokio::Upload<'a>,
    rt: &'a Runtime,
}

impl Write for TokioUpload<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.rt.block_on(self.inner.write(buf))
    }
    fn flush(&mut self) -> io::Result<()> {
        self.rt.block_on(self.inner.flush())
    }
}

impl UploadStream for TokioUpload<'_> {
    fn finish(self) -> Result<u64> {
        self.rt.block_on(self.inner.finish())
    }
    fn tls_resumed(&self) -> Option<bool> {
        self.inner.tls_resumed()
    }
}

impl Driver for Tokio {
    const SUFFIX: &'static str = "-tokio";
    type Download<'a> = TokioDownload<'a>;
    type Upload<'a> = TokioUpload<'a>;

    fn connect(addr: SocketAddr, config: Config) -> Result<Self> {
        let rt = runtime()?;
        let client = rt.block_on(ftp_client::tokio::Client::connect(addr, config))?;
        Ok(Tokio { client, rt })
    }
    fn connect_url(url: &FtpUrl, config: Config) -> Result<Self> {
        let rt = runtime()?;
        let client = rt.block_on(ftp_client::tokio::Client::connect_url(url, config))?;
        Ok(Tokio { client, rt })
    }
    fn login(&mut self, user: &str, password: &str) -> Result<()> {
        self.rt.block_on(self.client.login(user, password))
    }
    fn peer_addr(&self) -> SocketAddr {
        self.client.peer_addr()
    }
    fn is_tls(&self) -> bool {
        self.client.is_tls()
    }
    fn is_closed(&self) -> bool {
        self.client.is_closed()
    }
    fn noop(&mut self) -> Result<()> {
        self.rt.block_on(self.client.noop())
    }
    fn quit(self) -> Result<()> {
        let Tokio { client, rt } = self;
        rt.block_on(client.quit())
    }
    fn pwd(&mut self) -> Result<Vec<u8>> {
        self.rt.block_on(self.client.pwd())
    }
    fn cwd(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        self.rt.block_on(self.client.cwd(path))
    }
    fn mkdir(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        self.rt.block_on(self.client.mkdir(path))
    }
    fn mkdir_all(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        self.rt.block_on(self.client.mkdir_all(path))
    }
    fn rmdir(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        self.rt.block_on(self.client.rmdir(path))
    }
    fn delete(&mut self, path: impl AsRef<[u8]>) -> Result<()> {
        self.rt.block_on(self.client.delete(path))
    }
    fn rename(&mut self, from: impl AsRef<[u8]>, to: impl AsRef<[u8]>) -> Result<()> {
        self.rt.block_on(self.client.rename(from, to))
    }
    fn check_rename(&mut self, path: impl AsRef<[u8]>) -> Result<ftp_client::RenameCheck> {
        self.rt.block_on(self.client.check_rename(path))
    }
    fn stat(&mut self, path: impl AsRef<[u8]>) -> Result<ftp_client::Entry> {
        self.rt.block_on(self.client.stat(path))
    }
    fn resolve_link(&mut self, path: impl AsRef<[u8]>) -> Result<ftp_client::Entry> {
        self.rt.block_on(self.client.resolve_link(path))
    }
    fn size(&mut self, path: impl AsRef<[u8]>) -> Result<u64> {
        self.rt.block_on(self.client.size(path))
    }
    fn mdtm(&mut self, path: impl AsRef<[u8]>) -> Result<ftp_client::Timestamp> {
        self.rt.block_on(self.client.mdtm(path))
    }
    fn mdtm_each(&mut self, paths: &[String]) -> Result<Vec<Option<ftp_client::Timestamp>>> {
        self.rt.block_on(self.client.mdtm_each(paths))
    }
    fn features(&mut self) -> Result<ftp_client::Features> {
        self.rt.block_on(self.client.features())
    }
    fn hash(
        &mut self,
        path: impl AsRef<[u8]>,
        algorithm: ftp_client::HashAlgorithm,
    ) -> Result<ftp_client::Digest> {
        self.rt.block_on(self.client.hash(path, algorithm))
    }
    fn hash_algorithms(&mut self) -> Result<Vec<ftp_client::HashAlgorithm>> {
        self.rt.block_on(self.client.hash_algorithms())
    }
    fn raw(&mut self, line: &str) -> Result<Reply> {
        self.rt.block_on(self.client.raw(line))
    }
    fn list(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
        self.rt.block_on(self.client.list(path))
    }
    fn nlst(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
        self.rt.block_on(self.client.nlst(path))
    }
    fn nlst_bytes(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<Vec<u8>>> {
        self.rt.block_on(self.client.nlst_bytes(path))
    }
    fn mlsd(&mut self, path: impl AsRef<[u8]>) -> Result<Vec<String>> {
        self.rt.block_on(self.client.mlsd(path))
    }
    fn retrieve(&mut self, path: impl AsRef<[u8]>, out: &mut (impl Write + ?Sized)) -> Result<u64> {
        self.rt
            .block_on(self.client.retrieve(path, &mut SyncWriter(out)))
    }
    fn retrieve_file(&mut self, path: impl AsRef<[u8]>, file: &mut File) -> Result<u64> {
        let mut file = tokio_file(file)?;
        self.rt.block_on(self.client.retrieve_file(path, &mut file))
    }
    fn retrieve_from(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
        out: &mut (impl Write + ?Sized),
    ) -> Result<u64> {
        self.rt.block_on(
            self.client
                .retrieve_from(path, offset, &mut SyncWriter(out)),
        )
    }
    fn retrieve_stream(&mut self, path: impl AsRef<[u8]>) -> Result<Self::Download<'_>> {
        let Tokio { client, rt } = self;
        let inner = rt.block_on(client.retrieve_stream(path))?;
        Ok(TokioDownload { inner, rt })
    }
    fn retrieve_range(
        &mut self,
        path: impl AsRef<[u8]>,
        offset: u64,
        len: usize,
    ) -> Result<Vec<u8>> {
        let Tokio { client, rt } = self;
        rt.block_on(async {
            let mut download = client.retrieve_stream_from(path, offset).await?;
            let mut range = vec![0; len];
            download
                .read_exact(&mut range)
                .await
                .map_err(|source| Error::Io {
                    during: "reading the range".into(),
                    source,
                })?;
            download.end_range().await?;
            Ok(range)
        })
    }
    fn store(&mut self, path: impl AsRef<[u8]>, src: &mut (impl Read + ?Sized)) -> Result<u64> {
        self.rt
            .block_on(self.client.store(path, &mut SyncReader(src)))
    }
    fn store_file(&mut self, path: impl AsRef<[u8]>, file: &mut File) -> Result<u64> {
        let mut file = tokio_file(file)?;
        self.rt.block_on(self.client.store_file(path, &mut file))
    }
    fn store_stream(&mut self, path: impl AsRef<[u8]>) -> Result<Self::Upload<'_>> {
        let Tokio { client, rt } = self;
        let inner = rt.block_on(client.store_stream(path))?;
        Ok(TokioUpload { inner, rt })
    }
}
