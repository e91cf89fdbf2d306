#!/usr/bin/env bash
# Debian's chromium, for the browser tests of the web interface (Playwright drives it; it never downloads a browser).
#   scripts/chromium.sh install    install the package when missing, then print the browser's executable path
#   scripts/chromium.sh path       print the executable path (exit 3 when it is not installed)
#   scripts/chromium.sh version    print the browser's version (exit 3 when it is not installed)
#   scripts/chromium.sh namespace  (root) make the browser's network namespace if missing, print "NAME ADDRESS"
#
# Why a network namespace of its own: chromium fails every request in flight with net::ERR_NETWORK_CHANGED when an
# address of the machine's network namespace comes or goes, and on a machine that runs containers that is all the
# time: every container's host-side veth gets an IPv6 link-local address, a Swarm adds docker_gwbridge. In a
# namespace of its own (loopback, and one veth link to the host: host side ADDRESS, 10.202.0.1) the browser sees
# none of it; scripts/chromium-in-namespace.sh starts it there, and the tests map 127.0.0.1 and localhost to
# ADDRESS (--host-resolver-rules), so pages keep their 127.0.0.1 origins. Kept until reboot (/run/netns), checked
# and mended on every call.
# Idempotent: `install` on a machine that has it only prints the path. `apt-get update` runs once, only when the
# install fails on a stale or empty package list (a fresh CI machine), as godocker.sh's apt_install does.
set -euo pipefail
# shellcheck source=scripts/lib/netns.sh
. "$(dirname "$(readlink -f "$0")")/lib/netns.sh"

log() { echo "[chromium] $*" >&2; }
die() { echo "[chromium] $*" >&2; exit 1; }
usage() { sed -n '2,6p' "$0" >&2; exit 2; }

# The real browser binary, not Debian's /usr/bin/chromium wrapper: the wrapper is a shell script that reads
# /etc/chromium.d and adds flags of its own (e.g. --enable-remote-extensions); the tests set every flag themselves.
executable() {
  local candidate
  for candidate in /usr/lib/chromium/chromium /usr/bin/chromium; do
    if [ -x "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

install_package() {
  executable >/dev/null && return
  [ "$(id -u)" -eq 0 ] || die "chromium is not installed: run this once as root to install it"
  exec 8>/var/lock/godocker-chromium-install.lock
  flock 8
  if ! executable >/dev/null; then
    log "installing chromium (Debian's package)"
    # Without recommends: no chromium-sandbox (the tests run as root with --no-sandbox), no extra fonts or drivers.
    local apt=(apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=120 chromium)
    if ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null 2>&1; then
      apt-get update -qq -o DPkg::Lock::Timeout=120 && touch /var/lib/apt/lists/.godocker-updated
      DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null
    fi
  fi
  exec 8>&-
  executable >/dev/null || die "chromium was installed but no executable was found"
}

NAMESPACE=godocker-browser
HOST_LINK=gd-browser
HOST_ADDR=10.202.0.1
BROWSER_ADDR=10.202.0.2

in_namespace() { nsenter --net="/run/netns/$NAMESPACE" "$@"; }

ensure_namespace() {
  [ "$(id -u)" -eq 0 ] || die "the browser's network namespace needs root"
  exec 8>/var/lock/godocker-chromium-namespace.lock
  flock 8
  ensure_named_netns "$NAMESPACE"
  in_namespace ip link set lo up
  # A link half gone (e.g. the namespace was deleted, taking its end with it): made again whole.
  if ! in_namespace ip link show eth-browser >/dev/null 2>&1; then
    ip link del "$HOST_LINK" 2>/dev/null || true
  fi
  if ! ip link show "$HOST_LINK" >/dev/null 2>&1; then
    ip link add "$HOST_LINK" type veth peer name eth-browser netns "$NAMESPACE"
  fi
  ip addr replace "$HOST_ADDR/30" dev "$HOST_LINK"
  in_namespace ip addr replace "$BROWSER_ADDR/30" dev eth-browser
  ip link set "$HOST_LINK" up
  in_namespace ip link set eth-browser up
  exec 8>&-
  echo "$NAMESPACE $HOST_ADDR"
}

case "${1:-}" in
  install) install_package; executable ;;
  path) executable || exit 3 ;;
  version) exe=$(executable) || exit 3; "$exe" --version ;;
  namespace) ensure_namespace ;;
  *) usage ;;
esac
