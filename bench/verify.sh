#!/usr/bin/env bash
# What --verify costs: `ftp-cli cp URL/big.bin DST` against
# `ftp-cli cp --verify URL/big.bin DST` (issue 23, "Speed": under 10 % more
# wall time on a 1 GiB download), on proFTPD with mod_digest (HASH), over
# loopback. Runs interleaved, their order changing; prints the medians and
# the ratio, and writes them to bench/results/verify-latest.txt.
#
#   bench/verify.sh                                   # 1 GiB, 5 runs each
#   BENCH_RUNS=3 BENCH_SIZE_MIB=256 bench/verify.sh   # quick
#   BENCH_VERIFY_BASELINE=/tmp/ftp-cli-old bench/verify.sh
#                                  # also an earlier binary, both ways
#
# Settings as bench/run.sh's where they overlap (BENCH_RUNS, BENCH_SIZE_MIB,
# BENCH_SKIP_BUILD, BENCH_TIMEOUT, BENCH_TMPDIR, FTP_INTEROP_PROFTPD_PORT...);
# BENCH_VERIFY_SERVER (default proftpd) is any servers.sh server with HASH.
# Root on Debian 12, never in CI. See bench/README.md, "Verify".
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SERVERS_SH=$ROOT/tests/interop/servers.sh
TIMED=$HERE/timed.pl
RUNS=${BENCH_RUNS:-5}
SIZE_MIB=${BENCH_SIZE_MIB:-1024}
TIMEOUT=${BENCH_TIMEOUT:-600}
SERVER=${BENCH_VERIFY_SERVER:-proftpd}
BASELINE=${BENCH_VERIFY_BASELINE:-}
FTP_CLI=${CARGO_TARGET_DIR:-$ROOT/target}/release/ftp-cli

log() { printf '[verify %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -z ${CI:-} || -n ${BENCH_FORCE:-} ]] || die "refusing to run under CI (set BENCH_FORCE=1 to override)"
[[ $(id -u) == 0 ]] || die "must run as root (tests/interop/servers.sh starts the servers)"
for n in RUNS SIZE_MIB TIMEOUT; do
  [[ ${!n} =~ ^[0-9]+$ && ${!n} -gt 0 ]] || die "BENCH_$n must be a positive integer (got '${!n}')"
done
[[ -z $BASELINE || -x $BASELINE ]] || die "BENCH_VERIFY_BASELINE: $BASELINE is not executable"
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  log "cargo build --release -p ftp-cli"
  (cd "$ROOT" && cargo build --release -q -p ftp-cli --bin ftp-cli) || die "build failed"
fi
[[ -x $FTP_CLI ]] || die "missing $FTP_CLI"

WORK=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/ftp-bench-verify.XXXXXX")
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
ENVF=$("$SERVERS_SH" start "$SERVER" 2>"$WORK/start.log") || { cat "$WORK/start.log" >&2; die "cannot start $SERVER"; }
env_get() { sed -n "s/^$1=//p" "$ENVF" | tail -n1; }
url="ftp://$(env_get FTP_USER):$(env_get FTP_PASS)@127.0.0.1:$(env_get FTP_PORT)"

log "creating ${SIZE_MIB} MiB of test data"
head -c "$((SIZE_MIB * 1048576))" /dev/urandom >"$WORK/big.bin"
chmod 644 "$WORK/big.bin"
ln "$WORK/big.bin" "$(env_get FTP_ROOT)/big.bin" 2>/dev/null || cp "$WORK/big.bin" "$(env_get FTP_ROOT)/big.bin"
sync
"$FTP_CLI" hash "$url/big.bin" >/dev/null || die "$SERVER has no HASH here"

clients=(plain verify)
[[ -z $BASELINE ]] || clients+=(base-plain base-verify)
dst=$WORK/dl/big.bin
mkdir -p "$WORK/dl"
printf 'client\trun\tseconds\tcpu\n' >"$WORK/samples.tsv"
for ((r = 0; r <= RUNS; r++)); do # run 0: untimed warm-up of each
  # The order rotates, and runs backwards every other run: no client
  # always follows the same one (a verified run leaves the server's and
  # the page cache's state otherwise than a plain one).
  n=${#clients[@]}
  for ((i = 0; i < n; i++)); do
    if ((r % 2)); then j=$(((n - 1 - i + r) % n)); else j=$(((i + r) % n)); fi
    c=${clients[$j]}
    rm -f "$dst" "$WORK"/dl/.big.bin.*.part
    sync
    cat "$WORK/big.bin" >/dev/null
    case $c in
      plain) cmd=("$FTP_CLI" cp "$url/big.bin" "$dst") ;;
      verify) cmd=("$FTP_CLI" cp --verify "$url/big.bin" "$dst") ;;
      base-plain) cmd=("$BASELINE" cp "$url/big.bin" "$dst") ;;
      base-verify) cmd=("$BASELINE" cp --verify "$url/big.bin" "$dst") ;;
    esac
    "$TIMED" "$TIMEOUT" "$WORK/t" "${cmd[@]}" 2>"$WORK/stderr" || die "$c run $r failed: $(head -c 300 "$WORK/stderr")"
    [[ $c != *verify ]] || grep -q "verified: SHA-256" "$WORK/stderr" || die "$c: no SHA-256 verification: $(head -c 300 "$WORK/stderr")"
    [[ "$(stat -c %s "$dst")" == "$((SIZE_MIB * 1048576))" ]] || die "$c run $r: wrong size"
    ((r > 0)) || continue
    printf '%s\t%s\t%s\t%s\n' "$c" "$r" "$(sed -n 1p "$WORK/t")" "$(sed -n 2p "$WORK/t")" >>"$WORK/samples.tsv"
    log "$c run $r: $(sed -n 1p "$WORK/t") s"
  done
done

mkdir -p "$HERE/results"
python3 - "$WORK/samples.tsv" "$SIZE_MIB" "$SERVER" "$(env_get FTP_SERVER_VERSION)" "$(git -C "$ROOT" rev-parse --short HEAD)" <<'EOF' | tee "$HERE/results/verify-latest.txt"
import statistics, sys
path, size, server, version, commit = sys.argv[1:]
rows = {}
for line in open(path).read().splitlines()[1:]:
    c, _, s, cpu = line.split("\t")
    rows.setdefault(c, []).append((float(s), float(cpu or 0)))
print(f"# --verify cost: {size} MiB download, {server} {version}, commit {commit}, medians of {len(rows['plain'])} interleaved runs")
print(f"{'client':<12} {'wall s':>8} {'cpu s':>8} {'MiB/s':>8}")
med = {c: statistics.median(s for s, _ in v) for c, v in rows.items()}
for c, v in rows.items():
    print(f"{c:<12} {med[c]:>8.3f} {statistics.median(x for _, x in v):>8.3f} {int(size) / med[c]:>8.0f}")
print(f"ratio verify/plain: {med['verify'] / med['plain']:.3f}")
if "base-verify" in med:
    print(f"ratio base-verify/base-plain: {med['base-verify'] / med['base-plain']:.3f}")
EOF
