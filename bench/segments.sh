#!/usr/bin/env bash
# Segmented downloads: `ftp-cli cp --segments N` against `lftp pget -n N`
# on vsftpd capping each connection (`local_max_rate`, 20 MB/s by default),
# one big file over loopback. Runs interleaved (the order rotates each
# run), medians, and the ratios that matter: N segments against one, and
# ftp-cli against lftp at the same N. See bench/README.md ("Segmented
# downloads").
#
#   bench/segments.sh                                  # 1 GiB, 3 runs (~8 min)
#   BENCH_SIZE_MIB=128 BENCH_RUNS=3 bench/segments.sh  # quick (~1 min)
#
# Prints the table on stdout and writes it to
# bench/results/segments-latest.txt. Must run as root (servers.sh starts
# vsftpd); export FTP_INTEROP_VSFTPD_PORT / _PASV_MIN / _PASV_MAX and
# FTP_INTEROP_SERVERS_DIR to use other ports or servers than the defaults.
# Never part of `cargo test` or CI.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SERVERS_SH=$ROOT/tests/interop/servers.sh
TIMED=$HERE/timed.pl
RESULTS=$HERE/results

RUNS=${BENCH_RUNS:-3}
SIZE_MIB=${BENCH_SIZE_MIB:-1024}
RATE=${BENCH_RATE:-20000000}                 # vsftpd local_max_rate, bytes/s per connection
SEGMENTS=${BENCH_SEGMENTS:-"1 4 8"}          # ftp-cli --segments N
LFTP_SEGMENTS=${BENCH_LFTP_SEGMENTS:-"4 8"}  # lftp pget -n N
TIMEOUT=${BENCH_TIMEOUT:-900}
SKIP_BUILD=${BENCH_SKIP_BUILD:-0}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
FTP_CLI=$TARGET_DIR/release/ftp-cli

log() { printf '[segments %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -z ${CI:-} || -n ${BENCH_FORCE:-} ]] || die "refusing to run under CI (set BENCH_FORCE=1 to override)"
[[ $(id -u) == 0 ]] || die "must run as root (tests/interop/servers.sh starts vsftpd)"
for n in RUNS SIZE_MIB RATE TIMEOUT; do
  [[ ${!n} =~ ^[0-9]+$ && ${!n} -gt 0 ]] || die "BENCH_$n must be a positive integer (got '${!n}')"
done
for tool in lftp perl cmp; do command -v "$tool" >/dev/null || die "missing $tool (apt-get install -y lftp perl)"; done

if [[ $SKIP_BUILD != 1 ]]; then
  log "cargo build --release -p ftp-cli"
  (cd "$ROOT" && cargo build --release -q -p ftp-cli) || die "build failed"
fi
[[ -x $FTP_CLI ]] || die "missing $FTP_CLI"

WORK=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/ftp-bench-segments.XXXXXX")
chmod 755 "$WORK"
ENVF=
cleanup() {
  local rc=$?
  [[ -n $ENVF ]] && "$SERVERS_SH" stop "$ENVF" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "servers.sh install"
"$SERVERS_SH" install >"$WORK/install.log" 2>&1 || { cat "$WORK/install.log" >&2; die "servers.sh install failed"; }
# Each connection capped, as a public server would.
export FTP_INTEROP_VSFTPD_EXTRA_CONF="local_max_rate=$RATE"
ENVF=$("$SERVERS_SH" start vsftpd 2>"$WORK/start.log") || { cat "$WORK/start.log" >&2; die "cannot start vsftpd"; }
env_get() { sed -n "s/^$1=//p" "$ENVF" | tail -n1; }
USER_=$(env_get FTP_USER) PASS_=$(env_get FTP_PASS) PORT_=$(env_get FTP_PORT) ROOT_DIR=$(env_get FTP_ROOT)
log "vsftpd on 127.0.0.1:$PORT_, local_max_rate=$RATE"

log "creating ${SIZE_MIB} MiB of test data"
head -c "$((SIZE_MIB * 1048576))" /dev/urandom >"$WORK/big.bin"
chmod 644 "$WORK/big.bin"
ln "$WORK/big.bin" "$ROOT_DIR/big.bin" 2>/dev/null || cp "$WORK/big.bin" "$ROOT_DIR/big.bin"
sync
URL="ftp://$USER_:$PASS_@127.0.0.1:$PORT_/big.bin"

lftp_script() { # N -> script path
  local f=$WORK/pget-$1.lftp
  cat >"$f" <<EOF
set cmd:fail-exit yes
set cmd:interactive no
set ftp:ssl-allow no
set ftp:passive-mode on
set ftp:prefer-epsv yes
set ftp:ignore-pasv-address yes
set ftp:use-mdtm off
set xfer:clobber on
set net:connection-limit 0
set net:max-retries 1
set net:timeout 60
open -u $USER_,$PASS_ ftp://127.0.0.1:$PORT_
pget -n $1 big.bin -o $WORK/dl/big.bin
EOF
  echo "$f"
}

CLIENTS=()
for n in $SEGMENTS; do CLIENTS+=("ftp-cli/$n"); done
for n in $LFTP_SEGMENTS; do CLIENTS+=("lftp/$n"); done
SAMPLES=$WORK/samples.tsv
: >"$SAMPLES"

run_client() { # client -> records seconds
  local c=$1 n=${1#*/} rc=0
  rm -rf "$WORK/dl" && mkdir -p "$WORK/dl"
  cat "$WORK/big.bin" >/dev/null # the server reads it from the page cache
  case $c in
    ftp-cli/*) "$TIMED" "$TIMEOUT" "$WORK/elapsed" "$FTP_CLI" -q cp --segments "$n" "$URL" "$WORK/dl/big.bin" \
                 >/dev/null 2>"$WORK/stderr" || rc=$? ;;
    lftp/*) "$TIMED" "$TIMEOUT" "$WORK/elapsed" lftp -f "$(lftp_script "$n")" >/dev/null 2>"$WORK/stderr" || rc=$? ;;
  esac
  if ((rc != 0)); then
    log "FAILED: $c (status $rc): $(head -c 300 "$WORK/stderr")"
    return 0
  fi
  cmp -s "$WORK/big.bin" "$WORK/dl/big.bin" || { log "FAILED: $c: the download differs from the source"; return 0; }
  printf '%s\t%s\n' "$c" "$(head -1 "$WORK/elapsed")" >>"$SAMPLES"
  log "$c: $(head -1 "$WORK/elapsed") s"
}

for ((r = 0; r < RUNS; r++)); do
  count=${#CLIENTS[@]}
  for ((i = 0; i < count; i++)); do
    run_client "${CLIENTS[$(((i + r) % count))]}"
  done
done

median() { # client -> median seconds, or "-"
  awk -F'\t' -v c="$1" '$1 == c { print $2 }' "$SAMPLES" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
declare -A MED
for c in "${CLIENTS[@]}"; do MED[$c]=$(median "$c"); done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || a == 0) print "-"; else printf "%.2fx", b / a }'; }

mkdir -p "$RESULTS"
{
  echo "Segmented downloads: ${SIZE_MIB} MiB from vsftpd, local_max_rate=$RATE B/s per connection, $RUNS runs (medians)"
  echo "$(lftp --version | head -1); ftp-cli $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
  printf '%-10s %10s %10s %12s %12s\n' client seconds MB/s "vs 1 seg" "vs lftp"
  base=${MED[ftp-cli/1]:-}
  for c in "${CLIENTS[@]}"; do
    s=${MED[$c]} n=${c#*/}
    mbs=$(awk -v s="$s" -v m="$SIZE_MIB" 'BEGIN { if (s == "-") print "-"; else printf "%.1f", m * 1048576 / s / 1e6 }')
    vs1=$(ratio "$s" "${base:--}")
    vslftp=-
    [[ $c == ftp-cli/* && -n ${MED[lftp/$n]:-} ]] && vslftp=$(ratio "$s" "${MED[lftp/$n]}")
    printf '%-10s %10s %10s %12s %12s\n' "$c" "$s" "$mbs" "$vs1" "$vslftp"
  done
  echo "vs 1 seg: ftp-cli --segments 1's time over this row's (higher is faster)."
  echo "vs lftp: lftp pget -n N's time over ftp-cli --segments N's (1 or more: no slower)."
} | tee "$RESULTS/segments-latest.txt"
