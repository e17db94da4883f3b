//! A server holding a small tree in memory at its login directory, that
//! answers `213 5` to every SIZE, whatever it names: a file, a directory,
//! or nothing at all (`SIZE ` with no argument). Some servers answer SIZE
//! for a directory too, so a client that asks SIZE to tell a file from a
//! directory takes the login directory for a five-byte file. Against it,
//! the operations on the login directory's URL (`ftp://host/`) and on
//! URLs ending in `/` must never ask.
//!
//! The tree starts as [`INITIAL`] and is shared by every connection of one
//! server: STOR and MKD add to it, DELE and RMD remove from it. It answers
//! FEAT (MLST listed when `mlsd`), PWD, CWD (into directories it has),
//! TYPE, EPSV, MLSD or LIST (in Unix format), MLST, RETR, STOR, MKD, RMD,
//! DELE, MDTM, RNFR (350), RNTO onto an existing name (250, nothing
//! moved) and NOOP; anything else gets 550. Every command
//! line is recorded ([`FaultServer::received`]).

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use crate::fault::{FaultServer, Peer};

/// The tree the server starts with: paths relative to the login
/// directory, `None` for a directory, the content for a file.
pub const INITIAL: &[(&str, Option<&[u8]>)] = &[
    ("a.txt", Some(b"alpha")),
    ("sub", None),
    ("sub/b.txt", Some(b"bravo!")),
    ("sub/deeper", None),
    ("sub/deeper/c.txt", Some(b"charlie")),
];

/// The server's tree: path (relative, no leading or trailing `/`) to
/// content, `None` for a directory.
pub type Tree = Arc<Mutex<BTreeMap<String, Option<Vec<u8>>>>>;

/// Starts the server; returns it and its tree, to look at afterwards.
pub fn sizes_everything(mlsd: bool) -> (FaultServer, Tree) {
    let tree: Tree = Arc::new(Mutex::new(
        INITIAL
            .iter()
            .map(|(path, content)| ((*path).to_owned(), content.map(<[u8]>::to_vec)))
            .collect(),
    ));
    let shared = tree.clone();
    let server = FaultServer::start(move |peer| serve(peer, mlsd, &shared));
    (server, tree)
}

/// `cwd` (relative) joined with `arg`, slashes at either end dropped; a
/// leading `/` means the login directory.
fn resolve(cwd: &str, arg: &str) -> String {
    let joined = if arg.starts_with('/') {
        arg.to_owned()
    } else {
        format!("{cwd}/{arg}")
    };
    joined
        .split('/')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

fn is_dir(tree: &BTreeMap<String, Option<Vec<u8>>>, path: &str) -> bool {
    path.is_empty() || matches!(tree.get(path), Some(None))
}

/// The entries directly in `dir`.
fn children(tree: &BTreeMap<String, Option<Vec<u8>>>, dir: &str) -> Vec<(String, Option<usize>)> {
    tree.iter()
        .filter_map(|(path, content)| {
            let name = if dir.is_empty() {
                path.as_str()
            } else {
                path.strip_prefix(dir)?.strip_prefix('/')?
            };
            (!name.contains('/')).then(|| (name.to_owned(), content.as_ref().map(Vec::len)))
        })
        .collect()
}

fn line(name: &str, size: Option<usize>, mlsd: bool) -> String {
    match (mlsd, size) {
        (true, Some(n)) => format!("type=file;size={n};modify=20200102030405; {name}"),
        (true, None) => format!("type=dir;modify=20200102030405; {name}"),
        (false, Some(n)) => {
            format!("-rw-r--r--    1 ftp      ftp      {n:>10} Jan 02  2020 {name}")
        }
        (false, None) => format!("drwxr-xr-x    1 ftp      ftp      4096 Jan 02  2020 {name}"),
    }
}

fn serve(peer: &mut Peer, mlsd: bool, tree: &Tree) -> io::Result<()> {
    peer.login()?;
    let mut cwd = String::new();
    loop {
        let Ok(command) = peer.expect("") else {
            return Ok(());
        };
        let (verb, arg) = command.split_once(' ').unwrap_or((&command, ""));
        let verb = verb.to_ascii_uppercase();
        let path = resolve(&cwd, arg);
        let mut tree = tree.lock().map_err(|_| io::Error::other("tree poisoned"))?;
        match verb.as_str() {
            "QUIT" => {
                let _ = peer.reply("221 Bye");
                return Ok(());
            }
            "FEAT" if mlsd => {
                peer.send(b"211-Features\r\n MLST type*;size*;modify*;\r\n SIZE\r\n211 End\r\n")?
            }
            "FEAT" => peer.send(b"211-Features\r\n SIZE\r\n MDTM\r\n211 End\r\n")?,
            // Every SIZE, whatever it names.
            "SIZE" => peer.reply("213 5")?,
            "PWD" => peer.reply(&format!("257 \"/{cwd}\" is the current directory"))?,
            "CWD" if is_dir(&tree, &path) => {
                cwd = path;
                peer.reply("250 Directory changed")?;
            }
            "CWD" => peer.reply("550 No such directory")?,
            "TYPE" | "NOOP" => peer.reply("200 Ok")?,
            "EPSV" => {
                let port = peer.listen_data()?;
                peer.reply(&format!("229 Entering Extended Passive Mode (|||{port}|)"))?;
            }
            "MLSD" | "LIST" | "NLST" => {
                let mut data = peer.accept_data()?;
                if is_dir(&tree, &path) {
                    peer.reply("150 Here it comes")?;
                    for (name, size) in children(&tree, &path) {
                        let entry = if verb == "NLST" {
                            name
                        } else {
                            line(&name, size, verb == "MLSD")
                        };
                        data.write_all(format!("{entry}\r\n").as_bytes())?;
                    }
                    drop(data);
                    peer.reply("226 Listed")?;
                } else {
                    drop(data);
                    peer.reply("550 No such directory")?;
                }
            }
            "MLST" => match tree.get(&path) {
                _ if is_dir(&tree, &path) => {
                    peer.send(format!("250-Facts\r\n type=dir; /{path}\r\n250 End\r\n").as_bytes())?
                }
                Some(Some(content)) => peer.send(
                    format!(
                        "250-Facts\r\n type=file;size={}; /{path}\r\n250 End\r\n",
                        content.len()
                    )
                    .as_bytes(),
                )?,
                _ => peer.reply("550 No such file")?,
            },
            "MDTM" if matches!(tree.get(&path), Some(Some(_))) => {
                peer.reply("213 20200102030405")?
            }
            "RETR" => {
                let mut data = peer.accept_data()?;
                match tree.get(&path) {
                    Some(Some(content)) => {
                        peer.reply("150 Sending")?;
                        data.write_all(content)?;
                        drop(data);
                        peer.reply("226 Sent")?;
                    }
                    _ => {
                        drop(data);
                        peer.reply("550 No such file")?;
                    }
                }
            }
            "STOR" if !path.is_empty() => {
                let mut data = peer.accept_data()?;
                peer.reply("150 Send it")?;
                let content = Peer::read_data(&mut data)?;
                tree.insert(path, Some(content));
                peer.reply("226 Stored")?;
            }
            "MKD" if !path.is_empty() && !tree.contains_key(&path) => {
                tree.insert(path.clone(), None);
                peer.reply(&format!("257 \"/{path}\" created"))?;
            }
            "RMD" if !path.is_empty() && matches!(tree.get(&path), Some(None)) => {
                if children(&tree, &path).is_empty() {
                    tree.remove(&path);
                    peer.reply("250 Removed")?;
                } else {
                    peer.reply("550 Directory not empty")?;
                }
            }
            "DELE" if matches!(tree.get(&path), Some(Some(_))) => {
                tree.remove(&path);
                peer.reply("250 Deleted")?;
            }
            "RNFR" if tree.contains_key(&path) => peer.reply("350 Ready for RNTO")?,
            // Onto itself only (what a rename check sends): nothing moves.
            "RNTO" if tree.contains_key(&path) => peer.reply("250 Renamed")?,
            _ => peer.reply("550 Not here")?,
        }
    }
}
