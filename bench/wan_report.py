#!/usr/bin/env python3
"""The table of bench/wan.sh (stdout).

usage: wan_report.py SAMPLES.tsv RTT_MS FILES [CHART]

SAMPLES.tsv columns: row server client run seconds "round-trips commands
log-lines" rtt-ms (RTT_MS when absent). Medians over the runs. The main
table is of the samples at RTT_MS; samples at other RTTs (bench/wan.sh's
sweep of the one-session row) get a table of round trips per file against
RTT, and the chart's right panel draws them. For each row and server: each client's
median time and round trips (counted by the delay proxy, all the run's
control connections), its time over ftp-cli's (above 1: ftp-cli is faster);
for the tree rows, round trips per file counted and wall time per file in
round trips (time / files / RTT). With CHART (a .png or .svg path), also
draws the ratios with matplotlib, when it is installed.
"""

import statistics
import sys
from collections import defaultdict

path, rtt_ms, files = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
chart = sys.argv[4] if len(sys.argv) > 4 else None
ROWS = {
    "one": "one 4 KiB file",
    "j1": f"{files} files, one session",
    "def": f"{files} files, defaults",
}
secs, trips = defaultdict(list), defaultdict(list)
sweep = defaultdict(lambda: defaultdict(list))  # (server, client) -> rtt -> [(s, rt)]
order = []
for line in open(path):
    fields = line.rstrip("\n").split("\t")
    row, server, client, _run, s, rt = fields[:6]
    rtt = float(fields[6]) if len(fields) > 6 and fields[6] else rtt_ms
    if row == "j1":
        sweep[(server, client)][rtt].append((float(s), int(rt.split()[0])))
    if rtt != rtt_ms:
        continue
    key = (row, server, client)
    if (row, server) not in order:
        order.append((row, server))
    secs[key].append(float(s))
    trips[key].append(int(rt.split()[0]))

print(
    f"{'row':<28}{'server':<10}{'client':<13}{'median s':>9}{'round trips':>12}"
    f"{'RT/file':>8}{'wall RT/file':>13}{'x ftp-cli':>10}"
)
ratios = []  # (label, peer, ratio)
for row, server in order:
    clients = [c for (r, s, c) in secs if r == row and s == server]
    base = secs.get((row, server, "ftp-cli"))
    base_med = statistics.median(base) if base else None
    for c in clients:
        t = statistics.median(secs[(row, server, c)])
        rt = statistics.median(trips[(row, server, c)])
        per_file = f"{rt / files:.2f}" if row != "one" else "-"
        wall = f"{t / files / (rtt_ms / 1000):.2f}" if row != "one" else f"{t / (rtt_ms / 1000):.1f}"
        ratio = f"{t / base_med:.2f}x" if base_med and c != "ftp-cli" else ""
        if ratio:
            ratios.append((f"{ROWS[row]}, {server}", c, t / base_med))
        print(
            f"{ROWS[row]:<28}{server:<10}{c:<13}{t:>9.3f}{rt:>12.0f}{per_file:>8}{wall:>13}{ratio:>10}"
        )
print(
    "one session: cp -r -j 1, lftp mirror with ftp:sync-mode on (lftp-sync) and off "
    "(lftp-nosync); defaults: cp -r, lftp mirror --parallel=4, rclone copy --transfers 4."
)
print(
    "x ftp-cli: the client's time over ftp-cli's (above 1: ftp-cli is faster). "
    "RT/file: round trips counted on the control connections / files; "
    "wall RT/file: median time / files / RTT (one-file row: time / RTT)."
)

rtts = sorted({r for by in sweep.values() for r in by})
if len(rtts) > 1:
    print()
    print(f"{files} files, one session: round trips per file (counted / wall time / RTT) against RTT")
    print(f"{'server':<10}{'client':<13}" + "".join(f"{f'{r:.0f} ms':>14}" for r in rtts))
    for (server, client), by in sweep.items():
        cells = []
        for r in rtts:
            if by.get(r):
                t = statistics.median(x[0] for x in by[r])
                n = statistics.median(x[1] for x in by[r])
                cells.append(f"{n / files:.2f} / {t / files / (r / 1000):.2f}")
            else:
                cells.append("-")
        print(f"{server:<10}{client:<13}" + "".join(f"{c:>14}" for c in cells))

if chart and ratios:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"(no chart: matplotlib is not installed; pip install matplotlib)")
        sys.exit(0)
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text
    # The peers; an earlier ftp-cli (baseline) shows on the right only.
    ratios = [r for r in ratios if r[1] != "baseline"]
    labels = [f"{label}: {peer}" for label, peer, _ in ratios]
    values = [v for _, _, v in ratios]
    per_file = [
        (f"{server}: {'ftp-cli, earlier build' if c == 'baseline' else c}",
         statistics.median(trips[(r, server, c)]) / files,
         statistics.median(secs[(r, server, c)]) / files / (rtt_ms / 1000))
        for (r, server, c) in secs
        if r == "j1"
    ]
    fig, (ax, bx) = plt.subplots(
        1, 2, figsize=(11, 0.32 * len(values) + 1.6), gridspec_kw={"width_ratios": [3, 2]}
    )
    bars = ax.barh(range(len(values)), values, color=["#2a7" if v >= 1 else "#c44" for v in values])
    ax.set_yticks(range(len(values)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.axvline(1, color="black", linewidth=0.8)
    ax.bar_label(bars, fmt="%.2fx", fontsize=7, padding=2)
    ax.set_xlabel("peer's time / ftp-cli's (above 1: ftp-cli is faster)", fontsize=8)
    ax.set_title(f"ftp-cli against its peers at {rtt_ms:.0f} ms RTT", fontsize=9)
    if len(rtts) > 1:
        for (server, client), by in sweep.items():
            xs = [r for r in rtts if by.get(r)]
            ys = [statistics.median(x[0] for x in by[r]) / files / (r / 1000) for r in xs]
            name = "ftp-cli, earlier build" if client == "baseline" else client
            style = "-" if client == "ftp-cli" else "--" if client == "baseline" else ":"
            bx.plot(xs, ys, style, marker="o", label=f"{server}: {name}")
        bx.set_xlabel("round-trip time (ms)", fontsize=8)
        bx.set_ylabel("wall time / files / RTT", fontsize=8)
        bx.set_ylim(bottom=0)
        bx.legend(fontsize=6)
        bx.set_title(f"{files} files, one session: round trips per file", fontsize=9)
    else:
        ys = range(len(per_file))
        bx.barh([y - 0.2 for y in ys], [p[2] for p in per_file], height=0.4, label="wall time / RTT")
        bx.barh([y + 0.2 for y in ys], [p[1] for p in per_file], height=0.4, label="command bursts counted")
        bx.set_yticks(list(ys), [p[0] for p in per_file], fontsize=7)
        bx.invert_yaxis()
        bx.legend(fontsize=7)
        bx.set_xlabel("round trips per file", fontsize=8)
        bx.set_title(f"{files} files, one session", fontsize=9)
    fig.tight_layout()
    fig.savefig(chart)
    print(f"chart: {chart}")
