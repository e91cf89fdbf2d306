#!/usr/bin/env bash
# A site's certificates for Docker engines reached over mutual TLS (dockerd --tlsverify), as Docker's own
# "Protect the Docker daemon socket" guide makes them, with openssl.
#   scripts/certs.sh ca DIR                    the site CA: DIR/ca.pem, DIR/ca-key.pem (keep this key offline)
#   scripts/certs.sh engine DIR NAME ADDR...   a node's engine certificate: DIR/engines/NAME/{ca,cert,key}.pem, for
#                                              dockerd --tlsverify --tlscacert ca.pem --tlscert cert.pem --tlskey key.pem;
#                                              ADDR: the names and addresses GoDocker reaches it by (node1.example.org,
#                                              10.0.0.5): each becomes a subjectAltName (DNS: or IP:)
#   scripts/certs.sh client DIR NAME           a GoDocker server's client certificate: DIR/clients/NAME/{ca,cert,key}.pem;
#                                              point Executor:Docker:TlsCertPath (or a node's TlsCertPath) at that folder
# Idempotent: what exists is kept (delete a folder to issue it again). Keys are 0600, folders 0700.
# Every engine trusts every client certificate the CA signed, and GoDocker trusts every engine certificate it
# signed for the address it dials: use this CA for nothing else. Certificates last CERT_DAYS (default 825) days.
set -euo pipefail

DAYS=${CERT_DAYS:-825}
log() { echo "[certs] $*" >&2; }
die() { echo "[certs] $*" >&2; exit 1; }

command -v openssl >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null

ca() {
  local dir=$1
  mkdir -p "$dir"; chmod 700 "$dir"
  if [ -f "$dir/ca.pem" ] && [ -f "$dir/ca-key.pem" ]; then return; fi
  log "making the site CA in $dir"
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/ca-key.pem"
  chmod 600 "$dir/ca-key.pem"
  openssl req -new -x509 -sha256 -days "$DAYS" -key "$dir/ca-key.pem" -out "$dir/ca.pem" \
    -subj "/CN=GoDocker site CA ($(hostname))" \
    -addext "basicConstraints=critical,CA:true,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

# issue DIR OUT CN EXTENSIONS: a key and a certificate signed by the site CA.
issue() {
  local dir=$1 out=$2 cn=$3 ext=$4
  [ -f "$dir/ca.pem" ] && [ -f "$dir/ca-key.pem" ] || die "no CA in $dir: run scripts/certs.sh ca $dir first"
  mkdir -p "$out"; chmod 700 "$out"
  if [ -f "$out/cert.pem" ] && [ -f "$out/key.pem" ]; then return; fi
  log "issuing $cn in $out"
  openssl ecparam -name prime256v1 -genkey -noout -out "$out/key.pem"
  chmod 600 "$out/key.pem"
  openssl req -new -sha256 -key "$out/key.pem" -subj "/CN=$cn" -out "$out/request.csr"
  printf '%s\n' "$ext" > "$out/extensions.cnf"
  openssl x509 -req -sha256 -days "$DAYS" -in "$out/request.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" \
    -CAcreateserial -extfile "$out/extensions.cnf" -out "$out/cert.pem" 2>/dev/null
  rm -f "$out/request.csr" "$out/extensions.cnf"
  cp "$dir/ca.pem" "$out/ca.pem"
}

engine() {
  local dir=$1 name=$2; shift 2
  [ $# -gt 0 ] || die "engine $name: name at least one address GoDocker dials it by (a DNS name or an IP address)"
  local sans="" addr
  for addr in "$@"; do
    if [[ $addr =~ ^[0-9.]+$ || $addr == *:* ]]; then sans+="${sans:+,}IP:$addr"; else sans+="${sans:+,}DNS:$addr"; fi
  done
  issue "$dir" "$dir/engines/$name" "$name" \
    "basicConstraints=critical,CA:false
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=$sans"
}

client() {
  local dir=$1 name=$2
  issue "$dir" "$dir/clients/$name" "$name" \
    "basicConstraints=critical,CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
}

case "${1:-}" in
  ca) [ $# -eq 2 ] || die "usage: scripts/certs.sh ca DIR"; ca "$2" ;;
  engine) [ $# -ge 4 ] || die "usage: scripts/certs.sh engine DIR NAME ADDR..."; engine "${@:2}" ;;
  client) [ $# -eq 3 ] || die "usage: scripts/certs.sh client DIR NAME"; client "$2" "$3" ;;
  *) sed -n '2,13p' "$0" >&2; exit 2 ;;
esac
