#!/usr/bin/env bash
# Recursive transfers: `ftp-cli cp -r` against `lftp mirror` / `mirror -R`
# in the same run, on vsftpd and Pure-FTPd over loopback (issue 13's
# benchmark rows). See bench/README.md ("Trees").
#
#   bench/tree.sh                                  # 3 runs per row
#   BENCH_RUNS=5 BENCH_SERVERS="vsftpd" bench/tree.sh
#
# Rows, per server: a tree of BENCH_TREE_FILES files of BENCH_TREE_KIB KiB
# in BENCH_TREE_DIRS directories, downloaded and uploaded at both clients'
# defaults (ftp-cli: -j 4; lftp: one connection) and at 4 sessions each
# (ftp-cli -j 4, lftp --parallel=4), plus ftp-cli at -j 1; a second `-u`
# run over the unchanged tree; and ftp-cli's peak RSS downloading a
# BENCH_TREE_RSS_FILES-file tree. Medians of the runs; clients alternate.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SERVERS_SH=$ROOT/tests/interop/servers.sh

RUNS=${BENCH_RUNS:-3}
FILES=${BENCH_TREE_FILES:-1000}
DIRS=${BENCH_TREE_DIRS:-20}
KIB=${BENCH_TREE_KIB:-4}
RSS_FILES=${BENCH_TREE_RSS_FILES:-10000}
SERVERS=${BENCH_SERVERS:-"vsftpd pureftpd"}
SKIP_BUILD=${BENCH_SKIP_BUILD:-0}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
FTP_CLI=$TARGET_DIR/release/ftp-cli

log() { printf '[tree %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -z ${CI:-} || -n ${BENCH_FORCE:-} ]] || die "refusing to run under CI (set BENCH_FORCE=1 to override)"
[[ $(id -u) == 0 ]] || die "must run as root (tests/interop/servers.sh starts the servers)"
for n in RUNS FILES DIRS KIB RSS_FILES; do
  [[ ${!n} =~ ^[0-9]+$ && ${!n} -gt 0 ]] || die "BENCH_* $n must be a positive integer (got '${!n}')"
done
for tool in lftp /usr/bin/time; do
  if ! command -v "$tool" >/dev/null; then
    log "installing lftp and GNU time"
    apt-get update -qq >&2 && apt-get install -y -qq lftp time >&2 || die "could not install lftp and time"
  fi
done

WORK=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/ftp-bench-tree.XXXXXX")
chmod 755 "$WORK"
STARTED=()
cleanup() {
  local rc=$? e
  for e in "${STARTED[@]}"; do "$SERVERS_SH" stop "$e" 2>/dev/null || true; done
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $SKIP_BUILD != 1 ]]; then
  log "cargo build --release -p ftp-cli"
  (cd "$ROOT" && cargo build --release -q -p ftp-cli --bin ftp-cli) || die "build failed"
fi
[[ -x $FTP_CLI ]] || die "missing $FTP_CLI"
"$SERVERS_SH" install 2>"$WORK/install.log" || { cat "$WORK/install.log" >&2; die "servers.sh install failed"; }

log "creating $FILES x ${KIB} KiB in $DIRS directories, and $RSS_FILES one-byte files"
per_dir=$(((FILES + DIRS - 1) / DIRS))
for ((d = 0; d < DIRS; d++)); do
  mkdir -p "$WORK/tree/d$d"
  for ((i = 0; i < per_dir && d * per_dir + i < FILES; i++)); do
    head -c "$((KIB * 1024))" /dev/urandom >"$WORK/tree/d$d/f$i"
  done
done
for ((d = 0; d < 100; d++)); do
  mkdir -p "$WORK/big/d$d"
  for ((i = 0; i < RSS_FILES / 100; i++)); do printf x >"$WORK/big/d$d/f$i"; done
done
chmod -R a+rX "$WORK/tree" "$WORK/big"
sync

now() { date +%s.%N; }
SAMPLES=$WORK/samples.tsv
: >"$SAMPLES"
# timed ROW SERVER CLIENT COMMAND...: wall seconds into SAMPLES; fails the
# row on a non-zero status.
timed() {
  local row=$1 server=$2 client=$3 t0 t1
  shift 3
  t0=$(now)
  if ! "$@" >"$WORK/out" 2>"$WORK/err"; then
    log "FAILED $row $server $client: $(tail -3 "$WORK/err")"
    printf '%s\t%s\t%s\tfail\n' "$row" "$server" "$client" >>"$SAMPLES"
    return 0
  fi
  t1=$(now)
  printf '%s\t%s\t%s\t%s\n' "$row" "$server" "$client" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')" >>"$SAMPLES"
}
env_get() { sed -n "s/^$2=//p" "$1" | tail -n1; }

for s in $SERVERS; do
  envf=$("$SERVERS_SH" start "$s" 2>"$WORK/start-$s.log") ||
    { cat "$WORK/start-$s.log" >&2; die "cannot start $s"; }
  STARTED+=("$envf")
  host=$(env_get "$envf" FTP_HOST) port=$(env_get "$envf" FTP_PORT)
  user=$(env_get "$envf" FTP_USER) pass=$(env_get "$envf" FTP_PASS)
  root=$(env_get "$envf" FTP_ROOT)
  url="ftp://$user:$pass@$host:$port"
  cp -a "$WORK/tree" "$root/tree"
  cp -a "$WORK/big" "$root/big"
  chown -R --reference="$root" "$root/tree" "$root/big"
  lftp_run() { lftp -c "set ftp:ssl-allow no; set net:max-retries 1; open -u $user,$pass -p $port $host; $1"; }
  log "$s: $RUNS runs"
  for ((r = 1; r <= RUNS; r++)); do
    for order in a b; do
      for mode in default p4; do
        # Downloads go into an existing directory: DST/tree.
        dl=$WORK/dl; rm -rf "$dl" "$root/up"; mkdir "$dl"; sync
        if [[ $order == a ]]; then
          if [[ $mode == default ]]; then
            timed "download default" "$s" ftp-cli "$FTP_CLI" cp -r "$url/tree" "$dl/"
            # -u over the unchanged tree just downloaded.
            timed "second -u run" "$s" ftp-cli "$FTP_CLI" cp -r -u "$url/tree" "$dl/"
            timed "upload default" "$s" ftp-cli "$FTP_CLI" cp -r "$WORK/tree" "$url/up"
          else
            timed "download 4 sessions" "$s" ftp-cli "$FTP_CLI" cp -r -j 4 "$url/tree" "$dl/"
            timed "upload 4 sessions" "$s" ftp-cli "$FTP_CLI" cp -r -j 4 "$WORK/tree" "$url/up"
          fi
        else
          if [[ $mode == default ]]; then
            timed "download default" "$s" lftp lftp_run "mirror tree $dl/tree"
            timed "upload default" "$s" lftp lftp_run "mirror -R $WORK/tree up"
          else
            timed "download 4 sessions" "$s" lftp lftp_run "mirror --parallel=4 tree $dl/tree"
            timed "upload 4 sessions" "$s" lftp lftp_run "mirror -R --parallel=4 $WORK/tree up"
          fi
        fi
      done
    done
    rm -rf "$WORK/dl" "$root/up"
    timed "download -j 1" "$s" ftp-cli "$FTP_CLI" cp -r -j 1 "$url/tree" "$WORK/dl"
    rm -rf "$WORK/dl"
  done
  # Peak RSS, KiB, downloading the big tree.
  rm -rf "$WORK/dlbig"
  /usr/bin/time -f '%M' -o "$WORK/rss" "$FTP_CLI" cp -r "$url/big" "$WORK/dlbig" 2>"$WORK/err" >/dev/null ||
    log "FAILED rss $s: $(tail -3 "$WORK/err")"
  printf 'peak RSS %s files\t%s\tftp-cli\t%s\n' "$RSS_FILES" "$s" "$(tail -1 "$WORK/rss")" >>"$SAMPLES"
  rm -rf "$WORK/dlbig"
  "$SERVERS_SH" stop "$envf" >/dev/null 2>&1 || true
done

python3 - "$SAMPLES" "$FILES" <<'EOF'
import statistics, sys
from collections import defaultdict
path, files = sys.argv[1], int(sys.argv[2])
rows = defaultdict(list)
for line in open(path):
    row, server, client, value = line.rstrip("\n").split("\t")
    rows[(server, row, client)].append(value)
def median(values):
    ok = [float(v) for v in values if v != "fail"]
    return statistics.median(ok) if ok else None
servers = sorted({k[0] for k in rows})
print(f"{'server':10} {'row':22} {'ftp-cli s':>10} {'files/s':>9} {'lftp s':>8} {'files/s':>9} {'ratio':>6}")
for server in servers:
    for row in ["download default", "download 4 sessions", "download -j 1", "upload default", "upload 4 sessions", "second -u run"]:
        ours = median(rows.get((server, row, "ftp-cli"), []))
        theirs = median(rows.get((server, row, "lftp"), []))
        fps = lambda t: f"{files / t:9.0f}" if t else f"{'-':>9}"
        sec = lambda t: f"{t:8.2f}" if t else f"{'-':>8}"
        ratio = f"{theirs / ours:6.2f}" if ours and theirs else f"{'-':>6}"
        print(f"{server:10} {row:22} {sec(ours):>10} {fps(ours)} {sec(theirs)} {fps(theirs)} {ratio}")
    first = median(rows.get((server, "download default", "ftp-cli"), []))
    second = median(rows.get((server, "second -u run", "ftp-cli"), []))
    if first and second:
        print(f"{server:10} {'-u speed-up':22} {first / second:10.1f}x")
    for (s, row, client), values in rows.items():
        if s == server and row.startswith("peak RSS"):
            print(f"{server:10} {row:22} {int(values[-1]) / 1024:10.1f} MiB")
EOF
