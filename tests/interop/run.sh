#!/usr/bin/env bash
# The interoperability suite: the end-to-end matrix (ftp-cli/tests/matrix/,
# the CLI's, and tests/library_matrix/, the library's: the same cases
# `cargo test` runs against the in-process server) against real FTP servers
# on loopback.
#
#   tests/interop/run.sh [SERVER[:MODE[:TLSMAX]][+PROXY]...] [-- MATRIX-ARGS...]
#       SERVER: vsftpd proftpd pureftpd pyftpdlib
#       MODE: plain (default), explicit or implicit (FTPS; implicit on vsftpd
#       and proftpd only); TLSMAX: 1.3 (default) or 1.2, the newest TLS
#       version the client offers
#       PROXY: socks5 (microsocks), socks5-login (microsocks with a user and
#       password), http (tinyproxy, HTTP CONNECT), dante (Dante's danted,
#       SOCKS5 with BIND) or dante-login (the same with a login): every
#       connection of the matrix goes through it (active-mode cases skipped
#       but behind dante, the one that accepts connections); these targets
#       run the groups in PROXY_GROUPS below only (plus active behind
#       dante), as the rest repeats what the
#       direct targets cover and costs minutes. The TLS ones run TLS 1.3:
#       neither microsocks nor tinyproxy carries a half-close (a FIN closes
#       both directions), which is why an upload over TLS through a proxy
#       ends with close_notify and lets the server close first.
#       Default: each server in clear, each over explicit TLS with TLS 1.3
#       and 1.2, vsftpd and proftpd over implicit TLS with 1.3 and 1.2, and
#       vsftpd through SOCKS5 and HTTP CONNECT (clear and explicit TLS),
#       through SOCKS5 with a login, and through Dante (active mode too).
#       cross: the cross-server step: vsftpd and proFTPD at once, in
#       clear, the matrix's cross-server group (cp and mv, file and -r,
#       between them, both ways) with vsftpd as the target and proFTPD as
#       its peer (FTP_PEER_*). It runs after everything else, lanes
#       included, so that neither server's ports are in use by a lane.
#       In the default runs, last.
#       MATRIX-ARGS: passed to both test binaries (one name filter, --exact,
#       --list, ...)
#
# Must run as root (servers.sh installs and starts the servers). Steps:
# servers.sh install; build the matrix test binary (debug, with ftp-cli);
# then per server: start it, run the binary with the server described by
# FTP_TARGET_* variables, stop it. Each run appends its outcomes to
# target/interop/results.tsv; the end is the table of every case group ×
# server (passed/failed/skipped) and the line `N passed, M failed, K skipped`.
# A failed case leaves the command line, stdout and stderr (with the -v
# transcript; passwords masked) of each of its ftp-cli runs in
# target/interop/<server>/<trial>/, and runs once more, alone: a case that
# passes then counts as passed and is named at the end ("passed only when
# run again"), its first output kept. The end lists every first failure.
# Exit status 0 only if nothing failed. All the cases live in Rust; this
# script only knows how to start servers and describe them.
#
# Environment:
#   FTP_INTEROP_*                passed on to servers.sh (ports, servers dir)
#   FTP_MATRIX_GROUPS            the groups a target behind a proxy runs
#                                (comma-separated; default $PROXY_GROUPS)
#   FTP_MATRIX_THREADS           trials run at once against a server (default
#                                1 for pyftpdlib over TLS, see run_server;
#                                4: much of a trial is waiting on the server)
#   FTP_INTEROP_LANES            2 (default): vsftpd and pyftpdlib in one
#                                lane, proFTPD and Pure-FTPd in another, run
#                                at once when the targets span both (each
#                                lane's output in target/interop/lane-N.log);
#                                1: every target in turn, output here
#   CARGO                        cargo binary (default: cargo)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SERVERS_SH=$HERE/servers.sh
LOGROOT=$REPO/target/interop
RESULTS=$LOGROOT/results.tsv
# A lane (set by this script for its own children, see run_lanes) runs its
# targets with the matrix binary the parent built, and leaves what the
# parent needs in files named after it.
LANE=${FTP_INTEROP_LANE:-}
[[ -n $LANE ]] && RESULTS=$LOGROOT/results-$LANE.tsv
ALL_SERVERS=(vsftpd proftpd pureftpd pyftpdlib)
# proFTPD has no ":1.2" runs by default: the client offers a server whose
# greeting names proFTPD TLS 1.2 at most (it issues no TLS 1.3 ticket for
# uploads), so its TLS runs already negotiate TLS 1.2 throughout; the
# implicit run also covers the TLS 1.3 handshake made again before the
# login. Name them to run them (proftpd:explicit:1.2, proftpd:implicit:1.2).
DEFAULT_RUNS=(
  vsftpd proftpd pureftpd pyftpdlib
  vsftpd:explicit proftpd:explicit pureftpd:explicit pyftpdlib:explicit
  vsftpd:explicit:1.2 pureftpd:explicit:1.2 pyftpdlib:explicit:1.2
  vsftpd:implicit proftpd:implicit vsftpd:implicit:1.2
  vsftpd+socks5 vsftpd:explicit+socks5 vsftpd+http vsftpd:explicit+http vsftpd+socks5-login
  vsftpd+dante vsftpd+dante-login
  cross
)
ALL_PROXIES=(socks5 socks5-login http dante dante-login)
# The case groups a target behind a proxy runs (FTP_MATRIX_GROUPS).
PROXY_GROUPS=cli,library-tokio,tls

note() { printf 'run.sh: %s\n' "$*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

if [[ $(id -u) != 0 ]]; then
  note "must run as root (servers.sh installs and starts the servers)"
  exit 2
fi

SERVERS=() MATRIX_ARGS=()
while (($#)); do
  case $1 in
    --) shift; MATRIX_ARGS=("$@"); break ;;
    *) SERVERS+=("$1"); shift ;;
  esac
done
((${#SERVERS[@]})) || SERVERS=("${DEFAULT_RUNS[@]}")
CROSS=0
for s in "${SERVERS[@]}"; do
  if [[ $s == cross ]]; then
    CROSS=1
    continue
  fi
  proxy=''
  [[ $s == *+* ]] && proxy=${s#*+}
  if [[ -n $proxy && " ${ALL_PROXIES[*]} " != *" $proxy "* ]]; then
    note "unknown proxy '$proxy' (expected: ${ALL_PROXIES[*]})"
    exit 2
  fi
  IFS=: read -r name mode max <<<"${s%%+*}"
  case " ${ALL_SERVERS[*]} " in
    *" $name "*) ;;
    *) note "unknown server '$name' (expected: ${ALL_SERVERS[*]})"; exit 2 ;;
  esac
  case ${mode:-plain}:${max:-1.3} in
    plain:1.3 | explicit:1.[23] | implicit:1.[23]) ;;
    *) note "bad mode '$s' (SERVER[:plain|explicit|implicit[:1.2|1.3]])"; exit 2 ;;
  esac
done

# The cross step is not a target of its own: it runs at the end.
TARGETS=()
for s in "${SERVERS[@]}"; do [[ $s == cross ]] || TARGETS+=("$s"); done
SERVERS=("${TARGETS[@]}")

CURRENT_ENV='' CURRENT_PROXY='' CURRENT_PEER=''
cleanup() {
  if [[ -n $CURRENT_PROXY ]]; then
    "$SERVERS_SH" proxy-stop "$CURRENT_PROXY" >/dev/null 2>&1 || note "could not stop the proxy"
    CURRENT_PROXY=''
  fi
  if [[ -n $CURRENT_ENV ]]; then
    "$SERVERS_SH" stop "$CURRENT_ENV" >/dev/null 2>&1 || note "could not stop the server"
    CURRENT_ENV=''
  fi
  if [[ -n $CURRENT_PEER ]]; then
    "$SERVERS_SH" stop "$CURRENT_PEER" >/dev/null 2>&1 || note "could not stop the peer server"
    CURRENT_PEER=''
  fi
}
trap cleanup EXIT
trap 'note "interrupted"; exit 130' INT TERM

# Failures outside the matrix (a server that does not start or stop, a
# build that fails) count too.
OTHER_FAILURES=0
fail_outside() { note "FAIL: $*"; OTHER_FAILURES=$((OTHER_FAILURES + 1)); }

load_env() { # env file -> FTP_* globals
  local key value
  while IFS='=' read -r key value; do
    [[ $key =~ ^FTP_[A-Z0-9_]+$ ]] && printf -v "$key" '%s' "$value"
  done <"$1"
}

# Describe the running server to the matrix (tests/support/matrix/target.rs,
# Target::from_env).
target_env() {
  local creds="$FTP_USER:$FTP_PASS"
  TARGET_ENV=(
    "FTP_TARGET=$FTP_SERVER"
    "FTP_TARGET_VERSION=${FTP_SERVER_VERSION:-?}"
    "FTP_TARGET_URL=ftp://$creds@$FTP_HOST:$FTP_PORT/"
    "FTP_TARGET_ROOT=$FTP_ROOT"
    "FTP_TARGET_PASV_ADDRESS=${FTP_PASV_ADDRESS:-}"
    "FTP_TARGET_FEATURES=${FTP_FEATURES:-}"
    "FTP_TARGET_TLS=${FTP_TLS:-plain}"
    "FTP_TARGET_CA=${FTP_CA:-}"
    "FTP_TARGET_TLS_MAX=${RUN_TLS_MAX:-1.3}"
  )
  if [[ ${FTP_IPV6:-0} == 1 && -n ${FTP_HOST6:-} ]]; then
    TARGET_ENV+=("FTP_TARGET_URL6=ftp://$creds@[$FTP_HOST6]:$FTP_PORT/")
  fi
  if [[ ${FTP_ANON:-0} == 1 && -n ${FTP_ANON_ROOT:-} ]]; then
    TARGET_ENV+=("FTP_TARGET_ANON_ROOT=$FTP_ANON_ROOT")
    TARGET_ENV+=("FTP_TARGET_ANON_DROP_BOX=${FTP_ANON_DROP_BOX:-}")
  fi
}

# A case that failed runs once more, alone, against the same server. If
# it passes then, its record becomes a pass and the run's end lists it
# under "passed only when run again", with the first run's output kept in
# matrix.out (library.out): a flaky case is reported, never hidden.
FLAKY=()
rerun_failed() { # logs dir, matrix binary, its output file name
  local logs=$1 binary=$2 out=$3 name target group
  while read -r name; do
    [[ -n $name ]] || continue
    note "running $name again, alone"
    if env "${TARGET_ENV[@]}" "$binary" --exact "$name" --test-threads 1 >>"$logs/rerun.out" 2>&1; then
      IFS=: read -r target group _ <<<"${name//::/:}"
      # One failed record of this target and group becomes a pass.
      awk -F'\t' -v t="$target" -v g="$group" '
        !done && $1 == t && $2 == g && $3 == "failed" { print t "\t" g "\tpassed"; done = 1; next }
        { print }' "$RESULTS" >"$RESULTS.tmp" && mv "$RESULTS.tmp" "$RESULTS"
      FLAKY+=("$name")
    fi
  done < <(sed -n '/^failures:/,/^test result/p' "$logs/$out" | sed -n 's/^    \([^ ]*::[^ ]*\)$/\1/p' | sort -u)
}

declare -A S_TIME
run_server() {
  local spec=$1 server mode t0 envf proxy='' proxy_env=''
  [[ $spec == *+* ]] && proxy=${spec#*+}
  IFS=: read -r server mode RUN_TLS_MAX <<<"${spec%%+*}"
  mode=${mode:-plain}
  RUN_TLS_MAX=${RUN_TLS_MAX:-1.3}
  local logs=$LOGROOT/${spec//:/-}
  t0=$(now)
  rm -rf "${logs:?}"
  mkdir -p "$logs"
  unset FTP_ANON FTP_ANON_ROOT FTP_ANON_DROP_BOX FTP_IPV6 FTP_HOST6 FTP_SERVER_VERSION FTP_PASV_ADDRESS FTP_FEATURES FTP_TLS FTP_CA
  if ! envf=$("$SERVERS_SH" start "$server" "$mode" 2>"$logs/start.log"); then
    fail_outside "servers.sh start $spec: $(tail -n3 "$logs/start.log")$(
      grep -q 'already started' "$logs/start.log" &&
        printf ' (in use by another run? see README.md, FTP_INTEROP_SERVERS_DIR)')"
    S_TIME[$spec]=$(elapsed "$t0" "$(now)")
    return
  fi
  CURRENT_ENV=$envf
  load_env "$envf"
  target_env
  if [[ -n $proxy ]]; then
    if ! proxy_env=$("$SERVERS_SH" proxy-start "$proxy" "$envf" 2>>"$logs/start.log"); then
      fail_outside "servers.sh proxy-start $proxy: $(tail -n3 "$logs/start.log")"
      "$SERVERS_SH" stop "$envf" >/dev/null 2>&1
      CURRENT_ENV=''
      S_TIME[$spec]=$(elapsed "$t0" "$(now)")
      return
    fi
    CURRENT_PROXY=$proxy_env
    TARGET_ENV+=(
      "FTP_TARGET_PROXY=$(sed -n 's/^FTP_PROXY_URL=//p' "$proxy_env")"
      "FTP_TARGET_PROXY_NAME=$proxy"
      "FTP_TARGET_PROXY_BIND=$(sed -n 's/^FTP_PROXY_BIND=//p' "$proxy_env")"
    )
    local groups=$PROXY_GROUPS
    [[ $proxy == dante* ]] && groups+=,active,active-tokio
    TARGET_ENV+=("FTP_MATRIX_GROUPS=${FTP_MATRIX_GROUPS:-$groups}")
  fi
  # pyftpdlib over TLS takes one trial at a time: with several sessions at
  # once, its single-process loop now and then fails an upload's TLS data
  # connection with OpenSSL 3's "unexpected eof while reading", an error
  # its TLS handler does not catch, and then never sends the STOR's final
  # reply (the client waits out its timeout). See README.md.
  local threads=${FTP_MATRIX_THREADS:-4}
  if [[ $server == pyftpdlib && $mode != plain && -z ${FTP_MATRIX_THREADS:-} ]]; then
    threads=1
  fi
  # The CLI's matrix, then the library's, into the same results.
  local binary out rc
  for binary in "$MATRIX" "$LIBRARY_MATRIX"; do
    out=matrix.out
    [[ $binary == "$LIBRARY_MATRIX" ]] && out=library.out
    env "${TARGET_ENV[@]}" FTP_MATRIX_RESULTS="$RESULTS" FTP_MATRIX_LOGS="$logs" "$binary" \
      --test-threads "$threads" "${MATRIX_ARGS[@]}" | tee "$logs/$out"
    # The binary's exit status is its failures, already in $RESULTS; 2
    # means it could not run at all.
    rc=${PIPESTATUS[0]}
    ((rc == 0 || rc == 1)) || fail_outside "the matrix ($out) against $spec exited with $rc"
    ((rc == 1)) && rerun_failed "$logs" "$binary" "$out"
  done
  if [[ -n $proxy_env ]]; then
    "$SERVERS_SH" proxy-stop "$proxy_env" 2>>"$logs/start.log" || fail_outside "servers.sh proxy-stop $proxy"
    CURRENT_PROXY=''
  fi
  if ! "$SERVERS_SH" stop "$envf" 2>>"$logs/start.log"; then
    fail_outside "servers.sh stop $spec: $(tail -n2 "$logs/start.log")"
  fi
  CURRENT_ENV=''
  S_TIME[$spec]=$(elapsed "$t0" "$(now)")
}

# The cross step: vsftpd as the target, proFTPD as its peer (both in
# clear, each on its own ports as in the lanes), the cross-server group.
run_cross() {
  local t0 envt envp logs=$LOGROOT/cross peer_env
  t0=$(now)
  rm -rf "${logs:?}"
  mkdir -p "$logs"
  unset FTP_ANON FTP_ANON_ROOT FTP_ANON_DROP_BOX FTP_IPV6 FTP_HOST6 FTP_SERVER_VERSION FTP_PASV_ADDRESS FTP_FEATURES FTP_TLS FTP_CA
  if ! envp=$("$SERVERS_SH" start proftpd plain 2>"$logs/start.log"); then
    fail_outside "servers.sh start proftpd (cross): $(tail -n3 "$logs/start.log")"
    S_TIME[cross]=$(elapsed "$t0" "$(now)")
    return
  fi
  CURRENT_PEER=$envp
  load_env "$envp"
  peer_env=(
    "FTP_PEER=$FTP_SERVER"
    "FTP_PEER_VERSION=${FTP_SERVER_VERSION:-?}"
    "FTP_PEER_URL=ftp://$FTP_USER:$FTP_PASS@$FTP_HOST:$FTP_PORT/"
    "FTP_PEER_ROOT=$FTP_ROOT"
  )
  unset FTP_ANON FTP_ANON_ROOT FTP_ANON_DROP_BOX FTP_IPV6 FTP_HOST6 FTP_SERVER_VERSION FTP_PASV_ADDRESS FTP_FEATURES FTP_TLS FTP_CA
  if ! envt=$("$SERVERS_SH" start vsftpd plain 2>>"$logs/start.log"); then
    fail_outside "servers.sh start vsftpd (cross): $(tail -n3 "$logs/start.log")"
  else
    CURRENT_ENV=$envt
    load_env "$envt"
    RUN_TLS_MAX=1.3
    target_env
    TARGET_ENV+=("${peer_env[@]}" "FTP_MATRIX_GROUPS=cross-server")
    env "${TARGET_ENV[@]}" FTP_MATRIX_RESULTS="$RESULTS" FTP_MATRIX_LOGS="$logs" "$MATRIX" \
      --test-threads "${FTP_MATRIX_THREADS:-4}" "${MATRIX_ARGS[@]}" | tee "$logs/matrix.out"
    local rc=${PIPESTATUS[0]}
    ((rc == 0 || rc == 1)) || fail_outside "the matrix's cross step exited with $rc"
    ((rc == 1)) && rerun_failed "$logs" "$MATRIX" matrix.out
    "$SERVERS_SH" stop "$envt" 2>>"$logs/start.log" || fail_outside "servers.sh stop vsftpd (cross)"
    CURRENT_ENV=''
  fi
  "$SERVERS_SH" stop "$envp" 2>>"$logs/start.log" || fail_outside "servers.sh stop proftpd (cross)"
  CURRENT_PEER=''
  S_TIME[cross]=$(elapsed "$t0" "$(now)")
}

# Lanes: two sequences of targets run at once, each server in one lane
# only (a server's modes share its ports; every proxy fronts vsftpd), so
# that one lane's trials use the CPU while the other's wait on a server.
# Each lane is this script again with FTP_INTEROP_LANE set; its output
# goes to target/interop/lane-N.log, and its results, reruns, failures
# and times to files beside it, which the end below reads.
LANES=${FTP_INTEROP_LANES:-2}
lane_of() { # target -> 0 or 1
  case ${1%%[:+]*} in vsftpd | pyftpdlib) echo 0 ;; *) echo 1 ;; esac
}
run_lanes() {
  local lane pids=() specs
  for lane in 0 1; do
    specs=()
    for s in "${SERVERS[@]}"; do [[ $(lane_of "$s") == "$lane" ]] && specs+=("$s"); done
    ((${#specs[@]})) || continue
    note "lane $lane: ${specs[*]} (output in $LOGROOT/lane-$lane.log)"
    FTP_INTEROP_LANE=$lane FTP_INTEROP_MATRIX=$MATRIX FTP_INTEROP_LIBRARY_MATRIX=$LIBRARY_MATRIX "$0" "${specs[@]}" -- "${MATRIX_ARGS[@]}" \
      >"$LOGROOT/lane-$lane.log" 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  for lane in 0 1; do
    [[ -f $LOGROOT/results-$lane.tsv ]] && cat "$LOGROOT/results-$lane.tsv" >>"$RESULTS"
    [[ -f $LOGROOT/flaky-$lane.txt ]] && mapfile -t -O "${#FLAKY[@]}" FLAKY <"$LOGROOT/flaky-$lane.txt"
    [[ -f $LOGROOT/times-$lane.txt ]] && while read -r spec secs; do S_TIME[$spec]=$secs; done <"$LOGROOT/times-$lane.txt"
    if [[ -f $LOGROOT/other-$lane.txt ]]; then
      OTHER_FAILURES=$((OTHER_FAILURES + $(cat "$LOGROOT/other-$lane.txt")))
    else
      fail_outside "lane $lane ended without its summary: see $LOGROOT/lane-$lane.log"
    fi
    grep 'FAIL:' "$LOGROOT/lane-$lane.log" >&2
  done
}

# ------------------------------------------------------------ main
T0=$(now)
mkdir -p "$LOGROOT"
rm -f "$RESULTS"
if [[ -n $LANE ]]; then
  MATRIX=$FTP_INTEROP_MATRIX
  LIBRARY_MATRIX=$FTP_INTEROP_LIBRARY_MATRIX
  rm -f "$LOGROOT"/{flaky,times,other}-"$LANE".txt
  for s in "${SERVERS[@]}"; do
    note "== $s"
    run_server "$s"
  done
  printf '%s\n' "${FLAKY[@]}" | sed '/^$/d' >"$LOGROOT/flaky-$LANE.txt"
  for s in "${SERVERS[@]}"; do echo "$s ${S_TIME[$s]:-?}"; done >"$LOGROOT/times-$LANE.txt"
  echo "$OTHER_FAILURES" >"$LOGROOT/other-$LANE.txt"
  exit 0
fi
rm -f "$LOGROOT"/results-*.tsv "$LOGROOT"/lane-*.log
"$SERVERS_SH" install || { note "servers.sh install failed"; echo "0 passed, 1 failed"; exit 1; }
note "building the matrix test binaries (the CLI's and the library's) and ftp-cli (debug)"
BUILD_LOG=$LOGROOT/build.log
(cd "$REPO" && "${CARGO:-cargo}" test -p ftp-cli --test matrix --no-run &&
  "${CARGO:-cargo}" test -p ftp-suite --test library_matrix --no-run) >"$BUILD_LOG" 2>&1 ||
  { cat "$BUILD_LOG" >&2; note "cargo build failed"; echo "0 passed, 1 failed"; exit 1; }
executable() { # the test binary built from SOURCE (as cargo names it)
  local path
  path=$(sed -n "s|^ *Executable $1 (\\(.*\\))\$|\\1|p" "$BUILD_LOG" | tail -n1)
  [[ -z $path || $path == /* ]] || path=$REPO/$path
  echo "$path"
}
MATRIX=$(executable tests/matrix/main.rs)
LIBRARY_MATRIX=$(executable tests/library_matrix/main.rs)
for binary in "$MATRIX" "$LIBRARY_MATRIX"; do
  [[ -x $binary ]] || { note "a matrix binary is missing in $BUILD_LOG"; echo "0 passed, 1 failed"; exit 1; }
done

spans=$(for s in "${SERVERS[@]}"; do lane_of "$s"; done | sort -u | wc -l)
if ((LANES > 1 && spans > 1)); then
  run_lanes
else
  for s in "${SERVERS[@]}"; do
    note "== $s"
    run_server "$s"
  done
fi
if ((CROSS)); then
  note "== cross (vsftpd and proftpd)"
  run_cross
  SERVERS+=(cross)
fi

echo
for s in "${SERVERS[@]}"; do note "$s: ${S_TIME[$s]:-?} s"; done
note "total time $(elapsed "$T0" "$(now)") s"
# Where the time went: the slowest trials of the run (times.tsv, written
# by the matrix beside each target's logs).
if compgen -G "$LOGROOT/*/times.tsv" >/dev/null; then
  note "the slowest trials (seconds):"
  cat "$LOGROOT"/*/times.tsv | sort -t$'\t' -k2,2 -rn | head -n 12 |
    awk -F'\t' '{ printf "  %7s  %s\n", $2, $1 }' >&2
fi
if [[ -s $RESULTS ]]; then
  FTP_MATRIX_RESULTS=$RESULTS FTP_MATRIX_SUMMARY_ONLY=1 "$MATRIX" | grep -v ' passed, .* failed'
fi
# The failed cases again, with what each said, where the end of a long
# log shows them.
for s in "${SERVERS[@]}"; do
  for out in "$LOGROOT/${s//:/-}"/{matrix,library}.out; do
    [[ -s $out ]] && grep -q '^failures:' "$out" || continue
    note "failures against $s (logs in ${out%/*}):"
    sed -n '/^failures:/,/^test result/p' "$out" | head -n 60
  done
done
if ((${#FLAKY[@]})); then
  note "passed only when run again (the first run's output is in target/interop/*/{matrix,library}.out):"
  printf '  %s\n' "${FLAKY[@]}" >&2
fi
read -r PASSED FAILED SKIPPED < <(awk -F'\t' '
  $3 == "passed" { p++ } $3 == "failed" { f++ } $3 == "skipped" { s++ }
  END { printf "%d %d %d\n", p, f, s }' "$RESULTS" 2>/dev/null || echo "0 0 0")
FAILED=$((FAILED + OTHER_FAILURES))
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
((FAILED == 0))
