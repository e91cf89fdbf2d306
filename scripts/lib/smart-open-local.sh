# Sourced by scripts/images.sh and godocker.sh: an empty Debian package that stands for the cloud libraries Debian's
# snakemake pulls in without using them.
#
# snakemake (7.21) Depends on python3-smart-open, which Depends on python3-azure, python3-azure-storage,
# python3-boto3 and python3-paramiko: 1.3 GB installed, most of it python3-azure (530 MB) and botocore, and minutes
# of dpkg and byte-compiling. Snakemake only parses local paths and reads its Snakefiles through smart_open
# (snakemake/common/__init__.py parse_uri, sourcecache.py), and smart_open imports each transport in a try and skips
# one whose library is missing (smart_open/transport.py, s3.py, azure.py, ssh.py): local files and http(s) work
# without any of the four. What needs them is S3 or Azure remote files and Snakefiles fetched from s3://, azure://
# or ssh:// addresses; `apt-get install python3-boto3` (or the others) installs the real one over this at any time.

# smart_open_local_deb FILE: builds the package into FILE (dpkg-deb only, nothing downloaded).
smart_open_local_deb() {
  local out=$1 dir
  dir=$(mktemp -d)
  mkdir -p "$dir/DEBIAN"
  cat >"$dir/DEBIAN/control" <<'CONTROL'
Package: godocker-smart-open-local
Version: 1.0
Architecture: all
Maintainer: GoDocker <root@localhost>
Provides: python3-azure, python3-azure-storage, python3-boto3, python3-paramiko
Description: smart-open for local files only (GoDocker's snakemake)
 Stands for the S3, Azure and SSH client libraries python3-smart-open depends
 on: smart_open skips a transport whose library is missing. Installing the
 real python3-boto3, python3-azure, ... over it is fine.
CONTROL
  dpkg-deb --root-owner-group -b "$dir" "$out" >/dev/null
  local status=$?
  rm -rf "$dir"
  return $status
}
