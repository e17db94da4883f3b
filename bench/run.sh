#!/usr/bin/env bash
# Benchmark ftp-cli (and the ftp-client library) against curl and lftp on
# real FTP servers over loopback, then against curl --ssl-reqd over explicit
# FTPS on the same servers. One command; see bench/README.md.
#
#   bench/run.sh                                   # full: 1 GiB, 5 runs (~10 min)
#   BENCH_SIZE_MIB=64 BENCH_RUNS=3 bench/run.sh    # quick (~2 min)
#   BENCH_ONLY=tree bench/run.sh                   # only the tree rows (cp -r vs lftp mirror)
#   bench/verify.sh                                # what cp --verify costs (README, "--verify")
#   bench/sync.sh                                  # sync against lftp mirror and rclone (README, "Sync")
#
# Prints one table on stdout and writes it to bench/results/latest.txt (raw
# samples: bench/results/latest-samples.tsv). Progress goes to stderr.
# Must run as root on Debian 12 (the servers come from
# tests/interop/servers.sh). Never part of `cargo test` or CI.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SERVERS_SH=$ROOT/tests/interop/servers.sh
TIMED=$HERE/timed.pl
RESULTS=$HERE/results

RUNS=${BENCH_RUNS:-5}
SIZE_MIB=${BENCH_SIZE_MIB:-1024}
RSS_SMALL_MIB=${BENCH_RSS_SMALL_MIB:-16}
MANY=${BENCH_MANY:-1000}
MANY_KIB=${BENCH_MANY_KIB:-4}
LS_ENTRIES=${BENCH_LS_ENTRIES:-10000}
SERVERS=${BENCH_SERVERS-"vsftpd pureftpd"} # plain rows; empty: none
TLS_SERVERS=${BENCH_TLS_SERVERS-"vsftpd pureftpd"} # FTPS rows (explicit TLS); empty: none
TIMEOUT=${BENCH_TIMEOUT:-600}                  # any single command
CURL_MANY_TIMEOUT=${BENCH_CURL_MANY_TIMEOUT:-60} # curl's many-files run (it can stall 1 s per file)
STALL_S=${BENCH_STALL_S:-0.5}                  # a curl transfer this slow is a stall
SOCAT_PORT=${BENCH_SOCAT_PORT:-39999}
SKIP_BUILD=${BENCH_SKIP_BUILD:-0}
KEEP=${BENCH_KEEP:-0}
# Sections: plain (single files, many files, ls), tls (FTPS), tree (cp -r
# against lftp mirror); any of them, separated by commas or spaces.
ONLY=${BENCH_ONLY:-plain,tls,tree}
TREE_FILES=${BENCH_TREE_FILES:-1000}
TREE_DIRS=${BENCH_TREE_DIRS:-20}
TREE_KIB=${BENCH_TREE_KIB:-4}
TREE_RSS_FILES=${BENCH_TREE_RSS_FILES:-10000}
TREE_RSS_RUNS=${BENCH_TREE_RSS_RUNS:-1}
# Another ftp-cli binary (an earlier build, say), run as client "baseline"
# beside ftp-cli in the single-file rows (plain and FTPS) and the tree rows,
# interleaved with the others. BENCH_TREE_BASELINE is its older name.
BASELINE=${BENCH_BASELINE:-${BENCH_TREE_BASELINE:-}}
BASE_CLIENT=${BASELINE:+baseline}
# The sessions of the second tree mode (the first is the defaults, -j 4).
TREE_JOBS=${BENCH_TREE_JOBS:-4}
[[ $TREE_JOBS =~ ^[0-9]+$ ]] && ((TREE_JOBS >= 1 && TREE_JOBS <= 16)) || { echo "bench: BENCH_TREE_JOBS: 1 to 16" >&2; exit 2; }
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
FTP_CLI=$TARGET_DIR/release/ftp-cli
BENCH_MANY_BIN=$TARGET_DIR/release/examples/bench_many

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
ftp_bin() { if [[ $1 == baseline ]]; then echo "$BASELINE"; else echo "$FTP_CLI"; fi; }

[[ -z ${CI:-} || -n ${BENCH_FORCE:-} ]] || die "refusing to run under CI (set BENCH_FORCE=1 to override)"
[[ $(id -u) == 0 ]] || die "must run as root (tests/interop/servers.sh starts the servers)"
for n in RUNS SIZE_MIB RSS_SMALL_MIB MANY MANY_KIB LS_ENTRIES TIMEOUT CURL_MANY_TIMEOUT SOCAT_PORT \
  TREE_FILES TREE_DIRS TREE_KIB TREE_RSS_FILES TREE_RSS_RUNS; do
  [[ ${!n} =~ ^[0-9]+$ && ${!n} -gt 0 ]] || die "BENCH_$n must be a positive integer (got '${!n}')"
done
ONLY=${ONLY//,/ }
for section in $ONLY; do
  [[ $section == plain || $section == tls || $section == tree ]] ||
    die "BENCH_ONLY: unknown section '$section' (plain, tls, tree)"
done
only() { [[ " $ONLY " == *" $1 "* ]]; }
only tls || TLS_SERVERS=""
[[ -z $BASELINE || -x $BASELINE ]] || die "BENCH_BASELINE: $BASELINE is not executable"
((MANY <= 10000)) || die "BENCH_MANY must be at most 10000"
missing=()
for tool in curl lftp socat perl python3 ss /usr/bin/time cargo; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]} > 0)); then
  # Install the clients and tools from Debian's packages, once.
  log "installing: ${missing[*]}"
  apt-get update -qq >&2 && apt-get install -y -qq curl lftp socat time iproute2 perl python3 >&2 ||
    die "could not install the tools"
  missing=()
  for tool in curl lftp socat perl python3 ss /usr/bin/time cargo; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
fi
perl -MTime::HiRes -e1 2>/dev/null || missing+=("perl Time::HiRes")
((${#missing[@]} == 0)) || die "missing: ${missing[*]} (apt-get install -y curl lftp socat time iproute2 perl python3)"

T_START=$(date +%s)
WORK=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/ftp-bench.XXXXXX")
chmod 755 "$WORK"
STARTED=()   # env files of the servers this script started
BG_PIDS=()   # background socat listeners
cleanup() {
  local rc=$? e p
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for e in "${STARTED[@]}"; do "$SERVERS_SH" stop "$e" 2>/dev/null || true; done
  if [[ $KEEP == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SAMPLES=$WORK/samples.tsv
printf 'measure\tserver\tclient\trun\tstatus\tvalue\textra\n' >"$SAMPLES"
record() { # measure server client run status value [extra]
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "${7:-}" >>"$SAMPLES"
}
TFILE=$WORK/elapsed

# ------------------------------------------------------------------ build
if [[ $SKIP_BUILD != 1 ]]; then
  log "cargo build --release (ftp-cli, example bench_many)"
  (cd "$ROOT" && cargo build --release -q -p ftp-cli -p ftp-suite --bin ftp-cli --example bench_many) ||
    die "build failed"
fi
[[ -x $FTP_CLI && -x $BENCH_MANY_BIN ]] || die "missing $FTP_CLI or $BENCH_MANY_BIN"

# ------------------------------------------------------------------ servers
log "installing servers (tests/interop/servers.sh install)"
"$SERVERS_SH" install 2>"$WORK/install.log" || { cat "$WORK/install.log" >&2; die "servers.sh install failed"; }
declare -A ENVF
for s in $SERVERS; do
  envf=$("$SERVERS_SH" start "$s" 2>"$WORK/start-$s.log") ||
    { cat "$WORK/start-$s.log" >&2; die "cannot start $s (already running? see 'servers.sh status')"; }
  STARTED+=("$envf")
  ENVF[$s]=$envf
  log "started $s ($envf)"
done
env_get() { sed -n "s/^$2=//p" "$1" | tail -n1; }

# ------------------------------------------------------------------ data
# One copy of each file in $WORK, hard-linked into every server's FTP_ROOT
# (same filesystem: every client reads the same page-cached inode).
mkdir -p "$WORK/dl"
if only plain || only tls; then
log "creating test data: ${SIZE_MIB} MiB, ${RSS_SMALL_MIB} MiB, $MANY x ${MANY_KIB} KiB, $LS_ENTRIES-entry dir"
head -c "$((SIZE_MIB * 1048576))" /dev/urandom >"$WORK/big.bin"
head -c "$((RSS_SMALL_MIB * 1048576))" /dev/urandom >"$WORK/small.bin"
mkdir -p "$WORK/data/many" "$WORK/data/dir10k" "$WORK/dl"
for ((i = 0; i < MANY; i++)); do printf -v f 'f%04d' "$i"; head -c "$((MANY_KIB * 1024))" /dev/urandom >"$WORK/data/many/$f"; done
(cd "$WORK/data/dir10k" && seq -f 'entry%05g' 0 $((LS_ENTRIES - 1)) | xargs touch)
chmod 644 "$WORK/big.bin" "$WORK/small.bin" "$WORK"/data/many/* "$WORK"/data/dir10k/*
chmod 755 "$WORK/data/many" "$WORK/data/dir10k"
for s in $SERVERS; do
  r=$(env_get "${ENVF[$s]}" FTP_ROOT)
  [[ "$(stat -c %d "$r")" == "$(stat -c %d "$WORK")" ]] ||
    log "warning: $r and $WORK are on different filesystems"
  ln "$WORK/big.bin" "$r/big.bin" 2>/dev/null || cp "$WORK/big.bin" "$r/big.bin"
  ln "$WORK/small.bin" "$r/small.bin" 2>/dev/null || cp "$WORK/small.bin" "$r/small.bin"
  cp -al "$WORK/data/many" "$WORK/data/dir10k" "$r/" 2>/dev/null || cp -a "$WORK/data/many" "$WORK/data/dir10k" "$r/"
done
# flush the new data to disk now: its writeback must not overlap the first measures
sync
# Read the input back into the page cache before every timed run (outside
# the timing): some VMs reclaim clean page cache within seconds (seen here:
# a 1 GiB file down to 133 MiB resident after 40 s, with 23 GiB free).
warm() { cat "$@" >/dev/null; }
warm "$WORK/big.bin" "$WORK/small.bin"
else
warm() { cat "$@" >/dev/null; }
fi
if only tree; then
  # The tree: TREE_FILES files of TREE_KIB KiB in TREE_DIRS directories;
  # and TREE_RSS_FILES one-byte files in 100 directories for peak RSS.
  log "creating the trees: $TREE_FILES x ${TREE_KIB} KiB in $TREE_DIRS directories, $TREE_RSS_FILES one-byte files"
  per_dir=$(((TREE_FILES + TREE_DIRS - 1) / TREE_DIRS))
  for ((d = 0; d < TREE_DIRS; d++)); do
    mkdir -p "$WORK/tree/d$d"
    for ((i = 0; i < per_dir && d * per_dir + i < TREE_FILES; i++)); do
      head -c "$((TREE_KIB * 1024))" /dev/urandom >"$WORK/tree/d$d/f$i"
    done
  done
  for ((d = 0; d < 100; d++)); do
    mkdir -p "$WORK/rsstree/d$d"
    (cd "$WORK/rsstree/d$d" && for ((i = 0; i < TREE_RSS_FILES / 100; i++)); do printf x >"f$i"; done)
  done
  chmod -R a+rX "$WORK/tree" "$WORK/rsstree"
  for s in $SERVERS; do
    r=$(env_get "${ENVF[$s]}" FTP_ROOT)
    cp -a "$WORK/tree" "$WORK/rsstree" "$r/"
    chown -R --reference="$r" "$r/tree" "$r/rsstree"
  done
  sync
fi

# ------------------------------------------------------------------ helpers
# Client order rotates each run (A B C, B C A, ...): every client gets every
# position, and consecutive runs of one client are never adjacent.
rotated() { # run client...
  local r=$1 n i
  shift
  n=$#
  local a=("$@")
  for ((i = 0; i < n; i++)); do printf '%s\n' "${a[$(((i + r) % n))]}"; done
}

lftp_script() { # envfile file-of-commands... -> script path on stdout
  local envf=$1 name=$2 body=$3 f
  f=$WORK/lftp-$name.lftp
  cat >"$f" <<EOF
set cmd:fail-exit yes
set cmd:interactive no
# fairness: curl and ftp-cli do plain FTP, no MDTM, EPSV, control-connection host
set ftp:ssl-allow no
set ftp:passive-mode on
set ftp:prefer-epsv yes
set ftp:ignore-pasv-address yes
set ftp:use-mdtm off
set xfer:clobber on
set net:max-retries 1
set net:timeout 60
open -u $(env_get "$envf" FTP_USER),$(env_get "$envf" FTP_PASS) ftp://127.0.0.1:$(env_get "$envf" FTP_PORT)
$body
EOF
  echo "$f"
}

# run_timed MEASURE SERVER CLIENT RUN TIMEOUT STDOUT CMD... : times CMD, records
# its seconds (status ok) or the failure; returns CMD's status.
run_timed() {
  local m=$1 s=$2 c=$3 r=$4 to=$5 out=$6 rc=0
  shift 6
  "$TIMED" "$to" "$TFILE" "$@" >"$out" 2>"$WORK/stderr" || rc=$?
  if ((rc == 0)); then
    record "$m" "$s" "$c" "$r" ok "$(head -1 "$TFILE")" "cpu=$(sed -n 2p "$TFILE")"
  else
    log "FAILED ($m $s $c run $r, status $rc): $* : $(head -c 300 "$WORK/stderr")"
    record "$m" "$s" "$c" "$r" "$([[ $rc == 124 ]] && echo timeout || echo fail)" "$(head -1 "$TFILE")"
  fi
  return "$rc"
}

fail_sample() { # replace the last sample's status (after a failed check)
  sed -i '$ s/\tok\t/\tfail\t/' "$SAMPLES"
}

# socat ceiling, same shape as a passive download: a listener reads the
# file and sends it; the timed process connects and writes to /dev/null, and
# ends when the last byte arrived.
socat_once() { # measure server run
  local p
  socat -b1048576 -u "FILE:$WORK/big.bin" "TCP-LISTEN:$SOCAT_PORT,bind=127.0.0.1,reuseaddr" 2>/dev/null &
  p=$!
  BG_PIDS+=("$p")
  for _ in $(seq 100); do
    [[ -n "$(ss -Hltn "sport = :$SOCAT_PORT")" ]] && break
    sleep 0.05
  done
  run_timed "$1" "$2" socat "$3" "$TIMEOUT" /dev/null \
    socat -b1048576 -u "TCP:127.0.0.1:$SOCAT_PORT" OPEN:/dev/null || true
  wait "$p" 2>/dev/null || true
  BG_PIDS=() # reaped: never signal a pid that may have been reused
}

# ------------------------------------------------------------------ measures
# curl_many MEASURE SERVER RUN CURLRC [CURL OPTIONS...]: one curl fetching the
# MANY URLs of CURLRC over one connection; per-transfer times on stderr
# (unbuffered, so a timed-out run keeps what it did)
curl_many() {
  local m=$1 s=$2 r=$3 cfg=$4 wout done_n
  shift 4
  wout=$WORK/many-curl.w
  local rc=0
  "$TIMED" "$CURL_MANY_TIMEOUT" "$TFILE" curl -q -sS "$@" -K "$cfg" -w '%{stderr}%{time_total}\n' \
    >/dev/null 2>"$wout" || rc=$?
  done_n=$(grep -cE '^[0-9.]+$' "$wout" || true)
  # stalls: transfers >= STALL_S; excess: their time above the median
  # of the others; est: a whole run of MANY files without stalls,
  # extrapolated from this run (first transfer = connect + login)
  local st med
  med=$(grep -E '^[0-9.]+$' "$wout" | sort -g | awk -v th="$STALL_S" '
    $1 < th { t[++n] = $1 } END { print (n > 0) ? t[int((n + 1) / 2)] : 0 }')
  st=$(grep -E '^[0-9.]+$' "$wout" | awk -v th="$STALL_S" -v med="$med" -v n="$MANY" '
    { sum += $1; c = $1
      if ($1 >= th) { k++; ex += $1 - med; c = med }
      if (NR == 1) first = c; else rest += c }
    END { est = (NR > 1) ? first + (n - 1) * rest / (NR - 1) : 0
          printf "stalls=%d;excess=%.6f;sum=%.6f;est=%.6f", k, ex, sum, est }')
  if ((rc == 0 || rc == 124)) && ((done_n > 0)); then
    record "$m" "$s" curl "$r" "$([[ $rc == 0 ]] && echo ok || echo timeout)" "$(head -1 "$TFILE")" "done=$done_n;$st;cpu=$(sed -n 2p "$TFILE")"
    if ((rc == 124)); then
      log "curl many-files run $r on $s hit the ${CURL_MANY_TIMEOUT}s bound after $done_n files ($st)"
    fi
  else
    log "FAILED ($m $s curl run $r, status $rc): $(grep -vE '^[0-9.]+$' "$wout" | head -c 300)"
    record "$m" "$s" curl "$r" fail "$(head -1 "$TFILE")" "done=$done_n;$st"
  fi
}

bench_server() {
  local s=$1 envf=${ENVF[$1]} url root r c dst lf
  root=$(env_get "$envf" FTP_ROOT)
  url="ftp://$(env_get "$envf" FTP_USER):$(env_get "$envf" FTP_PASS)@127.0.0.1:$(env_get "$envf" FTP_PORT)"
  local size=$((SIZE_MIB * 1048576))

  # warm-up: each client once, untimed (binaries, server's first session)
  "$FTP_CLI" cp "$url/small.bin" /dev/null
  curl -q -sS -o /dev/null "$url/small.bin"
  lftp -f "$(lftp_script "$envf" warm "get small.bin -o /dev/null")"
  "$BENCH_MANY_BIN" "$url/" 10 >/dev/null

  # 1. download to a file and to /dev/null (socat ceiling alternates with them)
  warm "$WORK/big.bin"
  dst=$WORK/dl/big.bin
  for ((r = 1; r <= RUNS; r++)); do
    for c in $(rotated "$r" ftp-cli curl lftp $BASE_CLIENT); do
      rm -f "$dst" "$WORK"/dl/.big.bin.*.part
      sync
      warm "$WORK/big.bin"
      case $c in
        ftp-cli | baseline) run_timed dl_file "$s" "$c" "$r" "$TIMEOUT" /dev/null "$(ftp_bin "$c")" cp "$url/big.bin" "$dst" || continue ;;
        curl) run_timed dl_file "$s" "$c" "$r" "$TIMEOUT" /dev/null curl -q -sS -o "$dst" "$url/big.bin" || continue ;;
        lftp)
          lf=$(lftp_script "$envf" dl "get big.bin -o $dst")
          run_timed dl_file "$s" "$c" "$r" "$TIMEOUT" /dev/null lftp -f "$lf" || continue
          ;;
      esac
      if [[ "$(stat -c %s "$dst" 2>/dev/null)" != "$size" ]] || { ((r == 1)) && ! cmp -s "$dst" "$WORK/big.bin"; }; then
        log "FAILED check (dl_file $s $c run $r): $dst differs from the source"
        fail_sample
      fi
    done
  done
  rm -f "$dst"
  for ((r = 1; r <= RUNS; r++)); do
    for c in $(rotated "$r" ftp-cli curl lftp socat $BASE_CLIENT); do
      warm "$WORK/big.bin"
      case $c in
        ftp-cli | baseline) run_timed dl_null "$s" "$c" "$r" "$TIMEOUT" /dev/null "$(ftp_bin "$c")" cp "$url/big.bin" /dev/null || true ;;
        curl) run_timed dl_null "$s" "$c" "$r" "$TIMEOUT" /dev/null curl -q -sS -o /dev/null "$url/big.bin" || true ;;
        lftp)
          lf=$(lftp_script "$envf" dlnull "get big.bin -o /dev/null")
          run_timed dl_null "$s" "$c" "$r" "$TIMEOUT" /dev/null lftp -f "$lf" || true
          ;;
        socat) socat_once ceiling "$s" "$r" ;;
      esac
    done
  done

  # 2. upload; the remote file is deleted (directly on disk) between runs
  warm "$WORK/big.bin"
  for ((r = 1; r <= RUNS; r++)); do
    for c in $(rotated "$r" ftp-cli curl lftp $BASE_CLIENT); do
      rm -f "$root/up.bin" "$root"/.up.bin.*.part
      sync
      warm "$WORK/big.bin"
      case $c in
        ftp-cli | baseline) run_timed ul "$s" "$c" "$r" "$TIMEOUT" /dev/null "$(ftp_bin "$c")" cp "$WORK/big.bin" "$url/up.bin" || continue ;;
        curl) run_timed ul "$s" "$c" "$r" "$TIMEOUT" /dev/null curl -q -sS -T "$WORK/big.bin" "$url/up.bin" || continue ;;
        lftp)
          lf=$(lftp_script "$envf" ul "put $WORK/big.bin -o up.bin")
          run_timed ul "$s" "$c" "$r" "$TIMEOUT" /dev/null lftp -f "$lf" || continue
          ;;
      esac
      if [[ "$(stat -c %s "$root/up.bin" 2>/dev/null)" != "$size" ]] || { ((r == 1)) && ! cmp -s "$root/up.bin" "$WORK/big.bin"; }; then
        log "FAILED check (ul $s $c run $r): the uploaded file differs from the source"
        fail_sample
      fi
    done
  done
  rm -f "$root/up.bin"
  sync

  # 3. peak RSS (/usr/bin/time -v "Maximum resident set size", KiB)
  local which file kib
  for which in small big; do
    file=$which.bin
    for ((r = 1; r <= RUNS; r++)); do
      for c in $(rotated "$r" ftp-cli curl); do
        rm -f "$WORK/dl/rss.bin"
        warm "$WORK/$file"
        local cmd=("$FTP_CLI" cp "$url/$file" "$WORK/dl/rss.bin")
        [[ $c == curl ]] && cmd=(curl -q -sS -o "$WORK/dl/rss.bin" "$url/$file")
        if timeout "$TIMEOUT" /usr/bin/time -v -o "$WORK/rss.txt" "${cmd[@]}" 2>"$WORK/stderr"; then
          kib=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$WORK/rss.txt")
          record "rss_$which" "$s" "$c" "$r" ok "$kib"
        else
          log "FAILED (rss_$which $s $c run $r): $(head -c 300 "$WORK/stderr")"
          record "rss_$which" "$s" "$c" "$r" fail 0
        fi
      done
    done
  done
  rm -f "$WORK/dl/rss.bin"

  # 4. per-file overhead: MANY small files over one session
  local cfg=$WORK/many-$s.curlrc i f wout done_n
  : >"$cfg"
  for ((i = 0; i < MANY; i++)); do
    printf -v f 'f%04d' "$i"
    printf 'url = "%s/many/%s"\noutput = "/dev/null"\n' "$url" "$f" >>"$cfg"
  done
  warm "$WORK"/data/many/*
  for ((r = 1; r <= RUNS; r++)); do
    for c in $(rotated "$r" ftp-cli curl); do
      warm "$WORK"/data/many/*
      case $c in
        ftp-cli)
          if run_timed many "$s" "$c" "$r" "$TIMEOUT" "$WORK/many.out" "$BENCH_MANY_BIN" "$url/" "$MANY"; then
            if ! grep -q "^files=$MANY bytes=$((MANY * MANY_KIB * 1024)) " "$WORK/many.out"; then
              log "FAILED check (many $s ftp-cli run $r): $(cat "$WORK/many.out")"
              fail_sample
            else
              # keep the library's own rate (login excluded) alongside
              sed -i "\$ s/\$/;done=$MANY;internal_fps=$(sed -n 's/.*files_per_s=//p' "$WORK/many.out")/" "$SAMPLES"
            fi
          fi
          ;;
        curl)
          # one curl, MANY URLs (connection reused)
          curl_many many "$s" "$r" "$cfg"
          ;;
      esac
    done
  done

  # 5. listing of a LS_ENTRIES-entry directory
  for ((r = 1; r <= RUNS; r++)); do
    for c in $(rotated "$r" ftp-cli curl); do
      ls -l "$root/dir10k" >/dev/null # inodes and dentries into the cache
      local ok=0
      case $c in
        ftp-cli) run_timed ls "$s" "$c" "$r" "$TIMEOUT" "$WORK/ls.out" "$FTP_CLI" ls "$url/dir10k/" && ok=1 ;;
        curl) run_timed ls "$s" "$c" "$r" "$TIMEOUT" "$WORK/ls.out" curl -q -sS "$url/dir10k/" && ok=1 ;;
      esac
      if ((ok)) && [[ "$(grep -c entry "$WORK/ls.out")" != "$LS_ENTRIES" ]]; then
        log "FAILED check (ls $s $c run $r): $(grep -c entry "$WORK/ls.out") entries, expected $LS_ENTRIES"
        fail_sample
      fi
    done
  done
}

# FTPS (explicit TLS, required on control and data): ftp-cli with an
# ftpes:// URL against curl --ssl-reqd (ftp:// URL, AUTH TLS), both trusting
# only the server's test CA. Measures tls_dl (to a file), tls_ul,
# tls_rss (peak RSS of the big download) and tls_many.
bench_tls_server() {
  local s=$1 envf=${ENVF_TLS[$1]} root ca hp furl curl_url r c dst kib
  root=$(env_get "$envf" FTP_ROOT)
  ca=$(env_get "$envf" FTP_CA)
  [[ -r $ca ]] || die "$s (explicit): no test CA in $envf"
  hp="$(env_get "$envf" FTP_USER):$(env_get "$envf" FTP_PASS)@127.0.0.1:$(env_get "$envf" FTP_PORT)"
  furl="ftpes://$hp"
  curl_url="ftp://$hp"
  local size=$((SIZE_MIB * 1048576))
  local fc=("$FTP_CLI" --cacert "$ca") bc=("$BASELINE" --cacert "$ca")
  local cc=(curl -q -sS --ssl-reqd --cacert "$ca")

  # warm-up, untimed; also proves both clients verify the certificate
  "${fc[@]}" cp "$furl/small.bin" /dev/null || die "ftp-cli over FTPS on $s failed (warm-up)"
  "${cc[@]}" -o /dev/null "$curl_url/small.bin" || die "curl --ssl-reqd on $s failed (warm-up)"
  "$BENCH_MANY_BIN" "$furl/" 10 "$ca" >/dev/null || die "bench_many over FTPS on $s failed (warm-up)"

  # 1. download to a file
  dst=$WORK/dl/big.bin
  for ((r = 1; r <= RUNS; r++)); do
    for c in $(rotated "$r" ftp-cli curl $BASE_CLIENT); do
      rm -f "$dst" "$WORK"/dl/.big.bin.*.part
      sync
      warm "$WORK/big.bin"
      case $c in
        ftp-cli) run_timed tls_dl "$s" "$c" "$r" "$TIMEOUT" /dev/null "${fc[@]}" cp "$furl/big.bin" "$dst" || continue ;;
        baseline) run_timed tls_dl "$s" "$c" "$r" "$TIMEOUT" /dev/null "${bc[@]}" cp "$furl/big.bin" "$dst" || continue ;;
        curl) run_timed tls_dl "$s" "$c" "$r" "$TIMEOUT" /dev/null "${cc[@]}" -o "$dst" "$curl_url/big.bin" || continue ;;
      esac
      if [[ "$(stat -c %s "$dst" 2>/dev/null)" != "$size" ]] || { ((r == 1)) && ! cmp -s "$dst" "$WORK/big.bin"; }; then
        log "FAILED check (tls_dl $s $c run $r): $dst differs from the source"
        fail_sample
      fi
    done
  done
  rm -f "$dst"

  # 2. upload
  for ((r = 1; r <= RUNS; r++)); do
    for c in $(rotated "$r" ftp-cli curl $BASE_CLIENT); do
      rm -f "$root/up.bin" "$root"/.up.bin.*.part
      sync
      warm "$WORK/big.bin"
      case $c in
        ftp-cli) run_timed tls_ul "$s" "$c" "$r" "$TIMEOUT" /dev/null "${fc[@]}" cp "$WORK/big.bin" "$furl/up.bin" || continue ;;
        baseline) run_timed tls_ul "$s" "$c" "$r" "$TIMEOUT" /dev/null "${bc[@]}" cp "$WORK/big.bin" "$furl/up.bin" || continue ;;
        curl) run_timed tls_ul "$s" "$c" "$r" "$TIMEOUT" /dev/null "${cc[@]}" -T "$WORK/big.bin" "$curl_url/up.bin" || continue ;;
      esac
      if [[ "$(stat -c %s "$root/up.bin" 2>/dev/null)" != "$size" ]] || { ((r == 1)) && ! cmp -s "$root/up.bin" "$WORK/big.bin"; }; then
        log "FAILED check (tls_ul $s $c run $r): the uploaded file differs from the source"
        fail_sample
      fi
    done
  done
  rm -f "$root/up.bin"
  sync

  # 3. peak RSS of the big download
  for ((r = 1; r <= RUNS; r++)); do
    for c in $(rotated "$r" ftp-cli curl); do
      rm -f "$WORK/dl/rss.bin"
      warm "$WORK/big.bin"
      local cmd=("${fc[@]}" cp "$furl/big.bin" "$WORK/dl/rss.bin")
      [[ $c == curl ]] && cmd=("${cc[@]}" -o "$WORK/dl/rss.bin" "$curl_url/big.bin")
      if timeout "$TIMEOUT" /usr/bin/time -v -o "$WORK/rss.txt" "${cmd[@]}" 2>"$WORK/stderr"; then
        kib=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$WORK/rss.txt")
        record tls_rss "$s" "$c" "$r" ok "$kib"
      else
        log "FAILED (tls_rss $s $c run $r): $(head -c 300 "$WORK/stderr")"
        record tls_rss "$s" "$c" "$r" fail 0
      fi
    done
  done
  rm -f "$WORK/dl/rss.bin"

  # 4. MANY small files over one session
  local cfg=$WORK/many-tls-$s.curlrc i f
  : >"$cfg"
  for ((i = 0; i < MANY; i++)); do
    printf -v f 'f%04d' "$i"
    printf 'url = "%s/many/%s"\noutput = "/dev/null"\n' "$curl_url" "$f" >>"$cfg"
  done
  for ((r = 1; r <= RUNS; r++)); do
    for c in $(rotated "$r" ftp-cli curl); do
      warm "$WORK"/data/many/*
      case $c in
        ftp-cli)
          if run_timed tls_many "$s" "$c" "$r" "$TIMEOUT" "$WORK/many.out" "$BENCH_MANY_BIN" "$furl/" "$MANY" "$ca"; then
            if ! grep -q "^files=$MANY bytes=$((MANY * MANY_KIB * 1024)) " "$WORK/many.out"; then
              log "FAILED check (tls_many $s ftp-cli run $r): $(cat "$WORK/many.out")"
              fail_sample
            else
              sed -i "\$ s/\$/;done=$MANY;internal_fps=$(sed -n 's/.*files_per_s=//p' "$WORK/many.out")/" "$SAMPLES"
            fi
          fi
          ;;
        curl) curl_many tls_many "$s" "$r" "$cfg" --ssl-reqd --cacert "$ca" ;;
      esac
    done
  done
}

# Trees: `ftp-cli cp -r` against `lftp mirror` (download) and `mirror -R`
# (upload), at both clients' defaults (ftp-cli: -j 4; lftp: one transfer at
# a time) and at 4 sessions each (-j 4, --parallel=4); then a second run
# over the unchanged download (ftp-cli -u; lftp's mirror skips what is
# there by default); and each client's peak RSS downloading the
# TREE_RSS_FILES-file tree. lftp runs with its defaults but for plain FTP
# and one retry (tree_lftp_script).
tree_lftp_script() { # envfile name body
  local envf=$1 name=$2 body=$3 f
  f=$WORK/lftp-tree-$name.lftp
  cat >"$f" <<EOS
set cmd:fail-exit yes
set cmd:interactive no
set ftp:ssl-allow no
set net:max-retries 1
open -u $(env_get "$envf" FTP_USER),$(env_get "$envf" FTP_PASS) ftp://127.0.0.1:$(env_get "$envf" FTP_PORT)
$body
EOS
  echo "$f"
}

# tree_check MEASURE SERVER CLIENT RUN DIR: DIR must hold the tree (every
# file; on the first run, the same bytes)
tree_check() {
  local n
  n=$(find "$5" -type f ! -name '.*' 2>/dev/null | wc -l)
  if [[ $n != "$TREE_FILES" ]] || { (($4 == 1)) && ! diff -rq "$WORK/tree" "$5" >/dev/null 2>&1; }; then
    log "FAILED check ($1 $2 $3 run $4): $5 holds $n files, expected the $TREE_FILES of the tree"
    fail_sample
  fi
}

# Copies are moved aside, not deleted, until the end of the run: on ext4
# without a journal (this VM) a file created within 30 s of many deletions
# costs a scan over the recently deleted inodes, which would make every
# run's creations (local for downloads, the server's for uploads) pay for
# the previous run's cleanup.
TRASH_N=0
set_aside() { # path...: moved into $WORK/trash (same file system: a rename)
  local p
  mkdir -p "$WORK/trash"
  for p in "$@"; do
    if [[ -e $p ]]; then
      TRASH_N=$((TRASH_N + 1))
      mv "$p" "$WORK/trash/$TRASH_N" 2>/dev/null || rm -rf "$p"
    fi
  done
}

bench_tree() {
  local s=$1 envf=${ENVF[$1]} url root r c dl lf cli mode
  root=$(env_get "$envf" FTP_ROOT)
  url="ftp://$(env_get "$envf" FTP_USER):$(env_get "$envf" FTP_PASS)@127.0.0.1:$(env_get "$envf" FTP_PORT)"
  dl=$WORK/dl/tree
  local clients=(ftp-cli lftp $BASE_CLIENT)
  # warm-up, untimed
  set_aside "$dl"
  "$FTP_CLI" cp -r -q "$url/tree" "$WORK/dl/" 2>/dev/null || die "cp -r of the tree from $s failed (warm-up)"
  set_aside "$dl"
  lftp -f "$(tree_lftp_script "$envf" warm "mirror tree $dl")" >/dev/null || die "lftp mirror from $s failed (warm-up)"
  for ((r = 1; r <= RUNS; r++)); do
    for mode in default "j$TREE_JOBS"; do
      # download (into an existing directory: DL/tree), then the second run
      for c in $(rotated "$r" "${clients[@]}"); do
        set_aside "$dl"
        sync
        warm "$WORK"/tree/*/*
        if [[ $c == lftp ]]; then
          [[ $mode == default ]] && lf=$(tree_lftp_script "$envf" dl "mirror tree $dl") ||
            lf=$(tree_lftp_script "$envf" dlp "mirror --parallel=$TREE_JOBS tree $dl")
          run_timed "tree_dl_$mode" "$s" "$c" "$r" "$TIMEOUT" /dev/null lftp -f "$lf" || continue
          tree_check "tree_dl_$mode" "$s" "$c" "$r" "$dl"
          if [[ $mode == default ]]; then
            run_timed tree_again "$s" "$c" "$r" "$TIMEOUT" /dev/null lftp -f "$lf" || continue
          fi
        else
          cli=$(ftp_bin "$c")
          if [[ $mode == default ]]; then
            run_timed "tree_dl_$mode" "$s" "$c" "$r" "$TIMEOUT" /dev/null "$cli" cp -r -q "$url/tree" "$WORK/dl/" || continue
          else
            run_timed "tree_dl_$mode" "$s" "$c" "$r" "$TIMEOUT" /dev/null "$cli" cp -r -q -j "$TREE_JOBS" "$url/tree" "$WORK/dl/" || continue
          fi
          tree_check "tree_dl_$mode" "$s" "$c" "$r" "$dl"
          if [[ $mode == default ]]; then
            run_timed tree_again "$s" "$c" "$r" "$TIMEOUT" /dev/null "$cli" cp -r -q -u "$url/tree" "$WORK/dl/" || continue
          fi
        fi
      done
      # upload (to a new directory: up)
      for c in $(rotated "$r" "${clients[@]}"); do
        set_aside "$root/up"
        sync
        warm "$WORK"/tree/*/*
        if [[ $c == lftp ]]; then
          [[ $mode == default ]] && lf=$(tree_lftp_script "$envf" ul "mirror -R $WORK/tree up") ||
            lf=$(tree_lftp_script "$envf" ulp "mirror -R --parallel=$TREE_JOBS $WORK/tree up")
          run_timed "tree_ul_$mode" "$s" "$c" "$r" "$TIMEOUT" /dev/null lftp -f "$lf" || continue
        else
          cli=$(ftp_bin "$c")
          if [[ $mode == default ]]; then
            run_timed "tree_ul_$mode" "$s" "$c" "$r" "$TIMEOUT" /dev/null "$cli" cp -r -q "$WORK/tree" "$url/up" || continue
          else
            run_timed "tree_ul_$mode" "$s" "$c" "$r" "$TIMEOUT" /dev/null "$cli" cp -r -q -j "$TREE_JOBS" "$WORK/tree" "$url/up" || continue
          fi
        fi
        tree_check "tree_ul_$mode" "$s" "$c" "$r" "$root/up"
      done
    done
  done
  set_aside "$dl" "$root/up"
  # peak RSS (KiB) downloading the big tree, defaults; steady from run to
  # run, so TREE_RSS_RUNS (1) runs
  local kib
  for ((r = 1; r <= TREE_RSS_RUNS; r++)); do
    for c in $(rotated "$r" ftp-cli lftp); do
      set_aside "$WORK/dl/rsstree"
      sync
      local cmd=("$FTP_CLI" cp -r -q "$url/rsstree" "$WORK/dl/")
      [[ $c == lftp ]] && cmd=(lftp -f "$(tree_lftp_script "$envf" rss "mirror rsstree $WORK/dl/rsstree")")
      if timeout "$TIMEOUT" /usr/bin/time -v -o "$WORK/rss.txt" "${cmd[@]}" >/dev/null 2>"$WORK/stderr"; then
        kib=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$WORK/rss.txt")
        record tree_rss "$s" "$c" "$r" ok "$kib"
      else
        log "FAILED (tree_rss $s $c run $r): $(head -c 300 "$WORK/stderr")"
        record tree_rss "$s" "$c" "$r" fail 0
      fi
    done
  done
  set_aside "$WORK/dl/rsstree"
}

for s in $SERVERS; do
  if only plain; then
    log "benchmarking $s ($RUNS runs per measure)"
    bench_server "$s"
  fi
  if only tree; then
    log "benchmarking trees on $s ($RUNS runs per measure)"
    bench_tree "$s"
  fi
done

# FTPS: servers.sh runs one instance per server name, so each plain server
# is stopped and the same server started again in explicit mode (same ports).
declare -A ENVF_TLS
for s in $TLS_SERVERS; do
  if [[ -n ${ENVF[$s]:-} ]]; then
    "$SERVERS_SH" stop "${ENVF[$s]}" 2>>"$WORK/stop-$s.log" || die "cannot stop $s (plain)"
    unset "ENVF[$s]"
  fi
  envf=$("$SERVERS_SH" start "$s" explicit 2>"$WORK/start-tls-$s.log") ||
    { cat "$WORK/start-tls-$s.log" >&2; die "cannot start $s in explicit TLS mode"; }
  STARTED+=("$envf")
  ENVF_TLS[$s]=$envf
  log "started $s, explicit TLS ($envf)"
  r=$(env_get "$envf" FTP_ROOT)
  ln "$WORK/big.bin" "$r/big.bin" 2>/dev/null || cp "$WORK/big.bin" "$r/big.bin"
  ln "$WORK/small.bin" "$r/small.bin" 2>/dev/null || cp "$WORK/small.bin" "$r/small.bin"
  cp -al "$WORK/data/many" "$r/" 2>/dev/null || cp -a "$WORK/data/many" "$r/"
  log "benchmarking $s over FTPS ($RUNS runs per measure)"
  bench_tls_server "$s"
done

# ------------------------------------------------------------------ report
elapsed=$(($(date +%s) - T_START))
mkdir -p "$RESULTS"
{
  echo "ftp-cli benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')  git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo '+dirty')"
  echo "machine: $(nproc) cpus, $(uname -r), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM; $RUNS runs per measure, clients alternated; medians"
  echo "clients: ftp-cli $("$FTP_CLI" --version 2>/dev/null | head -n1 | awk '{print $2}'), $(curl --version | head -n1 | cut -d' ' -f1-2), lftp $(lftp --version | sed -n 's/.*Version \([^ ]*\).*/\1/p' | head -n1), socat $(socat -V | sed -n 's/^socat version \([^ ]*\).*/\1/p')"
  if [[ -n ${TLS_SERVERS// /} ]]; then
    echo "FTPS: ftp-cli $("$FTP_CLI" --version 2>/dev/null | sed -n 's/^TLS: \([^,(]*\).*/\1/p' | sed 's/ *$//'), curl with $(curl --version | head -n1 | grep -o 'OpenSSL/[^ ]*\|GnuTLS/[^ ]*' | head -n1)"
  fi
  echo "servers: $("$SERVERS_SH" versions 2>/dev/null | grep -E "^($(echo "$SERVERS" | tr ' ' '|')) " | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')"
  BENCH_TLS_SERVERS="$TLS_SERVERS" BENCH_TREE="$TREE_FILES $TREE_KIB $TREE_DIRS $TREE_RSS_FILES" \
    python3 "$HERE/report.py" "$SAMPLES" "$SIZE_MIB" "$RSS_SMALL_MIB" "$MANY" "$LS_ENTRIES" "$STALL_S" $SERVERS
  echo "total wall time of bench/run.sh: ${elapsed} s"
} >"$WORK/table.txt"
cp "$WORK/table.txt" "$RESULTS/latest.txt"
cp "$SAMPLES" "$RESULTS/latest-samples.tsv"
cat "$WORK/table.txt"
log "written $RESULTS/latest.txt and $RESULTS/latest-samples.tsv"
