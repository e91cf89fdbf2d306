#!/usr/bin/env bash
# Debian's chromium, for the browser tests of the web interface (Playwright drives it; it never downloads a browser).
#   scripts/chromium.sh install    install the package when missing, then print the browser's executable path
#   scripts/chromium.sh path       print the executable path (exit 3 when it is not installed)
#   scripts/chromium.sh version    print the browser's version (exit 3 when it is not installed)
# Idempotent: `install` on a machine that has it only prints the path. `apt-get update` runs once, only when the
# install fails on a stale or empty package list (a fresh CI machine), as godocker.sh's apt_install does.
set -euo pipefail

log() { echo "[chromium] $*" >&2; }
die() { echo "[chromium] $*" >&2; exit 1; }
usage() { sed -n '2,5p' "$0" >&2; exit 2; }

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

case "${1:-}" in
  install) install_package; executable ;;
  path) executable || exit 3 ;;
  version) exe=$(executable) || exit 3; "$exe" --version ;;
  *) usage ;;
esac
