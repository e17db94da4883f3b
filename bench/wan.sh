#!/usr/bin/env bash
# WAN rows: ftp-cli against curl, lftp and rclone through a delay proxy
# (bench/delay.py) that adds BENCH_RTT_MS (50) of round-trip time on a
# second loopback address (127.0.0.2), for the control port and the passive
# ranges of vsftpd and Pure-FTPd (tests/interop/servers.sh). Every client
# takes the data address from the control connection (EPSV; lftp with
# ftp:ignore-pasv-address, curl's default --ftp-skip-pasv-ip, ftp-cli's
# default). The proxy counts each command burst on a control connection
# that waited for a reply: the round trips of a run, all its sessions.
#
# Rows (BENCH_RUNS (3) runs each, clients interleaved in rotating order,
# medians; see bench/README.md, "Latency"):
#   one    one 4 KiB file: ftp-cli cp, curl, lftp get
#   j1     BENCH_WAN_FILES (100) x 4 KiB in BENCH_WAN_DIRS (5) directories,
#          one session: cp -r -j 1, lftp mirror with ftp:sync-mode on / off
#   def    the same tree, defaults: cp -r, lftp mirror --parallel=4,
#          rclone copy (--transfers 4)
# BENCH_WAN_BASELINE=PATH adds another ftp-cli binary as client `baseline`
# (before/after in one run). Not part of `cargo test`; refuses to run in CI.
# As root (the servers need it). Writes bench/results/wan-latest.txt, and
# with matplotlib installed (pip install matplotlib) the chart
# bench/results/wan-latest.svg.
#
# BENCH_WAN_SWEEP="25 100" runs the one-session row again at those RTTs
# (BENCH_WAN_SWEEP_RUNS (1) runs each): round trips per file against RTT.
#
#   bench/wan.sh
#   BENCH_WAN_SERVERS=vsftpd BENCH_RUNS=1 bench/wan.sh
#   BENCH_WAN_SWEEP="10 25 100" bench/wan.sh
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SERVERS_SH=$ROOT/tests/interop/servers.sh
TIMED=$HERE/timed.pl
RUNS=${BENCH_RUNS:-3}
RTT_MS=${BENCH_RTT_MS:-50}
SWEEP=${BENCH_WAN_SWEEP:-}
SWEEP_RUNS=${BENCH_WAN_SWEEP_RUNS:-1}
SERVERS=${BENCH_WAN_SERVERS:-vsftpd pureftpd}
FILES=${BENCH_WAN_FILES:-100}
DIRS=${BENCH_WAN_DIRS:-5}
KIB=${BENCH_WAN_KIB:-4}
ROWS=${BENCH_WAN_ROWS-one j1 def}
BASELINE=${BENCH_WAN_BASELINE:-}
TIMEOUT=${BENCH_TIMEOUT:-300}
FTP_CLI=${CARGO_TARGET_DIR:-$ROOT/target}/release/ftp-cli
LISTEN=127.0.0.2

log() { printf '[bench-wan %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
[[ -z ${CI:-} ]] || die "a manual benchmark; not run in CI"
[[ $(id -u) == 0 ]] || die "must run as root (servers.sh starts the servers)"
for tool in curl lftp rclone python3; do
  command -v "$tool" >/dev/null || die "$tool is needed (apt-get install -y curl lftp rclone)"
done

if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  log "cargo build --release -p ftp-cli"
  (cd "$ROOT" && cargo build --release -q -p ftp-cli --bin ftp-cli) || die "build failed"
fi
[[ -x $FTP_CLI ]] || die "missing $FTP_CLI"
[[ -z $BASELINE || -x $BASELINE ]] || die "BENCH_WAN_BASELINE: $BASELINE is not executable"

WORK=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/ftp-bench-wan.XXXXXX")
STARTED=() PROXY_PID=''
cleanup() {
  local rc=$? e
  [[ -z $PROXY_PID ]] || kill "$PROXY_PID" 2>/dev/null || true
  for e in "${STARTED[@]}"; do "$SERVERS_SH" stop "$e" 2>/dev/null || true; done
  [[ ${BENCH_KEEP:-0} == 1 ]] || rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
env_get() { sed -n "s/^$2=//p" "$1" | tail -n1; }

"$SERVERS_SH" install 2>"$WORK/install.log" || { cat "$WORK/install.log" >&2; die "servers.sh install failed"; }

# The data: one file, and the tree (FILES files in DIRS directories).
mkdir -p "$WORK/src/wan" "$WORK/dl"
head -c $((KIB * 1024)) /dev/urandom >"$WORK/src/one.bin"
for ((d = 1; d <= DIRS; d++)); do mkdir -p "$WORK/src/wan/d$d"; done
for ((i = 0; i < FILES; i++)); do
  head -c $((KIB * 1024)) /dev/urandom >"$WORK/src/wan/d$((i % DIRS + 1))/f$(printf %04d "$i")"
done
chmod -R a+rX "$WORK/src"

declare -A ENVF URL PORT
proxy_args=()
for s in $SERVERS; do
  e=$("$SERVERS_SH" start "$s" 2>"$WORK/start-$s.log") || { cat "$WORK/start-$s.log" >&2; die "cannot start $s"; }
  STARTED+=("$e")
  ENVF[$s]=$e
  r=$(env_get "$e" FTP_ROOT)
  cp -a "$WORK/src/one.bin" "$WORK/src/wan" "$r/"
  chown -R --reference="$r" "$r/one.bin" "$r/wan" 2>/dev/null || true
  PORT[$s]=$(env_get "$e" FTP_PORT)
  URL[$s]="ftp://$(env_get "$e" FTP_USER):$(env_get "$e" FTP_PASS)@$LISTEN:${PORT[$s]}"
  proxy_args+=(--control "${PORT[$s]}" --ports "$(env_get "$e" FTP_PASV_MIN)-$(env_get "$e" FTP_PASV_MAX)")
  log "started $s ($e)"
done
sync
PLOG=$WORK/proxy.log
: >"$PLOG"
RTT=''
start_proxy() { # rtt-ms: the proxy (again) with that round-trip time
  RTT=$1
  if [[ -n $PROXY_PID ]]; then
    kill "$PROXY_PID" 2>/dev/null || true
    wait "$PROXY_PID" 2>/dev/null || true
  fi
  : >"$WORK/proxy.err"
  python3 "$HERE/delay.py" --listen "$LISTEN" --rtt-ms "$RTT" --log "$PLOG" "${proxy_args[@]}" 2>"$WORK/proxy.err" &
  PROXY_PID=$!
  for _ in $(seq 100); do grep -q 'delay proxy' "$WORK/proxy.err" 2>/dev/null && break; sleep 0.1; done
  grep -q 'delay proxy' "$WORK/proxy.err" || { cat "$WORK/proxy.err" >&2; die "the delay proxy did not start"; }
}
start_proxy "$RTT_MS"

lftp_script() { # server name body
  local e=${ENVF[$1]} f=$WORK/lftp-$1-$2.lftp
  cat >"$f" <<EOS
set cmd:fail-exit yes
set cmd:interactive no
set ftp:ssl-allow no
set ftp:ignore-pasv-address yes
set net:max-retries 1
${4:-}
open -u $(env_get "$e" FTP_USER),$(env_get "$e" FTP_PASS) ftp://$LISTEN:${PORT[$1]}
$3
EOS
  echo "$f"
}

# the command of CLIENT for ROW on SERVER, into DL
command_of() { # row server client dl
  local row=$1 s=$2 c=$3 dl=$4 e=${ENVF[$2]} bin=$FTP_CLI
  [[ $c == baseline ]] && bin=$BASELINE
  case $row:$c in
    one:ftp-cli | one:baseline) echo "$bin" cp -q "${URL[$s]}/one.bin" "$dl/one.bin" ;;
    one:curl) echo curl -q -sS -o "$dl/one.bin" "${URL[$s]}/one.bin" ;;
    one:lftp) echo lftp -f "$(lftp_script "$s" get "get one.bin -o $dl/one.bin")" ;;
    j1:ftp-cli | j1:baseline) echo "$bin" cp -r -q -j 1 "${URL[$s]}/wan" "$dl/" ;;
    j1:lftp-sync) echo lftp -f "$(lftp_script "$s" sync "mirror wan $dl/wan" "set ftp:sync-mode on")" ;;
    j1:lftp-nosync) echo lftp -f "$(lftp_script "$s" nosync "mirror wan $dl/wan" "set ftp:sync-mode off")" ;;
    def:ftp-cli | def:baseline) echo "$bin" cp -r -q "${URL[$s]}/wan" "$dl/" ;;
    def:lftp) echo lftp -f "$(lftp_script "$s" par "mirror --parallel=4 wan $dl/wan")" ;;
    def:rclone)
      echo rclone copy -q --config /dev/null --transfers 4 \
        ":ftp,host=$LISTEN,port=${PORT[$s]},user=$(env_get "$e" FTP_USER),pass=$(rclone obscure "$(env_get "$e" FTP_PASS)"):wan" "$dl/wan"
      ;;
  esac
}
clients_of() { # row
  local extra=''
  [[ -n $BASELINE ]] && extra=baseline
  case $1 in
    one) echo ftp-cli curl lftp $extra ;;
    j1) echo ftp-cli lftp-sync lftp-nosync $extra ;;
    def) echo ftp-cli lftp rclone $extra ;;
  esac
}
rotated() { # r items...: rotated by r
  local r=$1
  shift
  local a=("$@") n=$# i
  for ((i = 0; i < n; i++)); do echo "${a[$(((i + r) % n))]}"; done
}

# Round trips of the control connections that a command opened, once they
# are all closed: the proxy logs each connection's close.
round_trips_since() { # first line
  local from=$1 i opened closed
  for i in $(seq 100); do
    opened=$(tail -n +"$from" "$PLOG" | grep -c '^open ' || true)
    closed=$(tail -n +"$from" "$PLOG" | grep -c '^close ' || true)
    ((opened == closed)) && break
    sleep 0.05
  done
  tail -n +"$from" "$PLOG" | awk '$1 == "close" {n += $4; c += $5} END {printf "%d %d %d\n", n, c, NR}'
}

SAMPLES=$WORK/samples.tsv
check() { # row dl: the copy is complete (and the same on run 1)
  local n
  case $1 in
    one) cmp -s "$WORK/src/one.bin" "$2/one.bin" ;;
    *)
      n=$(find "$2/wan" -type f ! -name '.*' 2>/dev/null | wc -l)
      [[ $n == "$FILES" ]] && diff -rq "$WORK/src/wan" "$2/wan" >/dev/null
      ;;
  esac
}
N=0
run_one() { # row server client run
  local row=$1 s=$2 c=$3 r=$4 dl from rt
  N=$((N + 1))
  dl=$WORK/dl/$N
  mkdir -p "$dl"
  from=$(($(wc -l <"$PLOG") + 1))
  # shellcheck disable=SC2046 # the command's words
  if "$TIMED" "$TIMEOUT" "$WORK/t" $(command_of "$row" "$s" "$c" "$dl") >/dev/null 2>"$WORK/stderr" && check "$row" "$dl"; then
    rt=$(round_trips_since "$from")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "$s" "$c" "$r" "$(head -1 "$WORK/t")" "$rt" "$RTT" >>"$SAMPLES"
    log "$row $s $c run $r, $RTT ms: $(head -1 "$WORK/t") s, round trips/commands/log lines: $rt"
  else
    log "FAILED ($row $s $c run $r): $(head -c 400 "$WORK/stderr")"
  fi
  rm -rf "$dl"
}

# The one-session tree again at each RTT of the sweep.
sweep() {
  local rtt s r c
  for rtt in $SWEEP; do
    start_proxy "$rtt"
    for s in $SERVERS; do
      for ((r = 1; r <= SWEEP_RUNS; r++)); do
        # shellcheck disable=SC2046
        for c in $(rotated "$r" $(clients_of j1)); do run_one j1 "$s" "$c" "$r"; done
      done
    done
  done
}

for s in $SERVERS; do
  for row in $ROWS; do
    if [[ $row == one ]]; then # warm-up, not counted (the tree rows take long enough)
      # shellcheck disable=SC2046
      for c in $(clients_of "$row"); do run_one "$row" "$s" "$c" 0; done
    fi
    for ((r = 1; r <= RUNS; r++)); do
      # shellcheck disable=SC2046
      for c in $(rotated "$r" $(clients_of "$row")); do run_one "$row" "$s" "$c" "$r"; done
    done
  done
done

sweep

mkdir -p "$HERE/results"
{
  echo "WAN rows: ${RTT_MS} ms RTT through bench/delay.py on $LISTEN; $RUNS runs each, clients interleaved; medians"
  echo "$(date -u '+%Y-%m-%d %H:%M UTC')  git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo '+dirty')  $(nproc) cpus"
  echo "clients: $(curl --version | head -n1 | cut -d' ' -f1-2), lftp $(lftp --version | sed -n 's/.*Version \([^ ]*\).*/\1/p' | head -n1), $(rclone version 2>/dev/null | head -n1)"
  echo "servers: $("$SERVERS_SH" versions 2>/dev/null | grep -E "^($(echo "$SERVERS" | tr ' ' '|')) " | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')"
  python3 "$HERE/wan_report.py" "$SAMPLES" "$RTT_MS" "$FILES" "$HERE/results/wan-latest.svg"
} | tee "$HERE/results/wan-latest.txt"
cp "$SAMPLES" "$HERE/results/wan-latest-samples.tsv"
