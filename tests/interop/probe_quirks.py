#!/usr/bin/env python3
"""Print a raw FTP conversation with a server started by servers.sh.

Usage: probe_quirks.py ENVFILE [--ipv6]

Shows the replies (multi-line ones included) that the client code has to
cope with: greeting, FEAT, SIZE before/after TYPE I, MLSD, LIST/NLST of a
missing directory, STOR/RETR 150/226 replies, error replies, anonymous login.
Writes probe-* files into FTP_ROOT and removes them again. Read-only for the
server otherwise. Only talks to the loopback address in the env file.
"""

import ftplib
import os
import socket
import sys


def load_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if "=" in line:
                k, v = line.split("=", 1)
                env[k] = v
    return env


def step(title, fn):
    print(f"--- {title}")
    try:
        r = fn()
        if r is not None:
            print(f"    -> {r!r}")
    except (ftplib.all_errors) as e:
        print(f"    !! {type(e).__name__}: {e}")


def main():
    env = load_env(sys.argv[1])
    host = env["FTP_HOST6"] if "--ipv6" in sys.argv[2:] else env["FTP_HOST"]
    port = int(env["FTP_PORT"])
    root = env["FTP_ROOT"]
    with open(os.path.join(root, "probe-size.txt"), "w") as f:
        f.write("line1\nline2\n")  # 12 bytes, LF line ends
    if env.get("FTP_ANON") == "1":
        os.chmod(os.path.join(root, "probe-size.txt"), 0o644)

    ftp = ftplib.FTP()
    ftp.set_debuglevel(2)
    print(f"=== {env['FTP_SERVER']} {env.get('FTP_SERVER_VERSION', '')} at {host}:{port}")
    print(f"*welcome* {ftp.connect(host, port, timeout=10)!r}")
    step("login", lambda: ftp.login(env["FTP_USER"], env["FTP_PASS"]))
    step("SYST", lambda: ftp.sendcmd("SYST"))
    step("FEAT", lambda: ftp.sendcmd("FEAT"))
    step("PWD", lambda: ftp.sendcmd("PWD"))
    step("SIZE before any TYPE", lambda: ftp.sendcmd("SIZE probe-size.txt"))
    step("TYPE A", lambda: ftp.sendcmd("TYPE A"))
    step("SIZE in TYPE A", lambda: ftp.sendcmd("SIZE probe-size.txt"))
    step("TYPE I", lambda: ftp.sendcmd("TYPE I"))
    step("SIZE in TYPE I", lambda: ftp.sendcmd("SIZE probe-size.txt"))
    step("SIZE missing", lambda: ftp.sendcmd("SIZE no-such-file"))
    step("MDTM", lambda: ftp.sendcmd("MDTM probe-size.txt"))
    step("MLST file", lambda: ftp.sendcmd("MLST probe-size.txt"))
    step("EPSV", lambda: ftp.sendcmd("EPSV"))
    step("PASV", lambda: ftp.sendcmd("PASV"))
    # the two data-less replies above leave listening sockets; start fresh
    ftp.close()
    ftp = ftplib.FTP()
    ftp.set_debuglevel(2)
    ftp.connect(host, port, timeout=10)
    ftp.login(env["FTP_USER"], env["FTP_PASS"])
    lines = []
    step("MLSD /", lambda: (ftp.retrlines("MLSD", lines.append), lines)[1])
    lines2 = []
    step("LIST /", lambda: (ftp.retrlines("LIST", lines2.append), lines2)[1])
    lines3 = []
    step("LIST missing dir", lambda: (ftp.retrlines("LIST no-such-dir", lines3.append), lines3)[1])
    lines4 = []
    step("NLST missing dir", lambda: (ftp.retrlines("NLST no-such-dir", lines4.append), lines4)[1])
    lines5 = []
    step("MLSD missing dir", lambda: (ftp.retrlines("MLSD no-such-dir", lines5.append), lines5)[1])
    step("CWD missing dir", lambda: ftp.sendcmd("CWD no-such-dir"))
    step("RETR missing file", lambda: ftp.retrbinary("RETR no-such-file", lambda b: None))
    import io

    step("STOR probe-up.bin", lambda: ftp.storbinary("STOR probe-up.bin", io.BytesIO(b"x" * 1000)))
    step("RETR probe-up.bin", lambda: ftp.retrbinary("RETR probe-up.bin", lambda b: None))
    step("MKD probe-dir", lambda: ftp.sendcmd("MKD probe-dir"))
    step("MKD probe-dir again", lambda: ftp.sendcmd("MKD probe-dir"))
    step("RMD probe-dir", lambda: ftp.sendcmd("RMD probe-dir"))
    step("DELE probe-up.bin", lambda: ftp.sendcmd("DELE probe-up.bin"))
    step("DELE missing", lambda: ftp.sendcmd("DELE no-such-file"))
    step("QUIT", lambda: ftp.quit())

    bad = ftplib.FTP()
    bad.set_debuglevel(2)
    bad.connect(host, port, timeout=10)
    step("login wrong password", lambda: bad.login(env["FTP_USER"], "wrong"))
    bad.close()

    if env.get("FTP_ANON") == "1":
        anon = ftplib.FTP()
        anon.set_debuglevel(2)
        anon.connect(host, port, timeout=10)
        step("anonymous login", lambda: anon.login())
        al = []
        step("anonymous LIST", lambda: (anon.retrlines("LIST", al.append), al)[1])
        step(
            "anonymous STOR (must fail)",
            lambda: anon.storbinary("STOR probe-anon.bin", io.BytesIO(b"y")),
        )
        step("QUIT", lambda: anon.quit())
    os.remove(os.path.join(root, "probe-size.txt"))


if __name__ == "__main__":
    socket.setdefaulttimeout(10)
    main()
