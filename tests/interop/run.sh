#!/usr/bin/env bash
# The interoperability suite: ftp-cli and the ftp-client library against real
# FTP servers (vsftpd, proftpd, pure-ftpd, pyftpdlib) on loopback.
#
#   tests/interop/run.sh [SERVER...]     SERVER: vsftpd proftpd pureftpd pyftpdlib
#                                        (default: all four, one after the other)
#
# Must run as root (servers.sh installs and starts the servers). Steps:
# servers.sh install; a debug build of target/debug/ftp-cli and of the
# example target/debug/examples/interop; then per server: start it, run every
# case, stop it. Each case prints `ok - <server> <case>` or
# `FAIL - <server> <case>: <detail>`; skipped ones `ok - ... # skip <why>`
# (not counted). The end is a table (server, version, passed, failed,
# skipped, seconds) and the line `N passed, M failed`. Exit status 0 only if
# nothing failed.
#
# Remote files are checked on disk under the server's FTP_ROOT, local ones in
# a scratch directory; every ftp-cli call runs with -v and its stdout/stderr
# must never contain the password. Per-call output is kept under
# target/interop/<server>/ (password-free by the check above).
#
# Environment:
#   FTP_INTEROP_*                passed on to servers.sh (ports, servers dir)
#   CARGO                        cargo binary (default: cargo)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SERVERS_SH=$HERE/servers.sh
CLI=$REPO/target/debug/ftp-cli
EXAMPLE=$REPO/target/debug/examples/interop
LOGROOT=$REPO/target/interop
ALL_SERVERS=(vsftpd proftpd pureftpd pyftpdlib)
# Generous bound on one ftp-cli call so that a hang cannot stall CI forever
# (not a timing assertion: a normal call takes well under a second).
CALL_LIMIT=600

say() { printf '%s\n' "$*"; }
note() { printf 'run.sh: %s\n' "$*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

if [[ $(id -u) != 0 ]]; then
  note "must run as root (servers.sh installs and starts the servers)"
  exit 2
fi

SERVERS=("$@")
((${#SERVERS[@]})) || SERVERS=("${ALL_SERVERS[@]}")
for s in "${SERVERS[@]}"; do
  case " ${ALL_SERVERS[*]} " in
    *" $s "*) ;;
    *) note "unknown server '$s' (expected: ${ALL_SERVERS[*]})"; exit 2 ;;
  esac
done

# ------------------------------------------------------------ bookkeeping
TOTAL_PASS=0 TOTAL_FAIL=0
declare -A S_PASS S_FAIL S_SKIP S_TIME S_VERSION
SERVER='' CURRENT_ENV='' WORK=''

cleanup() {
  if [[ -n $CURRENT_ENV ]]; then
    "$SERVERS_SH" stop "$CURRENT_ENV" >/dev/null 2>&1 || note "could not stop $SERVER"
    CURRENT_ENV=''
  fi
  if [[ -n $WORK && -d $WORK ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'note "interrupted"; exit 130' INT TERM

record() { # pass|fail|skip name [detail]
  local result=$1 name=$2 detail=${3:-}
  detail=${detail//$'\n'/ | }
  case $result in
    pass) say "ok - $SERVER $name"; S_PASS[$SERVER]=$((${S_PASS[$SERVER]:-0} + 1)); TOTAL_PASS=$((TOTAL_PASS + 1)) ;;
    skip) say "ok - $SERVER $name # skip $detail"; S_SKIP[$SERVER]=$((${S_SKIP[$SERVER]:-0} + 1)) ;;
    *) say "FAIL - $SERVER $name: $detail"; S_FAIL[$SERVER]=$((${S_FAIL[$SERVER]:-0} + 1)); TOTAL_FAIL=$((TOTAL_FAIL + 1)) ;;
  esac
}

# A case is a function: it calls `fail DETAIL` (which returns 1, so
# `check || return` stops the case at the first problem) or `skip WHY`.
CASE_ERR='' CASE_SKIP=''
fail() { CASE_ERR+="${CASE_ERR:+; }$*"; return 1; }
skip() { CASE_SKIP=$*; return 0; }
run_case() { # name function
  local name=$1 fn=$2
  CASE_ERR='' CASE_SKIP=''
  "$fn"
  local rc=$?
  if [[ -n $CASE_ERR ]]; then
    record fail "$name" "$CASE_ERR"
  elif ((rc != 0)); then
    record fail "$name" "case stopped with status $rc"
  elif [[ -n $CASE_SKIP ]]; then
    record skip "$name" "$CASE_SKIP"
  else
    record pass "$name"
  fi
}

# ------------------------------------------------------------ helpers
# cli ARGS...: ftp-cli -v ARGS; sets RC, OUTF/ERRF (files), ERRLINE (the
# `ftp-cli: ...` message, empty if none). Fails the case if the password
# (or any string in SECRETS) shows up on stdout or stderr.
CALLS=0 RC=0 OUTF='' ERRF='' ERRLINE=''
SECRETS=()
cli() { run_cli "$CLI" -v "$@"; }
cli_quiet() { run_cli "$CLI" "$@"; }
run_cli() {
  CALLS=$((CALLS + 1))
  OUTF=$LOGDIR/$(printf '%03d' "$CALLS").out
  ERRF=$LOGDIR/$(printf '%03d' "$CALLS").err
  local t0=$EPOCHREALTIME
  timeout "$CALL_LIMIT" "$@" >"$OUTF" 2>"$ERRF"
  RC=$?
  local took shown="$*" secret
  took=$(elapsed "$t0" "$EPOCHREALTIME")
  for secret in "${SECRETS[@]}"; do shown=${shown//"$secret"/****}; done
  printf '$ %s\n' "${shown#"$REPO"/}" >>"$LOGDIR/calls.log"
  printf '%s %s (exit %s, %s s)\n' "$(basename "$OUTF" .out)" "$shown" "$RC" "$took" >>"$LOGDIR/index"
  ERRLINE=$(grep -a '^ftp-cli: ' "$ERRF" | tail -n1)
  if ((RC == 124)); then fail "ftp-cli did not finish within ${CALL_LIMIT}s: $shown"; fi
  for secret in "${SECRETS[@]}"; do
    if grep -aqF -- "$secret" "$OUTF" "$ERRF"; then
      fail "a password appears in the output of: $shown (see $ERRF)"
      # scrub the logs kept under target/
      sed -i "s/$(printf '%s' "$secret" | sed 's/[][\.*^$/]/\\&/g')/<PASSWORD>/g" "$OUTF" "$ERRF"
    fi
  done
  return 0
}

expect_rc() { # N
  [[ $RC == "$1" ]] || fail "exit status $RC, expected $1${ERRLINE:+ ($ERRLINE)}"
}
expect_ok() { expect_rc 0; }
# expect_failure VERB CODE_REGEX: exit 1, exactly one `ftp-cli:` line naming
# the command and a reply code matching CODE_REGEX (e.g. '55[03]').
expect_failure() {
  local verb=$1 code=$2
  expect_rc 1 || return
  [[ -n $ERRLINE ]] || { fail "no 'ftp-cli:' error line on stderr"; return; }
  [[ $(grep -ac '^ftp-cli: ' "$ERRF") == 1 ]] || { fail "more than one error line"; return; }
  [[ $ERRLINE =~ (${verb})[^:]*:\ (${code})\  ]] ||
    fail "error line does not name '$verb' with a ${code} reply: $ERRLINE"
}
same() { # file file
  cmp -s -- "$1" "$2" || fail "$2 differs from $1 ($(size_of "$1") vs $(size_of "$2") bytes)"
}
size_of() { stat -c %s -- "$1" 2>/dev/null || echo missing; }
exists() { [[ -e $1 ]] || fail "$1 does not exist"; }
absent() { [[ ! -e $1 ]] || fail "$1 exists but should not"; }
sha() { sha256sum <"$1" | cut -d' ' -f1; }
random_file() { head -c "$2" /dev/urandom >"$1"; }
# A file or directory created directly under FTP_ROOT: owned by the FTP user,
# world-readable, as files uploaded over FTP would be.
remote_put() { # relative-path [source-file]
  local dst=$FTP_ROOT/$1
  mkdir -p -- "$(dirname -- "$dst")"
  if [[ -n ${2:-} ]]; then cp -- "$2" "$dst"; else : >"$dst"; fi
  chmod 644 -- "$dst"
  chown "$FTP_USER:" -- "$dst"
}
remote_mkdir() { # relative-path
  mkdir -p -- "$FTP_ROOT/$1"
  chmod 755 -- "$FTP_ROOT/$1"
  chown "$FTP_USER:" -- "$FTP_ROOT/$1"
}
no_part_files() { # dir...
  local left
  left=$(find "$@" -name '*.part' -print 2>/dev/null | head -n3)
  [[ -z $left ]] || fail "temporary files left behind: $left"
}
# Snapshot of a tree: every path with type, size, mode, and file hashes.
snapshot() {
  (
    cd -- "$1" || exit 1
    find . -printf '%p\t%y\t%s\t%m\n' | LC_ALL=C sort
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum
  )
}
SNAP_LOCAL='' SNAP_REMOTE=''
snap_both() { SNAP_LOCAL=$(snapshot "$W"); SNAP_REMOTE=$(snapshot "$FTP_ROOT"); }
unchanged_both() {
  local d
  d=$(diff <(printf '%s\n' "$SNAP_LOCAL") <(snapshot "$W") | grep '^[<>]' | head -n4)
  [[ -z $d ]] || fail "local files changed: $d"
  d=$(diff <(printf '%s\n' "$SNAP_REMOTE") <(snapshot "$FTP_ROOT") | grep '^[<>]' | head -n4)
  [[ -z $d ]] || fail "remote files changed: $d"
  [[ -z $CASE_ERR ]]
}

# ------------------------------------------------------------ cases
# Globals per server: BASE (ftp://user:pass@127.0.0.1:port), W (local
# scratch dir), FTP_* from the env file.

c_mkdir() {
  cli mkdir "$BASE/newdir/"; expect_ok || return
  [[ -d $FTP_ROOT/newdir ]] || fail "newdir not created on the server"
  cli mkdir "$BASE/newdir/sub"; expect_ok || return
  [[ -d $FTP_ROOT/newdir/sub ]] || fail "newdir/sub not created on the server"
}

c_ls() {
  remote_mkdir lsdir
  printf 'alpha\n' >"$W/alpha.txt"
  remote_put lsdir/alpha.txt "$W/alpha.txt"
  remote_put lsdir/beta.bin
  cli ls "$BASE/lsdir/"; expect_ok || return
  grep -aqE ' alpha\.txt$' "$OUTF" || fail "alpha.txt not listed: $(head -c 300 "$OUTF")"
  grep -aqE '^-.* 6 .* alpha\.txt$' "$OUTF" || fail "alpha.txt not listed as a 6-byte file"
  grep -aqE ' beta\.bin$' "$OUTF" || fail "beta.bin not listed"
  cli ls "$BASE/"; expect_ok || return
  grep -aqE '^d.* lsdir$' "$OUTF" || fail "lsdir not listed as a directory in /"
}

c_ls_missing_dir() {
  # Servers differ (README.md): an empty successful listing (vsftpd,
  # pure-ftpd), 150 then 450 (proftpd), or 550 (pyftpdlib).
  cli ls "$BASE/no-such-dir/"
  if [[ $RC == 0 ]]; then
    [[ ! -s $OUTF ]] || fail "listing of a missing directory printed: $(head -c 200 "$OUTF")"
  else
    expect_failure LIST '[45][0-9][0-9]'
  fi
}

c_rm() {
  remote_put rm-me.txt
  remote_put keep-me.txt
  cli rm "$BASE/rm-me.txt"; expect_ok || return
  absent "$FTP_ROOT/rm-me.txt"
  exists "$FTP_ROOT/keep-me.txt"
}

c_rmdir() {
  remote_mkdir empty-dir
  cli rmdir "$BASE/empty-dir/"; expect_ok || return
  absent "$FTP_ROOT/empty-dir"
}

c_cp_upload() {
  random_file "$W/up.bin" 300K
  local before
  before=$(sha "$W/up.bin")
  cli cp "$W/up.bin" "$BASE/up.bin"; expect_ok || return
  same "$W/up.bin" "$FTP_ROOT/up.bin"
  [[ $(sha "$W/up.bin") == "$before" ]] || fail "local source changed"
  no_part_files "$FTP_ROOT"
}

c_cp_download() {
  random_file "$W/down.src" 300K
  remote_put down.bin "$W/down.src"
  cli cp "$BASE/down.bin" "$W/down.bin"; expect_ok || return
  same "$W/down.src" "$W/down.bin"
  same "$W/down.src" "$FTP_ROOT/down.bin"
  no_part_files "$W"
}

c_mv_upload() {
  random_file "$W/mvup.bin" 200K
  cp "$W/mvup.bin" "$W/mvup.ref"
  cli mv "$W/mvup.bin" "$BASE/mvup.bin"; expect_ok || return
  absent "$W/mvup.bin"
  same "$W/mvup.ref" "$FTP_ROOT/mvup.bin"
  no_part_files "$FTP_ROOT"
}

c_mv_download() {
  random_file "$W/mvdown.ref" 200K
  remote_put mvdown.bin "$W/mvdown.ref"
  cli mv "$BASE/mvdown.bin" "$W/mvdown.bin"; expect_ok || return
  absent "$FTP_ROOT/mvdown.bin"
  same "$W/mvdown.ref" "$W/mvdown.bin"
  no_part_files "$W"
}

c_replace_existing() {
  # cp onto an existing file replaces it, on both sides (uploads go to a
  # temporary name, then RNFR/RNTO over the old file).
  printf 'old remote content, longer than the new one\n' >"$W/old.txt"
  remote_put replace.txt "$W/old.txt"
  printf 'new content\n' >"$W/replace.txt"
  cli cp "$W/replace.txt" "$BASE/replace.txt"; expect_ok || return
  same "$W/replace.txt" "$FTP_ROOT/replace.txt" || return
  printf 'remote wins\n' >"$W/remote.txt"
  remote_put replace2.txt "$W/remote.txt"
  printf 'old local content, longer than the new one\n' >"$W/replace2.txt"
  cli cp "$BASE/replace2.txt" "$W/replace2.txt"; expect_ok || return
  same "$W/remote.txt" "$W/replace2.txt"
  no_part_files "$W" "$FTP_ROOT"
}

c_special_chars() {
  # '#', '%', '?', '+' and '&' in names: percent-encoded in the URL given,
  # and in the URL the client builds when it appends the local name.
  local name='odd #1 100%+?&.txt' enc='odd%20%231%20100%25+%3F&.txt'
  printf 'odd\n' >"$W/$name"
  cli cp "$W/$name" "$BASE/$enc"; expect_ok || return
  same "$W/$name" "$FTP_ROOT/$name" || return
  remote_mkdir oddir
  cli cp "$W/$name" "$BASE/oddir/"; expect_ok || return
  same "$W/$name" "$FTP_ROOT/oddir/$name" || return
  mkdir -p "$W/odd-dest"
  cli cp "$BASE/oddir/$enc" "$W/odd-dest/"; expect_ok || return
  same "$W/$name" "$W/odd-dest/$name"
}

c_upload_to_dir_url() {
  remote_mkdir updir
  printf 'into a directory URL\n' >"$W/todir.txt"
  cli cp "$W/todir.txt" "$BASE/updir/"; expect_ok || return
  same "$W/todir.txt" "$FTP_ROOT/updir/todir.txt"
  [[ $(find "$FTP_ROOT/updir" -mindepth 1 | wc -l) == 1 ]] ||
    fail "updir holds more than todir.txt: $(ls -A "$FTP_ROOT/updir")"
}

c_download_into_dir() {
  printf 'into a local directory\n' >"$W/intodir.ref"
  remote_put intodir.txt "$W/intodir.ref"
  mkdir -p "$W/dest" "$W/dest2"
  cli cp "$BASE/intodir.txt" "$W/dest"; expect_ok || return
  same "$W/intodir.ref" "$W/dest/intodir.txt"
  cli cp "$BASE/intodir.txt" "$W/dest2/"; expect_ok || return
  same "$W/intodir.ref" "$W/dest2/intodir.txt"
  [[ $(find "$W/dest" "$W/dest2" -mindepth 1 | wc -l) == 2 ]] || fail "unexpected files in dest dirs"
}

c_empty_upload() {
  : >"$W/empty-up.bin"
  cli cp "$W/empty-up.bin" "$BASE/empty-up.bin"; expect_ok || return
  exists "$FTP_ROOT/empty-up.bin" || return
  same "$W/empty-up.bin" "$FTP_ROOT/empty-up.bin"
}

c_empty_download() {
  remote_put empty-down.bin
  cli cp "$BASE/empty-down.bin" "$W/empty-down.bin"; expect_ok || return
  exists "$W/empty-down.bin" || return
  same "$FTP_ROOT/empty-down.bin" "$W/empty-down.bin"
}

c_big_upload() {
  cli cp "$BIG" "$BASE/big-up.bin"; expect_ok || return
  [[ $(size_of "$FTP_ROOT/big-up.bin") == "$BIG_SIZE" ]] ||
    fail "remote size $(size_of "$FTP_ROOT/big-up.bin"), expected $BIG_SIZE"
  [[ $(sha "$FTP_ROOT/big-up.bin") == "$BIG_SHA" ]] || fail "remote sha256 differs"
  cmp -s "$BIG" "$FTP_ROOT/big-up.bin" || fail "cmp: remote copy differs"
  rm -f "$FTP_ROOT/big-up.bin"
}

c_big_download() {
  remote_put big-down.bin "$BIG"
  cli cp "$BASE/big-down.bin" "$W/big-down.bin"; expect_ok || return
  [[ $(sha "$W/big-down.bin") == "$BIG_SHA" ]] || fail "local sha256 differs"
  cmp -s "$BIG" "$W/big-down.bin" || fail "cmp: local copy differs"
  rm -f "$FTP_ROOT/big-down.bin" "$W/big-down.bin"
}

c_utf8_upload() {
  local name='my file ü.txt' enc='my%20file%20%C3%BC.txt'
  printf 'grüße aus %s\n' "$SERVER" >"$W/$name"
  cli cp "$W/$name" "$BASE/$enc"; expect_ok || return
  same "$W/$name" "$FTP_ROOT/$name" || return
  cli ls "$BASE/"; expect_ok || return
  grep -aqF " $name" "$OUTF" || fail "ls does not show '$name'"
  cli rm "$BASE/$enc"; expect_ok || return
  absent "$FTP_ROOT/$name"
}

c_utf8_download() {
  local name='dl file ü.txt' enc='dl%20file%20%C3%BC.txt'
  printf 'ünïcödé\n' >"$W/utf8.ref"
  remote_put "$name" "$W/utf8.ref"
  mkdir -p "$W/utf8dest"
  cli cp "$BASE/$enc" "$W/utf8dest/"; expect_ok || return
  same "$W/utf8.ref" "$W/utf8dest/$name"
}

c_many_entries() {
  remote_mkdir many
  (cd "$FTP_ROOT/many" && seq -f 'f%04g.txt' 0 2999 | xargs touch && chmod 644 ./* && chown "$FTP_USER:" ./*) ||
    { fail "could not create the files"; return; }
  cli ls "$BASE/many/"; expect_ok || return
  local n uniq
  n=$(grep -acE ' f[0-9]{4}\.txt$' "$OUTF")
  uniq=$(grep -aoE ' f[0-9]{4}\.txt$' "$OUTF" | sort -u | wc -l)
  [[ $n == 3000 && $uniq == 3000 ]] ||
    fail "listed $n file lines ($uniq distinct names), expected 3000 ($(wc -l <"$OUTF") lines in all)"
  rm -rf "$FTP_ROOT/many"
}

c_anonymous_ls() {
  [[ ${FTP_ANON:-0} == 1 ]] || { skip "FTP_ANON=0"; return; }
  cli ls "ftp://127.0.0.1:$FTP_PORT/"; expect_ok || return
  grep -aqE '^-.* 35 .* README\.txt$' "$OUTF" ||
    fail "README.txt (35 bytes) not listed: $(head -c 300 "$OUTF")"
  cli cp "ftp://127.0.0.1:$FTP_PORT/README.txt" "$W/anon-readme.txt"; expect_ok || return
  same "$FTP_ANON_ROOT/README.txt" "$W/anon-readme.txt"
}

c_anonymous_upload_refused() {
  [[ ${FTP_ANON:-0} == 1 ]] || { skip "FTP_ANON=0"; return; }
  printf 'x\n' >"$W/anon-up.txt"
  local before
  before=$(snapshot "$FTP_ANON_ROOT")
  cli cp "$W/anon-up.txt" "ftp://127.0.0.1:$FTP_PORT/anon-up.txt"
  expect_failure STOR '5[0-9][0-9]' || return
  [[ $(snapshot "$FTP_ANON_ROOT") == "$before" ]] || fail "anonymous area changed"
  exists "$W/anon-up.txt"
}

c_fail_download_missing() {
  mkdir -p "$W/faildir"
  snap_both
  cli cp "$BASE/missing.bin" "$W/faildir/missing.bin"
  expect_failure 'RETR missing\.bin' '550' || return
  absent "$W/faildir/missing.bin"
  cli cp "$BASE/missing.bin" "$W/faildir/"
  expect_failure 'RETR missing\.bin' '550' || return
  unchanged_both
}

c_fail_quiet_one_line() {
  mkdir -p "$W/faildir"
  snap_both
  cli_quiet cp "$BASE/missing.bin" "$W/faildir/"
  expect_rc 1 || return
  local lines prefix="ftp-cli: cp ftp://$FTP_USER:****@127.0.0.1:$FTP_PORT/missing.bin: RETR missing.bin: 550 "
  lines=$(wc -l <"$ERRF")
  [[ $lines == 1 ]] || fail "stderr has $lines lines without -v, expected 1: $(head -c 300 "$ERRF")"
  [[ $(head -n1 "$ERRF") == "$prefix"* ]] || fail "stderr '$(head -n1 "$ERRF")' does not start with '$prefix'"
  [[ ! -s $OUTF ]] || fail "stdout not empty"
  unchanged_both
}

c_fail_rmdir_nonempty() {
  remote_mkdir full
  remote_put full/inner.txt
  snap_both
  cli rmdir "$BASE/full/"
  expect_failure 'RMD full' '5[0-9][0-9]' || return
  unchanged_both
}

c_fail_wrong_password() {
  local bad='wrong-pw-7f3a'
  SECRETS+=("$bad")
  snap_both
  cli ls "ftp://$FTP_USER:$bad@127.0.0.1:$FTP_PORT/"
  expect_failure 'PASS|login' '530' || return
  grep -aq '> PASS \*\*\*\*' "$ERRF" || fail "-v transcript does not show 'PASS ****'"
  printf 'x\n' >"$W/pw.txt"
  snap_both
  cli cp "$W/pw.txt" "ftp://$FTP_USER:$bad@127.0.0.1:$FTP_PORT/pw.txt"
  expect_failure 'PASS|login' '530' || return
  unchanged_both
}

c_fail_upload_missing_dir() {
  printf 'nowhere to go\n' >"$W/orphan.txt"
  snap_both
  cli cp "$W/orphan.txt" "$BASE/no-such-dir/orphan.txt"
  expect_failure 'STOR no-such-dir/' '55[0-9]' || return
  cli mv "$W/orphan.txt" "$BASE/no-such-dir/orphan.txt"
  expect_failure 'STOR no-such-dir/' '55[0-9]' || return
  cli cp "$W/orphan.txt" "$BASE/no-such-dir/"
  expect_failure 'STOR no-such-dir/' '55[0-9]' || return
  unchanged_both
}

c_fail_mkdir_existing_rm_missing() {
  remote_mkdir exists-dir
  snap_both
  cli mkdir "$BASE/exists-dir/"
  expect_failure 'MKD exists-dir' '5[0-9][0-9]' || return
  cli rm "$BASE/no-such-file.txt"
  expect_failure 'DELE no-such-file\.txt' '550' || return
  unchanged_both
}

c_fail_download_over_existing() {
  # An existing local file, and downloads onto it that the server refuses:
  # a file it cannot read (root-owned, mode 600) and a missing one.
  printf 'precious local content\n' >"$W/keep.txt"
  printf 'secret\n' >"$FTP_ROOT/unreadable.txt"
  chown root:root "$FTP_ROOT/unreadable.txt"
  chmod 600 "$FTP_ROOT/unreadable.txt"
  snap_both
  cli cp "$BASE/unreadable.txt" "$W/keep.txt"
  expect_failure 'RETR unreadable\.txt' '5[0-9][0-9]' || return
  cli mv "$BASE/unreadable.txt" "$W/keep.txt"
  expect_failure 'RETR unreadable\.txt' '5[0-9][0-9]' || return
  cli cp "$BASE/missing.bin" "$W/keep.txt"
  expect_failure 'RETR missing\.bin' '550' || return
  [[ $(cat "$W/keep.txt") == 'precious local content' ]] || fail "keep.txt lost its content"
  unchanged_both
  rm -f "$FTP_ROOT/unreadable.txt"
}

c_fail_download_midway() {
  # The transfer starts, then writing the local temporary file fails
  # (RLIMIT_FSIZE 1 MiB, SIGXFSZ ignored: write() returns EFBIG). The
  # existing destination must keep its content; no temporary file stays.
  random_file "$W/midway.src" 5M
  remote_put midway.bin "$W/midway.src"
  printf 'precious local content\n' >"$W/midway.txt"
  snap_both
  run_cli bash -c 'trap "" XFSZ; ulimit -f 1024; exec "$@"' limit-1MiB "$CLI" -v \
    cp "$BASE/midway.bin" "$W/midway.txt"
  expect_rc 1 || return
  [[ $(cat "$W/midway.txt") == 'precious local content' ]] || fail "midway.txt lost its content"
  unchanged_both || return
  [[ $ERRLINE == *'File too large'* ]] ||
    fail "the message hides the local cause (EFBIG): $ERRLINE"
}

c_verbose_masks_password() {
  cli ls "$BASE/"; expect_ok || return
  grep -aq '^> PASS \*\*\*\*$' "$ERRF" || fail "-v transcript lacks '> PASS ****'"
  grep -aq '^> USER ' "$ERRF" || fail "-v transcript lacks the USER command"
}

c_ipv6() {
  [[ ${FTP_IPV6:-0} == 1 && -n ${FTP_HOST6:-} ]] || { skip "FTP_IPV6=0"; return; }
  local url6="ftp://$FTP_USER:$FTP_PASS@[$FTP_HOST6]:$FTP_PORT"
  random_file "$W/v6.ref" 1M
  remote_put v6.bin "$W/v6.ref"
  cli cp "$url6/v6.bin" "$W/v6.bin"; expect_ok || return
  same "$W/v6.ref" "$W/v6.bin" || return
  grep -aqF "connected to [$FTP_HOST6]:$FTP_PORT" "$ERRF" || fail "-v does not show a connection to [$FTP_HOST6]:$FTP_PORT"
  grep -aq '^> EPSV' "$ERRF" || fail "no EPSV over IPv6"
  cli cp "$W/v6.ref" "$url6/v6-up.bin"; expect_ok || return
  same "$W/v6.ref" "$FTP_ROOT/v6-up.bin"
}

# The library example: one case per line it prints.
library() { # label url
  local label=$1 url=$2 line out rc
  CALLS=$((CALLS + 1))
  out=$LOGDIR/$(printf '%03d' "$CALLS").example
  local t0=$EPOCHREALTIME
  timeout "$CALL_LIMIT" "$EXAMPLE" "$url" >"$out" 2>"$out.err"
  rc=$?
  printf '%s %s example (exit %s, %s s)\n' "$(basename "$out" .example)" "$label" "$rc" \
    "$(elapsed "$t0" "$EPOCHREALTIME")" >>"$LOGDIR/index"
  local seen=0
  while IFS= read -r line; do
    case $line in
      'ok - '*) record pass "$label: ${line#ok - }"; seen=$((seen + 1)) ;;
      'FAIL - '*) line=${line#FAIL - }; record fail "$label: ${line%%: *}" "${line#*: }"; seen=$((seen + 1)) ;;
    esac
  done <"$out"
  if grep -aqF -- "$FTP_PASS" "$out" "$out.err"; then record fail "$label: password hidden" "the example printed the password"; fi
  if ((rc != 0)) && ! grep -aq '^FAIL - ' "$out"; then
    record fail "$label: exit status" "exit $rc: $(head -c 300 "$out.err")"
  elif ((rc == 0 && seen < 10)); then
    record fail "$label: checks ran" "only $seen checks reported"
  fi
}

# ------------------------------------------------------------ per server
load_env() { # env file -> FTP_* globals
  local key value
  while IFS='=' read -r key value; do
    [[ $key =~ ^FTP_[A-Z0-9_]+$ ]] && printf -v "$key" '%s' "$value"
  done <"$1"
}

run_server() {
  SERVER=$1
  S_PASS[$SERVER]=0 S_FAIL[$SERVER]=0 S_SKIP[$SERVER]=0 S_VERSION[$SERVER]='?'
  local t0 envf
  t0=$(now)
  LOGDIR=$LOGROOT/$SERVER
  rm -rf "$LOGDIR"
  mkdir -p "$LOGDIR"
  CALLS=0
  unset FTP_ANON FTP_ANON_ROOT FTP_IPV6 FTP_HOST6 FTP_SERVER_VERSION
  if ! envf=$("$SERVERS_SH" start "$SERVER" 2>"$LOGDIR/start.log"); then
    record fail start "servers.sh start $SERVER failed: $(tail -n3 "$LOGDIR/start.log")$(
      grep -q 'already started' "$LOGDIR/start.log" &&
        printf ' (in use by another run? see README.md, FTP_INTEROP_SERVERS_DIR)')"
    S_TIME[$SERVER]=$(elapsed "$t0" "$(now)")
    return
  fi
  CURRENT_ENV=$envf
  load_env "$envf"
  S_VERSION[$SERVER]=${FTP_SERVER_VERSION:-?}
  SECRETS=("$FTP_PASS")
  BASE="ftp://$FTP_USER:$FTP_PASS@$FTP_HOST:$FTP_PORT"
  W=$WORK/$SERVER
  mkdir -p "$W"

  run_case "mkdir" c_mkdir
  run_case "ls" c_ls
  run_case "ls missing directory" c_ls_missing_dir
  run_case "rm" c_rm
  run_case "rmdir" c_rmdir
  run_case "cp upload" c_cp_upload
  run_case "cp download" c_cp_download
  run_case "mv upload" c_mv_upload
  run_case "mv download" c_mv_download
  run_case "cp replaces existing files" c_replace_existing
  run_case "special characters in names" c_special_chars
  run_case "upload to directory URL" c_upload_to_dir_url
  run_case "download into local directory" c_download_into_dir
  run_case "empty file upload" c_empty_upload
  run_case "empty file download" c_empty_download
  run_case "50 MiB upload" c_big_upload
  run_case "50 MiB download" c_big_download
  run_case "UTF-8 name upload" c_utf8_upload
  run_case "UTF-8 name download" c_utf8_download
  run_case "ls 3000 entries" c_many_entries
  run_case "anonymous ls" c_anonymous_ls
  run_case "anonymous upload refused" c_anonymous_upload_refused
  run_case "verbose masks password" c_verbose_masks_password
  run_case "fail: download missing file" c_fail_download_missing
  run_case "fail: quiet error is one line" c_fail_quiet_one_line
  run_case "fail: rmdir non-empty" c_fail_rmdir_nonempty
  run_case "fail: wrong password" c_fail_wrong_password
  run_case "fail: upload into missing directory" c_fail_upload_missing_dir
  run_case "fail: mkdir existing, rm missing" c_fail_mkdir_existing_rm_missing
  run_case "fail: refused download over existing file" c_fail_download_over_existing
  run_case "fail: download failing midway over existing file" c_fail_download_midway
  run_case "IPv6 [::1] download and upload" c_ipv6
  library lib "$BASE/"
  if [[ ${FTP_IPV6:-0} == 1 && -n ${FTP_HOST6:-} ]]; then
    library lib6 "ftp://$FTP_USER:$FTP_PASS@[$FTP_HOST6]:$FTP_PORT/"
  fi

  if ! "$SERVERS_SH" stop "$envf" 2>>"$LOGDIR/start.log"; then
    record fail stop "servers.sh stop failed: $(tail -n2 "$LOGDIR/start.log")"
  fi
  CURRENT_ENV=''
  S_TIME[$SERVER]=$(elapsed "$t0" "$(now)")
}

# ------------------------------------------------------------ main
T0=$(now)
"$SERVERS_SH" install || { note "servers.sh install failed"; say "0 passed, 1 failed"; exit 1; }
note "building ftp-cli and examples/interop.rs (debug)"
(cd "$REPO" && "${CARGO:-cargo}" build -p ftp-cli -p ftp-suite --bin ftp-cli --example interop) ||
  { note "cargo build failed"; say "0 passed, 1 failed"; exit 1; }
[[ -x $CLI && -x $EXAMPLE ]] || { note "missing $CLI or $EXAMPLE after the build"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ftp-interop-run.XXXXXX")
chmod 755 "$WORK"
BIG=$WORK/big.bin
head -c 50M /dev/urandom >"$BIG"
BIG_SIZE=$(size_of "$BIG")
BIG_SHA=$(sha "$BIG")

for s in "${SERVERS[@]}"; do
  note "== $s"
  run_server "$s"
done

say ""
printf '%-10s %-8s %7s %7s %8s %8s\n' server version passed failed skipped seconds
for s in "${SERVERS[@]}"; do
  printf '%-10s %-8s %7s %7s %8s %8s\n' "$s" "${S_VERSION[$s]}" "${S_PASS[$s]:-0}" "${S_FAIL[$s]:-0}" \
    "${S_SKIP[$s]:-0}" "${S_TIME[$s]:-?}"
done
printf 'total time %s s; per-call output in %s/\n' "$(elapsed "$T0" "$(now)")" "${LOGROOT#"$REPO"/}"
say "$TOTAL_PASS passed, $TOTAL_FAIL failed"
((TOTAL_FAIL == 0))
