//! [`list_url`]: what a URL names, listed: a directory's entries, or a
//! file's one entry.

use crate::{Client, Entry, Error, FtpUrl};

/// The entries a listing of `url` shows, as `ls -l` does: the directory's
/// listing (MLSD, or LIST parsed), or, for a URL without a trailing `/`
/// whose listing the server refuses with a 5xx (MLSD of a file: "not a
/// directory"), that file's one entry ([`Client::stat`]: MLST, or SIZE and
/// MDTM) under the name given. The listing's refusal stands when the name
/// is no file either.
///
/// ```no_run
/// use ftp_client::{Client, Config, FtpUrl};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let url = FtpUrl::parse("ftp://127.0.0.1:2121/pub/README")?;
/// let mut client = Client::connect_url(&url, Config::default())?;
/// for entry in ftp_client::engine::list_url(&mut client, &url)? {
///     println!("{} {:?}", String::from_utf8_lossy(&entry.name), entry.size);
/// }
/// # Ok(())
/// # }
/// ```
pub fn list_url(client: &mut Client, url: &FtpUrl) -> Result<Vec<Entry>, Error> {
    let refused = match client.entries(url.path()) {
        Ok(entries) => return Ok(entries),
        Err(e) if !url.is_directory() && e.code().is_some_and(|c| c >= 500) => e,
        Err(e) => return Err(e),
    };
    match client.stat(url.path()) {
        Ok(mut entry) if !entry.is_dir() => {
            url.path().clone_into(&mut entry.name);
            Ok(vec![entry])
        }
        _ => Err(refused),
    }
}
