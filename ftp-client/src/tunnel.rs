//! Connections through a proxy, written once for both drivers.
//!
//! [`tunnel_api!`] emits, inside a driver's `connect` module, the tunnel's
//! steps that do not depend on how the driver waits: reaching the proxy,
//! running its handshake ([`ftp_proto::proxy`]) to the end, and active
//! mode through SOCKS5 `BIND` (asking the proxy to listen, then waiting
//! for its word that the server connected while the control connection is
//! read). A driver writes only its three ways to wait: `send_by` and
//! `recv_by` (a write and a read that fail with [`io::ErrorKind::TimedOut`]
//! at a deadline) and `ready_bound` (a data stream made ready for a
//! transfer).
//!
//! [`io::ErrorKind::TimedOut`]: std::io::ErrorKind::TimedOut

/// Emits `through`, `reach`, `drive`, `Client::listen_through` and
/// `Client::accept_bound`; see the [module](self).
macro_rules! tunnel_api {
    (async: [$($async:ident)?], await: [$($await:tt)*] $(,)?) => {
        /// A tunnel to `target` through `proxy` (SOCKS5 `BIND` if `bind`),
        /// the handshake run within `timeout`: the stream, the handshake
        /// (for `BIND`, still to read the second reply) and where it
        /// stopped.
        $($async)? fn through(
            proxy: &Proxy,
            target: &Target,
            bind: bool,
            timeout: Duration,
        ) -> io::Result<(TcpStream, Handshake, Step)> {
            let what = if bind { "listening for" } else { "connecting to" };
            tracing::debug!("{what} {target} through the proxy {proxy}");
            let mut handshake = proxy::handshake(proxy, target, bind)?;
            let deadline = Instant::now() + timeout;
            let mut stream = reach(proxy, timeout) $($await)* ?;
            let step = drive(&mut stream, &mut handshake, proxy, deadline, timeout) $($await)* ?;
            Ok((stream, handshake, step))
        }

        /// A TCP connection to the proxy itself, trying each of its
        /// addresses in turn.
        $($async)? fn reach(proxy: &Proxy, timeout: Duration) -> io::Result<TcpStream> {
            let addrs = resolve((proxy.host(), proxy.port())) $($await)*
                .map_err(|e| proxy::unreachable(proxy, e, timeout))?;
            let mut last = io::Error::new(io::ErrorKind::NotFound, "the proxy's name has no address");
            for addr in addrs {
                match connect_tcp(addr, timeout) $($await)* {
                    Ok(stream) => return Ok(stream),
                    Err(e) => last = e,
                }
            }
            Err(proxy::unreachable(proxy, last, timeout))
        }

        /// Runs `handshake` over `stream` until the tunnel is open (or, for
        /// `BIND`, the proxy listens), each read and write by `deadline`.
        /// What was read is in the handshake, so a wait cut short (or an
        /// async future dropped between steps) loses nothing.
        $($async)? fn drive(
            stream: &mut TcpStream,
            handshake: &mut Handshake,
            proxy: &Proxy,
            deadline: Instant,
            timeout: Duration,
        ) -> io::Result<Step> {
            let mut buf = [0u8; 512];
            let broken = |e| proxy::broken(proxy, e, timeout);
            loop {
                match handshake.poll() {
                    Step::Send(bytes) => send_by(stream, &bytes, deadline) $($await)* .map_err(broken)?,
                    Step::Read(n) => match recv_by(stream, &mut buf[..n.min(512)], deadline) $($await)* {
                        Ok(0) => handshake.handle_eof(),
                        Ok(k) => handshake.handle_input(&buf[..k]),
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(broken(e)),
                    },
                    Step::Failed(e) => return Err(proxy::failed(proxy, e.into())),
                    step => return Ok(step),
                }
            }
        }

        impl Client {
            /// Active mode through `proxy`: asks it to listen (SOCKS5
            /// `BIND`) and tells the session where.
            pub(super) $($async)? fn listen_through(&mut self, proxy: &Proxy) -> Result<()> {
                let timeout = self.config.connect_timeout;
                let bound = match crate::route::bind_target(&self.route, proxy) {
                    Ok(from) => through(proxy, &from, true, timeout) $($await)*
                        .and_then(|(stream, shake, step)| {
                            let addr = proxy::bound_address(proxy, step, stream.peer_addr()?)?;
                            Ok((addr, stream, shake))
                        }),
                    Err(e) => Err(e),
                };
                self.bound_listening(bound)
            }

            /// Active mode through a proxy: waits for the proxy's word that
            /// the server connected, from `from` only, until the session's
            /// deadline, while reading the control connection (a 425 there
            /// ends the wait).
            pub(super) $($async)? fn accept_bound(&mut self, proxy: &Proxy, from: IpAddr) -> Result<()> {
                let after = self.session.config().timeouts.accept;
                let stall = self.data_stall();
                loop {
                    let Some(deadline) = self.accept_deadline(from, None)? else {
                        self.on_done();
                        return Ok(());
                    };
                    let by = match self.wait_accept(deadline) $($await)* ? {
                        Waited::Data(by) => by,
                        Waited::Control | Waited::Deadline => continue,
                    };
                    let Some((stream, handshake)) = self.bound.as_mut() else {
                        return Ok(());
                    };
                    let failure = match drive(stream, handshake, proxy, by, after) $($await)* {
                        Ok(step) => proxy::bound_peer(proxy, step, from)
                            .and_then(|()| ready_bound(stream, stall)),
                        // Past `by`: the next look at the deadline says
                        // whether the wait goes on.
                        Err(e) if is_timeout(&e) => continue,
                        Err(e) => Err(e),
                    };
                    let Some((stream, _)) = self.bound.take() else {
                        return Ok(());
                    };
                    self.on_done();
                    return match failure {
                        Ok(()) => {
                            self.data = Some(stream);
                            self.session.handle_data_connected()?;
                            Ok(())
                        }
                        Err(e) => self.accept_failed(crate::route::bound_accept_error(e, after)),
                    };
                }
            }
        }
    };
}
