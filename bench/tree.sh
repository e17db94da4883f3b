#!/usr/bin/env bash
# The tree rows of bench/run.sh alone: `ftp-cli cp -r` against
# `lftp mirror` / `mirror -R` on vsftpd and Pure-FTPd (issue 13's benchmark
# rows). Same settings as run.sh (BENCH_RUNS, BENCH_SERVERS, BENCH_TREE_*;
# see bench/README.md, "Trees").
#
#   bench/tree.sh                                  # = BENCH_ONLY=tree bench/run.sh
#   BENCH_RUNS=3 BENCH_SERVERS=vsftpd bench/tree.sh
exec env BENCH_ONLY=tree "$(dirname "${BASH_SOURCE[0]}")/run.sh" "$@"
