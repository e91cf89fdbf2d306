#!/usr/bin/env bash
# GoDocker on this machine. Every command is idempotent.
#   ./godocker.sh up      install/start the Docker engine, build the base images and GoDocker, start the embedded server
#   ./godocker.sh test    run every test (starts the engine, a second one for multi-node tests (scripts/dockerd2.sh),
#                         a PostgreSQL for the store tests (scripts/postgres.sh), installs Prometheus for the metrics tests
#                         (scripts/prometheus.sh), an SMTP server for the mail tests (scripts/smtp.sh) and Debian's
#                         snakemake for the profile's tests, and builds the test images if needed)
#   ./godocker.sh down    stop the server started by `up` (the engine keeps running)
#   ./godocker.sh cluster a local cluster: PostgreSQL, two servers (8180, 8181), a second engine over mutual TLS
#                         (`cluster down` stops its servers); see README "Running on several machines"
#   ./godocker.sh bench   run the benchmarks in bench/ (see bench/README.md)
# Settings: GODOCKER_URL (default http://127.0.0.1:8080), GODOCKER_DATA (default /var/lib/godocker),
#           GODOCKER_CONFIG (a configuration file, see config/godocker.sample.jsonc).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
# shellcheck source=scripts/lib/engine.sh
. scripts/lib/engine.sh
# shellcheck source=scripts/lib/smart-open-local.sh
. scripts/lib/smart-open-local.sh
ROOT=$PWD
URL=${GODOCKER_URL:-http://127.0.0.1:8080}
DATA=${GODOCKER_DATA:-/var/lib/godocker}
LOGS=${GODOCKER_LOGS:-/var/log/godocker}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { echo "[godocker] $*"; }

apt_install() {
  if [ ! -f /var/lib/apt/lists/.godocker-updated ] ; then
    apt-get update -qq && touch /var/lib/apt/lists/.godocker-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The Docker engine: Debian's docker.io, dockerd started in the background if none answers.
ensure_docker() {
  if docker info >/dev/null 2>&1; then return; fi
  if ! command -v dockerd >/dev/null 2>&1; then
    say "installing the Docker engine (docker.io)"
    apt_install docker.io
  fi
  if ! docker info >/dev/null 2>&1; then
    mkdir -p "$LOGS"
    clear_stale_dockerd_pidfile /var/run/docker.pid
    clear_stale_containerd_pidfile /var/run/docker
    say "starting dockerd (log: $LOGS/dockerd.log)"
    nohup dockerd >"$LOGS/dockerd.log" 2>&1 &
    for _ in $(seq 1 60); do
      docker info >/dev/null 2>&1 && break
      sleep 0.5
    done
    docker info >/dev/null 2>&1 || { say "dockerd did not start; see $LOGS/dockerd.log"; tail -20 "$LOGS/dockerd.log"; exit 1; }
  fi
}

ensure_tools() {
  command -v busybox >/dev/null 2>&1 || [ -x /bin/busybox ] || apt_install busybox-static
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  # scripts/images.sh snakemake builds its image with it (its recommends, gpg, fakechroot..., are not needed as root).
  command -v mmdebstrap >/dev/null 2>&1 || apt_install --no-install-recommends mmdebstrap
}

# Debian's snakemake (7.21 on bookworm), for the Snakemake profile (contrib/snakemake) and its tests; without
# recommends (no conda, graphviz or docs), and without the 1.3 GB of cloud libraries its python3-smart-open depends
# on (scripts/lib/smart-open-local.sh: an empty package stands for them, installed first so apt finds them provided).
# Its jobs' image: scripts/images.sh snakemake.
ensure_snakemake() {
  [ -x /usr/bin/snakemake ] && return
  say "installing Debian's snakemake"
  local deb; deb=$(mktemp -d)/godocker-smart-open-local.deb
  smart_open_local_deb "$deb"
  apt_install -o DPkg::Lock::Timeout=120 "$deb"
  apt_install --no-install-recommends -o DPkg::Lock::Timeout=120 snakemake
  rm -rf "$(dirname "$deb")"
}

# The web interface (web/): TypeScript and Preact, built by Vite into web/dist with the machine's Node.js and npm; the
# server's build copies web/dist beside the server binary (ui/), which serves it at /. Rebuilt only when a source changed.
build_web() {
  command -v node >/dev/null 2>&1 || { say "Node.js >= 20.19 and npm are needed to build the web interface (web/)"; exit 1; }
  if [ "$(npm --version | cut -d. -f1)" -lt 11 ]; then
    say "upgrading npm to 11 (Vite 8 does not install with an older npm)"
    npm install -g npm@11 --no-audit --no-fund --loglevel=error >/dev/null
  fi
  if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    say "installing the web interface's packages (npm ci)"
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
  fi
  if [ ! -f web/dist/index.html ] \
    || [ -n "$(find web/src web/index.html web/package.json web/package-lock.json web/vite.config.ts web/tsconfig.json -newer web/dist/index.html -print -quit)" ]; then
    say "building the web interface (web/dist)"
    (cd web && npm run build --silent >/dev/null)
  fi
}

build() {
  build_web
  say "building GoDocker (server, NativeAOT CLI, web interface)"
  # ReadyToRun: a fresh server answers its first thousands of requests without JIT pauses.
  dotnet publish src/GoDocker.Server -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o out/server --nologo -v quiet
  dotnet publish src/GoDocker.Cli -c Release -r linux-x64 -o out/bin --nologo -v quiet
  cli_links
  ln -sf ../server/godocker-server out/bin/godocker-server
  build_drmaa
}

# libdrmaa.so.1.0, the DRMAA v1 C library (NativeAOT, src/GoDocker.Drmaa) for DRMAA clients: python3-drmaa and
# Snakemake --drmaa find it through DRMAA_LIBRARY_PATH=out/lib/libdrmaa.so.1.0.
build_drmaa() {
  dotnet publish src/GoDocker.Drmaa -c Release -r linux-x64 -o out/drmaa --nologo -v quiet
  mkdir -p out/lib
  cp out/drmaa/libdrmaa.so out/lib/libdrmaa.so.1.0
  ln -sf libdrmaa.so.1.0 out/lib/libdrmaa.so.1
  ln -sf libdrmaa.so.1 out/lib/libdrmaa.so
}

# godocker-submit, -status, -kill, -wait: the CLI runs the command its own name says (MultiCall.cs), for tools
# that run one program without a shell. Keep the list equal to MultiCall.LinkedCommands (a test compares them).
cli_links() {
  local command
  for command in submit status kill wait; do ln -sf godocker "out/bin/godocker-$command"; done
}

healthy() { curl -fsS -m 2 "$URL/api/v1/health" >/dev/null 2>&1; }

cmd_up() {
  ensure_tools
  ensure_docker
  scripts/images.sh all
  if healthy; then
    # Never rebuild under a running server (it maps those files); `down` then `up` deploys a new build.
    say "a server already answers at $URL (./godocker.sh down, then up, to run a new build)"
  else
    build
    mkdir -p "$DATA" "$LOGS"
    say "starting the server (data: $DATA, log: $LOGS/server.log)"
    nohup out/bin/godocker server --listen "$URL" --data-dir "$DATA" >"$LOGS/server.log" 2>&1 &
    echo $! >"$DATA/server.pid"
    for _ in $(seq 1 100); do healthy && break; sleep 0.2; done
    healthy || { say "the server did not start; see $LOGS/server.log"; tail -20 "$LOGS/server.log"; exit 1; }
  fi
  say "GoDocker is up at $URL"
  say "the client: export PATH=$ROOT/out/bin:\$PATH; godocker submit -- echo hello"
}

cmd_down() {
  if [ -f "$DATA/server.pid" ] && kill -0 "$(cat "$DATA/server.pid")" 2>/dev/null; then
    kill "$(cat "$DATA/server.pid")" && say "server stopped"
  else
    say "no server started by 'up' is running"
  fi
  rm -f "$DATA/server.pid"
}

cmd_test() {
  ensure_tools
  # The LDAP tests start their own slapd (scripts/slapd.sh); install it once, before tests run in parallel.
  command -v slapd >/dev/null 2>&1 && command -v ldapsearch >/dev/null 2>&1 || apt_install slapd ldap-utils
  ensure_docker
  scripts/images.sh busybox
  # A second engine (a second node for the multi-node tests), with the test image loaded.
  GODOCKER_TEST_NODE2=$(scripts/dockerd2.sh start)
  export GODOCKER_TEST_NODE2
  say "second engine at $GODOCKER_TEST_NODE2 (scripts/dockerd2.sh stop stops it)"
  # A PostgreSQL of the project's own (installed and initialised on first use); each test class makes its database.
  GODOCKER_TEST_POSTGRES=$(scripts/postgres.sh start)
  export GODOCKER_TEST_POSTGRES
  say "PostgreSQL at 127.0.0.1:${GODOCKER_PG_PORT:-55432} (scripts/postgres.sh stop stops it)"
  # Debian's prometheus and promtool: the metrics tests start a private Prometheus of their own (scripts/prometheus.sh).
  scripts/prometheus.sh install
  # Debian's python3-aiosmtpd: the mail tests start a private SMTP server of their own (scripts/smtp.sh).
  scripts/smtp.sh install
  # Snakemake and the image its --cluster jobs run in (SnakemakeProfileTests): the image takes a few minutes on a fresh
  # machine (mmdebstrap and snakemake's packages), so it is built while the solution builds, and waited for after.
  ensure_snakemake
  mkdir -p "$LOGS"
  scripts/images.sh snakemake >"$LOGS/images-snakemake.log" 2>&1 &
  local snakemake_image=$!
  # Debian's chromium for the browser tests (Playwright drives it; no browser is downloaded).
  GODOCKER_CHROMIUM=$(scripts/chromium.sh install)
  export GODOCKER_CHROMIUM
  # In a network namespace of its own: on the machine's, chromium fails requests in flight (ERR_NETWORK_CHANGED)
  # whenever a container starts or stops.
  read -r GODOCKER_BROWSER_NAMESPACE GODOCKER_BROWSER_ADDRESS < <(scripts/chromium.sh namespace)
  export GODOCKER_BROWSER_NAMESPACE GODOCKER_BROWSER_ADDRESS
  say "building"
  build_web
  dotnet build GoDocker.slnx -c Debug --nologo -v quiet
  # The CLI tests run the real NativeAOT binary, as users do.
  dotnet publish src/GoDocker.Cli -c Release -r linux-x64 -o out/bin --nologo -v quiet
  cli_links
  export GODOCKER_CLI=$ROOT/out/bin/godocker
  # The DRMAA tests drive the published library with Debian's python3-drmaa (tests/GoDocker.IntegrationTests/Drmaa).
  dpkg -s python3-drmaa >/dev/null 2>&1 || apt_install python3-drmaa
  build_drmaa
  export GODOCKER_DRMAA_LIBRARY=$ROOT/out/lib/libdrmaa.so.1.0
  wait "$snakemake_image" || { say "building godocker/snakemake:7.21 failed:"; tail -5 "$LOGS/images-snakemake.log"; exit 1; }
  # Kept after the run (CI artifacts: the trx files, and what tests save there through GODOCKER_TEST_RESULTS).
  local results=$ROOT/out/test-results
  rm -rf "$results" && mkdir -p "$results"
  export GODOCKER_TEST_RESULTS=$results
  local status=0
  dotnet test GoDocker.slnx --no-build -c Debug --nologo --logger "trx" --results-directory "$results" "$@" || status=$?
  # The web interface's unit tests (vitest), unless a filter picked some .NET tests only.
  if [ $# -eq 0 ]; then
    (cd web && npx vitest run --reporter=default --reporter=junit --outputFile.junit="$results/web-unit.junit.xml") || status=$?
  fi
  # One closing line in the plain form CI reads: N passed, N failed, N skipped.
  python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed")); failed += int(c.get("failed")) + int(c.get("error"))
    skipped += int(c.get("notExecuted"))
# The slowest test classes (what to trim when the run grows), then the closing line.
classes = {}
for f in glob.glob(sys.argv[1] + "/*.trx"):
    root = ET.parse(f).getroot()
    names = {d.get("id"): d.find("t:TestMethod", ns).get("className") for d in root.iterfind("t:TestDefinitions/t:UnitTest", ns)}
    for r in root.iterfind("t:Results/t:UnitTestResult", ns):
        h, m, s = r.get("duration", "0:0:0").split(":")
        classes[names.get(r.get("testId"), "?")] = classes.get(names.get(r.get("testId"), "?"), 0) + int(h) * 3600 + int(m) * 60 + float(s)
for name, secs in sorted(classes.items(), key=lambda kv: -kv[1])[:8]:
    print(f"  slowest: {secs:7.1f} s  {name}")
for f in glob.glob(sys.argv[1] + "/*.junit.xml"):
    root = ET.parse(f).getroot()
    for suite in root.iter("testsuite"):
        total, bad = int(suite.get("tests", 0)), int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skip = int(suite.get("skipped", 0))
        passed += total - bad - skip; failed += bad; skipped += skip
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
  say "test results (trx, screenshots): $results"
  return $status
}

# A local cluster for a newcomer, as a site would run one: PostgreSQL (scripts/postgres.sh), two servers on it
# (ports 8180 and 8181; one leads, both serve the API), two nodes: this machine's engine and a second engine
# reached over mutual TLS (scripts/dockerd2.sh with a site CA from scripts/certs.sh), job directories in one folder
# both servers and both engines see (as a shared filesystem would be). `cluster down` stops the servers.
CLUSTER=${GODOCKER_CLUSTER:-/var/lib/godocker-cluster}
cmd_cluster() {
  if [ "${1:-}" = down ]; then
    for s in a b; do
      if [ -f "$CLUSTER/$s/server.pid" ] && kill -0 "$(cat "$CLUSTER/$s/server.pid")" 2>/dev/null; then
        kill "$(cat "$CLUSTER/$s/server.pid")" && say "server $s stopped"
      fi
    done
    return
  fi
  ensure_tools
  ensure_docker
  scripts/images.sh all
  local pg; pg=$(scripts/postgres.sh start)
  scripts/certs.sh ca "$CLUSTER/site"
  scripts/certs.sh client "$CLUSTER/site" servers
  local node2; node2=$(GODOCKER_NODE2=godocker-cluster-n2 GODOCKER_NODE2_TLS="$CLUSTER/site" scripts/dockerd2.sh start)
  docker image inspect godocker/debian:bookworm >/dev/null 2>&1 && ! docker -H unix:///run/godocker-cluster-n2/docker.sock image inspect godocker/debian:bookworm >/dev/null 2>&1 \
    && docker save godocker/debian:bookworm | docker -H unix:///run/godocker-cluster-n2/docker.sock load >/dev/null
  # Never rebuild under running servers (they map those files): `cluster down`, then `cluster`, runs a new build.
  if ! curl -fsS -m 2 http://127.0.0.1:8180/api/v1/health >/dev/null 2>&1 && ! curl -fsS -m 2 http://127.0.0.1:8181/api/v1/health >/dev/null 2>&1; then
    build
  fi
  mkdir -p "$CLUSTER/jobs" "$LOGS"
  local port=8180
  for s in a b; do
    local url=http://127.0.0.1:$port
    if curl -fsS -m 2 "$url/api/v1/health" >/dev/null 2>&1; then
      say "server $s already answers at $url"
    else
      mkdir -p "$CLUSTER/$s"
      say "starting server $s at $url (data: $CLUSTER/$s, log: $LOGS/cluster-$s.log)"
      GODOCKER_Store__Provider=postgres GODOCKER_Store__ConnectionString="$pg" GODOCKER_Server__JobsDir="$CLUSTER/jobs" \
      GODOCKER_Nodes__0__Name=n1 GODOCKER_Nodes__0__Endpoint=unix:///var/run/docker.sock \
      GODOCKER_Nodes__1__Name=n2 GODOCKER_Nodes__1__Endpoint="$node2" GODOCKER_Nodes__1__TlsCertPath="$CLUSTER/site/clients/servers" \
        nohup out/server/godocker-server --listen "$url" --data-dir "$CLUSTER/$s" >"$LOGS/cluster-$s.log" 2>&1 &
      echo $! >"$CLUSTER/$s/server.pid"
      for _ in $(seq 1 150); do curl -fsS -m 2 "$url/api/v1/health" >/dev/null 2>&1 && break; sleep 0.2; done
      curl -fsS -m 2 "$url/api/v1/health" >/dev/null 2>&1 || { say "server $s did not start; see $LOGS/cluster-$s.log"; tail -20 "$LOGS/cluster-$s.log"; exit 1; }
    fi
    port=$((port + 1))
  done
  say "cluster up: servers http://127.0.0.1:8180 and :8181 on PostgreSQL, nodes n1 (local) and n2 ($node2, mutual TLS)"
  say "try: GODOCKER_URL=http://127.0.0.1:8181 out/bin/godocker health   (kill the leader's process: the other leads within seconds)"
}

case "${1:-}" in
  up) cmd_up ;;
  cluster) shift; cmd_cluster "$@" ;;
  # deps snakemake: Debian's snakemake and the godocker/snakemake:7.21 image its jobs run in.
  deps) ensure_tools; ensure_docker; [ "${2:-}" != snakemake ] || ensure_snakemake; scripts/images.sh "${2:-busybox}" ;;
  down) cmd_down ;;
  test) shift; cmd_test "$@" ;;
  bench) shift; exec bench/run.sh "$@" ;;
  *) sed -n '2,12p' "$0"; exit 2 ;;
esac
