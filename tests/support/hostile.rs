//! A server whose listings attack the client: names that climb out of the
//! target (`..`, `../x`, absolute paths, `\`), control characters and NUL,
//! names that collide on a case-insensitive file system, MLSD `cdir`/`pdir`
//! and LIST `.`/`..`, a symbolic link to `/etc`, a line that is no entry,
//! names a shell or a URL parser would misread, a listing loop (`loop/`
//! lists `loop/` again) and a tree 10,000 levels deep. Beside it, `links/`
//! holds symbolic links that loop when followed (`-L`): `self -> .`,
//! `up -> ..`, `again -> /links` (absolute) and `liar`, whose target text
//! is new at every level while it leads back to `links/` all the same.
//!
//! The tree is virtual: [`listing`] says what each directory holds, and a
//! file's content is [`content`] of its path. The server answers PWD, CWD
//! (into directories the tree has), FEAT, TYPE, EPSV, MLSD or LIST,
//! RETR, SIZE, MDTM, MLST, and records DELE and RMD without doing anything
//! (answering 250). It serves the login user `user`/`pw` on up to
//! [`MAX_CONNECTIONS`](crate::fault::MAX_CONNECTIONS) connections.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::fault::{FaultServer, Peer};

/// The directory under the login directory that holds the attack.
pub const ROOT: &str = "hostile";
/// A directory beside [`ROOT`] with nothing hostile in it:
/// [`CLEAN_FILES`] files `f00`, `f01`, …
pub const CLEAN: &str = "clean";
/// How many files [`CLEAN`] holds.
pub const CLEAN_FILES: usize = 12;
/// How deep `hostile/deep/d/d/…` goes.
pub const DEEP: usize = 10_000;
/// The directory of looping symbolic links (see the module's text); any
/// path below it made of the followed links' names lists it again.
pub const LINKS: &str = "links";

/// What an entry of the virtual tree is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// A file.
    File,
    /// A directory (MLSD `unique` fact given for the loop only).
    Dir,
    /// MLSD `cdir` / LIST `.`.
    CurrentDir,
    /// MLSD `pdir` / LIST `..`.
    ParentDir,
    /// A symbolic link to `/etc`.
    LinkToEtc,
    /// The loop directory, whose MLSD `unique` is the same at every level.
    Loop,
    /// A line that is no listing entry at all (the name is the line).
    Garbage,
    /// A symbolic link in `links/` (its target: [`link_target`]).
    Link,
}

/// The target listed for the link `name` in the directory `dir` of
/// `links/`: `liar`'s differs with the depth.
pub fn link_target(dir: &str, name: &[u8]) -> Vec<u8> {
    match name {
        b"self" => b".".to_vec(),
        b"up" => b"..".to_vec(),
        b"again" => format!("/{LINKS}").into_bytes(),
        _ => format!("elsewhere{}", dir.matches('/').count()).into_bytes(),
    }
}

/// The names in `hostile/` that no client may act on or write.
pub fn refused_names(absolute: &str) -> Vec<Vec<u8>> {
    vec![
        b"../escape.txt".to_vec(),
        absolute.as_bytes().to_vec(),
        b"a\\b.txt".to_vec(),
        b"ctl\x01.txt".to_vec(),
        b"nul\0.txt".to_vec(),
        b"sub/inner.txt".to_vec(),
        b"ftp://evil.example/x".to_vec(),
        b"".to_vec(),
    ]
}

/// The names in `hostile/` that collide with each other (case).
pub const COLLIDING: [&str; 4] = ["Same.txt", "same.txt", "Dup", "dup"];

/// Ordinary names a client may write as they are.
pub const GOOD_FILES: [&str; 8] = [
    "good.txt", "empty", "-rf", "*.txt", "%2e%2e", "ftp%3Ax", "CON", "link.txt",
];

/// What the directory `dir` (absolute, no trailing slash) holds, or `None`
/// if the tree has no such directory. `absolute` is the absolute name
/// listed in `hostile/` (unique per server, so that a test can check that
/// it was never created).
pub fn listing(dir: &str, absolute: &str) -> Option<Vec<(Vec<u8>, Node)>> {
    let named = |name: &str, node| (name.as_bytes().to_vec(), node);
    if dir == "/" || dir.is_empty() {
        return Some(vec![
            named(ROOT, Node::Dir),
            named(CLEAN, Node::Dir),
            named(LINKS, Node::Dir),
        ]);
    }
    if let Some(rest) = dir.strip_prefix(&format!("/{LINKS}")) {
        // The server follows the links: `links/self/again/…` is `links/`,
        // `links/up` the login directory.
        if rest == "/up" {
            return listing("/", absolute);
        }
        if rest.is_empty()
            || rest.starts_with('/')
                && rest
                    .split('/')
                    .skip(1)
                    .all(|c| matches!(c, "self" | "again" | "liar"))
        {
            return Some(vec![
                named("f", Node::File),
                named("self", Node::Link),
                named("up", Node::Link),
                named("again", Node::Link),
                named("liar", Node::Link),
            ]);
        }
        return None;
    }
    if dir == format!("/{CLEAN}") {
        return Some(
            (0..CLEAN_FILES)
                .map(|i| (format!("f{i:02}").into_bytes(), Node::File))
                .collect(),
        );
    }
    let rest = dir.strip_prefix(&format!("/{ROOT}"))?;
    if rest.is_empty() {
        let mut entries = vec![named(".", Node::CurrentDir), named("..", Node::ParentDir)];
        entries.extend(GOOD_FILES.iter().map(|n| named(n, Node::File)));
        entries.extend(refused_names(absolute).into_iter().map(|n| (n, Node::File)));
        entries.push(named(".", Node::Dir));
        entries.push(named("..", Node::Dir));
        entries.push(named("Same.txt", Node::File));
        entries.push(named("same.txt", Node::File));
        entries.push(named("Dup", Node::Dir));
        entries.push(named("dup", Node::Dir));
        entries.push(named("etc-link", Node::LinkToEtc));
        entries.push(named("loop", Node::Loop));
        entries.push(named("deep", Node::Dir));
        entries.push(named("this line is no listing entry", Node::Garbage));
        return Some(entries);
    }
    if rest == "/Dup" || rest == "/dup" {
        return Some(vec![named("in.txt", Node::File)]);
    }
    if let Some(loops) = rest.strip_prefix("/loop") {
        if loops.split('/').skip(1).all(|c| c == "loop") {
            return Some(vec![named("loop", Node::Loop), named("f", Node::File)]);
        }
        return None;
    }
    if let Some(ds) = rest.strip_prefix("/deep") {
        let parts: Vec<&str> = ds.split('/').skip(1).collect();
        if !parts.iter().all(|c| *c == "d") {
            return None;
        }
        return Some(if parts.len() < DEEP {
            vec![named("d", Node::Dir)]
        } else {
            vec![named("bottom", Node::File)]
        });
    }
    None
}

/// The content of the file at `path` (absolute).
pub fn content(path: &[u8]) -> Vec<u8> {
    let mut text = b"content of ".to_vec();
    text.extend_from_slice(path);
    text.push(b'\n');
    text
}

/// Whether `path` (absolute) is an entry some listing of the tree names.
pub fn is_listed(path: &[u8], absolute: &str) -> Option<Node> {
    let split = path.iter().rposition(|&b| b == b'/')?;
    let (dir, name) = (&path[..split.max(1)], &path[split + 1..]);
    let dir = std::str::from_utf8(dir).ok()?;
    listing(dir, absolute)?
        .into_iter()
        .find(|(n, node)| n == name && *node != Node::Garbage)
        .map(|(_, node)| node)
}

fn entry_line(name: &[u8], node: Node, path: &[u8], mlsd: bool) -> Vec<u8> {
    if node == Node::Garbage {
        return name.to_vec();
    }
    let size = content(path).len();
    let mut out = if mlsd {
        match node {
            Node::File => format!("type=file;size={size};modify=20200102030405;"),
            Node::Dir => "type=dir;modify=20200102030405;".to_owned(),
            Node::Loop => "type=dir;unique=LOOP;modify=20200102030405;".to_owned(),
            Node::CurrentDir => "type=cdir;".to_owned(),
            Node::ParentDir => "type=pdir;".to_owned(),
            Node::LinkToEtc => "type=OS.unix=slink:/etc;".to_owned(),
            Node::Link => format!(
                "type=OS.unix=slink:{};",
                String::from_utf8_lossy(&link_target(&parent_of(path), name))
            ),
            Node::Garbage => String::new(),
        }
        .into_bytes()
    } else {
        let (mode, size) = match node {
            Node::File => ("-rw-r--r--", size),
            Node::LinkToEtc | Node::Link => ("lrwxrwxrwx", 4),
            _ => ("drwxr-xr-x", 4096),
        };
        format!("{mode}    1 ftp      ftp      {size:>10} Jan 02  2020").into_bytes()
    };
    out.push(b' ');
    out.extend_from_slice(name);
    if !mlsd && node == Node::LinkToEtc {
        out.extend_from_slice(b" -> /etc");
    }
    if !mlsd && node == Node::Link {
        out.extend_from_slice(b" -> ");
        out.extend_from_slice(&link_target(&parent_of(path), name));
    }
    out
}

/// The directory part of the absolute `path`.
fn parent_of(path: &[u8]) -> String {
    let split = path.iter().rposition(|&b| b == b'/').unwrap_or(0);
    String::from_utf8_lossy(&path[..split.max(1)]).into_owned()
}

/// `cwd` joined with `arg` (absolute if `arg` starts with `/`), trailing
/// slashes dropped.
fn resolve(cwd: &str, arg: &[u8]) -> Vec<u8> {
    let mut path = if arg.starts_with(b"/") {
        arg.to_vec()
    } else {
        let mut p = cwd.as_bytes().to_vec();
        if !p.ends_with(b"/") {
            p.push(b'/');
        }
        p.extend_from_slice(arg);
        p
    };
    while path.len() > 1 && path.ends_with(b"/") {
        path.pop();
    }
    path
}

/// The hostile server: MLSD listings (FEAT lists MLST) when `mlsd`, LIST
/// in Unix format otherwise. `absolute` is the absolute name it lists.
pub fn hostile_server(mlsd: bool, absolute: String) -> FaultServer {
    FaultServer::start(move |peer| serve(peer, mlsd, &absolute, None))
}

/// The same tree over MLSD, from a server that accepts `sessions`
/// connections at a time and greets any more with `421 Too many
/// connections`, as servers with a per-address limit do.
pub fn busy_server(sessions: usize) -> FaultServer {
    let open = Arc::new(AtomicUsize::new(0));
    FaultServer::start(move |peer| {
        if open.fetch_add(1, Ordering::SeqCst) >= sessions {
            open.fetch_sub(1, Ordering::SeqCst);
            peer.reply(&format!(
                "421 Too many connections ({sessions}) from this IP"
            ))?;
            peer.close();
            return Ok(());
        }
        let result = serve(peer, true, "/nowhere", None);
        open.fetch_sub(1, Ordering::SeqCst);
        result
    })
}

/// The same tree over MLSD, from a server that refuses every third EPSV
/// with a 425, as Pure-FTPd does when its passive ports are all in
/// TIME_WAIT: a transient refusal, worth trying again.
pub fn flaky_server() -> FaultServer {
    let epsv = Arc::new(AtomicUsize::new(0));
    FaultServer::start(move |peer| serve(peer, true, "/nowhere", Some(&epsv)))
}

fn serve(
    peer: &mut Peer,
    mlsd: bool,
    absolute: &str,
    flaky_epsv: Option<&AtomicUsize>,
) -> io::Result<()> {
    peer.login()?;
    let mut cwd = "/".to_owned();
    // Whether EPSV or PASV opened a port for the next transfer: without
    // one, a transfer command is refused as vsftpd refuses it (a client
    // may send it with its EPSV, before the answer).
    let mut data_port = false;
    loop {
        let line = match peer.expect("") {
            Ok(line) => line,
            Err(_) => return Ok(()),
        };
        // The command as bytes: the fault server reads lines as UTF-8, and
        // a client must never send the names that are not.
        let (verb, arg) = match line.split_once(' ') {
            Some((v, a)) => (v.to_ascii_uppercase(), a.as_bytes().to_vec()),
            None => (line.to_ascii_uppercase(), Vec::new()),
        };
        let path = resolve(&cwd, &arg);
        let path_str = String::from_utf8_lossy(&path).into_owned();
        match verb.as_str() {
            "QUIT" => {
                let _ = peer.reply("221 Bye");
                return Ok(());
            }
            "FEAT" if mlsd => peer.send(
                b"211-Features\r\n MLST type*;size*;modify*;\r\n SIZE\r\n MDTM\r\n211 End\r\n",
            )?,
            "FEAT" => peer.send(b"211-Features\r\n SIZE\r\n MDTM\r\n211 End\r\n")?,
            "PWD" => peer.reply(&format!("257 \"{cwd}\" is the current directory"))?,
            "CWD" => {
                if listing(&path_str, absolute).is_some() {
                    cwd = path_str;
                    peer.reply("250 Directory changed")?;
                } else {
                    peer.reply("550 No such directory")?;
                }
            }
            "TYPE" => peer.reply("200 Type set")?,
            // Port exhaustion refuses EPSV and PASV alike; a client whose
            // first EPSV was refused goes on with PASV.
            "EPSV" | "PASV"
                if flaky_epsv.is_some_and(|n| n.fetch_add(1, Ordering::SeqCst) % 3 == 2) =>
            {
                data_port = false;
                peer.reply("425 Unable to identify the local data socket: Address already in use")?
            }
            "MLSD" | "LIST" | "NLST" | "RETR" if !std::mem::take(&mut data_port) => {
                peer.reply("425 Use PORT or PASV first.")?
            }
            "EPSV" => {
                data_port = true;
                let port = peer.listen_data()?;
                peer.reply(&format!("229 Entering Extended Passive Mode (|||{port}|)"))?;
            }
            "PASV" => {
                data_port = true;
                let port = peer.listen_data()?;
                let (high, low) = (port >> 8, port & 0xff);
                peer.reply(&format!(
                    "227 Entering Passive Mode (127,0,0,1,{high},{low})"
                ))?;
            }
            "MLSD" | "LIST" | "NLST" => {
                let mut data = peer.accept_data()?;
                let dir = if arg.is_empty() {
                    cwd.clone()
                } else {
                    path_str
                };
                match listing(&dir, absolute) {
                    Some(entries) => {
                        peer.reply("150 Here it comes")?;
                        let mut out = Vec::new();
                        for (name, node) in entries {
                            let full = resolve(&dir, &name);
                            out.extend_from_slice(&entry_line(&name, node, &full, verb == "MLSD"));
                            out.extend_from_slice(b"\r\n");
                        }
                        let _ = data.write_all(&out);
                        drop(data);
                        peer.reply("226 Listed")?;
                    }
                    None => {
                        drop(data);
                        peer.reply("550 No such directory")?;
                    }
                }
            }
            "RETR" => {
                let mut data = peer.accept_data()?;
                if is_listed(&path, absolute) == Some(Node::File) {
                    peer.reply("150 Sending")?;
                    let _ = data.write_all(&content(&path));
                    drop(data);
                    peer.reply("226 Sent")?;
                } else {
                    drop(data);
                    peer.reply("550 No such file")?;
                }
            }
            "SIZE" => match is_listed(&path, absolute) {
                Some(Node::File) => peer.reply(&format!("213 {}", content(&path).len()))?,
                _ => peer.reply("550 Not a plain file")?,
            },
            "MDTM" => match is_listed(&path, absolute) {
                Some(Node::File) => peer.reply("213 20200102030405")?,
                _ => peer.reply("550 Not a plain file")?,
            },
            "MLST" => {
                let node = if listing(&path_str, absolute).is_some() {
                    Some(Node::Dir)
                } else {
                    is_listed(&path, absolute)
                };
                match node {
                    Some(node) => {
                        let entry = entry_line(&path, node, &path, true);
                        peer.send(b"250-Listing\r\n ")?;
                        peer.send(&entry)?;
                        peer.send(b"\r\n250 End\r\n")?;
                    }
                    None => peer.reply("550 No such file")?,
                }
            }
            "DELE" | "RMD" => peer.reply("250 Deleted (not really)")?,
            _ => peer.reply("502 Not in this script")?,
        }
    }
}
