#!/usr/bin/env bash
# Downloads through SOCKS5 proxies against direct ones, side by side with
# curl: vsftpd, Dante's danted and microsocks (tests/interop/servers.sh) on
# loopback, a BENCH_SIZE_MIB (1024) file downloaded to /dev/null
# BENCH_RUNS (5) times by each of
#   ftp-cli cp URL /dev/null                               (direct)
#   ftp-cli --proxy socks5h://127.0.0.1:P cp URL /dev/null (each proxy)
#   curl -o /dev/null URL                                  (direct)
#   curl -x socks5h://127.0.0.1:P -o /dev/null URL         (each proxy)
# in rotating order (bench/timed.pl's wall clock). Prints each client's
# median, the proxy/direct ratio of each, ftp-cli against curl through each
# proxy, and writes the table to bench/results/proxy-latest.txt. Not part
# of `cargo test`; refuses to run in CI. As root (the servers need it).
#
#   bench/proxy.sh
#   BENCH_SIZE_MIB=256 BENCH_RUNS=3 BENCH_PROXIES=dante bench/proxy.sh
#
# BENCH_PROXIES: servers.sh proxy kinds (default "dante socks5": danted and
# microsocks).
# BENCH_SERVER_RATE=BYTES_PER_SECOND caps vsftpd's rate per connection
# (local_max_rate), as many servers on the internet are: on loopback the
# proxy's own copying (Dante about 700 MiB/s, microsocks about 200 MiB/s)
# bounds a proxied download, not the client; under a cap below that, the
# row shows what the tunnel costs the client itself. Ports: servers.sh's (FTP_INTEROP_VSFTPD_PORT...,
# FTP_INTEROP_PROXY_DANTE_PORT, FTP_INTEROP_PROXY_SOCKS5_PORT).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SERVERS_SH=$ROOT/tests/interop/servers.sh
TIMED=$HERE/timed.pl
RUNS=${BENCH_RUNS:-5}
SIZE_MIB=${BENCH_SIZE_MIB:-1024}
SERVER_RATE=${BENCH_SERVER_RATE:-}
TIMEOUT=${BENCH_TIMEOUT:-600}
FTP_CLI=${CARGO_TARGET_DIR:-$ROOT/target}/release/ftp-cli

log() { printf '[bench-proxy %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
[[ -z ${CI:-} ]] || die "a manual benchmark; not run in CI"
[[ $(id -u) == 0 ]] || die "must run as root (servers.sh starts the servers)"
command -v curl >/dev/null || die "curl is needed (apt-get install -y curl)"

if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  log "cargo build --release -p ftp-cli"
  (cd "$ROOT" && cargo build --release -q -p ftp-cli --bin ftp-cli) || die "build failed"
fi
[[ -x $FTP_CLI ]] || die "missing $FTP_CLI"

WORK=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/ftp-bench-proxy.XXXXXX")
SERVER_ENV='' PROXY_ENVS=()
PROXIES=${BENCH_PROXIES:-dante socks5}
cleanup() {
  local rc=$? e
  for e in "${PROXY_ENVS[@]}"; do "$SERVERS_SH" proxy-stop "$e" 2>/dev/null || true; done
  [[ -z $SERVER_ENV ]] || "$SERVERS_SH" stop "$SERVER_ENV" 2>/dev/null || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$SERVERS_SH" install 2>"$WORK/install.log" || { cat "$WORK/install.log" >&2; die "servers.sh install failed"; }
[[ -z $SERVER_RATE ]] || export FTP_INTEROP_VSFTPD_EXTRA_CONF="local_max_rate=$SERVER_RATE
anon_max_rate=$SERVER_RATE"
SERVER_ENV=$("$SERVERS_SH" start vsftpd 2>"$WORK/start.log") || { cat "$WORK/start.log" >&2; die "cannot start vsftpd"; }
env_get() { sed -n "s/^$2=//p" "$1" | tail -n1; }
declare -A PROXY_URL
CLIENTS=(ftp-cli curl)
NAMES=''
for kind in $PROXIES; do
  e=$("$SERVERS_SH" proxy-start "$kind" "$SERVER_ENV" 2>>"$WORK/start.log") ||
    { cat "$WORK/start.log" >&2; die "cannot start the proxy $kind"; }
  PROXY_ENVS+=("$e")
  name=$(case $kind in dante) echo dante ;; socks5) echo microsocks ;; *) echo "$kind" ;; esac)
  PROXY_URL[$name]=$(env_get "$e" FTP_PROXY_URL)
  NAMES+="$name $(env_get "$e" FTP_PROXY_VERSION), "
  CLIENTS+=("ftp-cli+$name" "curl+$name")
done
FTP_ROOT=$(env_get "$SERVER_ENV" FTP_ROOT)
URL="ftp://$(env_get "$SERVER_ENV" FTP_USER):$(env_get "$SERVER_ENV" FTP_PASS)@127.0.0.1:$(env_get "$SERVER_ENV" FTP_PORT)/big.bin"

log "creating a ${SIZE_MIB} MiB file"
head -c "$((SIZE_MIB * 1048576))" /dev/urandom >"$WORK/big.bin"
chmod 644 "$WORK/big.bin"
ln "$WORK/big.bin" "$FTP_ROOT/big.bin" 2>/dev/null || cp "$WORK/big.bin" "$FTP_ROOT/big.bin"
sync

run_client() { # client -> the command
  case $1 in
    ftp-cli) echo "$FTP_CLI" cp "$URL" /dev/null ;;
    ftp-cli+*) echo "$FTP_CLI" --proxy "${PROXY_URL[${1#*+}]}" cp "$URL" /dev/null ;;
    curl) echo curl -q -sS -o /dev/null "$URL" ;;
    curl+*) echo curl -q -sS -x "${PROXY_URL[${1#*+}]}" -o /dev/null "$URL" ;;
  esac
}
SAMPLES=$WORK/samples.tsv
for c in "${CLIENTS[@]}"; do
  # shellcheck disable=SC2046 # the command's words
  $(run_client "$c") || die "$c: the warm-up download failed"
done
for ((r = 1; r <= RUNS; r++)); do
  n=${#CLIENTS[@]}
  for ((i = 0; i < n; i++)); do
    c=${CLIENTS[$(((i + r) % n))]}
    cat "$WORK/big.bin" >/dev/null
    # shellcheck disable=SC2046
    "$TIMED" "$TIMEOUT" "$WORK/t" $(run_client "$c") || die "$c run $r failed"
    printf '%s\t%s\n' "$c" "$(head -1 "$WORK/t")" >>"$SAMPLES"
    log "$c run $r: $(head -1 "$WORK/t") s"
  done
done

mkdir -p "$HERE/results"
{
  echo "downloads through SOCKS5 (${NAMES%, }) against direct, vsftpd $("$SERVERS_SH" versions 2>/dev/null | awk '$1 == "vsftpd" {print $2}'), loopback${SERVER_RATE:+, the server capped at $SERVER_RATE bytes/s per connection}"
  echo "$(date -u '+%Y-%m-%d %H:%M UTC')  git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')  $(nproc) cpus; ${SIZE_MIB} MiB to /dev/null, $RUNS runs each, clients alternated; medians"
  python3 - "$SAMPLES" "$SIZE_MIB" "${CLIENTS[@]}" <<'EOF'
import statistics, sys
samples, size, clients = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
by = {}
for line in open(samples):
    client, secs = line.split("\t")
    by.setdefault(client, []).append(float(secs))
med = {c: statistics.median(v) for c, v in by.items()}
print(f"{'client':<20}{'median s':>10}{'MiB/s':>10}{'time via proxy / direct':>26}")
for c in clients:
    ratio = f"{med[c] / med[c.split('+')[0]]:.3f}" if "+" in c else ""
    print(f"{c:<20}{med[c]:>10.3f}{size / med[c]:>10.0f}{ratio:>26}")
for c in clients:
    if c.startswith("ftp-cli+"):
        proxy = c.split("+")[1]
        print(f"through {proxy}: ftp-cli time / curl time = {med[c] / med['curl+' + proxy]:.3f}")
EOF
} | tee "$HERE/results/proxy-latest.txt"
