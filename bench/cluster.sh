#!/usr/bin/env bash
# Several servers on PostgreSQL, measured beside one server in the same run (issue 9):
#   1. API submissions/s: one server on SQLite, one server on PostgreSQL, two servers on one PostgreSQL
#      (each fed by its own client, concurrently)                                         target: two servers >= 3,000/s
#   2. failover: kill -9 of the leader of two servers; time until the other holds the lease  target: <= 10 s
# Servers run as `./godocker.sh up` builds them (Release, ReadyToRun), with an engine that never answers, so jobs stay
# pending and only the API and the store are measured (as bench/run.sh's section 5).
# Beside each rate, what a submit costs in cpu: the servers' cpu time (from /proc/PID/stat) and, on PostgreSQL, that of
# the database's backends serving the bench database, over the measured submissions, in cpu-µs per submit. Less noisy
# than a rate on a shared machine: a busy machine slows the rate, much less what a submit costs.
# Settings: N (submissions per configuration, default 20000), C (concurrent requests per client, default 8).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
N=${N:-20000} C=${C:-8}
WORK=$(mktemp -d /tmp/godocker-cluster-bench.XXXX)
PIDS=() DATABASES=()
say() { echo "[bench] $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

PG=$(scripts/postgres.sh start)
# The connection string's parts, for psql (Npgsql's Key=Value;… form).
pg() { echo "$PG" | tr ';' '\n' | sed -n "s/^$1=//Ip" | head -1; }
psql_admin() { PGPASSWORD=$(pg Password) psql -q -h "$(pg Host)" -p "$(pg Port)" -U "$(pg Username)" -d "$(pg Database)" -v ON_ERROR_STOP=1 -c "$1"; }
new_database() {  # sets DB to a connection string to a fresh database, DB_NAME to its name
  DB_NAME=bench_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
  psql_admin "CREATE DATABASE $DB_NAME" >&2
  DATABASES+=("$DB_NAME")
  DB=$(echo "$PG" | sed "s/Database=[^;]*/Database=$DB_NAME/I")
}
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  for d in "${DATABASES[@]}"; do psql_admin "DROP DATABASE IF EXISTS $d WITH (FORCE)" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

say "building (Release)"
dotnet publish src/GoDocker.Server -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o out/server --nologo -v quiet >&2
dotnet build bench/GoDocker.Bench -c Release --nologo -v quiet >&2
BENCH=(dotnet bench/GoDocker.Bench/bin/Release/net10.0/GoDocker.Bench.dll)

start_server() {  # name port [connection-string]; sets SERVER_PID
  local name=$1 port=$2 store=${3:-}
  local env=(GODOCKER_Jobs__DefaultImage=godocker/busybox:latest GODOCKER_Jobs__MaxPendingPerUser=100000000)
  if [ -n "$store" ]; then env+=(GODOCKER_Store__Provider=postgres "GODOCKER_Store__ConnectionString=$store"); fi
  env "${env[@]}" out/server/godocker-server --listen "http://127.0.0.1:$port" --data-dir "$WORK/$name" \
    --docker unix:///nonexistent/docker.sock >"$WORK/$name.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 200); do curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && return; sleep 0.1; done
  say "server $name did not start:"; tail -20 "$WORK/$name.log" >&2; exit 1
}
# "pid ticks" for each live pid (utime + stime, in clock ticks).
proc_ticks() { for p in "$@"; do [ -r "/proc/$p/stat" ] && echo "$p $(sed 's/.*) //' "/proc/$p/stat" | cut -d' ' -f12,13 | tr ' ' '+' | bc)"; done; true; }
backends_of() {  # the pids of the backends serving database $1
  PGPASSWORD=$(pg Password) psql -qAt -h "$(pg Host)" -p "$(pg Port)" -U "$(pg Username)" -d "$(pg Database)" \
    -c "SELECT pid FROM pg_stat_activity WHERE datname = '$1'"
}
# cpu-µs per submit between two proc_ticks snapshots (a pid missing from the first started during the run).
cpu_us() { python3 - "$1" "$2" "$3" "$(getconf CLK_TCK)" <<'PY'
import sys
def read(path):
    return {pid: int(t) for pid, t in (line.split() for line in open(path) if line.strip())}
before, after, n, hz = read(sys.argv[1]), read(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print(f"{sum(t - before.get(pid, 0) for pid, t in after.items()) * 1e6 / hz / n:.0f}")
PY
}
# measured NAME N SERVER_PIDS DATABASE -- COMMAND...: runs COMMAND, prints its output and a RESULT cpu line.
measured() {
  local name=$1 n=$2 servers=$3 database=$4; shift 5
  proc_ticks $servers >"$WORK/$name.s0"
  if [ -n "$database" ]; then proc_ticks $(backends_of "$database") >"$WORK/$name.d0"; fi
  "$@"
  proc_ticks $servers >"$WORK/$name.s1"
  local db=0
  if [ -n "$database" ]; then proc_ticks $(backends_of "$database") >"$WORK/$name.d1"; db=$(cpu_us "$WORK/$name.d0" "$WORK/$name.d1" "$n"); fi
  echo "RESULT cpu $name submits=$n server_us_per_submit=$(cpu_us "$WORK/$name.s0" "$WORK/$name.s1" "$n") database_us_per_submit=$db"
}
leader_of() { curl -fsS "http://127.0.0.1:$1/api/v1/health" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("leader") or "")'; }

say "1a. one server on SQLite: $N submissions, $C concurrent"
P=$(free_port); start_server sqlite "$P"
"${BENCH[@]}" submit --n=1000 --c="$C" --url="http://127.0.0.1:$P" >/dev/null
measured sqlite "$N" "$SERVER_PID" "" -- "${BENCH[@]}" submit --n="$N" --c="$C" --url="http://127.0.0.1:$P" >"$WORK/sqlite.out"
cat "$WORK/sqlite.out"; SQLITE=$(grep '^RESULT submit' "$WORK/sqlite.out")

say "1b. one server on PostgreSQL: $N submissions, $C concurrent"
new_database; P=$(free_port); start_server pg1 "$P" "$DB"
"${BENCH[@]}" submit --n=1000 --c="$C" --url="http://127.0.0.1:$P" >/dev/null
measured pg1 "$N" "$SERVER_PID" "$DB_NAME" -- "${BENCH[@]}" submit --n="$N" --c="$C" --url="http://127.0.0.1:$P" >"$WORK/pg1.out"
cat "$WORK/pg1.out"; PG1=$(grep '^RESULT submit' "$WORK/pg1.out")

say "1c. two servers on one PostgreSQL: $N submissions, half through each, $C concurrent per server"
new_database; PA=$(free_port); PB=$(free_port)
start_server pg2a "$PA" "$DB"; PIDA=$SERVER_PID
start_server pg2b "$PB" "$DB"; PIDB=$SERVER_PID
"${BENCH[@]}" submit --n=1000 --c="$C" --url="http://127.0.0.1:$PA" >/dev/null
"${BENCH[@]}" submit --n=1000 --c="$C" --url="http://127.0.0.1:$PB" >/dev/null
both_halves() {
  T0=$(date +%s.%N)
  "${BENCH[@]}" submit --n=$((N / 2)) --c="$C" --url="http://127.0.0.1:$PA" >"$WORK/a.out" &
  local a=$!
  "${BENCH[@]}" submit --n=$((N / 2)) --c="$C" --url="http://127.0.0.1:$PB" >"$WORK/b.out" &
  local b=$!
  wait $a $b
  T1=$(date +%s.%N)
}
measured pg2 "$N" "$PIDA $PIDB" "$DB_NAME" -- both_halves >"$WORK/pg2.cpu"
cat "$WORK/a.out" "$WORK/b.out" "$WORK/pg2.cpu"
PG2=$(python3 -c "print(f'{$N / ($T1 - $T0):.0f}')")
echo "RESULT two-servers submits=$N seconds=$(python3 -c "print(f'{$T1 - $T0:.2f}')") rate=$PG2"

say "2. failover: kill -9 of the leader of the two servers"
LEADER=$(leader_of "$PA")
case "$LEADER" in */"$PA"/*) VICTIM=$PIDA STANDBY=$PB ;; *) VICTIM=$PIDB STANDBY=$PA ;; esac
kill -9 "$VICTIM"
T0=$(date +%s.%N)
for _ in $(seq 300); do
  NOW=$(leader_of "$STANDBY" || true)
  [ -n "$NOW" ] && [ "$NOW" != "$LEADER" ] && break
  sleep 0.05
done
T1=$(date +%s.%N)
FAILOVER=$(python3 -c "print(f'{($T1 - $T0) * 1000:.0f}')")
echo "RESULT failover old=$LEADER new=$NOW ms=$FAILOVER lease_seconds=6"

R1=$(echo "$SQLITE" | field rate) R2=$(echo "$PG1" | field rate)
cpu_of() { grep -h "^RESULT cpu $1 " "$WORK"/*.out "$WORK/pg2.cpu" | head -1 | field "$2"; }
python3 - "$R1" "$R2" "$PG2" "$FAILOVER" \
  "$(cpu_of sqlite server_us_per_submit)" "$(cpu_of pg1 server_us_per_submit)" "$(cpu_of pg1 database_us_per_submit)" \
  "$(cpu_of pg2 server_us_per_submit)" "$(cpu_of pg2 database_us_per_submit)" <<'PY'
import sys
sqlite, pg1, pg2, failover, sqlite_server, pg1_server, pg1_db, pg2_server, pg2_db = (float(x) for x in sys.argv[1:])
def per_core(*us):
    return f"{1e6 / sum(us):.0f}/s per core"
rows = [
    ("API submits/s, 1 server, SQLite", f"{sqlite:.0f}", "baseline", ""),
    ("API submits/s, 1 server, PostgreSQL", f"{pg1:.0f}", f"{pg1 / sqlite:.2f} x SQLite", ""),
    ("API submits/s, 2 servers, PostgreSQL", f"{pg2:.0f}", f"{pg2 / pg1:.2f} x one server", ">= 3000" + (" ok" if pg2 >= 3000 else " MISSED")),
    ("failover after kill -9 (ms)", f"{failover:.0f}", "lease 6 s, renewed every 2 s", "<= 10000" + (" ok" if failover <= 10000 else " MISSED")),
    ("cpu-us per submit, 1 server, SQLite", f"{sqlite_server:.0f}", per_core(sqlite_server), ""),
    ("cpu-us per submit, 1 server, PostgreSQL", f"{pg1_server:.0f}+{pg1_db:.0f}", "server+database, " + per_core(pg1_server, pg1_db), ""),
    ("cpu-us per submit, 2 servers, PostgreSQL", f"{pg2_server:.0f}+{pg2_db:.0f}", "servers+database, " + per_core(pg2_server, pg2_db), ""),
]
print()
print(f"{'measure':40} {'value':>8}  {'against':28} target")
for name, value, against, target in rows:
    print(f"{name:40} {value:>8}  {against:28} {target}")
PY
