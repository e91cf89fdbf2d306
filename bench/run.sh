#!/usr/bin/env bash
# GoDocker benchmarks, each next to a baseline measured in the same run on this machine.
#   1. throughput: N trivial jobs (`true`) through GoDocker vs the same N containers via the raw
#      Docker Engine API, both at concurrency C                         target: ratio >= 0.9
#   2. API submission rate alone: 8 concurrent clients, jobs accepted/s   target: >= 2,000/s
#      2b. the same through GA4GH TES (a Nextflow-shaped task, same server)  target: >= 1,000/s
#   3. submit -> running latency p50/p95, next to raw create+start         target: p50 overhead <= 100 ms
#   4. `godocker submit` as a fresh process per job, 1,000 times in a loop, vs Slurm's `sbatch`
#      in the same loop (held jobs, as ../shared/peers/slurm-bench.sh does)  target: >= sbatch rate
#   5. one scheduling cycle in memory: 100,000 pending jobs of 1,000 users on 1,000 nodes (fair share,
#      backfill; fifo and no-backfill alongside)          targets: <= 1 s, >= 50,000 decisions/s, <= 1 GiB
#   6. API submit latency (single sequential submits) while the scheduler cycles, on an empty queue and
#      with PRELOAD pending jobs; then what one server cycle costs there (store read + cycle)
#                                                          target: submissions never wait for a cycle
#   7. one server cycle with the pending index (store read of what changed + cycle + plan applied) over 100,000 and
#      1,000,000 pending jobs preloaded in a SQLite file and a PostgreSQL database, next to the full read every cycle
#                                                          targets: <= 300 ms at 100k, <= 2 s at 1M, on both stores
#   9. DRMAA runJob + wait (libdrmaa through Debian's python3-drmaa) of DRMAA_N trivial jobs one after another, next to
#      `godocker submit --wait` and REST submit + poll in the same run                  reported: the ratios
#   8. interactive round trip (a keystroke to its echo) through `godocker exec -it` and `godocker attach` (an interactive
#      job), next to `docker exec -it` and `docker attach` on the same containers     target: p50 overhead <= 5 ms
# Usage: bench/run.sh   (DRMAA_N=200 N=200 C=8 ROUNDS=3 SUBMITS=20000 LAT_N=30 CLI_N=1000 SLURM=1 PRELOAD=100000 SUBLAT_SECONDS=10
#                       DEEP="100000 1000000" DEEP_STORES="sqlite postgres")
# SLURM=0 skips the Slurm side (it installs slurm-wlm and munge from Debian on first use).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
ROOT=$PWD
DRMAA_N=${DRMAA_N:-200} N=${N:-200} C=${C:-8} ROUNDS=${ROUNDS:-3} SUBMITS=${SUBMITS:-20000} LAT_N=${LAT_N:-30} CLI_N=${CLI_N:-1000} SLURM=${SLURM:-1}
PRELOAD=${PRELOAD:-100000} SUBLAT_SECONDS=${SUBLAT_SECONDS:-10}
DEEP=${DEEP:-100000 1000000} DEEP_STORES=${DEEP_STORES:-sqlite postgres}
PEERS=${PEERS:-$ROOT/../shared/peers}
WORK=$(mktemp -d /tmp/godocker-bench.XXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  docker ps -aq --filter label=godocker.bench=raw | xargs -r docker rm -f >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
say() { echo "[bench] $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

./godocker.sh deps busybox >&2
say "building (Release; the CLI with NativeAOT)"
dotnet publish src/GoDocker.Server -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o out/server --nologo -v quiet >&2
dotnet publish src/GoDocker.Cli -c Release -r linux-x64 -o out/bin --nologo -v quiet >&2
dotnet build bench/GoDocker.Bench -c Release --nologo -v quiet >&2
dotnet publish src/GoDocker.Drmaa -c Release -r linux-x64 -o out/drmaa --nologo -v quiet >&2
dpkg -s python3-drmaa >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-drmaa >/dev/null
BENCH=(dotnet bench/GoDocker.Bench/bin/Release/net10.0/GoDocker.Bench.dll)

# In memory and before any server starts, so nothing else competes for the cpu.
say "5. one scheduling cycle over 100,000 pending jobs on 1,000 nodes (in memory)"
CYCLE_OUT=$("${BENCH[@]}" cycle); echo "$CYCLE_OUT"
CYCLE=$(echo "$CYCLE_OUT" | grep '^RESULT cycle order=fairshare backfill=on')
CYCLE_MEM=$(echo "$CYCLE_OUT" | grep '^RESULT cycle-memory')

# Also before any server: each preloads its store (the store's batched submit), then measures alternating rounds.
say "7. one server cycle with the pending index over $DEEP pending jobs ($DEEP_STORES)"
DEEP_OUT=()
for store in $DEEP_STORES; do
  extra=()
  if [ "$store" = postgres ]; then extra=(--pg="$(scripts/postgres.sh start 2>/dev/null)" --drop=1); fi
  for n in $DEEP; do
    line=$("${BENCH[@]}" server-cycle --store="$store" --pending="$n" --db="$WORK/pending-$n.db" --runs=3 "${extra[@]}"); echo "$line"
    DEEP_OUT+=("$line")
  done
done

start_server() {  # name port extra-args...; sets SERVER_PID
  local name=$1 port=$2; shift 2
  GODOCKER_Jobs__DefaultImage=godocker/busybox:latest \
    out/server/godocker-server --listen "http://127.0.0.1:$port" --data-dir "$WORK/$name" "$@" >"$WORK/$name.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
}
# The raw baseline runs its containers on the network GoDocker's jobs use (created by the engine server at start):
# the ratio is GoDocker's own overhead. RAW_NETWORK=bridge measures against Docker's default bridge instead, which
# also counts what the managed network costs (its attach is slower: about 1.7 vs 2.2 containers/s here).
RAW_NETWORK=${RAW_NETWORK:-godocker-jobs}
ENGINE_PORT=$(free_port); QUEUE_PORT=$(free_port)
start_server engine "$ENGINE_PORT"; ENGINE_PID=$SERVER_PID
# A server whose engine never answers: its jobs stay pending, so only the API and the store are measured.
# Its volume "work" holds the files TES tasks name by url (section 2b).
mkdir -p "$WORK/tes"
GODOCKER_Jobs__MaxPendingPerUser=100000000 GODOCKER_Volumes__0__Name=work GODOCKER_Volumes__0__HostPath="$WORK/tes" \
  GODOCKER_Volumes__0__AllowedRoot="$WORK" start_server queue "$QUEUE_PORT" --docker unix:///nonexistent/docker.sock
QUEUE_PID=$SERVER_PID
ENGINE_URL=http://127.0.0.1:$ENGINE_PORT QUEUE_URL=http://127.0.0.1:$QUEUE_PORT
for _ in $(seq 100); do curl -fsS "$ENGINE_URL/api/v1/health" | grep -q '"status":"ok"' && break; sleep 0.1; done

say "warm-up"
"${BENCH[@]}" raw --n=16 --c="$C" --network="$RAW_NETWORK" >/dev/null
"${BENCH[@]}" godocker --n=16 --c="$C" --url="$ENGINE_URL" >/dev/null

say "1. $N trivial containers at concurrency $C, $ROUNDS rounds alternating: raw Engine API, GoDocker"
RAWS=() GODS=()
for r in $(seq "$ROUNDS"); do
  line=$("${BENCH[@]}" raw --n="$N" --c="$C" --network="$RAW_NETWORK"); echo "$line"; RAWS+=("$(echo "$line" | field rate)")
  line=$("${BENCH[@]}" godocker --n="$N" --c="$C" --url="$ENGINE_URL"); echo "$line"; GODS+=("$(echo "$line" | field rate)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
RAW="RESULT raw-median rounds=$ROUNDS rate=$(median "${RAWS[@]}") runs=$(IFS=,; echo "${RAWS[*]}")"
GOD="RESULT godocker-median rounds=$ROUNDS rate=$(median "${GODS[@]}") runs=$(IFS=,; echo "${GODS[*]}")"
echo "$RAW"; echo "$GOD"

say "3. latency submit -> running, $LAT_N sequential jobs"
RAWLAT=$("${BENCH[@]}" raw-latency --n="$LAT_N" --network="$RAW_NETWORK"); echo "$RAWLAT"
LAT=$("${BENCH[@]}" latency --n="$LAT_N" --url="$ENGINE_URL"); echo "$LAT"
ENGINE_RSS=$(awk '/VmHWM/ {print $2}' /proc/"$ENGINE_PID"/status)

say "9. $DRMAA_N jobs one after another: DRMAA runJob + wait, godocker submit --wait, REST submit + poll"
DRMAA_OUT=$(DRMAA_LIBRARY_PATH=$ROOT/out/drmaa/libdrmaa.so GODOCKER_URL=$ENGINE_URL \
  /usr/bin/python3 bench/drmaa-roundtrip.py --n "$DRMAA_N" --cli out/bin/godocker); echo "$DRMAA_OUT"

say "8. interactive round trip: a keystroke to its echo, godocker exec -it / attach vs docker exec -it / attach"
job_container() { docker ps -q --no-trunc --filter "label=godocker.job=$1" | head -1; }
wait_running() { for _ in $(seq 300); do [ -n "$(job_container "$1")" ] && return; sleep 0.1; done; say "job $1 never ran"; return 1; }
EXEC_JOB=$(out/bin/godocker submit --url "$ENGINE_URL" -i godocker/busybox -- sleep 3600)
ATTACH_JOB=$(GODOCKER_URL="$ENGINE_URL" python3 -c 'import json, os, urllib.request
r = urllib.request.Request(os.environ["GODOCKER_URL"] + "/api/v1/jobs", json.dumps({"command": ["cat"], "image": "godocker/busybox", "interactive": True}).encode(), {"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(r))["id"])')
wait_running "$EXEC_JOB"; wait_running "$ATTACH_JOB"
EXEC_CONTAINER=$(job_container "$EXEC_JOB")
ROUNDTRIP=$(python3 bench/exec-roundtrip.py --godocker out/bin/godocker --url "$ENGINE_URL" --job "$EXEC_JOB" --container "$EXEC_CONTAINER" \
  --user "$(docker inspect -f '{{.Config.User}}' "$EXEC_CONTAINER")" --n 200 --attach-job "$ATTACH_JOB" --attach-container "$(job_container "$ATTACH_JOB")")
echo "$ROUNDTRIP"
out/bin/godocker kill --url "$ENGINE_URL" "$EXEC_JOB" "$ATTACH_JOB" >/dev/null || true

say "4. godocker submit as a fresh process, $CLI_N times in a loop (first, on an empty queue)"
t0=$(date +%s.%N)
for _ in $(seq "$CLI_N"); do out/bin/godocker submit --url "$QUEUE_URL" -i godocker/busybox -- true >/dev/null; done
t1=$(date +%s.%N)
CLI_RATE=$(python3 -c "print(f'{$CLI_N/($t1-$t0):.0f}')")
echo "RESULT cli n=$CLI_N seconds=$(python3 -c "print(f'{$t1-$t0:.2f}')") rate=$CLI_RATE"

say "2. API submission rate: $SUBMITS submissions, 8 clients"
SUB=$("${BENCH[@]}" submit --n="$SUBMITS" --c=8 --url="$QUEUE_URL"); echo "$SUB"

say "2b. TES task creates: $SUBMITS Nextflow-shaped tasks, 8 clients, same server; then MINIMAL gets"
TES_OUT=$("${BENCH[@]}" tes-submit --n="$SUBMITS" --c=8 --url="$QUEUE_URL" --volume-path="$WORK/tes"); echo "$TES_OUT"
TES=$(echo "$TES_OUT" | grep '^RESULT tes-submit'); TESGET=$(echo "$TES_OUT" | grep '^RESULT tes-get')

say "6. submit latency while the scheduler cycles: a fresh empty queue, then the queue server with $PRELOAD pending"
EMPTY_PORT=$(free_port)
GODOCKER_Jobs__MaxPendingPerUser=100000000 start_server queue-empty "$EMPTY_PORT" --docker unix:///nonexistent/docker.sock
# A thousand submits first, so the fresh server's submit path is as warm as the queue server's (still ~1% of PRELOAD).
SUBLAT0=$("${BENCH[@]}" submit-latency --warmup=1000 --seconds="$SUBLAT_SECONDS" --url="http://127.0.0.1:$EMPTY_PORT"); echo "$SUBLAT0"
kill "$SERVER_PID" 2>/dev/null || true
pending() { curl -fsS "$QUEUE_URL/api/v1/jobs?state=Pending&limit=1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])'; }
HAVE=$(pending)
if [ "$HAVE" -lt "$PRELOAD" ]; then
  say "preloading $((PRELOAD - HAVE)) jobs (8 clients)"
  "${BENCH[@]}" submit --n=$((PRELOAD - HAVE)) --c=8 --url="$QUEUE_URL" >&2
fi
cpu_ticks() { awk '{print $14 + $15}' /proc/"$1"/stat; }
T0=$(cpu_ticks "$QUEUE_PID"); S0=$(date +%s.%N)
SUBLAT=$("${BENCH[@]}" submit-latency --seconds="$SUBLAT_SECONDS" --url="$QUEUE_URL"); echo "$SUBLAT"
T1=$(cpu_ticks "$QUEUE_PID"); S1=$(date +%s.%N)
QUEUE_CPU=$(python3 -c "print(f'{($T1 - $T0) / $(getconf CLK_TCK) / ($S1 - $S0) * 100:.0f}')")
QUEUE_RSS=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' /proc/"$QUEUE_PID"/status)
echo "RESULT queue-server cpu_percent=$QUEUE_CPU peak_rss_mb=$QUEUE_RSS (during the submit-latency run with $PRELOAD+ pending)"
STORE=$("${BENCH[@]}" store-read --db="$WORK/queue/godocker.db"); echo "$STORE"

SBATCH_RATE=n/a
if [ "$SLURM" = 1 ]; then
  say "4b. Slurm sbatch in the same loop (held jobs, then cancelled)"
  if bash "$PEERS/slurm-setup.sh" >"$WORK/slurm-setup.log" 2>&1; then
    SB=(sbatch --parsable -H -n1 --mem=10M -t 1 -o /dev/null -e /dev/null --chdir=/tmp -J bench --wrap=true)
    "${SB[@]}" >/dev/null; scancel -n bench
    t0=$(date +%s.%N)
    for _ in $(seq "$CLI_N"); do "${SB[@]}" >/dev/null; done
    t1=$(date +%s.%N)
    scancel -n bench || true
    SBATCH_RATE=$(python3 -c "print(f'{$CLI_N/($t1-$t0):.0f}')")
    echo "RESULT sbatch n=$CLI_N seconds=$(python3 -c "print(f'{$t1-$t0:.2f}')") rate=$SBATCH_RATE"
    bash "$PEERS/slurm-stop.sh" >/dev/null 2>&1 || true
  else
    say "slurm setup failed (see below); the sbatch side is skipped"; tail -5 "$WORK/slurm-setup.log" >&2
  fi
fi

python3 - "$RAW" "$GOD" "$RAWLAT" "$LAT" "$SUB" "$CLI_RATE" "$SBATCH_RATE" "$ENGINE_RSS" "$CYCLE" "$CYCLE_MEM" "$SUBLAT0" "$SUBLAT" "$STORE" "$QUEUE_CPU" "$QUEUE_RSS" "$ROUNDTRIP" "$TES" "$TESGET" "${DEEP_OUT[@]}" <<'PY'
import re, sys
def kv(line): return dict(p.split("=", 1) for p in line.split()[2:] if "=" in p)
raw, god, rawlat, lat, sub = (kv(a) for a in sys.argv[1:6])
cli, sbatch, rss = sys.argv[6], sys.argv[7], int(sys.argv[8])
cycle, cmem, lat0, lat100k, store = (kv(a) for a in sys.argv[9:14])
qcpu, qrss = sys.argv[14], sys.argv[15]
tes, tesget = kv(sys.argv[17]), kv(sys.argv[18])
server_cycle = float(store["read_ms"]) + float(store["cycle_ms"])
ratio = float(god["rate"]) / float(raw["rate"])
overhead = float(lat["p50_ms"]) - float(rawlat["p50_ms"])
rows = [
    ("throughput (jobs/s, median)", f'{god["rate"]} vs raw {raw["rate"]}', f'ratio {ratio:.2f} (runs: GoDocker {god["runs"]}; raw {raw["runs"]})', ">= 0.90", ratio >= 0.9),
    ("API submissions/s (8 clients)", sub["rate"], f'p50 {sub["p50_ms"]} ms, p95 {sub["p95_ms"]} ms', ">= 2000", float(sub["rate"]) >= 2000),
    ("TES creates/s (8 clients)", tes["rate"], f'p50 {tes["p50_ms"]} ms, p95 {tes["p95_ms"]} ms; {tes["body_bytes"]} B tasks; REST {sub["rate"]}/s; MINIMAL gets {tesget["rate"]}/s', ">= 1000", float(tes["rate"]) >= 1000),
    ("submit->running p50/p95 (ms)", f'{lat["p50_ms"]} / {lat["p95_ms"]}', f'raw create+start {rawlat["p50_ms"]} / {rawlat["p95_ms"]}; p50 overhead {overhead:.0f} ms', "<= 100 ms", overhead <= 100),
    ("CLI submit loop (per s)", cli, f"sbatch {sbatch}", ">= sbatch", sbatch == "n/a" or float(cli) >= float(sbatch)),
    ("server peak RSS (MiB)", f"{rss/1024:.0f}", "during runs 1 and 3", "", True),
    ("cycle 100k jobs/1k nodes (ms)", f'{cycle["median_ms"]} / max {cycle["max_ms"]}', f'fair share + backfill, {cycle["placements"]} placed, {cycle["expected_starts"]} reserved, in memory', "<= 1000", float(cycle["max_ms"]) <= 1000),
    ("cycle decisions/s", cycle["decisions_per_s"], "pending jobs examined per second (median cycle)", ">= 50000", float(cycle["decisions_per_s"]) >= 50000),
    ("cycle peak memory (MiB)", cmem["peak_rss_mb"], f'peak RSS of the bench process; managed heap {cmem["managed_heap_mb"]} MiB', "<= 1024", float(cmem["peak_rss_mb"]) <= 1024),
    ("submit p50/95/99 empty (ms)", f'{lat0["p50_ms"]} / {lat0["p95_ms"]} / {lat0["p99_ms"]}', f'max {lat0["max_ms"]}; {lat0["n"]} submits in {lat0["seconds"]} s; fresh server, {lat0["pending"]} pending', "", True),
    (f'submit p50/95/99 {int(lat100k["pending"])//1000}k pending (ms)', f'{lat100k["p50_ms"]} / {lat100k["p95_ms"]} / {lat100k["p99_ms"]}', f'max {lat100k["max_ms"]}; {lat100k["n"]} submits in {lat100k["seconds"]} s; server {qcpu}% cpu, {qrss} MiB', "max < cycle", float(lat100k["max_ms"]) < server_cycle),
    ("server cycle on that queue (ms)", f"{server_cycle:.0f}", f'store read {store["read_ms"]} + cycle {store["cycle_ms"]} ({store["pending"]} pending); new job reasoned in {lat100k["reason_ms"]}', "", True),
]
roundtrip = dict(re.findall(r"RESULT (\S+-roundtrip) overhead p50=([-\d.]+) ms", sys.argv[16]))
for kind in ("exec", "attach"):
    ours = re.search(rf"RESULT {kind}-roundtrip godocker \w+( -it)?: n=\d+ p50=([\d.]+) ms p95=([\d.]+) ms", sys.argv[16])
    theirs = re.search(rf"RESULT {kind}-roundtrip docker \w+( -it)?: n=\d+ p50=([\d.]+) ms p95=([\d.]+) ms", sys.argv[16])
    overhead = float(roundtrip[f"{kind}-roundtrip"])
    rows.append((f"keystroke echo via {kind} p50/p95 (ms)", f"{ours[2]} / {ours[3]}", f"docker {kind} {theirs[2]} / {theirs[3]}; p50 overhead {overhead:.2f} ms", "<= 5 ms", overhead <= 5))
for line in sys.argv[19:]:
    d = kv(line)
    size = f'{int(d["pending"]) // 1000}k' if int(d["pending"]) < 1_000_000 else f'{int(d["pending"]) / 1e6:.1f}M'
    rows.append((f'server cycle {size} pending, {d["store"]} (ms)', f'{d["delta_ms"]} / {d["index_ms"]}',
                 f'+{d["delta"]} submits / none (cpu {d["delta_cpu_ms"]} / {d["index_cpu_ms"]}); full read {d["full_ms"]} (cpu {d["full_cpu_ms"]}); rss {d["peak_rss_mb"]} MiB',
                 f'<= {d["target_ms"]}', d["met"] == "yes"))
print("\n%-34s %-22s %-62s %-11s %s" % ("measure", "GoDocker", "baseline / detail", "target", "met"))
for r in rows:
    print("%-34s %-22s %-62s %-11s %s" % (r[0], r[1], r[2], r[3], "yes" if r[4] else "NO"))
PY
