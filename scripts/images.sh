#!/usr/bin/env bash
# Builds the local base images GoDocker's tests and tour use. No registry is reachable here,
# so every image is made from Debian packages and `docker import`ed.
#   godocker/busybox:latest  busybox-static with every applet linked (seconds; tests use it)
#   godocker/debian:bookworm debootstrap minbase + bash + python3 (about a minute; people's jobs)
# Idempotent: an image already present is kept. DOCKER_HOST selects the engine.
# Usage: scripts/images.sh [busybox|debian|all]   (default: all)
set -euo pipefail
want=${1:-all}
log() { echo "[images] $*"; }

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

need_pkg() {
  if ! command -v "$1" >/dev/null 2>&1 && [ ! -e "$2" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$3" >/dev/null
  fi
}

build_busybox() {
  local tag=godocker/busybox:latest
  if have_image "$tag"; then log "$tag present"; return; fi
  need_pkg busybox-static-absent /bin/busybox busybox-static
  local root; root=$(mktemp -d)
  trap 'rm -rf "$root"' RETURN
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,tmp,etc,root}
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  chroot "$root" /bin/busybox --install -s
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' - "$tag" >/dev/null
  log "built $tag"
}

build_debian() {
  local tag=godocker/debian:bookworm
  if have_image "$tag"; then log "$tag present"; return; fi
  need_pkg debootstrap /usr/sbin/debootstrap debootstrap
  local root; root=$(mktemp -d)
  trap 'rm -rf "$root"' RETURN
  local mirror
  # The mirror apt itself uses for bookworm/main (no host is named here: it comes from the machine's apt sources).
  mirror=$(apt-cache policy 2>/dev/null | awk '/bookworm\/main/ && $2 ~ /^http/ {print $2; exit}')
  [ -n "$mirror" ] || { echo "[images] no Debian mirror found in /etc/apt sources" >&2; exit 1; }
  log "debootstrap bookworm from $mirror (about a minute)"
  debootstrap --variant=minbase --include=bash,python3,procps bookworm "$root" "$mirror" >/tmp/godocker-debootstrap.log 2>&1
  rm -rf "$root"/var/cache/apt/archives/*.deb
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' - "$tag" >/dev/null
  log "built $tag"
}

case "$want" in
  busybox) build_busybox ;;
  debian) build_debian ;;
  all) build_busybox; build_debian ;;
  *) echo "usage: $0 [busybox|debian|all]" >&2; exit 2 ;;
esac
