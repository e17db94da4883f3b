#!/usr/bin/env python3
"""Turns bench/run.sh's samples into its one table (stdout).

usage: report.py SAMPLES.tsv SIZE_MIB RSS_SMALL_MIB MANY LS_ENTRIES STALL_S SERVER...

SAMPLES.tsv columns: measure server client run status value extra
(status ok|fail|timeout; extra is k=v;k=v). Medians over the ok samples.
The FTPS rows (measures tls_*) are printed for the servers listed in the
environment variable BENCH_TLS_SERVERS (space-separated). The tree rows
(measures tree_*: cp -r against lftp mirror) get a table of their own,
described by BENCH_TREE ("FILES KIB DIRS RSS_FILES").
"""

import csv
import os
import statistics
import sys
from collections import defaultdict

samples_path, size_mib, rss_small_mib, many, ls_entries, stall_s = sys.argv[1:7]
servers = sys.argv[7:]
tls_servers = os.environ.get("BENCH_TLS_SERVERS", "").split()
MANY_MEASURES = ("many", "tls_many")
size_mib, rss_small_mib, many, ls_entries = map(int, (size_mib, rss_small_mib, many, ls_entries))

ok = defaultdict(list)        # (measure, server, client) -> [value]
bad = defaultdict(int)        # (measure, server, client) -> failed runs
extra = defaultdict(list)     # (measure, server, client) -> [dict]
cpu = defaultdict(list)       # (measure, server, client) -> [CPU seconds of the client]
with open(samples_path, newline="") as f:
    for row in csv.DictReader(f, delimiter="\t"):
        key = (row["measure"], row["server"], row["client"])
        kv = dict(p.split("=", 1) for p in (row["extra"] or "").split(";") if "=" in p)
        if row["measure"] in MANY_MEASURES and row["client"] == "curl" and row["status"] in ("ok", "timeout"):
            # curl 7.88 sometimes waits 1 s before a data connection: the
            # stalls are reported apart, their excess time removed.
            extra[key].append(dict(kv, wall=row["value"], status=row["status"]))
            # Complete run: wall time minus the stalls' excess. Run cut by
            # the time bound: the stall-free whole run extrapolated from the
            # completed transfers (first = connect + login, then the mean).
            if row["status"] == "ok":
                if "cpu" in kv:
                    cpu[key].append(float(kv["cpu"]))
                ok[key].append(int(kv["done"]) / max(float(row["value"]) - float(kv["excess"]), 1e-9))
            elif float(kv.get("est", 0)) > 0:
                ok[key].append(many / float(kv["est"]))
            continue
        if row["status"] != "ok":
            bad[key] += 1
            continue
        value = float(row["value"])
        if "cpu" in kv:
            cpu[key].append(float(kv["cpu"]))
        if row["measure"] in MANY_MEASURES:
            value = many / value  # files/s, whole process (connect + login included)
            extra[key].append(kv)
        ok[key].append(value)


def med(measure, server, client):
    v = ok.get((measure, server, client))
    return statistics.median(v) if v else None


def spread(measure, server, client):
    v = ok.get((measure, server, client))
    if not v or len(v) < 2:
        return None
    return (max(v) - min(v)) / statistics.median(v)


ceiling = statistics.median(
    [v for (m, _, c), vs in ok.items() if m == "ceiling" for v in vs]
) if any(m == "ceiling" for (m, _, _) in ok) else None

W = (36, 9, 21, 21, 21, 8, 17, 7)
HEAD = ("measure", "server", "ftp-cli", "curl", "lftp", "ftp/curl", "% of ceiling f/c/l", "spread")


def line(cells):
    out = []
    for w, c in zip(W, cells):
        out.append(f"{c:<{w}}")
    return " ".join(out).rstrip()


def fail_note(measure, server, client):
    n = bad.get((measure, server, client), 0)
    return f" !{n}fail" if n else ""


def cell_time(measure, server, client, mib):
    t = med(measure, server, client)
    if t is None:
        return "n/a" + fail_note(measure, server, client) if (measure, server, client) in bad else "-"
    return f"{t:.3f}s {mib / t:6.0f}MiB/s" + fail_note(measure, server, client)


def pct(t):
    return f"{100 * ceiling / t:.0f}" if (t and ceiling) else "-"


def worst_spread(measure, server, clients):
    s = [spread(measure, server, c) for c in clients]
    s = [x for x in s if x is not None]
    return f"{100 * max(s):.0f}%" if s else "-"


rows = [HEAD]
rows.append((
    f"loopback ceiling (socat, {size_mib} MiB)", "-",
    f"{ceiling:.3f}s {size_mib / ceiling:6.0f}MiB/s" if ceiling else "n/a", "", "", "", "100",
    (lambda v: f"{100 * (max(v) - min(v)) / statistics.median(v):.0f}%" if len(v) > 1 else "-")(
        [x for (m, _, _), vs in ok.items() if m == "ceiling" for x in vs])))
for measure, label in (("dl_file", f"download {size_mib} MiB -> file"),
                       ("dl_null", f"download {size_mib} MiB -> /dev/null"),
                       ("ul", f"upload {size_mib} MiB")):
    for s in servers:
        f, c, l = (med(measure, s, x) for x in ("ftp-cli", "curl", "lftp"))
        rows.append((label, s,
                     cell_time(measure, s, "ftp-cli", size_mib),
                     cell_time(measure, s, "curl", size_mib),
                     cell_time(measure, s, "lftp", size_mib),
                     f"{c / f:.2f}x" if (f and c) else "-",
                     f"{pct(f)}/{pct(c)}/{pct(l)}",
                     worst_spread(measure, s, ("ftp-cli", "curl", "lftp"))))
for measure, mib in (("rss_small", rss_small_mib), ("rss_big", size_mib)):
    for s in servers:
        f, c = med(measure, s, "ftp-cli"), med(measure, s, "curl")
        cell = lambda v, cl: (f"{v / 1024:.1f} MiB peak RSS" if v else "n/a") + fail_note(measure, s, cl)
        rows.append((f"peak RSS, {mib} MiB download", s, cell(f, "ftp-cli"), cell(c, "curl"), "-",
                     f"{c / f:.2f}x" if (f and c) else "-", "-",
                     worst_spread(measure, s, ("ftp-cli", "curl"))))
for s in servers:
    f, c = med("many", s, "ftp-cli"), med("many", s, "curl")
    rows.append((f"{many} x small files, one session", s,
                 (f"{f:.0f} files/s" if f else "n/a") + fail_note("many", s, "ftp-cli"),
                 (f"{c:.0f} files/s*" if c else "n/a") + fail_note("many", s, "curl"), "-",
                 f"{f / c:.2f}x" if (f and c) else "-", "-",
                 worst_spread("many", s, ("ftp-cli", "curl"))))
for s in servers:
    f, c = med("ls", s, "ftp-cli"), med("ls", s, "curl")
    rows.append((f"ls of a {ls_entries}-entry directory", s,
                 (f"{f:.3f}s" if f else "n/a") + fail_note("ls", s, "ftp-cli"),
                 (f"{c:.3f}s" if c else "n/a") + fail_note("ls", s, "curl"), "-",
                 f"{c / f:.2f}x" if (f and c) else "-", "-",
                 worst_spread("ls", s, ("ftp-cli", "curl"))))
# FTPS (explicit TLS): ftp-cli (rustls) against curl --ssl-reqd (OpenSSL).
for measure, label in (("tls_dl", f"FTPS download {size_mib} MiB -> file"),
                       ("tls_ul", f"FTPS upload {size_mib} MiB")):
    for s in tls_servers:
        f, c = med(measure, s, "ftp-cli"), med(measure, s, "curl")
        rows.append((label, s,
                     cell_time(measure, s, "ftp-cli", size_mib),
                     cell_time(measure, s, "curl", size_mib), "-",
                     f"{c / f:.2f}x" if (f and c) else "-",
                     f"{pct(f)}/{pct(c)}/-",
                     worst_spread(measure, s, ("ftp-cli", "curl"))))
for s in tls_servers:
    f, c = med("tls_rss", s, "ftp-cli"), med("tls_rss", s, "curl")
    cell = lambda v, cl: (f"{v / 1024:.1f} MiB peak RSS" if v else "n/a") + fail_note("tls_rss", s, cl)
    rows.append((f"FTPS peak RSS, {size_mib} MiB download", s, cell(f, "ftp-cli"), cell(c, "curl"), "-",
                 f"{c / f:.2f}x" if (f and c) else "-", "-",
                 worst_spread("tls_rss", s, ("ftp-cli", "curl"))))
for s in tls_servers:
    f, c = med("tls_many", s, "ftp-cli"), med("tls_many", s, "curl")
    rows.append((f"FTPS {many} x small files, one session", s,
                 (f"{f:.0f} files/s" if f else "n/a") + fail_note("tls_many", s, "ftp-cli"),
                 (f"{c:.0f} files/s*" if c else "n/a") + fail_note("tls_many", s, "curl"), "-",
                 f"{f / c:.2f}x" if (f and c) else "-", "-",
                 worst_spread("tls_many", s, ("ftp-cli", "curl"))))

has_main = any(not m.startswith("tree_") for (m, _, _) in list(ok) + list(bad))
width = sum(W) + len(W) - 1
if has_main:
    print("-" * width)
for i, r in enumerate(rows if has_main else []):
    print(line(r))
    if i == 0:
        print("-" * width)
if has_main:
    print("-" * width)
if has_main:
    print("ftp/curl > 1 means ftp-cli is better: curl time / ftp-cli time (transfers, ls), "
      "ftp-cli files/s / curl files/s, curl RSS / ftp-cli RSS.")
    print("% of ceiling: socat time / client time for ftp-cli/curl/lftp. spread: largest (max-min)/median "
          "of a client's runs in that row (noise).")
    print("files/s: whole process (connect, login, N RETR, QUIT) / wall time.")
if tls_servers:
    print("FTPS rows: explicit TLS required on control and data, ftp-cli ftpes:// (rustls) vs "
          "curl --ssl-reqd (OpenSSL), both trusting only the servers' test CA (--cacert).")
for mm, s in [("many", s) for s in servers] + [("tls_many", s) for s in tls_servers]:
    ex = extra.get((mm, s, "curl"), [])
    if not ex:
        continue
    tag = "FTPS " if mm == "tls_many" else ""
    stalls = sum(int(e.get("stalls", 0)) for e in ex)
    done = sum(int(e.get("done", 0)) for e in ex)
    stalled_runs = sum(1 for e in ex if int(e.get("stalls", 0)) > 0)
    timeouts = sum(1 for e in ex if e["status"] == "timeout")
    raw = statistics.median(int(e["done"]) / float(e["wall"]) for e in ex)
    print(f"* {tag}curl on {s}: {stalls} of {done} transfers stalled (>= {stall_s} s) in {stalled_runs} of "
          f"{len(ex)} runs ({timeouts} hit the time bound); their excess time is removed from curl's "
          f"files/s (runs cut by the bound: extrapolated from their completed transfers); raw median with stalls: {raw:.0f} files/s.")
    lib = [float(e["internal_fps"]) for e in extra.get((mm, s, "ftp-cli"), []) if "internal_fps" in e]
    if lib:
        print(f"  {tag}ftp-cli library loop alone (login excluded) on {s}: median {statistics.median(lib):.0f} files/s.")

# CPU time is steadier than wall time on a shared machine, and shows what a
# client costs beside the server it waits for.
transfers = (("dl_file", f"download {size_mib} MiB -> file"),
             ("dl_null", f"download {size_mib} MiB -> /dev/null"),
             ("ul", f"upload {size_mib} MiB"),
             ("many", f"{many} x small files, one session"),
             ("ls", f"ls of a {ls_entries}-entry directory"))
tls_transfers = (("tls_dl", f"FTPS download {size_mib} MiB -> file"),
                 ("tls_ul", f"FTPS upload {size_mib} MiB"),
                 ("tls_many", f"FTPS {many} x small files, one session"))
cpu_rows = []
for measure, label, srv in ([(m, l, servers) for m, l in transfers]
                            + [(m, l, tls_servers) for m, l in tls_transfers]):
    for s in srv:
        meds = {c: statistics.median(v) for c in ("ftp-cli", "curl", "lftp")
                if (v := cpu.get((measure, s, c)))}
        if "ftp-cli" in meds:
            cpu_rows.append((label, s, meds))
if cpu_rows:
    print()
    print("client CPU time (user + system), medians; curl/ftp-cli > 1 means ftp-cli uses less:")
    for label, s, meds in cpu_rows:
        cells = "  ".join(f"{c} {meds[c]:6.3f}s" for c in ("ftp-cli", "curl", "lftp") if c in meds)
        ratio = f"{meds['curl'] / meds['ftp-cli']:.1f}x" if meds.get("curl") and meds["ftp-cli"] > 0 else "-"
        print(f"  {label:<36} {s:<9} {cells}  curl/ftp-cli {ratio}")

# Trees: cp -r against lftp mirror / mirror -R.
tree_spec = os.environ.get("BENCH_TREE", "").split()
if tree_spec and any(m.startswith("tree_") for (m, _, _) in list(ok) + list(bad)):
    files, kib, dirs, rss_files = map(int, tree_spec)
    clients = [c for c in ("ftp-cli", "lftp", "baseline")
               if any(k[0].startswith("tree_") and k[2] == c for k in list(ok) + list(bad))]
    # The second mode's sessions (BENCH_TREE_JOBS, default 4), from the
    # measures recorded.
    jobs = sorted({m[len("tree_dl_j"):] for (m, _, _) in list(ok) + list(bad)
                   if m.startswith("tree_dl_j") and m[len("tree_dl_j"):].isdigit()}) or ["4"]
    tree_rows = [("tree_dl_default", "download, defaults (-j 4 / mirror)")]
    tree_rows += [(f"tree_dl_j{j}", f"download, -j {j} / --parallel={j}") for j in jobs]
    tree_rows += [("tree_ul_default", "upload, defaults (-j 4 / mirror -R)")]
    tree_rows += [(f"tree_ul_j{j}", f"upload, -j {j} / mirror -R --parallel={j}") for j in jobs]
    tree_rows += [("tree_again", "second run, unchanged (-u / mirror)")]
    TW = (40, 9) + (20,) * len(clients) + (9, 7)
    def tline(cells):
        return " ".join(f"{c:<{w}}" for w, c in zip(TW, cells)).rstrip()
    def tcell(measure, server, client):
        t = med(measure, server, client)
        if t is None:
            return ("n/a" + fail_note(measure, server, client)) if (measure, server, client) in bad else "-"
        return f"{t:.3f}s {files / t:5.0f} f/s" + fail_note(measure, server, client)
    print()
    print(f"Trees: {files} files of {kib} KiB in {dirs} directories; ftp-cli cp -r against lftp mirror "
          f"(download) and mirror -R (upload), wall time of the whole command")
    width = sum(TW) + len(TW) - 1
    print("-" * width)
    print(tline(("measure", "server") + tuple(clients) + ("ftp/lftp", "spread")))
    print("-" * width)
    for measure, label in tree_rows:
        for s in servers:
            f, l = med(measure, s, "ftp-cli"), med(measure, s, "lftp")
            if f is None and l is None and (measure, s, "ftp-cli") not in bad:
                continue
            print(tline((label, s) + tuple(tcell(measure, s, c) for c in clients)
                        + (f"{l / f:.2f}x" if (f and l) else "-", worst_spread(measure, s, clients))))
    for s in servers:
        first, again = med("tree_dl_default", s, "ftp-cli"), med("tree_again", s, "ftp-cli")
        if first and again:
            print(tline((f"-u run faster than the first by", s, f"{first / again:.1f}x")))
    for s in servers:
        f, l = med("tree_rss", s, "ftp-cli"), med("tree_rss", s, "lftp")
        if f or l:
            cell = lambda v, c: (f"{v / 1024:.1f} MiB" if v else "n/a") + fail_note("tree_rss", s, c)
            print(tline((f"peak RSS, {rss_files}-file tree download", s, cell(f, "ftp-cli"), cell(l, "lftp"))))
    print("-" * width)
    print("ftp/lftp > 1 means ftp-cli is faster: lftp time / ftp-cli time. f/s: files per second of the whole "
          "command (connect, login, listing, transfers).")
    if "baseline" in clients:
        print("baseline: the ftp-cli binary given in BENCH_BASELINE, interleaved with the others.")
    tcpu = []
    for measure, _ in tree_rows:
        for s in servers:
            meds = {c: statistics.median(v) for c in clients if (v := cpu.get((measure, s, c)))}
            if meds:
                tcpu.append((measure, s, meds))
    if tcpu:
        print("client CPU time (user + system), medians:")
        for measure, s, meds in tcpu:
            print(f"  {measure:<16} {s:<9} " + "  ".join(f"{c} {v:6.3f}s" for c, v in meds.items()))

# ftp-cli against another build of itself (BENCH_BASELINE), in the
# single-file rows: wall and CPU medians, and the ratios.
BASE_ROWS = (("dl_file", "download to a file"), ("dl_null", "download to /dev/null"), ("ul", "upload"),
             ("tls_dl", "FTPS download to a file"), ("tls_ul", "FTPS upload"))
base_rows = [(m, label, s) for m, label in BASE_ROWS for s in servers
             if med(m, s, "baseline") is not None or (m, s, "baseline") in bad]
if base_rows:
    BW = (26, 9, 16, 16, 11, 16, 16, 11)
    def bline(cells):
        return " ".join(f"{c:<{w}}" for w, c in zip(BW, cells)).rstrip()
    def cpu_med(m, s, c):
        v = cpu.get((m, s, c))
        return statistics.median(v) if v else None
    def secs(v):
        return f"{v:.3f}s" if v is not None else "n/a"
    def ratio(a, b):
        return f"{a / b:.3f}x" if (a and b) else "-"
    print()
    print(f"ftp-cli against BENCH_BASELINE ({size_mib} MiB, interleaved runs, medians); "
          "ratio = baseline / ftp-cli, above 1 means this build is faster")
    width = sum(BW) + len(BW) - 1
    print("-" * width)
    print(bline(("measure", "server", "wall ftp-cli", "wall baseline", "wall ratio",
                 "cpu ftp-cli", "cpu baseline", "cpu ratio")))
    print("-" * width)
    for m, label, s in base_rows:
        fw, bw = med(m, s, "ftp-cli"), med(m, s, "baseline")
        fc, bc = cpu_med(m, s, "ftp-cli"), cpu_med(m, s, "baseline")
        print(bline((label, s, secs(fw) + fail_note(m, s, "ftp-cli"), secs(bw) + fail_note(m, s, "baseline"),
                     ratio(bw, fw), secs(fc), secs(bc), ratio(bc, fc))))
    print("-" * width)
