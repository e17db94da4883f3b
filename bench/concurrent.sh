#!/usr/bin/env bash
# Many sessions at once: BENCH_SESSIONS (100) concurrent sessions, each
# downloading BENCH_FILES (100) files of 1 KiB from the in-process server
# (libunftp, `examples/serve.rs`, in a process of its own), as tokio tasks
# of the async client on one runtime (2 workers) and as one thread per
# blocking client. BENCH_RUNS (5) runs of each, interleaved; prints the
# medians of files/s, of the client process's peak RSS (GNU time's maximum
# resident set size) and of its CPU time (user + system). Not part of `cargo test`; refuses to run in CI.
#
#   bench/concurrent.sh
#   BENCH_RUNS=3 BENCH_SESSIONS=50 bench/concurrent.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${CI:-}" ]; then
    echo "bench/concurrent.sh: a manual benchmark; not run in CI" >&2
    exit 2
fi
sessions=${BENCH_SESSIONS:-100}
files=${BENCH_FILES:-100}
runs=${BENCH_RUNS:-5}
time_bin=/usr/bin/time
if [ ! -x "$time_bin" ]; then
    echo "bench/concurrent.sh: GNU time ($time_bin) is needed for peak RSS" >&2
    exit 2
fi

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    cargo build --release --example bench_concurrent --example serve >&2
fi
bench=target/release/examples/bench_concurrent

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-concurrent.XXXXXX")
target/release/examples/serve 3600 >"$tmp/serve.out" &
serve_pid=$!
cleanup() {
    kill "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

for _ in $(seq 100); do
    [ "$(wc -l <"$tmp/serve.out")" -ge 2 ] && break
    sleep 0.1
done
url=$(sed -n 1p "$tmp/serve.out")
root=$(sed -n 2p "$tmp/serve.out" | sed 's/^serving //')
if [ -z "$url" ] || [ ! -d "$root" ]; then
    echo "bench/concurrent.sh: the server did not start" >&2
    exit 1
fi
mkdir -p "$root/many"
for i in $(seq 0 $((files - 1))); do
    head -c 1024 /dev/urandom >"$root/many/$(printf 'f%03d' "$i")"
done

# One run: prints "FILES_PER_S RSS_KIB CPU_SECONDS" (the client process's
# user + system time).
run() {
    local mode=$1 out
    out=$("$time_bin" -f '%M %U %S' -o "$tmp/rss" "$bench" "$mode" "$sessions" "$files" "$url")
    local rate=${out##*files_per_s=}
    rate=${rate%% *}
    tail -n 1 "$tmp/rss" | awk -v rate="$rate" '{ printf "%s %s %.2f\n", rate, $1, $2 + $3 }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

: >"$tmp/async" && : >"$tmp/threads"
for r in $(seq "$runs"); do
    # Alternate which goes first: the machine is shared and noisy.
    if [ $((r % 2)) -eq 1 ]; then order="async threads"; else order="threads async"; fi
    for mode in $order; do
        result=$(run "$mode")
        echo "run $r $mode: files/s peak_rss_kib cpu_s = $result" >&2
        echo "$result" >>"$tmp/$mode"
    done
done

printf '\n%d sessions x %d files of 1 KiB, in-process server (libunftp) on loopback, medians of %d runs\n' \
    "$sessions" "$files" "$runs"
printf '%-42s %8s %13s %12s\n' "client" "files/s" "peak RSS MiB" "client CPU s"
for mode in async threads; do
    rate=$(cut -d' ' -f1 "$tmp/$mode" | median)
    rss=$(cut -d' ' -f2 "$tmp/$mode" | median)
    cpu=$(cut -d' ' -f3 "$tmp/$mode" | median)
    case $mode in
        async) label="ftp_client::tokio, $sessions tasks, 2 workers" ;;
        threads) label="ftp_client::Client, $sessions threads" ;;
    esac
    printf '%-42s %8.0f %13.1f %12.2f\n' "$label" "$rate" "$(echo "$rss / 1024" | bc -l)" "$cpu"
done
