#!/usr/bin/env bash
# Sync rows (issue 23, "Speed"): `ftp-cli sync --delete` against
# `lftp mirror --delete` and `rclone sync` (Debian's rclone), downloading a
# tree of BENCH_SYNC_FILES (10,000) small files in BENCH_SYNC_DIRS (300)
# directories from vsftpd over loopback, three rows:
#   first    into an empty directory
#   noop     again, nothing to do
#   changed  again after BENCH_SYNC_CHANGED (10) files changed on the server
#            (new bytes, one more of them, a new time)
# Runs interleaved, their order rotating; medians of wall time and of peak
# RSS (GNU time's "Maximum resident set size"), and each row's ratio of the
# faster peer's time to ftp-cli's (above 1: ftp-cli is faster). Writes
# bench/results/sync-latest.txt.
#
#   bench/sync.sh
#   BENCH_RUNS=3 BENCH_SYNC_FILES=2000 BENCH_SYNC_DIRS=60 bench/sync.sh   # quick
#   BENCH_SYNC_BASELINE=/tmp/ftp-cli-old bench/sync.sh                    # also an earlier build
#
# Root on Debian 12, never in CI; servers from tests/interop/servers.sh (set
# FTP_INTEROP_VSFTPD_PORT etc. to keep off other runs' ports). See
# bench/README.md, "Sync".
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SERVERS_SH=$ROOT/tests/interop/servers.sh
RUNS=${BENCH_RUNS:-3}
FILES=${BENCH_SYNC_FILES:-10000}
DIRS=${BENCH_SYNC_DIRS:-300}
CHANGED=${BENCH_SYNC_CHANGED:-10}
JOBS=${BENCH_SYNC_JOBS:-4}
TIMEOUT=${BENCH_TIMEOUT:-900}
BASELINE=${BENCH_SYNC_BASELINE:-}
FTP_CLI=${CARGO_TARGET_DIR:-$ROOT/target}/release/ftp-cli

log() { printf '[sync %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -z ${CI:-} || -n ${BENCH_FORCE:-} ]] || die "refusing to run under CI (set BENCH_FORCE=1 to override)"
[[ $(id -u) == 0 ]] || die "must run as root (tests/interop/servers.sh starts the servers)"
for n in RUNS FILES DIRS CHANGED JOBS TIMEOUT; do
  [[ ${!n} =~ ^[0-9]+$ && ${!n} -gt 0 ]] || die "BENCH_$n must be a positive integer (got '${!n}')"
done
((CHANGED <= FILES)) || die "BENCH_SYNC_CHANGED must be at most BENCH_SYNC_FILES"
for tool in lftp rclone /usr/bin/time python3; do
  command -v "$tool" >/dev/null || die "$tool is needed (apt-get install -y lftp rclone time python3)"
done
[[ -z $BASELINE || -x $BASELINE ]] || die "BENCH_SYNC_BASELINE: $BASELINE is not executable"
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  log "cargo build --release -p ftp-cli"
  (cd "$ROOT" && cargo build --release -q -p ftp-cli --bin ftp-cli) || die "build failed"
fi
[[ -x $FTP_CLI ]] || die "missing $FTP_CLI"

WORK=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/ftp-bench-sync.XXXXXX")
chmod 755 "$WORK"
ENVF=""
cleanup() {
  local rc=$?
  [[ -z $ENVF ]] || "$SERVERS_SH" stop "$ENVF" 2>/dev/null || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$SERVERS_SH" install 2>"$WORK/install.log" || { cat "$WORK/install.log" >&2; die "servers.sh install failed"; }
ENVF=$("$SERVERS_SH" start vsftpd 2>"$WORK/start.log") || { cat "$WORK/start.log" >&2; die "cannot start vsftpd"; }
env_get() { sed -n "s/^$1=//p" "$ENVF" | tail -n1; }
USER_=$(env_get FTP_USER) PASS=$(env_get FTP_PASS) PORT=$(env_get FTP_PORT) SROOT=$(env_get FTP_ROOT)
URL="ftp://$USER_:$PASS@127.0.0.1:$PORT/tree"

# The tree: DIRS directories (a tenth at the top, the rest under them),
# FILES files of 1 KiB spread over them.
log "creating the tree: $FILES files in $DIRS directories"
top=$(((DIRS + 9) / 10))
dirs=()
for ((d = 0; d < DIRS; d++)); do
  if ((d < top)); then dirs+=("d$d"); else dirs+=("d$((d % top))/s$d"); fi
done
for d in "${dirs[@]}"; do mkdir -p "$SROOT/tree/$d"; done
python3 - "$SROOT/tree" "$FILES" "${dirs[@]}" <<'EOF'
import os, sys
root, files, dirs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
for i in range(files):
    with open(os.path.join(root, dirs[i % len(dirs)], f"f{i:05d}"), "wb") as f:
        f.write(os.urandom(1024))
EOF
chown -R --reference="$SROOT" "$SROOT/tree"
chmod -R a+rX "$SROOT/tree"
# Times an hour back: no tool sees a file changing under it.
find "$SROOT/tree" -exec touch -d '-1 hour' {} +
sync

lftp_script() { # dst -> script path
  local f=$WORK/lftp.lftp
  cat >"$f" <<EOS
set cmd:fail-exit yes
set cmd:interactive no
set ftp:ssl-allow no
set ftp:ignore-pasv-address yes
set net:max-retries 1
open -u $USER_,$PASS ftp://127.0.0.1:$PORT
mirror --delete --parallel=$JOBS tree $1
EOS
  echo "$f"
}
RCLONE_REMOTE=":ftp,host=127.0.0.1,port=$PORT,user=$USER_,pass=$(rclone obscure "$PASS"):tree"
command_of() { # client dst
  case $1 in
    ftp-cli) echo "$FTP_CLI" sync -q -j "$JOBS" --delete "$URL" "$2" ;;
    baseline) echo "$BASELINE" sync -q -j "$JOBS" --delete "$URL" "$2" ;;
    lftp) echo lftp -f "$(lftp_script "$2")" ;;
    rclone) echo rclone sync -q --config /dev/null --transfers "$JOBS" "$RCLONE_REMOTE" "$2" ;;
  esac
}
clients=(ftp-cli lftp rclone)
[[ -z $BASELINE ]] || clients+=(baseline)

SAMPLES=$WORK/samples.tsv
printf 'row\tclient\trun\tseconds\trss_kib\n' >"$SAMPLES"
timed() { # row client run dst
  local row=$1 c=$2 r=$3 dst=$4 rc=0
  # shellcheck disable=SC2046 # the command is words, no path has a space
  timeout "$TIMEOUT" /usr/bin/time -f '%e %M' -o "$WORK/t" $(command_of "$c" "$dst") \
    >"$WORK/out" 2>"$WORK/err" || rc=$?
  ((rc == 0)) || die "$row $c run $r failed ($rc): $(head -c 400 "$WORK/err")"
  read -r secs rss <"$WORK/t"
  ((r > 0)) && printf '%s\t%s\t%s\t%s\t%s\n' "$row" "$c" "$r" "$secs" "$rss" >>"$SAMPLES"
  log "$row $c run $r: $secs s, $rss KiB"
}
same_tree() { # dst: same files and sizes as the server's tree
  diff <(cd "$SROOT/tree" && find . -type f -printf '%p %s\n' | sort) \
    <(cd "$1" && find . -type f -printf '%p %s\n' | sort) >/dev/null
}
change_files() { # run: CHANGED files get new bytes (one more) and a new time
  python3 - "$SROOT/tree" "$CHANGED" "$1" <<'EOF'
import os, sys
root, n, run = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)
step = max(1, len(files) // n)
for path in files[::step][:n]:
    size = os.path.getsize(path)
    with open(path, "wb") as f:
        f.write(os.urandom(size + 1))
    os.utime(path, (1_700_000_000 + run * 100, 1_700_000_000 + run * 100))
EOF
}

# Run 0 is an untimed warm-up of each client (the first sync too).
for ((r = 0; r <= RUNS; r++)); do
  n=${#clients[@]}
  order=()
  for ((i = 0; i < n; i++)); do order+=("${clients[$(((i + r) % n))]}"); done
  for c in "${order[@]}"; do
    dst=$WORK/dl-$c
    rm -rf "$dst"
    sync
    timed first "$c" "$r" "$dst"
    same_tree "$dst" || die "first $c run $r: the mirror differs from the tree"
  done
  for c in "${order[@]}"; do
    timed noop "$c" "$r" "$WORK/dl-$c"
  done
  change_files "$r"
  for c in "${order[@]}"; do
    timed changed "$c" "$r" "$WORK/dl-$c"
    same_tree "$WORK/dl-$c" || die "changed $c run $r: the mirror differs from the tree"
  done
done

mkdir -p "$HERE/results"
python3 - "$SAMPLES" "$FILES" "$DIRS" "$CHANGED" "$JOBS" "$(env_get FTP_SERVER_VERSION)" \
  "$(git -C "$ROOT" rev-parse --short HEAD)" "$(lftp --version | sed -n 's/.*Version \([^ ]*\).*/\1/p' | head -n1)" \
  "$(rclone version 2>/dev/null | head -n1)" <<'EOF' | tee "$HERE/results/sync-latest.txt"
import statistics, sys
path, files, dirs, changed, jobs, version, commit, lftp, rclone = sys.argv[1:]
rows = {}
for line in open(path).read().splitlines()[1:]:
    row, c, _, s, rss = line.split("\t")
    rows.setdefault(row, {}).setdefault(c, []).append((float(s), int(rss)))
runs = len(next(iter(next(iter(rows.values())).values())))
print(f"# sync: {files} files in {dirs} directories from vsftpd {version}, {jobs} sessions each; "
      f"commit {commit}; lftp {lftp}, {rclone}; medians of {runs} interleaved runs")
print(f"{'row':<8} {'client':<9} {'wall s':>8} {'peak RSS MiB':>13}")
for row in ("first", "noop", "changed"):
    med = {c: statistics.median(s for s, _ in v) for c, v in rows[row].items()}
    for c, v in rows[row].items():
        print(f"{row:<8} {c:<9} {med[c]:>8.3f} {statistics.median(r for _, r in v) / 1024:>13.1f}")
    peer = min(med["lftp"], med["rclone"])
    print(f"{row:<8} faster peer / ftp-cli: {peer / med['ftp-cli']:.2f}x (goal on noop and changed: 1.5x)")
EOF
