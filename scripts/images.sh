#!/usr/bin/env bash
# Builds the local base images GoDocker's tests and tour use. No registry is reachable here,
# so every image is made from Debian packages and `docker import`ed.
#   godocker/busybox:latest  busybox-static with every applet linked (seconds; tests use it)
#   godocker/debian:bookworm debootstrap minbase + bash + python3 (about a minute; people's jobs)
#   godocker/snakemake:7.21  the same + Debian's snakemake 7.21, the host's own version (a few minutes): the image of
#                            Snakemake's --cluster jobs, which run `python3 -m snakemake` again inside the job
#                            (contrib/snakemake/README.md)
# Idempotent: an image already present is kept. DOCKER_HOST selects the engine.
# Usage: scripts/images.sh [busybox|debian|snakemake|all]   (default: all; all does not build snakemake)
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
  trap 'rm -rf "$root"; trap - RETURN' RETURN
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,tmp,etc,root}
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  chroot "$root" /bin/busybox --install -s
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' - "$tag" >/dev/null
  log "built $tag"
}

# A Debian bookworm minbase root with bash, python3 and procps, then the packages EXTRA installed by the root's own apt
# (their dependencies, not their recommends: debootstrap's --include fails to order snakemake's), imported as TAG.
debootstrap_image() {
  local tag=$1 takes=$2; shift 2
  local extra=("$@") include=bash,python3,procps
  if have_image "$tag"; then log "$tag present"; return; fi
  need_pkg debootstrap /usr/sbin/debootstrap debootstrap
  local root; root=$(mktemp -d)
  # Removed on every return (a failure returns 1, never exits, so a half-made root of a gigabyte is not left behind).
  trap 'rm -rf "$root"; trap - RETURN' RETURN
  local mirror
  # The mirror apt itself uses for bookworm/main (no host is named here: it comes from the machine's apt sources).
  mirror=$(apt-cache policy 2>/dev/null | awk '/bookworm\/main/ && $2 ~ /^http/ {print $2; exit}')
  [ -n "$mirror" ] || { echo "[images] no Debian mirror found in /etc/apt sources" >&2; return 1; }
  log "debootstrap bookworm from $mirror for $tag ($takes)"
  local logfile=/tmp/godocker-debootstrap-${tag//[\/:]/-}.log
  debootstrap --variant=minbase --include="$include" bookworm "$root" "$mirror" >"$logfile" 2>&1 \
    || { echo "[images] debootstrap failed: $logfile" >&2; return 1; }
  if [ ${#extra[@]} -gt 0 ]; then
    log "installing ${extra[*]} in it"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    if ! { chroot "$root" apt-get update -qq && DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq \
      --no-install-recommends "${extra[@]}"; } >>"$logfile" 2>&1; then
      echo "[images] installing ${extra[*]} failed: $logfile" >&2; return 1
    fi
    chroot "$root" apt-get clean
    : >"$root/etc/resolv.conf"
  fi
  rm -rf "$root"/var/cache/apt/archives/*.deb
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' - "$tag" >/dev/null
  log "built $tag"
}

build_debian() { debootstrap_image godocker/debian:bookworm "about a minute"; }

# Snakemake's --cluster job script is `cd WORKDIR && /usr/bin/python3 -m snakemake --target-jobs ... && exit 0 || exit 1`
# (snakemake/executors/__init__.py, 7.21): the job needs the same Snakemake as the host that submits it, at the same
# python path. Debian's package from the same release is that; without recommends (no conda, graphviz, docs).
build_snakemake() { debootstrap_image godocker/snakemake:7.21 "a few minutes" snakemake; }

case "$want" in
  busybox) build_busybox ;;
  debian) build_debian ;;
  snakemake) build_snakemake ;;
  all) build_busybox; build_debian ;;
  *) echo "usage: $0 [busybox|debian|snakemake|all]" >&2; exit 2 ;;
esac
