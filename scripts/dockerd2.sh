#!/usr/bin/env bash
# A second Docker engine on this machine: a second node for multi-node placement (and its tests).
#   scripts/dockerd2.sh start      start it if it does not answer, load the test image, print its endpoint
#   scripts/dockerd2.sh stop       stop it (its images stay in the data root for the next start)
#   scripts/dockerd2.sh endpoint   print its endpoint
# Idempotent: `start` on a running engine only checks it and the image; `stop` on a stopped one does nothing.
# GODOCKER_NODE2_TLS=SITE (a site CA folder made by `scripts/certs.sh ca SITE`): the engine also listens on
#   tcp://10.201.N.2:2376 with mutual TLS (dockerd --tlsverify, its certificate SITE/engines/NAME from
#   scripts/certs.sh), reached from the host over a veth link (host side 10.201.N.1) as a remote machine would be;
#   `start` and `endpoint` then print that tcp:// endpoint. Chosen at the engine's first start (stop it to change).
# GODOCKER_NODE2_LINK=1: the same veth link without TLS (the API stays on the unix socket), plus a route
#   to the other links through the host and host forwarding between such links, so engines in their namespaces reach each other at
#   their 10.201.N.2 addresses (a multi-node Docker Swarm on one machine). `scripts/dockerd2.sh address` prints it.
# Needs root. GODOCKER_NODE2 names it (default godocker-node2), and so everything it owns:
#   /run/NAME/docker.sock    its API (endpoint unix:///run/NAME/docker.sock)
#   /run/NAME/exec/          its exec root (containerd state, container runtimes)
#   /run/NAME/docker.pid     its pidfile
#   /var/lib/NAME/           its data root (images, containers)
#   network namespace NAME   where it lives, so its docker0 bridge and iptables rules are its own
#   cgroup parent /NAME      its containers' cgroups
#   /var/log/godocker/NAME.log
# Why a network namespace (see ENGINES.md): a second dockerd in the host's namespace fights the first over
# docker0 (with --bridge none it even deletes it). `nsenter --net` switches only the network namespace;
# `ip netns exec` would also remount /sys and hide the cgroup mounts.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
# shellcheck source=scripts/lib/engine.sh
. scripts/lib/engine.sh
# shellcheck source=scripts/lib/netns.sh
. scripts/lib/netns.sh

NAME=${GODOCKER_NODE2:-godocker-node2}
RUN=/run/$NAME
DATA=/var/lib/$NAME
SOCK=$RUN/docker.sock
ENDPOINT=unix://$SOCK
LOGS=${GODOCKER_LOGS:-/var/log/godocker}
LOG=$LOGS/$NAME.log
IMAGE=godocker/busybox:latest
TLS_SITE=${GODOCKER_NODE2_TLS:-}
WANT_LINK=${GODOCKER_NODE2_LINK:-}
# A /30 of its own per engine name, so several TLS engines can coexist.
NET=$(( $(printf '%s' "$NAME" | cksum | cut -d' ' -f1) % 250 + 1 ))
HOST_ADDR=10.201.$NET.1
ENGINE_ADDR=10.201.$NET.2
TLS_ENDPOINT=tcp://$ENGINE_ADDR:2376
LINK=gd2-$NET

log() { echo "[dockerd2] $*" >&2; }
die() { echo "[dockerd2] $*" >&2; exit 1; }

answers() { docker -H "$ENDPOINT" info >/dev/null 2>&1; }

pid_alive() { pidfile_names_dockerd "$RUN/docker.pid"; }

ensure_netns() {
  ensure_named_netns "$NAME"
  nsenter --net="/run/netns/$NAME" ip link set lo up
}

# A point-to-point link host <-> the engine's namespace: the engine's tcp:// listener is reached as over a network.
ensure_link() {
  if ! ip link show "$LINK" >/dev/null 2>&1; then
    ip link add "$LINK" type veth peer name eth-gd2 netns "$NAME"
    ip addr add "$HOST_ADDR/30" dev "$LINK"
    nsenter --net="/run/netns/$NAME" ip addr add "$ENGINE_ADDR/30" dev eth-gd2
  fi
  ip link set "$LINK" up
  nsenter --net="/run/netns/$NAME" ip link set eth-gd2 up
}

# Engine to engine through the host: a route to the other links (10.201.0.0/16, not a default route: with one, a
# pull of an image no registry has waits for DNS timeouts instead of failing at once) in the namespace, and forwarding between links on the host
# (Docker's FORWARD policy is DROP). Ahead of Docker's own chains; idempotent.
ensure_route() {
  nsenter --net="/run/netns/$NAME" ip route replace 10.201.0.0/16 via "$HOST_ADDR"
  sysctl -qw net.ipv4.ip_forward=1
  iptables -C FORWARD -i 'gd2-+' -o 'gd2-+' -j ACCEPT 2>/dev/null || iptables -I FORWARD 1 -i 'gd2-+' -o 'gd2-+' -j ACCEPT
}

tls_flags() {
  [ -n "$TLS_SITE" ] || return 0
  local certs=$TLS_SITE/engines/$NAME
  scripts/certs.sh engine "$TLS_SITE" "$NAME" "$ENGINE_ADDR" >&2
  echo "--tlsverify --tlscacert $certs/ca.pem --tlscert $certs/cert.pem --tlskey $certs/key.pem --host $TLS_ENDPOINT"
}

start_engine() {
  if answers; then return; fi
  [ "$(id -u)" -eq 0 ] || die "needs root (a dockerd of its own)"
  command -v dockerd >/dev/null 2>&1 || die "dockerd is not installed (./godocker.sh deps installs it)"
  # One starter at a time: two concurrent starts would race for the pidfile.
  mkdir -p "$RUN" "$DATA" "$LOGS"
  exec 8>"$RUN/start.lock"
  flock 8
  if ! answers; then
    if ! pid_alive; then
      ensure_netns
      local tls=""
      if [ -n "$TLS_SITE" ]; then ensure_link; tls=$(tls_flags); fi
      if [ -n "$WANT_LINK" ]; then ensure_link; ensure_route; fi
      clear_stale_dockerd_pidfile "$RUN/docker.pid"
      clear_stale_containerd_pidfile "$RUN/exec"
      log "starting dockerd $NAME (log: $LOG)"
      # Detached from our stdout/stderr: whoever reads this script's output must not wait for the daemon.
      # shellcheck disable=SC2086 # $tls is a list of flags
      setsid nsenter --net="/run/netns/$NAME" dockerd \
        --host "$ENDPOINT" $tls --data-root "$DATA" --exec-root "$RUN/exec" --pidfile "$RUN/docker.pid" \
        --cgroup-parent "/$NAME" \
        </dev/null >>"$LOG" 2>&1 &
    fi
    for _ in $(seq 1 120); do
      answers && break
      sleep 0.25
    done
    answers || { tail -20 "$LOG" >&2; die "dockerd $NAME did not answer on $ENDPOINT within 30 s; see $LOG"; }
  fi
  exec 8>&-
}

# Images are per engine: copy the test image from the first engine, or build it on this one.
load_image() {
  if docker -H "$ENDPOINT" image inspect "$IMAGE" >/dev/null 2>&1; then return; fi
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    log "loading $IMAGE from the first engine"
    docker save "$IMAGE" | docker -H "$ENDPOINT" load >/dev/null
  else
    DOCKER_HOST=$ENDPOINT scripts/images.sh busybox >&2
  fi
}

stop_engine() {
  if ! pid_alive; then
    answers && die "something answers on $ENDPOINT but $RUN/docker.pid names no dockerd: stop it by hand"
    log "dockerd $NAME is not running"
    return
  fi
  local pid; pid=$(cat "$RUN/docker.pid")
  kill "$pid"
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  kill -0 "$pid" 2>/dev/null && die "dockerd $NAME (pid $pid) did not stop within 30 s"
  log "dockerd $NAME stopped"
}

case "${1:-}" in
  start) start_engine; load_image; if [ -n "$TLS_SITE" ]; then echo "$TLS_ENDPOINT"; else echo "$ENDPOINT"; fi ;;
  stop) stop_engine ;;
  address) echo "$ENGINE_ADDR" ;;
  endpoint) if [ -n "$TLS_SITE" ]; then echo "$TLS_ENDPOINT"; else echo "$ENDPOINT"; fi ;;
  *) sed -n '2,13p' "$0" >&2; exit 2 ;;
esac
