#!/usr/bin/env bash
# A PostgreSQL 15 of GoDocker's own (Debian's postgresql-15), for the PostgreSQL store, several servers and the tests.
#   scripts/postgres.sh start   [DIR [PORT]]   initdb if needed, start if not running; prints the connection string
#   scripts/postgres.sh stop    [DIR]          stop it (the data stays for the next start)
#   scripts/postgres.sh restart [DIR [PORT]]   stop, then start (the tests use it to cut every connection)
#   scripts/postgres.sh status  [DIR]          exit 0 and print the connection string when it runs, exit 3 when not
#   scripts/postgres.sh url     [DIR]          print the connection string (Npgsql form), running or not
# DIR defaults to GODOCKER_PG_DIR or /var/lib/godocker-pg; PORT to GODOCKER_PG_PORT or 55432 (fixed at initdb).
# Idempotent: `start` on a running one only checks it answers; `stop` on a stopped one does nothing. A pid file
# left by a crash or a reboot is recognised as stale and removed. The system's clusters (pg_lsclusters,
# /etc/postgresql) are never read or written: this one has its own data folder, port and socket folder.
# Needs root the first time (apt-get install postgresql-15, a folder owned by the postgres user, which runs
# the server: initdb refuses root); as a non-root user it runs the server as that user in a DIR it can write.
#
# What DIR holds:
#   data/            the cluster (initdb; listen_addresses 127.0.0.1, port PORT, pg_hba below)
#   socket/          its unix socket (.s.PGSQL.PORT); local connections as the OS user that runs it (peer)
#   password         the godocker role's password (random at initdb, mode 600)
#   postgres.log     the server's log
# In the cluster: role godocker (LOGIN CREATEDB, scram-sha-256 over TCP), database godocker owned by it.
# The connection string: Host=127.0.0.1;Port=PORT;Database=godocker;Username=godocker;Password=...
# psql as the superuser: runuser -u postgres -- psql -h DIR/socket -p PORT -d godocker
set -euo pipefail

PG_VERSION=15
BIN=/usr/lib/postgresql/$PG_VERSION/bin
ROLE=godocker
DATABASE=godocker

log() { echo "[postgres] $*" >&2; }
die() { echo "[postgres] $*" >&2; exit 1; }
usage() { sed -n '2,8p' "$0" >&2; exit 2; }

install_packages() {
  [ -x "$BIN/initdb" ] && return
  [ "$(id -u)" -eq 0 ] || die "postgresql-$PG_VERSION is not installed: run this once as root to install it"
  exec 8>/var/lock/godocker-postgres-install.lock
  flock 8
  if [ ! -x "$BIN/initdb" ]; then
    log "installing postgresql-$PG_VERSION"
    # No system cluster: the package must not create and start a "main" cluster of its own on 5432.
    mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/godocker.conf
    local apt=(apt-get install -y -qq -o DPkg::Lock::Timeout=120 "postgresql-$PG_VERSION")
    if ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null 2>&1; then
      apt-get update -qq -o DPkg::Lock::Timeout=120
      DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null
    fi
  fi
  exec 8>&-
}

# Runs a command as the user that owns the cluster: postgres when we are root, ourselves otherwise.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# The postmaster.pid names a live postgres (after a reboot the pid may belong to anything, or nothing).
running() {
  [ -f "$DIR/data/postmaster.pid" ] || return 1
  local pid; pid=$(head -1 "$DIR/data/postmaster.pid")
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ]
}

answers() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -d "$DATABASE" -t 2 >/dev/null 2>&1; }

connection_string() {
  echo "Host=127.0.0.1;Port=$PORT;Database=$DATABASE;Username=$ROLE;Password=$(cat "$DIR/password")"
}

# PORT as fixed at initdb (DIR/port), else the one given.
read_port() {
  if [ -f "$DIR/port" ]; then PORT=$(cat "$DIR/port"); fi
}

init_cluster() {
  [ -f "$DIR/data/PG_VERSION" ] && return
  log "initdb in $DIR/data (port $PORT)"
  rm -rf "$DIR/data"
  mkdir -p "$DIR/data" "$DIR/socket"
  [ -f "$DIR/password" ] || { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DIR/password"; }
  chmod 600 "$DIR/password"
  echo "$PORT" >"$DIR/port"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR" "$DIR/data" "$DIR/socket"
  chmod 700 "$DIR/data"
  as_owner "$BIN/initdb" -D "$DIR/data" -E UTF8 --locale=C.UTF-8 --auth-local=peer --auth-host=scram-sha-256 \
    --no-instructions >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  # Only loopback, scram for everyone over TCP; the socket in a folder of our own, not /var/run/postgresql.
  as_owner tee -a "$DIR/data/postgresql.conf" >/dev/null <<EOF

# GoDocker (scripts/postgres.sh)
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR/socket'
password_encryption = 'scram-sha-256'
max_connections = 300
EOF
}

# The godocker role and database, made once; the password is the one in DIR/password.
ensure_role() {
  local psql=("$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR/socket" -p "$PORT" -d postgres -v "pw=$(cat "$DIR/password")")
  as_owner "${psql[@]}" >/dev/null <<EOF
SELECT format('CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD %L', :'pw')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') \gexec
SELECT 'CREATE DATABASE $DATABASE OWNER $ROLE'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DATABASE') \gexec
EOF
}

start() {
  install_packages
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  exec 9>"$DIR/.lock"
  flock 9
  read_port
  if running && answers; then
    ensure_role
    connection_string
    return
  fi
  running && die "postgres (pid $(head -1 "$DIR/data/postmaster.pid")) runs for $DIR but does not answer on port $PORT"
  init_cluster
  # Stale after a crash or reboot: postgres would refuse to start over a pid that now names another process.
  rm -f "$DIR/data/postmaster.pid" "$DIR/socket/.s.PGSQL.$PORT" "$DIR/socket/.s.PGSQL.$PORT.lock"
  answers && die "something else already answers on 127.0.0.1:$PORT"
  mkdir -p "$DIR/socket"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR/socket"
  touch "$DIR/postgres.log"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR/postgres.log"
  # Detached from our stdout/stderr (a caller reading our output to its end must not wait for the server),
  # and without fd 9, the lock on DIR.
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t 60 start </dev/null >/dev/null 2>&1 9>&- \
    || { tail -20 "$DIR/postgres.log" >&2; die "postgres did not start; see $DIR/postgres.log"; }
  for _ in $(seq 1 100); do
    answers && break
    sleep 0.1
  done
  answers || { tail -20 "$DIR/postgres.log" >&2; die "postgres does not answer on 127.0.0.1:$PORT; see $DIR/postgres.log"; }
  ensure_role
  log "running (pid $(head -1 "$DIR/data/postmaster.pid")) on 127.0.0.1:$PORT and $DIR/socket"
  connection_string
}

stop() {
  [ -d "$DIR/data" ] || { log "nothing in $DIR"; return; }
  exec 9>"$DIR/.lock"
  flock 9
  if ! running; then
    rm -f "$DIR/data/postmaster.pid"
    log "not running"
    return
  fi
  # fast: roll back open transactions and close connections, as a crash would, but cleanly.
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w -t 60 stop </dev/null >/dev/null 2>&1 9>&- \
    || die "postgres did not stop within 60 s; see $DIR/postgres.log"
  log "stopped"
}

status() {
  [ -f "$DIR/password" ] || { log "no cluster in $DIR"; exit 3; }
  if running && answers; then
    log "running (pid $(head -1 "$DIR/data/postmaster.pid"))"
    connection_string
  else
    log "not running"
    exit 3
  fi
}

cmd=${1:-}
DIR=${2:-${GODOCKER_PG_DIR:-/var/lib/godocker-pg}}
PORT=${3:-${GODOCKER_PG_PORT:-55432}}
case "$cmd" in
  start) start ;;
  stop) read_port; stop ;;
  restart) read_port; stop; start ;;
  status) read_port; status ;;
  url)
    read_port
    [ -f "$DIR/password" ] || die "no cluster in $DIR (scripts/postgres.sh start makes one)"
    connection_string
    ;;
  *) usage ;;
esac
