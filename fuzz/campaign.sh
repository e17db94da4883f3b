#!/usr/bin/env bash
# A fuzzing campaign: every target in turn, one core, for a fixed time each,
# then one table of executions, coverage and crashes per target.
#
#   fuzz/campaign.sh [TARGET...]      default: all four targets
#   FUZZ_SECONDS=1800                 time per target (default 1800 = 30 min)
#
# Needs cargo-fuzz (`cargo install --locked cargo-fuzz`). Stable Rust is
# enough: RUSTC_BOOTSTRAP=1 lets it accept cargo-fuzz's -Z flags. The corpus
# persists in fuzz/corpus/<target>/ between campaigns, so each run starts where
# the last one stopped; crashes land in fuzz/artifacts/<target>/. Logs go to
# fuzz/logs/<target>.log. Exit status 1 if any target found a crash.
set -euo pipefail
cd "$(dirname "$0")"

SECONDS_EACH=${FUZZ_SECONDS:-1800}
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=(reply_parser decoders listing session_bytes session_replies)
export RUSTC_BOOTSTRAP=1 CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}

cargo fuzz build -s none
mkdir -p logs

declare -A RUNS TIME COV CRASHES
status=0
for target in "${TARGETS[@]}"; do
    mkdir -p "corpus/$target" "artifacts/$target"
    before=$(find "artifacts/$target" -type f | wc -l)
    echo "campaign: $target for ${SECONDS_EACH}s" >&2
    # libFuzzer exits non-zero on a crash; the table reports it.
    cargo fuzz run -s none "$target" -- \
        -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
        >"logs/$target.log" 2>&1 || true
    after=$(find "artifacts/$target" -type f | wc -l)
    RUNS[$target]=$(sed -n 's/^stat::number_of_executed_units: *//p' "logs/$target.log" | tail -1)
    TIME[$target]=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "logs/$target.log" | tail -1)
    COV[$target]=$(grep -oE 'cov: [0-9]+' "logs/$target.log" | tail -1 | cut -d' ' -f2)
    CRASHES[$target]=$((after - before))
    ((CRASHES[$target] == 0)) || status=1
done

printf '\n| target | seconds | executions | execs/s | coverage (edges) | new crashes |\n'
printf '|---|---:|---:|---:|---:|---:|\n'
for target in "${TARGETS[@]}"; do
    runs=${RUNS[$target]:-0} secs=${TIME[$target]:-0}
    rate=$(awk -v r="$runs" -v s="$secs" 'BEGIN { if (s > 0) printf "%d", r / s; else print "-" }')
    printf '| %s | %s | %s | %s | %s | %s |\n' "$target" "${secs:--}" "$runs" "$rate" \
        "${COV[$target]:--}" "${CRASHES[$target]}"
done
exit $status
