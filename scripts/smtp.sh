#!/usr/bin/env bash
# A private SMTP server (Debian's python3-aiosmtpd) that keeps every message it accepts as a file: for the mail tests.
#   scripts/smtp.sh install      install the package when missing
#   scripts/smtp.sh start DIR [PORT]  start one on loopback PORT (default: a free one), each message saved as DIR/<n>.eml
#                                (the envelope's recipients in DIR/<n>.rcpt); prints "PORT PID" (stop: scripts/smtp.sh stop DIR)
#   scripts/smtp.sh stop DIR     stop the one started for DIR
# Idempotent: `install` on a machine that has it does nothing; `start` on a DIR whose server runs prints it again.
# `apt-get update` runs only when the install fails on a stale or empty package list (a fresh CI machine).
set -euo pipefail

# Debian's own python3, where the package installs aiosmtpd (a python3 earlier on PATH, e.g. pyenv's, would not see it).
PYTHON=/usr/bin/python3

log() { echo "[smtp] $*" >&2; }
die() { echo "[smtp] $*" >&2; exit 1; }
usage() { sed -n '2,6p' "$0" >&2; exit 2; }

installed() { [ -x "$PYTHON" ] && "$PYTHON" -c 'import aiosmtpd' >/dev/null 2>&1; }

install_package() {
  installed && return
  [ "$(id -u)" -eq 0 ] || die "python3-aiosmtpd is not installed: run this once as root to install it"
  exec 8>/var/lock/godocker-smtp-install.lock
  flock 8
  if ! installed; then
    log "installing python3-aiosmtpd (Debian's package)"
    local apt=(apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=120 python3-aiosmtpd)
    if ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null 2>&1; then
      apt-get update -qq -o DPkg::Lock::Timeout=120
      DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null
    fi
  fi
  exec 8>&-
}

running() {
  local dir=$1
  [ -f "$dir/smtp.pid" ] || return 1
  local pid; pid=$(cat "$dir/smtp.pid")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q aiosmtpd-godocker "/proc/$pid/cmdline" 2>/dev/null
}

start() {
  local dir=$1 port=${2:-0}
  install_package
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if running "$dir"; then
    echo "$(cat "$dir/smtp.port") $(cat "$dir/smtp.pid")"
    return
  fi
  rm -f "$dir/smtp.port" "$dir/smtp.pid"
  # Port 0: the kernel picks a free one; the server writes the one it got. "aiosmtpd-godocker" names the process.
  setsid "$PYTHON" - aiosmtpd-godocker "$dir" "$port" >"$dir/smtp.log" 2>&1 </dev/null <<'PY' &
import asyncio, itertools, os, sys
from aiosmtpd.smtp import SMTP

directory = sys.argv[2]
# Numbered after what the folder holds: a server started again on the same folder keeps the earlier messages.
counter = itertools.count(1 + sum(1 for name in os.listdir(directory) if name.endswith(".eml")))

class Keep:
    async def handle_DATA(self, server, session, envelope):
        n = next(counter)
        path = os.path.join(directory, f"{n}.eml")
        with open(path + ".part", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(os.path.join(directory, f"{n}.rcpt"), "w") as f:
            f.write("\n".join(envelope.rcpt_tos) + "\n")
        os.rename(path + ".part", path)  # whole or absent: a reader never sees half a message
        return "250 OK"

async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Keep(), hostname="godocker-test-smtp"), "127.0.0.1", int(sys.argv[3]))
    port = server.sockets[0].getsockname()[1]
    with open(os.path.join(directory, "smtp.port.part"), "w") as f:
        f.write(str(port))
    os.rename(os.path.join(directory, "smtp.port.part"), os.path.join(directory, "smtp.port"))
    await server.serve_forever()

asyncio.run(main())
PY
  echo $! >"$dir/smtp.pid"
  for _ in $(seq 1 100); do
    if [ -f "$dir/smtp.port" ]; then
      echo "$(cat "$dir/smtp.port") $(cat "$dir/smtp.pid")"
      return
    fi
    running "$dir" || die "it exited: $(tail -5 "$dir/smtp.log")"
    sleep 0.1
  done
  die "it did not start within 10 s: $(tail -5 "$dir/smtp.log")"
}

stop() {
  local dir=$1
  if running "$dir"; then
    kill "$(cat "$dir/smtp.pid")"
  fi
  rm -f "$dir/smtp.pid" "$dir/smtp.port"
}

case "${1:-}" in
  install) install_package ;;
  start) [ $# -ge 2 ] && [ $# -le 3 ] || usage; start "$2" "${3:-0}" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  *) usage ;;
esac
