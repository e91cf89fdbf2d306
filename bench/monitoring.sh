#!/usr/bin/env bash
# What live resource sampling costs (issue 10), sampling off and on measured in the same run, alternating rounds:
#   1. container throughput: N trivial jobs at concurrency C while RUNNING long jobs run (and are sampled)
#                                                                  target: on/off >= 0.95 (<= 5% throughput cost)
#   2. API read latency p50/p95 (running jobs' list and one job, one request after another) beside the same load
#   3. server memory: RSS with sampling on vs off, and one running job's series at its fullest (managed bytes)
# The server runs as `./godocker.sh up` builds it (Release, ReadyToRun) on SQLite and the local engine; between modes
# it restarts on the same data directory and re-attaches the long jobs, so both modes see the same RUNNING containers.
# Settings: N (trivial jobs per round, 200), C (8), RUNNING (100), ROUNDS (3), INTERVAL (the sampling interval, 5s:
# the default), LAT_SECONDS (10).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
N=${N:-200} C=${C:-8} RUNNING=${RUNNING:-100} ROUNDS=${ROUNDS:-3} INTERVAL=${INTERVAL:-5s} LAT_SECONDS=${LAT_SECONDS:-10}
WORK=$(mktemp -d /tmp/godocker-monitoring-bench.XXXX)
SERVER_PID=
say() { echo "[bench] $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
PORT=$(free_port) URL=
URL=http://127.0.0.1:$PORT
stop_server() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; fi
}
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    # The long jobs end with the bench: killed through the API, so their containers go too.
    curl -fsS "$URL/api/v1/jobs?tag=bench-long&state=Pending,Scheduled,Running&limit=1000" 2>/dev/null \
      | python3 -c 'import json,sys; [print(j["id"]) for j in json.load(sys.stdin)["items"]]' 2>/dev/null \
      | while read -r id; do curl -fsS -X POST -H 'Content-Type: application/json' -d '{}' "$URL/api/v1/jobs/$id/kill" >/dev/null 2>&1 || true; done
    sleep 5
  fi
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT
start_server() {  # interval: off or a duration
  GODOCKER_Jobs__DefaultImage=godocker/busybox:latest GODOCKER_Monitoring__SampleInterval="$1" \
    out/server/godocker-server --listen "$URL" --data-dir "$WORK/server" >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 300); do curl -fsS "$URL/api/v1/health" 2>/dev/null | grep -q '"status":"ok"' && break; sleep 0.1; done
}
running() { curl -fsS "$URL/api/v1/jobs?tag=bench-long&state=Running&limit=1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])'; }
wait_running() {
  for _ in $(seq 600); do [ "$(running)" -ge "$RUNNING" ] && return 0; sleep 0.5; done
  say "only $(running) of $RUNNING long jobs run"; return 1
}

./godocker.sh deps busybox >&2
say "building (Release)"
dotnet publish src/GoDocker.Server -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o out/server --nologo -v quiet >&2
dotnet build bench/GoDocker.Bench -c Release --nologo -v quiet >&2
BENCH=(dotnet bench/GoDocker.Bench/bin/Release/net10.0/GoDocker.Bench.dll)

say "3b. one running job's series at its fullest (in memory, before any server)"
SERIES=$("${BENCH[@]}" series-memory); echo "$SERIES"

start_server off
say "starting $RUNNING long jobs (0.01 cpu, 16 MiB each)"
for _ in $(seq "$RUNNING"); do
  curl -fsS -H 'Content-Type: application/json' \
    -d '{"command":["sleep","100000"],"image":"godocker/busybox:latest","cpus":0.01,"memory":"16M","tags":["bench-long"]}' \
    "$URL/api/v1/jobs" >/dev/null
done
wait_running
say "warm-up"
"${BENCH[@]}" godocker --n=16 --c="$C" --cpus=0.1 --url="$URL" >/dev/null

declare -A RATES LATS P95S RSS
for r in $(seq "$ROUNDS"); do
  for mode in off on; do
    stop_server
    if [ "$mode" = on ]; then start_server "$INTERVAL"; else start_server off; fi
    wait_running
    # Two intervals: the sampler has watched every re-attached job and runs its rounds.
    sleep 12
    line=$("${BENCH[@]}" godocker --n="$N" --c="$C" --cpus=0.1 --url="$URL"); echo "$mode $line"
    RATES[$mode]+="$(echo "$line" | field rate) "
    line=$("${BENCH[@]}" api-latency --seconds="$LAT_SECONDS" --url="$URL"); echo "$mode $line"
    LATS[$mode]+="$(echo "$line" | field p50_ms) "; P95S[$mode]+="$(echo "$line" | field p95_ms) "
    RSS[$mode]+="$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' /proc/"$SERVER_PID"/status) "
  done
done
POINTS=$(sqlite3 "$WORK/server/godocker.db" "SELECT count(*) FROM usage_points" 2>/dev/null || echo n/a)
# shellcheck disable=SC2086
{
  OFF=$(median ${RATES[off]}) ON=$(median ${RATES[on]})
  echo "RESULT monitoring-throughput running=$RUNNING interval=$INTERVAL off=$OFF on=$ON ratio=$(python3 -c "print(f'{$ON/$OFF:.3f}')") target=0.95 runs_off=${RATES[off]// /,} runs_on=${RATES[on]// /,}"
  echo "RESULT monitoring-api-latency off_p50_ms=$(median ${LATS[off]}) on_p50_ms=$(median ${LATS[on]}) off_p95_ms=$(median ${P95S[off]}) on_p95_ms=$(median ${P95S[on]})"
  echo "RESULT monitoring-memory off_rss_mb=$(median ${RSS[off]}) on_rss_mb=$(median ${RSS[on]}) $(echo "$SERIES" | sed 's/^RESULT series-memory //') usage_points_kept=$POINTS"
}
