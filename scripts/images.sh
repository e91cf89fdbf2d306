#!/usr/bin/env bash
# Builds the local base images GoDocker's tests and tour use. No registry is reachable here,
# so every image is made from Debian packages and `docker import`ed.
#   godocker/busybox:latest  busybox-static with every applet linked (seconds; tests use it)
#   godocker/debian:bookworm debootstrap minbase + bash + python3 (about a minute; people's jobs)
#   godocker/snakemake:7.21  Debian's snakemake 7.21, the host's own version (mmdebstrap; 243 MB, a few minutes): the
#                            image of Snakemake's --cluster jobs, which run `python3 -m snakemake` again inside the job
#                            (contrib/snakemake/README.md)
# Idempotent: an image already present is kept. DOCKER_HOST selects the engine.
# Usage: scripts/images.sh [busybox|debian|snakemake|all]   (default: all; all does not build snakemake)
set -euo pipefail
want=${1:-all}
log() { echo "[images] $*"; }
# shellcheck source=scripts/lib/smart-open-local.sh
. "$(dirname "$0")/lib/smart-open-local.sh"

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

# The mirror apt itself uses for bookworm/main (no host is named here: it comes from the machine's apt sources).
bookworm_mirror() {
  local mirror
  mirror=$(apt-cache policy 2>/dev/null | awk '/bookworm\/main/ && $2 ~ /^http/ {print $2; exit}')
  [ -n "$mirror" ] || { echo "[images] no Debian mirror found in /etc/apt sources" >&2; return 1; }
  echo "$mirror"
}

build_debian() {
  local tag=godocker/debian:bookworm
  if have_image "$tag"; then log "$tag present"; return; fi
  need_pkg debootstrap /usr/sbin/debootstrap debootstrap
  local root; root=$(mktemp -d)
  # Removed on every return (a failure returns 1, never exits, so a half-made root is not left behind).
  trap 'rm -rf "$root"; trap - RETURN' RETURN
  local mirror; mirror=$(bookworm_mirror) || return 1
  log "debootstrap bookworm from $mirror (about a minute)"
  debootstrap --variant=minbase --include=bash,python3,procps bookworm "$root" "$mirror" >/tmp/godocker-debootstrap.log 2>&1 \
    || { echo "[images] debootstrap failed: /tmp/godocker-debootstrap.log" >&2; return 1; }
  rm -rf "$root"/var/cache/apt/archives/*.deb
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' - "$tag" >/dev/null
  log "built $tag"
}

# Snakemake's --cluster job script is `cd WORKDIR && /usr/bin/python3 -m snakemake --target-jobs ... && exit 0 || exit 1`
# (snakemake/executors/__init__.py, 7.21): the job needs the same Snakemake as the host that submits it, at the same
# python path. Debian's package from the same release is that, without its recommends (conda, graphviz, docs).
# Built as small and quick as Debian allows (243 MB instead of 1.63 GB, and a third of the cpu: docs/notes/snakemake-image.md):
#   - mmdebstrap, not debootstrap + apt in the root: one apt resolution and one dpkg run for everything, the
#     downloads in parallel, and a tar written straight into `docker import` (no root left on disk);
#   - the essential variant (no apt in the image: nobody installs in a job) plus bash, python3, procps, snakemake;
#   - python3-smart-open's Depends on python3-azure, -azure-storage, -boto3 and -paramiko (1.3 GB with theirs) are
#     satisfied by an empty local package that Provides them (scripts/lib/smart-open-local.sh says why that holds);
#   - no man pages, docs (copyrights kept) or translations; dpkg without fsync (force-unsafe-io: a crash only loses
#     a root we throw away).
build_snakemake() {
  local tag=godocker/snakemake:7.21
  if have_image "$tag"; then log "$tag present"; return; fi
  need_pkg mmdebstrap /usr/bin/mmdebstrap mmdebstrap
  local dir; dir=$(mktemp -d)
  trap 'rm -rf "$dir"; trap - RETURN' RETURN
  smart_open_local_deb "$dir/godocker-smart-open-local.deb" || return 1
  local mirror; mirror=$(bookworm_mirror) || return 1
  local logfile=/tmp/godocker-mmdebstrap-snakemake.log
  log "mmdebstrap bookworm + snakemake from $mirror for $tag (a few minutes)"
  # The local package first, so apt finds python3-smart-open's dependencies already provided when it gets there.
  # file-mirror-automount makes the local .deb visible inside the root, where dpkg runs.
  if ! mmdebstrap --variant=essential --include=bash,python3,procps \
    --include="$dir/godocker-smart-open-local.deb" --include=snakemake \
    --hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount --dpkgopt=force-unsafe-io \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    bookworm "$dir/root.tar" "$mirror" >"$logfile" 2>&1; then
    echo "[images] mmdebstrap failed: $logfile" >&2; return 1
  fi
  # A package of the S3/Azure/SSH chain here means the trick above stopped working: say so rather than ship 1.6 GB.
  if tar -xOf "$dir/root.tar" --wildcards '*var/lib/dpkg/status' | grep -qx 'Package: python3-\(boto3\|azure\|paramiko\)'; then
    echo "[images] $tag would carry boto3/azure/paramiko: see $logfile" >&2; return 1
  fi
  docker import -c 'CMD ["/bin/bash"]' "$dir/root.tar" "$tag" >/dev/null
  log "built $tag"
}

case "$want" in
  busybox) build_busybox ;;
  debian) build_debian ;;
  snakemake) build_snakemake ;;
  all) build_busybox; build_debian ;;
  *) echo "usage: $0 [busybox|debian|snakemake|all]" >&2; exit 2 ;;
esac
