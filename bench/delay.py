#!/usr/bin/env python3
"""A delay proxy for the WAN rows of the benchmark (bench/wan.sh).

Listens on LISTEN (127.0.0.2) at the control port and every port of the
passive ranges given, and forwards each connection to TARGET (127.0.0.1) at
the same port, each direction delayed by RTT/2: every chunk read is stamped
and written out once its time has come, while reading goes on, so the delay
adds latency and no bandwidth limit. Clients must take the data address from
the control connection (EPSV does; for PASV: lftp `ftp:ignore-pasv-address`,
curl's default `--ftp-skip-pasv-ip`, ftp-cli's default).

With --connect-rtts N, the connection to the server is opened N round trips
after the client's (1.5 models a TCP handshake: the server sees it, and its
first bytes reach the client, when they would over a real link). The default
0 charges nothing for a connection, as the issue's held-out figures did.

On each control connection (--control PORT) it counts round trips: a burst
of bytes from the client after the server's last bytes were delivered to it
is one round trip (commands sent together without waiting count once). One
line per connection goes to --log when it opens and when it closes:
  open <id> <port>
  close <id> <port> <round trips> <commands> <reply lines>
Data connections log `data <id> <port> <bytes to client> <bytes to server>`.

  python3 bench/delay.py --rtt-ms 50 --control 2121 --ports 2130-2159 \
      --log /tmp/delay.log
"""

import argparse
import asyncio
import itertools
import signal
import sys
import time

IDS = itertools.count(1)


class Side:
    """One direction of a connection: chunks stamped on arrival, written
    once `delay` has passed, in order."""

    def __init__(self, delay):
        self.delay = delay
        self.queue = asyncio.Queue()
        self.bytes = 0

    async def pump(self, reader):
        while True:
            chunk = await reader.read(65536)
            self.queue.put_nowait((time.monotonic() + self.delay, chunk))
            if not chunk:
                return
            self.bytes += len(chunk)

    async def drain(self, writer, on_write=None):
        try:
            while True:
                due, chunk = await self.queue.get()
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not chunk:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(chunk)
                if on_write:
                    on_write(chunk)
                await writer.drain()
        except (ConnectionError, OSError):
            return


class Counter:
    """Round trips, commands and reply lines of a control connection."""

    def __init__(self):
        self.round_trips = 0
        self.commands = 0
        self.replies = 0
        self.heard = True  # the greeting is awaited before the first command

    def from_client(self, chunk):
        if self.heard:
            self.round_trips += 1
            self.heard = False
        self.commands += chunk.count(b"\n")

    def to_client(self, chunk):
        self.heard = True
        self.replies += chunk.count(b"\n")


class CountingSide(Side):
    def __init__(self, delay, counter):
        super().__init__(delay)
        self.counter = counter

    async def pump(self, reader):
        while True:
            chunk = await reader.read(65536)
            self.queue.put_nowait((time.monotonic() + self.delay, chunk))
            if not chunk:
                return
            self.counter.from_client(chunk)
            self.bytes += len(chunk)


def log(args, line):
    with open(args.log, "a") as f:
        f.write(line + "\n")


async def handle(args, port, c_reader, c_writer):
    ident = next(IDS)
    control = port == args.control
    half = args.rtt_ms / 2000.0
    counter = Counter()
    if control:
        log(args, f"open {ident} {port}")
    up = CountingSide(half, counter) if control else Side(half)
    down = Side(half)
    tasks = [asyncio.ensure_future(up.pump(c_reader))]
    try:
        if args.connect_rtts > 0:
            await asyncio.sleep(args.connect_rtts * args.rtt_ms / 1000.0)
        try:
            s_reader, s_writer = await asyncio.open_connection(args.target, port)
        except OSError:
            return
        tasks.append(asyncio.ensure_future(down.pump(s_reader)))
        writers = [
            up.drain(s_writer),
            down.drain(c_writer, counter.to_client if control else None),
        ]
        await asyncio.gather(*writers, *tasks, return_exceptions=True)
        s_writer.close()
    finally:
        for t in tasks:
            t.cancel()
        c_writer.close()
        if control:
            log(
                args,
                f"close {ident} {port} {counter.round_trips} {counter.commands} {counter.replies}",
            )
        else:
            log(args, f"data {ident} {port} {down.bytes} {up.bytes}")


def ports(spec):
    out = []
    for part in spec.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            out.extend(range(int(lo), int(hi) + 1))
        elif part:
            out.append(int(part))
    return out


async def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--listen", default="127.0.0.2")
    p.add_argument("--target", default="127.0.0.1")
    p.add_argument("--rtt-ms", type=float, default=50.0)
    p.add_argument("--connect-rtts", type=float, default=0.0)
    p.add_argument("--control", type=int, action="append", default=[])
    p.add_argument("--ports", action="append", default=[], help="other ports: 2130-2159,2170")
    p.add_argument("--log", default="/dev/null")
    args = p.parse_args()
    controls = set(args.control)
    servers = []
    others = {p for spec in args.ports for p in ports(spec)}
    for port in sorted(controls | others):
        is_control = port in controls

        def handler(r, w, port=port, is_control=is_control):
            a = argparse.Namespace(**vars(args))
            a.control = port if is_control else None
            return handle(a, port, r, w)

        servers.append(await asyncio.start_server(handler, args.listen, port))
    print(f"delay proxy: {len(servers)} ports on {args.listen}, RTT {args.rtt_ms} ms", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
