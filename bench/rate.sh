#!/usr/bin/env bash
# Rate limits: the rate ftp-cli achieves under --limit-rate (and
# --limit-total over cp -r -j 4) against the limit, beside curl's
# --limit-rate in the same run, on the in-process server (libunftp,
# `examples/serve.rs`, in a process of its own). Each transfer moves
# BENCH_SECONDS (10) worth of bytes at each rate of BENCH_RATES ("500K 2M",
# curl's syntax); BENCH_RUNS (3) runs, interleaved; prints the medians of
# the achieved rate (bytes over the whole command's wall time, connection
# and login included) and its error against the limit. No root needed;
# not part of `cargo test`; refuses to run in CI.
#
#   bench/rate.sh
#   BENCH_RUNS=1 BENCH_RATES=1M BENCH_PROFILE=debug bench/rate.sh   # quick
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${CI:-}" ]; then
    echo "bench/rate.sh: a manual benchmark; not run in CI" >&2
    exit 2
fi
rates=${BENCH_RATES:-500K 2M}
seconds=${BENCH_SECONDS:-10}
runs=${BENCH_RUNS:-3}
profile=${BENCH_PROFILE:-release}
command -v curl >/dev/null || { echo "bench/rate.sh: curl is needed" >&2; exit 2; }

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    flag=--release
    [ "$profile" = release ] || flag=
    cargo build $flag -p ftp-cli >&2
    cargo build $flag -p ftp-suite --example serve >&2
fi
ftp_cli=target/$profile/ftp-cli

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-rate.XXXXXX")
"target/$profile/examples/serve" 3600 >"$tmp/serve.out" &
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
url=${url%/}
root=$(sed -n 2p "$tmp/serve.out" | sed 's/^serving //')
if [ -z "$url" ] || [ ! -d "$root" ]; then
    echo "bench/rate.sh: the server did not start" >&2
    exit 1
fi

# Bytes per second from curl's syntax (K, M, G: 1024-based).
bytes_per_s() {
    local n=${1%[kKmMgG]} unit=${1##*[0-9]}
    case $unit in
        '') echo "$n" ;;
        k | K) echo $((n * 1024)) ;;
        m | M) echo $((n * 1024 * 1024)) ;;
        g | G) echo $((n * 1024 * 1024 * 1024)) ;;
    esac
}

# Runs "$@" and prints its wall time in seconds.
timed() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || { echo "bench/rate.sh: failed: $*" >&2; exit 1; }
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

rows="ftp-cli_get curl_get ftp-cli_put curl_put ftp-cli_tree"
for rate in $rates; do
    bps=$(bytes_per_s "$rate")
    len=$((bps * seconds))
    head -c "$len" /dev/urandom >"$root/r$rate.bin"
    mkdir -p "$root/tree$rate"
    for i in 1 2 3 4; do head -c $((len / 4)) /dev/urandom >"$root/tree$rate/f$i.bin"; done
    cp "$root/r$rate.bin" "$tmp/up.bin"
    for row in $rows; do : >"$tmp/$rate.$row"; done
    for r in $(seq "$runs"); do
        # Alternate the order: the machine is shared and noisy.
        order=$rows
        [ $((r % 2)) -eq 0 ] && order=$(echo "$rows" | tr ' ' '\n' | tac | tr '\n' ' ')
        for row in $order; do
            rm -rf "$tmp/out" && mkdir -p "$tmp/out"
            case $row in
                ftp-cli_get) t=$(timed "$ftp_cli" -q --limit-rate "$rate" cp "$url/r$rate.bin" "$tmp/out/") ;;
                curl_get) t=$(timed curl -s --limit-rate "$rate" -o "$tmp/out/r.bin" "$url/r$rate.bin") ;;
                ftp-cli_put) t=$(timed "$ftp_cli" -q --limit-rate "$rate" cp "$tmp/up.bin" "$url/up-ftp-cli.bin") ;;
                curl_put) t=$(timed curl -s --limit-rate "$rate" -T "$tmp/up.bin" "$url/up-curl.bin") ;;
                ftp-cli_tree) t=$(timed "$ftp_cli" -q --limit-total "$rate" cp -r -j 4 "$url/tree$rate" "$tmp/out/") ;;
            esac
            moved=$len
            [ "$row" = ftp-cli_tree ] && moved=$((len / 4 * 4))
            achieved=$(echo "$moved / $t" | bc -l)
            echo "run $r $rate $row: $t s, $(printf '%.0f' "$achieved") B/s" >&2
            echo "$achieved" >>"$tmp/$rate.$row"
        done
    done
done

printf '\nRate limits: %s s worth at each rate, in-process server (libunftp) on loopback, medians of %d runs\n' \
    "$seconds" "$runs"
printf '%-8s %-44s %12s %10s\n' "limit" "client" "achieved B/s" "vs limit"
for rate in $rates; do
    bps=$(bytes_per_s "$rate")
    for row in $rows; do
        achieved=$(median <"$tmp/$rate.$row")
        case $row in
            ftp-cli_get) label="ftp-cli --limit-rate cp (download)" ;;
            curl_get) label="curl --limit-rate (download)" ;;
            ftp-cli_put) label="ftp-cli --limit-rate cp (upload)" ;;
            curl_put) label="curl --limit-rate -T (upload)" ;;
            ftp-cli_tree) label="ftp-cli --limit-total cp -r -j 4 (download)" ;;
        esac
        printf '%-8s %-44s %12.0f %+9.1f%%\n' "$rate" "$label" "$achieved" \
            "$(echo "($achieved / $bps - 1) * 100" | bc -l)"
    done
done
