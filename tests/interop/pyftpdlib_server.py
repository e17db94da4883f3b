#!/usr/bin/env python3
"""pyftpdlib server for the interop suite; started by servers.sh (see README.md).

Usage: pyftpdlib_server.py --port P --pasv MIN:MAX --user U --password PW
                           --root DIR [--anon-root DIR] [--ipv6]
                           [--run-as UNIXUSER] [--anon-run-as UNIXUSER]
                           [--tls-cert PEM --tls-key PEM]

Listens on 127.0.0.1:P and, with --ipv6, also on [::1]:P (one process,
one IOLoop, two listening sockets).

Virtual users (DummyAuthorizer). With --run-as / --anon-run-as (process
started as root), every filesystem access of the login / anonymous user is
done with that unix user's effective uid/gid (like pyftpdlib's
UnixAuthorizer), so uploaded files are owned by it, as on the other servers.

With --tls-cert/--tls-key: explicit FTPS (TLS_FTPHandler, pyOpenSSL), TLS
required on the control and data connections of every login.
"""

import argparse
import logging
import os
import pwd
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pasv", required=True, help="MIN:MAX passive port range")
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--anon-root")
    ap.add_argument("--ipv6", action="store_true")
    ap.add_argument("--run-as")
    ap.add_argument("--anon-run-as")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    args = ap.parse_args()

    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
    )

    ids = {}
    if args.run_as:
        pw = pwd.getpwnam(args.run_as)
        ids[args.user] = (pw.pw_uid, pw.pw_gid)
    if args.anon_run_as:
        pw = pwd.getpwnam(args.anon_run_as)
        ids["anonymous"] = (pw.pw_uid, pw.pw_gid)
    proc_uid, proc_gid = os.geteuid(), os.getegid()

    class Authorizer(DummyAuthorizer):
        def impersonate_user(self, username, password):
            if username in ids:
                uid, gid = ids[username]
                os.setegid(gid)
                os.seteuid(uid)

        def terminate_impersonation(self, username):
            if username in ids:
                os.seteuid(proc_uid)
                os.setegid(proc_gid)

    authorizer = Authorizer()
    # e=CWD l=LIST r=RETR a=APPE d=DELE f=RNFR/RNTO m=MKD w=STOR M=SITE CHMOD T=MFMT
    authorizer.add_user(args.user, args.password, args.root, perm="elradfmwMT")
    if args.anon_root:
        authorizer.add_anonymous(args.anon_root, perm="elr")

    pasv_min, pasv_max = (int(x) for x in args.pasv.split(":"))

    base = FTPHandler
    if args.tls_cert:
        from pyftpdlib.handlers import TLS_FTPHandler

        base = TLS_FTPHandler

    class Handler(base):
        pass

    if args.tls_cert:
        Handler.certfile = args.tls_cert
        Handler.keyfile = args.tls_key
        Handler.tls_control_required = True
        Handler.tls_data_required = True

    Handler.authorizer = authorizer
    Handler.passive_ports = list(range(pasv_min, pasv_max + 1))
    Handler.auth_failed_timeout = 0  # no 3 s sleep after a bad password
    Handler.banner = "pyftpdlib interop server ready."

    servers = [FTPServer(("127.0.0.1", args.port), Handler)]
    if args.ipv6:
        # Same (default) IOLoop: serve_forever() on one serves both sockets.
        servers.append(FTPServer(("::1", args.port), Handler))
    for s in servers:
        s.max_cons_per_ip = 0
    servers[0].serve_forever()


if __name__ == "__main__":
    main()
