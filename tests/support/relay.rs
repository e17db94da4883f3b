//! A relay in front of libunftp's FTPS control port, working around a race
//! in libunftp 0.24: it answers `AUTH TLS` with 234 and only then, from
//! another task, switches the connection to TLS, so a client's ClientHello
//! that arrives first is read as a command and answered in clear. The
//! relay holds the client's first bytes after a 234 for a moment, as a slow
//! network would; everything else passes through unchanged. Data
//! connections go straight to libunftp (EPSV/PASV name its ports and the
//! client connects to the control connection's IP).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How long the client's bytes after a 234 are held.
const HOLD: Duration = Duration::from_millis(30);

pub(crate) async fn serve(front: TcpListener, behind: SocketAddr) {
    while let Ok((client, _)) = front.accept().await {
        tokio::spawn(async move {
            if let Ok(server) = TcpStream::connect(behind).await {
                let _ = relay(client, server).await;
            }
        });
    }
}

async fn relay(client: TcpStream, server: TcpStream) -> std::io::Result<()> {
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let upgrading = Arc::new(AtomicBool::new(false));
    let seen = upgrading.clone();
    let down = tokio::spawn(async move {
        let mut buf = vec![0u8; 16 * 1024];
        // Only replies in clear can hold the 234: once TLS is up, nothing
        // is looked at.
        let mut clear = true;
        loop {
            let n = server_read.read(&mut buf).await?;
            if n == 0 {
                let _ = client_write.shutdown().await;
                return Ok::<(), std::io::Error>(());
            }
            if clear && buf[..n].starts_with(b"234") {
                seen.store(true, Ordering::SeqCst);
                clear = false;
            }
            client_write.write_all(&buf[..n]).await?;
        }
    });
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = client_read.read(&mut buf).await?;
        if n == 0 {
            let _ = server_write.shutdown().await;
            break;
        }
        if upgrading.swap(false, Ordering::SeqCst) {
            tokio::time::sleep(HOLD).await;
        }
        server_write.write_all(&buf[..n]).await?;
    }
    let _ = down.await;
    Ok(())
}
