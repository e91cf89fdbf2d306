#!/usr/bin/env bash
# A private Prometheus (Debian's prometheus package) scraping one GoDocker server: for the tests and to try the metrics.
#   scripts/prometheus.sh start TARGET [TOKEN_FILE]   scrape http://TARGET/metrics (TARGET: host:port) every second,
#                                                    bearing the token in TOKEN_FILE when given; prints its URL
#   scripts/prometheus.sh stop                       stop it (its data folder goes too)
#   scripts/prometheus.sh status                     exit 0 and print its URL when it runs, exit 3 when not
#   scripts/prometheus.sh check-rules [FILE]         promtool check rules (default deploy/prometheus/alerts.yml)
#   scripts/prometheus.sh install                    install the package only
# DIR is GODOCKER_PROM_DIR or /tmp/godocker-prometheus; PORT GODOCKER_PROM_PORT or 59090 (loopback only).
# Idempotent: `start` on a running one with the same target and token only checks it answers; with another, it rewrites
# the configuration and reloads it. It loads deploy/prometheus/alerts.yml, so the alerts are checked by a real Prometheus.
# Never the package's own instance: own port, own data folder, own configuration file; the package's service (on
# machines whose init starts services at install) is left as it is, neither started nor stopped by this script.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${GODOCKER_PROM_DIR:-/tmp/godocker-prometheus}
PORT=${GODOCKER_PROM_PORT:-59090}
URL="http://127.0.0.1:$PORT"
RULES="$ROOT/deploy/prometheus/alerts.yml"

log() { echo "[prometheus] $*" >&2; }
die() { echo "[prometheus] $*" >&2; exit 1; }
usage() { sed -n '2,9p' "$0" >&2; exit 2; }

install_package() {
  command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 && return
  [ "$(id -u)" -eq 0 ] || die "prometheus is not installed: run this once as root to install it"
  exec 8>/var/lock/godocker-prometheus-install.lock
  flock 8
  if ! command -v prometheus >/dev/null 2>&1; then
    log "installing prometheus (Debian's package)"
    # Without recommends: no node exporter, no web console fonts; the server and promtool are all the tests need.
    local apt=(apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=120 prometheus)
    if ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null 2>&1; then
      apt-get update -qq -o DPkg::Lock::Timeout=120
      DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null
    fi
  fi
  exec 8>&-
}

running() {
  [ -f "$DIR/prometheus.pid" ] || return 1
  local pid; pid=$(cat "$DIR/prometheus.pid")
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = prometheus ]
}

ready() { curl -fsS -m 2 "$URL/-/ready" >/dev/null 2>&1; }

wait_ready() {
  for _ in $(seq 1 300); do
    ready && return 0
    running || die "it exited: $(tail -5 "$DIR/prometheus.log" 2>/dev/null)"
    sleep 0.1
  done
  die "it did not answer at $URL within 30 s: $(tail -5 "$DIR/prometheus.log" 2>/dev/null)"
}

write_config() {
  local target=$1 token_file=$2 config=$DIR/prometheus.yml.new
  {
    echo "# Written by scripts/prometheus.sh: a private Prometheus for GoDocker's tests."
    echo "global:"
    echo "  scrape_interval: 1s"
    echo "  evaluation_interval: 1s"
    echo "rule_files:"
    echo "  - $RULES"
    echo "scrape_configs:"
    echo "  - job_name: godocker"
    echo "    scrape_timeout: 1s"
    if [ -n "$token_file" ]; then
      echo "    authorization:"
      echo "      type: Bearer"
      echo "      credentials_file: $token_file"
    fi
    echo "    static_configs:"
    echo "      - targets: ['$target']"
  } >"$config"
  if cmp -s "$config" "$DIR/prometheus.yml" 2>/dev/null; then
    rm -f "$config"
    return 1
  fi
  mv "$config" "$DIR/prometheus.yml"
}

cmd_start() {
  local target=${1:-} token_file=${2:-}
  [ -n "$target" ] || usage
  local pattern='^[][A-Za-z0-9.:-]+$'
  [[ "$target" =~ $pattern ]] || die "TARGET must be host:port, not '$target'"
  if [ -n "$token_file" ]; then
    [ -r "$token_file" ] || die "cannot read the token file $token_file"
    token_file=$(cd "$(dirname "$token_file")" && pwd)/$(basename "$token_file")
  fi
  install_package
  mkdir -p "$DIR/data"
  chmod 700 "$DIR"
  local changed=0
  write_config "$target" "$token_file" && changed=1
  promtool check config "$DIR/prometheus.yml" >/dev/null || die "the configuration does not check: promtool check config $DIR/prometheus.yml"
  if running; then
    if [ $changed -eq 1 ]; then
      log "new target $target: reloading"
      kill -HUP "$(cat "$DIR/prometheus.pid")"
    fi
  else
    rm -rf "$DIR/data" && mkdir -p "$DIR/data"
    nohup prometheus --config.file="$DIR/prometheus.yml" --storage.tsdb.path="$DIR/data" \
      --web.listen-address="127.0.0.1:$PORT" --storage.tsdb.retention.time=1d \
      >"$DIR/prometheus.log" 2>&1 </dev/null &
    echo $! >"$DIR/prometheus.pid"
  fi
  wait_ready
  echo "$URL"
}

cmd_stop() {
  if running; then
    local pid; pid=$(cat "$DIR/prometheus.pid")
    kill "$pid"
    for _ in $(seq 1 100); do
      running || break
      sleep 0.1
    done
    running && kill -9 "$pid"
    log "stopped"
  fi
  rm -rf "$DIR"
}

cmd_status() {
  if running && ready; then
    echo "$URL"
  else
    exit 3
  fi
}

cmd_check_rules() {
  install_package
  promtool check rules "${1:-$RULES}"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  check-rules) shift; cmd_check_rules "$@" ;;
  install) install_package ;;
  *) usage ;;
esac
