#!/usr/bin/env bash
# Install, start and stop real FTP servers on loopback for the interop tests.
#
#   servers.sh install              idempotent: libs via apt, server .debs
#                                   extracted into .servers/, pyftpdlib via pip,
#                                   unix users ftptest (+ ftp for anonymous)
#   servers.sh start NAME [MODE]    NAME: vsftpd | proftpd | pureftpd | pyftpdlib
#                                   MODE: plain (default) | explicit | implicit
#                                   (FTPS: TLS required on control and data,
#                                   certificate from a test CA made for the
#                                   run; implicit on vsftpd and proftpd only)
#                                   prints the path of a KEY=VALUE env file
#   servers.sh stop NAME|ENVFILE    kills the recorded pid(s) + descendants, removes run dir
#   servers.sh stop-all             stops every server started from this checkout
#   servers.sh proxy-start KIND SERVER-ENVFILE
#                                   KIND: socks5 | socks5-login (microsocks) |
#                                   http (tinyproxy, CONNECT to that server's
#                                   ports only) | dante (danted, with BIND);
#                                   prints a KEY=VALUE env file
#   servers.sh proxy-stop ENVFILE   stops that proxy
#   servers.sh status               lists running servers (from the state dir)
#   servers.sh versions             prints the installed server versions
#
# FTP_INTEROP_VSFTPD_EXTRA_CONF: lines appended to vsftpd's configuration
# (bench/segments.sh: local_max_rate).
#
# Everything generated at run time lives in a mktemp -d run dir; nothing is
# written to /etc except the two unix users (useradd/chpasswd). See README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVERS_DIR=${FTP_INTEROP_SERVERS_DIR:-$HERE/.servers}
STATE_DIR=$SERVERS_DIR/state
PYLIB=$SERVERS_DIR/pylib
PYFTPDLIB_VERSION=${PYFTPDLIB_VERSION:-2.2.0}
PYOPENSSL_VERSION=${PYOPENSSL_VERSION:-25.3.0}
PYTHON=${FTP_INTEROP_PYTHON:-python3}

FTP_USER_NAME=ftptest
FTP_USER_PASS=ftptest-pw
ANON_UNIX_USER=ftp
# Fixed homes of the unix users (outside /etc, shared by all runs):
#   $INTEROP_VAR/home   home of ftptest (vsftpd chdir()s there before chroot)
#   $INTEROP_VAR/anon   home of "ftp": a symlink, normally to $INTEROP_VAR/empty;
#                       pure-ftpd always chroots anonymous users into ~ftp, so
#                       while pure-ftpd runs it points at that run's anon/.
INTEROP_VAR=/var/lib/ftp-interop
ANON_HOME_LINK=$INTEROP_VAR/anon
VSFTPD_PASV_ADDRESS=192.0.2.1 # TEST-NET-1: unreachable on purpose
GREETING_TIMEOUT=${FTP_INTEROP_TIMEOUT:-10}

ALL_SERVERS="vsftpd proftpd pureftpd pyftpdlib"
DEBS="vsftpd proftpd-core proftpd-mod-crypto pure-ftpd microsocks tinyproxy-bin dante-server"
ALL_PROXIES="socks5 socks5-login http dante dante-login"
PROXY_USER=proxyuser
PROXY_PASS=proxy-pw

log() { printf 'servers.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- ports
default_index() {
  case $1 in
    vsftpd) echo 0 ;; proftpd) echo 1 ;; pureftpd) echo 2 ;; pyftpdlib) echo 3 ;;
    *) die "unknown server '$1' (expected one of: $ALL_SERVERS)" ;;
  esac
}
# Overridable with FTP_INTEROP_<NAME>_PORT / _PASV_MIN / _PASV_MAX.
server_port() {
  local v="FTP_INTEROP_${1^^}_PORT"
  echo "${!v:-$((2121 + $(default_index "$1")))}"
}
pasv_min() {
  local v="FTP_INTEROP_${1^^}_PASV_MIN"
  echo "${!v:-$((30000 + 100 * $(default_index "$1")))}"
}
pasv_max() {
  local v="FTP_INTEROP_${1^^}_PASV_MAX"
  echo "${!v:-$((30099 + 100 * $(default_index "$1")))}"
}

# ---------------------------------------------------------------- paths
pkg_dir() { # extracted .deb tree per server
  case $1 in
    vsftpd) echo "$SERVERS_DIR/vsftpd" ;;
    proftpd | proftpd-core) echo "$SERVERS_DIR/proftpd" ;;
    proftpd-mod-crypto) echo "$SERVERS_DIR/proftpd-crypto" ;;
    pureftpd | pure-ftpd) echo "$SERVERS_DIR/pureftpd" ;;
    microsocks) echo "$SERVERS_DIR/microsocks" ;;
    tinyproxy | tinyproxy-bin) echo "$SERVERS_DIR/tinyproxy" ;;
    dante | dante-server) echo "$SERVERS_DIR/dante" ;;
  esac
}
VSFTPD_BIN() { echo "$(pkg_dir vsftpd)/usr/sbin/vsftpd"; }
PROFTPD_BIN() { echo "$(pkg_dir proftpd)/usr/sbin/proftpd"; }
PUREFTPD_BIN() { echo "$(pkg_dir pureftpd)/usr/sbin/pure-ftpd"; }
PUREPW_BIN() { echo "$(pkg_dir pureftpd)/usr/bin/pure-pw"; }
MICROSOCKS_BIN() { echo "$(pkg_dir microsocks)/usr/bin/microsocks"; }
TINYPROXY_BIN() { echo "$(pkg_dir tinyproxy)/usr/bin/tinyproxy"; }
DANTE_BIN() { echo "$(pkg_dir dante)/usr/sbin/danted"; }
all_bins() { VSFTPD_BIN; PROFTPD_BIN; PUREFTPD_BIN; PUREPW_BIN; MICROSOCKS_BIN; TINYPROXY_BIN; DANTE_BIN; }

# ---------------------------------------------------------------- versions
server_version() {
  case $1 in
    vsftpd) "$(VSFTPD_BIN)" -v 0>&1 2>&1 | sed -n 's/^vsftpd: version //p' ;;
    proftpd) "$(PROFTPD_BIN)" -v 2>&1 | sed -n 's/^ProFTPD Version //p' ;;
    pureftpd) "$(PUREFTPD_BIN)" --help 2>&1 | sed -n 's/^pure-ftpd v\([^ ]*\).*/\1/p' | head -n1 ;;
    pyftpdlib) PYTHONPATH=$PYLIB "$PYTHON" -c 'import pyftpdlib; print(pyftpdlib.__ver__)' ;;
  esac
}
deb_version() { cat "$(pkg_dir "$1")/.deb-version" 2>/dev/null || echo "?"; }

# ---------------------------------------------------------------- users
ensure_users() {
  # Fixed, always-existing homes: vsftpd chdir()s into the unix home before
  # chrooting into local_root/anon_root, so the homes must exist.
  mkdir -p "$INTEROP_VAR/home" "$INTEROP_VAR/empty"
  chmod 755 "$INTEROP_VAR" "$INTEROP_VAR/home" "$INTEROP_VAR/empty"
  if [[ ! -e $ANON_HOME_LINK ]]; then ln -sfn "$INTEROP_VAR/empty" "$ANON_HOME_LINK"; fi
  local created=0
  if ! getent passwd "$FTP_USER_NAME" >/dev/null; then
    log "creating unix user $FTP_USER_NAME"
    useradd --no-create-home --home-dir "$INTEROP_VAR/home" --shell /usr/sbin/nologin \
      --comment "FTP interop test user" "$FTP_USER_NAME"
    created=1
  elif [[ "$(getent passwd "$FTP_USER_NAME" | cut -d: -f6)" != "$INTEROP_VAR/home" ]]; then
    usermod --home "$INTEROP_VAR/home" "$FTP_USER_NAME"
  fi
  if [[ $created == 1 ]] || ! password_ok; then
    # SHA-512 crypt (not bookworm's default yescrypt) so password_ok can check it
    echo "$FTP_USER_NAME:$(openssl passwd -6 "$FTP_USER_PASS")" | chpasswd -e
  fi
  if ! getent passwd "$ANON_UNIX_USER" >/dev/null; then
    log "creating unix user $ANON_UNIX_USER (anonymous FTP identity, home $ANON_HOME_LINK)"
    useradd --system --user-group --no-create-home --home-dir "$ANON_HOME_LINK" \
      --shell /usr/sbin/nologin --comment "anonymous FTP (interop tests)" "$ANON_UNIX_USER"
  fi
}
password_ok() { # ftptest's shadow hash matches FTP_USER_PASS (SHA-512 crypt)
  local hash salt
  hash=$(getent shadow "$FTP_USER_NAME" | cut -d: -f2)
  # shellcheck disable=SC2016 # literal "$6$"
  [[ $hash == '$6$'* ]] || return 1
  salt=$(cut -d'$' -f3 <<<"$hash")
  [[ "$(openssl passwd -6 -salt "$salt" "$FTP_USER_PASS")" == "$hash" ]]
}
users_ready() {
  [[ "$(getent passwd "$FTP_USER_NAME" | cut -d: -f6)" == "$INTEROP_VAR/home" ]] &&
    getent passwd "$ANON_UNIX_USER" >/dev/null && [[ -d $INTEROP_VAR/home && -e $ANON_HOME_LINK ]]
}
# Atomically repoint the anonymous home symlink.
point_anon_home() {
  ln -sfn "$1" "$ANON_HOME_LINK.tmp$$"
  mv -T "$ANON_HOME_LINK.tmp$$" "$ANON_HOME_LINK"
}
uid_of() { id -u "$1"; }
gid_of() { id -g "$1"; }

# ---------------------------------------------------------------- install
bins_resolve() { # all extracted binaries present and every shared lib found
  local b
  for b in $(all_bins); do
    [[ -x $b ]] || return 1
    if ldd "$b" 2>/dev/null | grep -q 'not found'; then return 1; fi
  done
  return 0
}

lib_deps_of_debs() { # lib*/zlib* runtime deps of the downloaded .debs
  local f
  for f in "$SERVERS_DIR"/debs/*.deb; do
    dpkg-deb -f "$f" Depends Pre-Depends
  done | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/:any//' -e 's/[[:space:]]//g' |
    grep -E '^(lib|zlib)' | sort -u
}

cmd_install() {
  local t0=$SECONDS apt_updated=0 pkg need_extract=0
  mkdir -p "$SERVERS_DIR/debs" "$STATE_DIR"
  printf '*\n' >"$SERVERS_DIR/.gitignore"
  export DEBIAN_FRONTEND=noninteractive

  apt_update_once() {
    if [[ $apt_updated == 0 ]]; then
      log "apt-get update"
      apt-get update -qq >"$SERVERS_DIR/apt.log" 2>&1 || { cat "$SERVERS_DIR/apt.log" >&2; die "apt-get update failed"; }
      apt_updated=1
    fi
  }

  # 1. server packages: apt-get download + dpkg-deb -x (they conflict, so
  #    they are never installed with dpkg).
  for pkg in $DEBS; do
    local dir
    dir=$(pkg_dir "$pkg")
    if [[ -f $dir/.extracted ]] && compgen -G "$SERVERS_DIR/debs/${pkg}_*.deb" >/dev/null; then continue; fi
    need_extract=1
    apt_update_once
    log "downloading $pkg"
    rm -f "$SERVERS_DIR/debs/${pkg}_"*.deb
    # (apt warns that _apt cannot write here and downloads unsandboxed: harmless)
    if ! (cd "$SERVERS_DIR/debs" && apt-get download -q "$pkg") >"$SERVERS_DIR/debs/download.log" 2>&1; then
      cat "$SERVERS_DIR/debs/download.log" >&2
      die "apt-get download $pkg failed"
    fi
    ls "$SERVERS_DIR/debs/${pkg}_"*.deb >/dev/null 2>&1 || die "apt-get download $pkg failed"
    rm -rf "$dir"
    mkdir -p "$dir"
    local deb
    deb=$(ls "$SERVERS_DIR/debs/${pkg}_"*.deb)
    dpkg-deb -x "$deb" "$dir"
    dpkg-deb -f "$deb" Version >"$dir/.deb-version"
    touch "$dir/.extracted"
  done

  # 2. shared libraries the extracted binaries need, installed normally.
  if [[ $need_extract == 1 ]] || ! bins_resolve; then
    local missing=()
    for pkg in $(lib_deps_of_debs); do
      if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
      fi
    done
    if ((${#missing[@]})); then
      apt_update_once
      log "apt-get install ${missing[*]}"
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$SERVERS_DIR/apt.log" 2>&1 ||
        { cat "$SERVERS_DIR/apt.log" >&2; die "apt-get install failed"; }
    fi
  fi
  local b bad=0
  for b in $(all_bins); do
    [[ -x $b ]] || { log "missing binary $b"; bad=1; continue; }
    if ldd "$b" | grep 'not found' >&2; then log "unresolved libraries in $b"; bad=1; fi
  done
  [[ $bad == 0 ]] || die "extracted binaries do not resolve (see above)"

  # proftpd loads mod_tls (from proftpd-mod-crypto) from its ModulePath.
  ln -sfn "$(pkg_dir proftpd-mod-crypto)/usr/lib/proftpd/mod_tls.so" \
    "$(pkg_dir proftpd)/usr/lib/proftpd/mod_tls.so"
  if ldd "$(pkg_dir proftpd)/usr/lib/proftpd/mod_tls.so" | grep 'not found' >&2; then
    die "unresolved libraries in mod_tls.so"
  fi

  # 3. pyftpdlib from PyPI into a project-local target dir, with pyOpenSSL
  #    for its TLS_FTPHandler.
  if [[ "$(server_version pyftpdlib 2>/dev/null || true)" != "$PYFTPDLIB_VERSION" ]] ||
    ! PYTHONPATH=$PYLIB "$PYTHON" -c 'import OpenSSL' 2>/dev/null; then
    log "pip install pyftpdlib==$PYFTPDLIB_VERSION pyOpenSSL==$PYOPENSSL_VERSION"
    rm -rf "$PYLIB"
    "$PYTHON" -m pip install -q --disable-pip-version-check --no-warn-script-location \
      --root-user-action=ignore --target "$PYLIB" "pyftpdlib==$PYFTPDLIB_VERSION" \
      "pyOpenSSL==$PYOPENSSL_VERSION" >&2
  fi

  # 4. unix users (login user for vsftpd; uid/gid for the others).
  ensure_users

  local s
  for s in $ALL_SERVERS; do
    log "$(printf '%-9s %s' "$s" "$(server_version "$s")")"
  done
  log "install done in $((SECONDS - t0)) s"
}

# ---------------------------------------------------------------- helpers
# Read one line from HOST:PORT; succeed if it starts with 220.
greet_once() {
  # subshell: the fd and any connect error stay local
  (
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    IFS= read -r -t 3 line <&3 || exit 1
    [[ $line == 220* ]]
  ) 2>/dev/null
}

port_busy() { # something already listening on 127.0.0.1:PORT or [::1]:PORT
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
  (exec 3<>"/dev/tcp/::1/$1") 2>/dev/null && return 0
  return 1
}

pid_alive() { # alive and not a zombie
  local pid=$1 state
  [[ -n $pid && -r /proc/$pid/stat ]] || return 1
  state=$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
  [[ -n $state ]] || return 1
  [[ $state != Z && $state != X ]]
}

# Under implicit TLS the greeting comes through TLS: openssl s_client
# reads it.
greet_tls_once() {
  local target=$1:$2
  [[ $1 == *:* ]] && target="[$1]:$2"
  # stdin stays open a moment: at its end s_client would quit before the
  # greeting arrives.
  # (Under pipefail the killed s_client would fail the pipeline: the first
  # line is taken, then judged.)
  local line
  line=$( (sleep 1) | timeout 3 openssl s_client -connect "$target" -quiet -ign_eof 2>/dev/null |
    head -n1 || true)
  [[ $line == 220* ]]
}

greet_any() {
  if [[ ${TLS_MODE:-plain} == implicit ]]; then greet_tls_once "$1" "$2"; else greet_once "$1" "$2"; fi
}

wait_greeting() { # host port pid logfile
  local host=$1 port=$2 pid=$3 logf=$4 deadline=$((SECONDS + GREETING_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! pid_alive "$pid"; then
      log "server (pid $pid) exited during startup; log $logf:"
      sed 's/^/    /' "$logf" >&2 || true
      return 1
    fi
    if greet_any "$host" "$port"; then return 0; fi
    sleep 0.1
  done
  log "no 220 greeting from $host:$port within ${GREETING_TIMEOUT}s; log $logf:"
  sed 's/^/    /' "$logf" >&2 || true
  return 1
}

# Start "$@" in the background in its own session (detached from the
# caller's terminal and process group). Sets LAUNCHED_PID.
launch() {
  local logf=$1
  shift
  setsid "$@" </dev/null >>"$logf" 2>&1 &
  LAUNCHED_PID=$!
}

descendants() { # pid -> its descendant pids (one per line)
  ps -e -o pid=,ppid= | awk -v root="$1" '
    { kids[$2] = kids[$2] " " $1 }
    END {
      n = split(kids[root], q, " ")
      for (i = 1; i <= n; i++) {
        print q[i]
        m = split(kids[q[i]], more, " ")
        for (j = 1; j <= m; j++) q[++n] = more[j]
      }
    }'
}

# Stop a server by its recorded pid: SIGTERM to it and its descendants (the
# per-connection session processes, which vsftpd puts in their own session),
# wait up to 10 s, then SIGKILL whatever of that set is left.
kill_recorded() {
  local pid=$1 i p
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  pid_alive "$pid" || return 0
  local pids
  mapfile -t pids < <(echo "$pid"; descendants "$pid")
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for ((i = 0; i < 100; i++)); do
    pid_alive "$pid" || break
    sleep 0.1
  done
  local left=()
  for p in "${pids[@]}"; do pid_alive "$p" && left+=("$p"); done
  if ((${#left[@]})); then
    log "sending SIGKILL to ${left[*]} (still running after SIGTERM)"
    for p in "${left[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    for ((i = 0; i < 50; i++)); do
      pid_alive "$pid" || break
      sleep 0.1
    done
  fi
}

make_run_dir() { # name -> sets RUN
  RUN=$(mktemp -d "${TMPDIR:-/tmp}/ftp-interop-$1.XXXXXX")
  chmod 755 "$RUN"
  [[ $RUN =~ ^[A-Za-z0-9_./+-]+$ ]] || die "run dir path '$RUN' has unsafe characters (set TMPDIR)"
  mkdir -p "$RUN/root" "$RUN/anon" "$RUN/empty"
  chown "$FTP_USER_NAME:$(id -gn "$FTP_USER_NAME")" "$RUN/root"
  chmod 755 "$RUN/root" "$RUN/anon" "$RUN/empty"
  printf 'Hello from the anonymous FTP area.\n' >"$RUN/anon/README.txt"
  chmod 644 "$RUN/anon/README.txt"
}

ipv6_available() { [[ -r /proc/net/if_inet6 ]] && grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6; }

# ---------------------------------------------------------------- TLS
# A test CA made for the run, and the server's certificate it issues: a
# CA:FALSE leaf with the loopback addresses as IP SANs (rustls refuses a CA
# certificate used as a server's). The client trusts $RUN/tls/ca.pem.
make_tls_files() {
  local d=$RUN/tls
  mkdir -p "$d"
  chmod 700 "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3 -keyout "$d/ca.key" -out "$d/ca.pem" \
    -subj "/CN=ftp-interop test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>>"$d/openssl.log" || return 1
  openssl req -newkey rsa:2048 -nodes -keyout "$d/server.key" -out "$d/server.csr" \
    -subj "/CN=127.0.0.1" 2>>"$d/openssl.log" || return 1
  printf '%s\n' "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" \
    "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost" >"$d/leaf.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
    -days 3 -extfile "$d/leaf.ext" -out "$d/server.pem" 2>>"$d/openssl.log" || return 1
  cat "$d/server.key" "$d/server.pem" >"$d/server-combined.pem"
  chmod 600 "$d"/*.key "$d/server-combined.pem"
  chmod 644 "$d/ca.pem" "$d/server.pem"
  chmod 755 "$d"
}

# ---------------------------------------------------------------- vsftpd
vsftpd_tls_conf() {
  case $TLS_MODE in
    plain) echo "ssl_enable=NO" ;;
    *)
      cat <<EOF
ssl_enable=YES
rsa_cert_file=$RUN/tls/server.pem
rsa_private_key_file=$RUN/tls/server.key
allow_anon_ssl=YES
force_anon_logins_ssl=YES
force_anon_data_ssl=YES
force_local_logins_ssl=YES
force_local_data_ssl=YES
require_ssl_reuse=YES
ssl_ciphers=HIGH
ssl_tlsv1=NO
# (vsftpd 3.0.3: no per-version options past TLS 1.0; OpenSSL offers 1.2 and 1.3)
ssl_sslv2=NO
ssl_sslv3=NO
strict_ssl_read_eof=YES
strict_ssl_write_shutdown=YES
$([[ $TLS_MODE == implicit ]] && echo "implicit_ssl=YES")
EOF
      ;;
  esac
}

vsftpd_conf() { # family(4|6) -> config on stdout
  local fam=$1 port pmin pmax
  port=$(server_port vsftpd) pmin=$(pasv_min vsftpd) pmax=$(pasv_max vsftpd)
  cat <<EOF
# generated by tests/interop/servers.sh
background=NO
$(if [[ $fam == 4 ]]; then printf 'listen=YES\nlisten_ipv6=NO\nlisten_address=127.0.0.1'; else printf 'listen=NO\nlisten_ipv6=YES\nlisten_address6=::1'; fi)
listen_port=$port
# PAM: no pam file is installed; "other" is Debian's fallback service
# (common-auth/common-account -> pam_unix), enough for a local unix user.
pam_service_name=other
session_support=NO
seccomp_sandbox=NO
secure_chroot_dir=$RUN/empty
nopriv_user=nobody
tcp_wrappers=NO
local_enable=YES
write_enable=YES
local_umask=022
file_open_mode=0666
local_root=$RUN/root
chroot_local_user=YES
allow_writeable_chroot=YES
anonymous_enable=YES
ftp_username=$ANON_UNIX_USER
anon_root=$RUN/anon
no_anon_password=YES
# Upload-only drop box: anonymous STOR of new files into incoming/ (the one
# directory the anonymous identity may write); no rename, delete or
# overwrite (anon_other_write_enable=NO), uploads unreadable to others.
anon_upload_enable=YES
anon_mkdir_write_enable=NO
anon_other_write_enable=NO
anon_world_readable_only=YES
pasv_enable=YES
pasv_min_port=$pmin
pasv_max_port=$pmax
pasv_promiscuous=NO
$(if [[ $fam == 4 ]]; then printf 'pasv_address=%s\npasv_addr_resolve=NO' "$VSFTPD_PASV_ADDRESS"; fi)
port_enable=YES
connect_from_port_20=NO
ls_recurse_enable=NO
dirmessage_enable=NO
use_localtime=NO
xferlog_enable=YES
xferlog_std_format=NO
vsftpd_log_file=$RUN/vsftpd$fam.xfer.log
log_ftp_protocol=YES
max_clients=0
max_per_ip=0
delay_failed_login=0
userlist_enable=NO
$(vsftpd_tls_conf)
${FTP_INTEROP_VSFTPD_EXTRA_CONF:-}
EOF
}

start_vsftpd() {
  mkdir -p "$RUN/anon/incoming"
  chown "$ANON_UNIX_USER" "$RUN/anon/incoming"
  chmod 755 "$RUN/anon/incoming"
  vsftpd_conf 4 >"$RUN/vsftpd.conf"
  chmod 600 "$RUN/vsftpd.conf"
  launch "$RUN/server.log" "$(VSFTPD_BIN)" "$RUN/vsftpd.conf"
  PID=$LAUNCHED_PID
  echo "$PID" >"$RUN/pid"
  wait_greeting 127.0.0.1 "$PORT" "$PID" "$RUN/server.log" || return 1
  ANON=1
  EXTRA_ENV+=("FTP_PASV_ADDRESS=$VSFTPD_PASV_ADDRESS" "FTP_ANON_DROP_BOX=incoming")
  # vsftpd listens on one address family per process: a second instance
  # (same config otherwise, no pasv_address) serves [::1].
  if ipv6_available; then
    vsftpd_conf 6 >"$RUN/vsftpd6.conf"
    chmod 600 "$RUN/vsftpd6.conf"
    launch "$RUN/server6.log" "$(VSFTPD_BIN)" "$RUN/vsftpd6.conf"
    PID6=$LAUNCHED_PID
    echo "$PID6" >"$RUN/pid6"
    if wait_greeting ::1 "$PORT" "$PID6" "$RUN/server6.log"; then IPV6=1; else kill_recorded "$PID6"; PID6=; fi
  fi
}

# ---------------------------------------------------------------- proftpd
# mod_tls: TLS required on control and data; session reuse on data
# connections is required by default (no NoSessionReuseRequired option).
proftpd_tls_conf() {
  [[ $TLS_MODE == plain ]] && return 0
  cat <<EOF
LoadModule              mod_tls.c
<IfModule mod_tls.c>
  TLSEngine             on
  TLSRequired           on
  TLSLog                $RUN/proftpd.tls.log
  TLSProtocol           TLSv1.2 TLSv1.3
  TLSRSACertificateFile $RUN/tls/server.pem
  TLSRSACertificateKeyFile $RUN/tls/server.key
  TLSVerifyClient       off
  TLSRenegotiate        none
$([[ $TLS_MODE == implicit ]] && echo "  TLSOptions            UseImplicitSSL")
</IfModule>
EOF
}

start_proftpd() {
  local uid gid auid agid addrs="127.0.0.1"
  uid=$(uid_of "$FTP_USER_NAME") gid=$(gid_of "$FTP_USER_NAME")
  auid=$(uid_of "$ANON_UNIX_USER") agid=$(gid_of "$ANON_UNIX_USER")
  # Own user/group files (mod_auth_file) instead of /etc/passwd + PAM.
  local hash
  hash=$(openssl passwd -6 "$FTP_USER_PASS")
  {
    printf '%s:%s:%s:%s::%s:/usr/sbin/nologin\n' "$FTP_USER_NAME" "$hash" "$uid" "$gid" "$RUN/root"
    printf '%s:*:%s:%s::%s:/usr/sbin/nologin\n' "$ANON_UNIX_USER" "$auid" "$agid" "$RUN/anon"
  } >"$RUN/ftpd.passwd"
  {
    printf 'ftptest:x:%s:\n' "$gid"
    printf 'ftpanon:x:%s:\n' "$agid"
  } >"$RUN/ftpd.group"
  chmod 600 "$RUN/ftpd.passwd" "$RUN/ftpd.group"
  if ipv6_available; then addrs="127.0.0.1 ::1"; fi
  cat >"$RUN/proftpd.conf" <<EOF
# generated by tests/interop/servers.sh
ServerType              standalone
ServerName              "ProFTPD interop"
DefaultServer           on
Port                    $PORT
DefaultAddress          $addrs
SocketBindTight         on
UseIPv6                 on
User                    nobody
Group                   nogroup
Umask                   022
PidFile                 $RUN/proftpd.pid
ScoreboardFile          $RUN/proftpd.scoreboard
ModulePath              $(pkg_dir proftpd)/usr/lib/proftpd
<IfModule mod_ctrls.c>
  ControlsEngine        off
  ControlsSocket        $RUN/proftpd.sock
</IfModule>
SystemLog               $RUN/proftpd.system.log
TransferLog             $RUN/proftpd.xfer.log
WtmpLog                 off
UseReverseDNS           off
UseLastlog              off
<IfModule mod_delay.c>
  DelayEngine           off
</IfModule>
AuthOrder               mod_auth_file.c
AuthUserFile            $RUN/ftpd.passwd
AuthGroupFile           $RUN/ftpd.group
RequireValidShell       off
DefaultRoot             ~
PassivePorts            $(pasv_min proftpd) $(pasv_max proftpd)
AllowOverwrite          on
# Resumed uploads (REST + STOR, APPE): off by default, when proFTPD answers
# REST with 350 and then refuses the STOR with 451.
AllowStoreRestart       on
MaxInstances            64
TimesGMT                on
# mod_digest (in proftpd-core): HASH (draft-bryan-ftpext-hash) and XCRC,
# XMD5, XSHA1, XSHA256, XSHA512, every algorithm on. No cache: the tests
# replace files within the same second, and a cached digest would be the
# old file's.
LoadModule              mod_digest.c
<IfModule mod_digest.c>
  DigestEngine          on
  DigestAlgorithms      all
  DigestCache           off
</IfModule>
$(proftpd_tls_conf)
<Anonymous $RUN/anon>
  User                  $ANON_UNIX_USER
  Group                 ftpanon
  UserAlias             anonymous $ANON_UNIX_USER
  RequireValidShell     off
  AnonRequirePassword   off
  <Limit WRITE SITE_CHMOD>
    DenyAll
  </Limit>
</Anonymous>
EOF
  "$(PROFTPD_BIN)" -t -c "$RUN/proftpd.conf" >"$RUN/configtest.log" 2>&1 ||
    { sed 's/^/    /' "$RUN/configtest.log" >&2; die "proftpd config test failed"; }
  launch "$RUN/server.log" "$(PROFTPD_BIN)" --nodaemon -c "$RUN/proftpd.conf"
  PID=$LAUNCHED_PID
  echo "$PID" >"$RUN/pid"
  wait_greeting 127.0.0.1 "$PORT" "$PID" "$RUN/server.log" || return 1
  ANON=1
  if [[ $addrs == *::1* ]] && greet_any ::1 "$PORT"; then IPV6=1; fi
}

# ---------------------------------------------------------------- pure-ftpd
start_pureftpd() {
  local uid gid hash
  uid=$(uid_of "$FTP_USER_NAME") gid=$(gid_of "$FTP_USER_NAME")
  # puredb virtual user, SHA-512 crypt (pure-pw's default argon2 makes every
  # login take seconds). "/./" suffix = chroot into the home.
  hash=$(openssl passwd -6 "$FTP_USER_PASS")
  printf '%s:%s:%s:%s::%s/./::::::::::::\n' "$FTP_USER_NAME" "$hash" "$uid" "$gid" "$RUN/root" >"$RUN/pureftpd.passwd"
  chmod 600 "$RUN/pureftpd.passwd"
  "$(PUREPW_BIN)" mkdb "$RUN/pureftpd.pdb" -f "$RUN/pureftpd.passwd" >&2

  # Anonymous: pure-ftpd chroots anonymous users into ~ftp, which is
  # $ANON_HOME_LINK; point it at this run's anon/ (only one pure-ftpd can run
  # at a time anyway: fixed port).
  ANON=0
  if [[ "$(getent passwd "$ANON_UNIX_USER" | cut -d: -f6)" == "$ANON_HOME_LINK" ]]; then
    if [[ -e $ANON_HOME_LINK && ! -L $ANON_HOME_LINK ]]; then
      log "warning: $ANON_HOME_LINK exists and is not a symlink; pure-ftpd anonymous disabled"
    else
      point_anon_home "$RUN/anon"
      echo "$ANON_HOME_LINK" >"$RUN/anon-link"
      ANON=1
    fi
  else
    log "warning: unix user $ANON_UNIX_USER has a foreign home; pure-ftpd anonymous disabled"
  fi

  local args=(
    -l "puredb:$RUN/pureftpd.pdb"
    -p "$(pasv_min pureftpd):$(pasv_max pureftpd)"
    -A             # chroot everyone
    -H             # don't resolve host names
    -f none        # no syslog
    -c 50 -C 50    # max clients / per ip (pure-ftpd caps clients at #pasv ports / 2)
    -U 133:022     # umask files:dirs
    -u 1           # allow any non-root uid
    -i             # anonymous can't upload
    -O "clf:$RUN/pureftpd.xfer.log"
  )
  [[ $ANON == 1 ]] || args+=(-E)
  # FTPS: --tls=3, TLS required on control and data connections.
  [[ $TLS_MODE == explicit ]] && args+=(--tls=3 "--certfile=$RUN/tls/server.pem,$RUN/tls/server.key")
  launch "$RUN/server.log" "$(PUREFTPD_BIN)" -S "127.0.0.1,$PORT" "${args[@]}"
  PID=$LAUNCHED_PID
  echo "$PID" >"$RUN/pid"
  wait_greeting 127.0.0.1 "$PORT" "$PID" "$RUN/server.log" || return 1
  # One bind address per process: a second instance serves [::1].
  if ipv6_available; then
    launch "$RUN/server6.log" "$(PUREFTPD_BIN)" -S "::1,$PORT" "${args[@]}"
    PID6=$LAUNCHED_PID
    echo "$PID6" >"$RUN/pid6"
    if wait_greeting ::1 "$PORT" "$PID6" "$RUN/server6.log"; then IPV6=1; else kill_recorded "$PID6"; PID6=; fi
  fi
}

# ---------------------------------------------------------------- pyftpdlib
start_pyftpdlib() {
  local v6=() tls=()
  [[ $TLS_MODE == explicit ]] && tls=(--tls-cert "$RUN/tls/server.pem" --tls-key "$RUN/tls/server.key")
  ipv6_available && v6=(--ipv6)
  launch "$RUN/server.log" env PYTHONPATH="$PYLIB" PYTHONUNBUFFERED=1 \
    "$PYTHON" "$HERE/pyftpdlib_server.py" --port "$PORT" \
    --pasv "$(pasv_min pyftpdlib):$(pasv_max pyftpdlib)" \
    --user "$FTP_USER_NAME" --password "$FTP_USER_PASS" \
    --root "$RUN/root" --anon-root "$RUN/anon" "${v6[@]}" \
    --run-as "$FTP_USER_NAME" --anon-run-as "$ANON_UNIX_USER" "${tls[@]}"
  PID=$LAUNCHED_PID
  echo "$PID" >"$RUN/pid"
  wait_greeting 127.0.0.1 "$PORT" "$PID" "$RUN/server.log" || return 1
  ANON=1
  if ((${#v6[@]})) && greet_any ::1 "$PORT"; then IPV6=1; fi
}

# ---------------------------------------------------------------- start/stop
cmd_start() {
  local name=${1:-}
  TLS_MODE=${2:-plain}
  [[ -n $name ]] || die "usage: servers.sh start NAME [plain|explicit|implicit] ($ALL_SERVERS)"
  default_index "$name" >/dev/null
  case $name:$TLS_MODE in
    *:plain | *:explicit | vsftpd:implicit | proftpd:implicit) ;;
    *) die "$name has no mode '$TLS_MODE' (modes: plain, explicit; implicit on vsftpd and proftpd)" ;;
  esac
  if [[ $name != pyftpdlib ]]; then
    bins_resolve || die "servers not installed: run '$0 install' first"
  else
    [[ -n "$(server_version pyftpdlib 2>/dev/null || true)" ]] || die "pyftpdlib not installed: run '$0 install' first"
  fi
  users_ready || ensure_users
  mkdir -p "$STATE_DIR"
  if [[ -f $STATE_DIR/$name ]] && [[ -f "$(cat "$STATE_DIR/$name")" ]]; then
    die "$name already started (env file $(cat "$STATE_DIR/$name")); stop it first"
  fi
  PORT=$(server_port "$name")
  local p
  for p in "$PORT" "$(pasv_min "$name")" "$(pasv_max "$name")"; do
    if ! [[ $p =~ ^[0-9]+$ ]] || ((p < 1024 || p > 65535)); then die "bad port number '$p'"; fi
  done
  (("$(pasv_min "$name")" <= "$(pasv_max "$name")")) || die "bad passive port range"
  if port_busy "$PORT"; then die "port $PORT is already in use"; fi

  RUN='' PID='' PID6='' IPV6=0 ANON=0 EXTRA_ENV=()
  make_run_dir "$name"
  local ok=1
  if [[ $TLS_MODE != plain ]]; then make_tls_files || { log "making the test certificates failed"; ok=0; }; fi
  if [[ $ok == 1 ]]; then "start_$name" || ok=0; fi
  if [[ $ok == 0 ]]; then
    kill_recorded "$PID"
    kill_recorded "$PID6"
    [[ -f $RUN/anon-link ]] && point_anon_home "$INTEROP_VAR/empty"
    if [[ -n ${FTP_INTEROP_KEEP_FAILED:-} ]]; then log "kept $RUN"; else rm -rf "$RUN"; fi
    die "$name failed to start"
  fi

  local envf=$RUN/server.env
  {
    echo "FTP_SERVER=$name"
    echo "FTP_SERVER_VERSION=$(server_version "$name")"
    echo "FTP_HOST=127.0.0.1"
    echo "FTP_PORT=$PORT"
    echo "FTP_PASV_MIN=$(pasv_min "$name")"
    echo "FTP_PASV_MAX=$(pasv_max "$name")"
    echo "FTP_USER=$FTP_USER_NAME"
    echo "FTP_PASS=$FTP_USER_PASS"
    echo "FTP_ROOT=$RUN/root"
    echo "FTP_ANON=$ANON"
    echo "FTP_ANON_ROOT=$([[ $ANON == 1 ]] && echo "$RUN/anon")"
    echo "FTP_IPV6=$IPV6"
    echo "FTP_HOST6=$([[ $IPV6 == 1 ]] && echo "::1")"
    echo "FTP_PID=$PID"
    echo "FTP_PID6=$PID6"
    echo "FTP_RUN_DIR=$RUN"
    echo "FTP_LOG=$RUN/server.log"
    echo "FTP_TLS=$TLS_MODE"
    echo "FTP_CA=$([[ $TLS_MODE != plain ]] && echo "$RUN/tls/ca.pem")"
    local e
    for e in "${EXTRA_ENV[@]}"; do echo "$e"; done
  } >"$envf"
  echo "$envf" >"$STATE_DIR/$name"
  log "$name ($TLS_MODE) listening on 127.0.0.1:$PORT$([[ $IPV6 == 1 ]] && echo " and [::1]:$PORT") (pid $PID${PID6:+, $PID6})"
  echo "$envf"
}

# ---------------------------------------------------------------- proxies
# A proxy in front of a started server (run.sh's SERVER+PROXY targets):
#   socks5        microsocks, no login (SOCKS5; the client sends names)
#   socks5-login  microsocks with user proxyuser / proxy-pw (RFC 1929)
#   http          tinyproxy (HTTP CONNECT), allowing the server's control
#                 and passive ports only
#   dante         Dante's danted (SOCKS5 with BIND: active mode too), no login
#   dante-login   the same with a login (RFC 1929): the unix user ftptest
# Ports: FTP_INTEROP_PROXY_<KIND>_PORT (KIND upper-cased, '-' as '_'),
# default 2131 + index. Only dante accepts active-mode connections (BIND).
proxy_port() {
  local v="FTP_INTEROP_PROXY_${1^^}_PORT" i
  v=${v//-/_}
  case $1 in socks5) i=0 ;; socks5-login) i=1 ;; http) i=2 ;; dante) i=3 ;; dante-login) i=4 ;; *) die "unknown proxy '$1' ($ALL_PROXIES)" ;; esac
  echo "${!v:-$((2131 + i))}"
}

cmd_proxy_start() { # kind server-envfile -> proxy env file
  local kind=${1:-} server_env=${2:-} port url bind=0
  [[ -n $kind && -f $server_env ]] || die "usage: servers.sh proxy-start KIND SERVER-ENVFILE ($ALL_PROXIES)"
  port=$(proxy_port "$kind")
  if port_busy "$port"; then die "port $port is already in use"; fi
  bins_resolve || die "not installed: run '$0 install' first"
  RUN='' PID=''
  make_run_dir "proxy-$kind"
  case $kind in
    socks5)
      launch "$RUN/server.log" "$(MICROSOCKS_BIN)" -i 127.0.0.1 -p "$port"
      url="socks5h://127.0.0.1:$port" ;;
    socks5-login)
      launch "$RUN/server.log" "$(MICROSOCKS_BIN)" -i 127.0.0.1 -p "$port" -u "$PROXY_USER" -P "$PROXY_PASS"
      url="socks5h://$PROXY_USER:$PROXY_PASS@127.0.0.1:$port" ;;
    http)
      local ftp_port pasv_min pasv_max p
      ftp_port=$(env_get "$server_env" FTP_PORT)
      pasv_min=$(env_get "$server_env" FTP_PASV_MIN)
      pasv_max=$(env_get "$server_env" FTP_PASV_MAX)
      {
        echo "Port $port"
        echo "Listen 127.0.0.1"
        echo "Allow 127.0.0.1"
        echo "Timeout 600"
        echo "MaxClients 200"
        echo "User nobody"
        echo "Group nogroup"
        echo "LogLevel Info"
        echo "DisableViaHeader Yes"
        echo "ConnectPort $ftp_port"
        for ((p = pasv_min; p <= pasv_max; p++)); do echo "ConnectPort $p"; done
      } >"$RUN/tinyproxy.conf"
      launch "$RUN/server.log" "$(TINYPROXY_BIN)" -d -c "$RUN/tinyproxy.conf"
      url="http://127.0.0.1:$port" ;;
    dante | dante-login)
      local method=none
      # danted checks a login against the system's users.
      [[ $kind == dante-login ]] && method=username
      {
        echo "logoutput: stderr"
        echo "internal: 127.0.0.1 port = $port"
        echo "external: 127.0.0.1"
        echo "external: ::1"
        echo "external.rotation: route"
        echo "socksmethod: $method"
        echo "clientmethod: none"
        echo "user.privileged: root"
        echo "user.unprivileged: nobody"
        echo "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }"
        echo "socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 command: connect bind bindreply }"
        echo "socks pass { from: 127.0.0.0/8 to: ::/0 command: connect bind bindreply }"
        # bindreply: from the server (IPv6 too) to the client
        echo "socks pass { from: ::/0 to: 0.0.0.0/0 command: bindreply }"
      } >"$RUN/danted.conf"
      launch "$RUN/server.log" "$(DANTE_BIN)" -f "$RUN/danted.conf" -N 2
      bind=1
      url="socks5h://127.0.0.1:$port"
      [[ $kind == dante-login ]] && url="socks5h://$FTP_USER_NAME:$FTP_USER_PASS@127.0.0.1:$port" ;;
    *) die "unknown proxy '$kind' ($ALL_PROXIES)" ;;
  esac
  PID=$LAUNCHED_PID
  echo "$PID" >"$RUN/pid"
  local i
  for ((i = 0; i < GREETING_TIMEOUT * 10; i++)); do
    port_busy "$port" && break
    pid_alive "$PID" || break
    sleep 0.1
  done
  if ! port_busy "$port"; then
    sed 's/^/    /' "$RUN/server.log" >&2 || true
    kill_recorded "$PID"
    rm -rf "$RUN"
    die "proxy $kind failed to start"
  fi
  {
    echo "FTP_PROXY_KIND=$kind"
    echo "FTP_PROXY_URL=$url"
    echo "FTP_PROXY_BIND=$bind"
    echo "FTP_PROXY_VERSION=$(deb_version "$(case $kind in http) echo tinyproxy ;; dante*) echo dante ;; *) echo microsocks ;; esac)")"
    echo "FTP_PID=$PID"
    echo "FTP_RUN_DIR=$RUN"
  } >"$RUN/proxy.env"
  log "proxy $kind listening on 127.0.0.1:$port (pid $PID)"
  echo "$RUN/proxy.env"
}

cmd_proxy_stop() { # proxy env file
  local envf=${1:-} run pid
  [[ -f $envf ]] || die "usage: servers.sh proxy-stop ENVFILE"
  run=$(env_get "$envf" FTP_RUN_DIR)
  pid=$(env_get "$envf" FTP_PID)
  [[ $run == */ftp-interop-proxy-* && -d $run ]] || die "refusing: unexpected run dir '$run' in $envf"
  [[ "$(cat "$run/pid" 2>/dev/null)" == "$pid" ]] || die "pid mismatch in $run"
  kill_recorded "$pid"
  rm -rf "$run"
  log "stopped proxy $(env_get "$envf" FTP_PROXY_KIND)"
}

env_get() { # file key
  sed -n "s/^$2=//p" "$1" | tail -n1
}

cmd_stop() {
  local arg=${1:-} envf name
  [[ -n $arg ]] || die "usage: servers.sh stop NAME|ENVFILE"
  if [[ -f $arg ]]; then
    envf=$arg
    name=$(env_get "$envf" FTP_SERVER)
  else
    default_index "$arg" >/dev/null
    name=$arg
    if [[ ! -f $STATE_DIR/$name ]]; then log "$name is not running (no state)"; return 0; fi
    envf=$(cat "$STATE_DIR/$name")
    if [[ ! -f $envf ]]; then log "$name: stale state (no $envf)"; rm -f "$STATE_DIR/$name"; return 0; fi
  fi
  local run pid pid6
  run=$(env_get "$envf" FTP_RUN_DIR)
  pid=$(env_get "$envf" FTP_PID)
  pid6=$(env_get "$envf" FTP_PID6)
  [[ $run == */ftp-interop-* && -d $run ]] || die "refusing: unexpected run dir '$run' in $envf"
  # guard against pid reuse: the pid must still be the one recorded in the run dir
  [[ "$(cat "$run/pid" 2>/dev/null)" == "$pid" ]] || die "pid mismatch in $run"
  kill_recorded "$pid"
  kill_recorded "$pid6"
  if [[ -f $run/anon-link ]]; then
    local link
    link=$(cat "$run/anon-link")
    if [[ -L $link && "$(readlink "$link")" == "$run/anon" ]]; then point_anon_home "$INTEROP_VAR/empty"; fi
  fi
  rm -rf "$run"
  if [[ -n $name && -f $STATE_DIR/$name && "$(cat "$STATE_DIR/$name")" == "$envf" ]]; then
    rm -f "$STATE_DIR/$name"
  fi
  log "stopped $name"
}

cmd_stop_all() {
  local s
  for s in $ALL_SERVERS; do
    [[ -f $STATE_DIR/$s ]] && cmd_stop "$s"
  done
  return 0
}

cmd_status() {
  local s envf
  for s in $ALL_SERVERS; do
    if [[ -f $STATE_DIR/$s ]]; then
      envf=$(cat "$STATE_DIR/$s")
      if [[ -f $envf ]] && pid_alive "$(env_get "$envf" FTP_PID)"; then
        echo "$s running: $envf"
      else
        echo "$s stale: $envf"
      fi
    else
      echo "$s stopped"
    fi
  done
}

cmd_versions() {
  local s
  for s in vsftpd proftpd pureftpd; do
    printf '%-9s %-8s (Debian %s)\n' "$s" "$(server_version "$s")" "$(deb_version "$s")"
  done
  printf '%-9s %s (PyPI)\n' pyftpdlib "$(server_version pyftpdlib)"
}

[[ $(id -u) == 0 ]] || die "must run as root (servers bind as root and switch users)"
case ${1:-} in
  install) cmd_install ;;
  start) cmd_start "${2:-}" "${3:-plain}" ;;
  stop) cmd_stop "${2:-}" ;;
  stop-all) cmd_stop_all ;;
  proxy-start) cmd_proxy_start "${2:-}" "${3:-}" ;;
  proxy-stop) cmd_proxy_stop "${2:-}" ;;
  status) cmd_status ;;
  versions) cmd_versions ;;
  *)
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
