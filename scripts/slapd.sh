#!/usr/bin/env bash
# A throw-away OpenLDAP server (Debian's slapd) for the LDAP tests, with its own cn=config in DIR:
# the system's /etc/ldap is never read or written, so several can run side by side.
#   scripts/slapd.sh start DIR PORT [LDAPS_PORT]   ldap://127.0.0.1:PORT (StartTLS offered) and
#                                                  ldaps://127.0.0.1:LDAPS_PORT (default PORT+1)
#   scripts/slapd.sh stop DIR
# Idempotent: `start` on a running DIR only checks it answers; `stop` on a stopped one does nothing.
# Installs slapd, ldap-utils and openssl if absent (needs root then).
#
# What DIR holds afterwards:
#   slapd.d/        cn=config (mdb backend, suffix dc=godocker,dc=test, memberof overlay)
#   data/           the database
#   tls/ca.crt      the test CA that signed tls/server.crt (CN and SAN 127.0.0.1, localhost)
#   slapd.pid, slapd.log
#
# The directory (passwords are test fixtures, nothing else):
#   cn=admin,dc=godocker,dc=test       rootdn                        admin-secret
#   cn=reader,dc=godocker,dc=test      service account for look-ups  reader-secret
#   uid=alice,ou=people,...            2001/2001 /home/alice         alice-secret
#   uid=bob,ou=people,...              2002/2002 /home/bob           bob-secret
#   uid=carol,ou=people,...            2003/2003 /home/carol         carol-secret
#   uid=dave,ou=people,...             inetOrgPerson, no posix attributes  dave-secret
#   cn=genomics,ou=groups,...          posixGroup 3001, memberUid alice, carol
#   cn=alice|bob|carol,ou=groups,...   posixGroup 2001|2002|2003 (the users' own groups)
#   cn=users,ou=groups,...             posixGroup 100, memberUid alice, bob, carol
#   cn=admins,ou=groups,...            groupOfNames, member bob (so bob has memberOf)
# Anonymous binds and unauthenticated binds (a DN, no password) are accepted, anonymous may read all but passwords.
set -euo pipefail

SUFFIX="dc=godocker,dc=test"
ADMIN_PASSWORD=admin-secret
log() { echo "[slapd] $*"; }
die() { echo "[slapd] $*" >&2; exit 1; }

usage() { die "usage: $0 start DIR PORT [LDAPS_PORT] | stop DIR"; }

install_packages() {
  local missing=()
  command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ] || missing+=(slapd)
  command -v ldapsearch >/dev/null 2>&1 || missing+=(ldap-utils)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  [ ${#missing[@]} -eq 0 ] && return
  [ "$(id -u)" -eq 0 ] || die "need ${missing[*]}: run as root once to install them"
  # One installer at a time (concurrent starts); dpkg's own lock is waited for too.
  exec 8>/var/lock/godocker-slapd-install.lock
  flock 8
  missing=()
  [ -x /usr/sbin/slapd ] || missing+=(slapd)
  command -v ldapsearch >/dev/null 2>&1 || missing+=(ldap-utils)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    # No system directory: the package must not configure or start a slapd of its own.
    echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
    local apt=(apt-get install -y -qq -o DPkg::Lock::Timeout=120 "${missing[@]}")
    if ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null 2>&1; then
      apt-get update -qq -o DPkg::Lock::Timeout=120
      DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null
    fi
  fi
  exec 8>&-
}

# The pid file names a live slapd (not some other process that got its pid since).
running() {
  [ -f "$DIR/slapd.pid" ] || return 1
  local pid; pid=$(cat "$DIR/slapd.pid")
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = slapd ]
}

# 0 when slapd answers on PORT; 32 (no such object) counts: the server is up, the data not yet loaded.
answers() {
  local rc=0
  ldapsearch -x -LLL -o nettimeout=2 -H "ldap://127.0.0.1:$PORT/" -b "$SUFFIX" -s base dn >/dev/null 2>&1 || rc=$?
  [ $rc -eq 0 ] || [ $rc -eq 32 ]
}

make_tls() {
  local tls=$DIR/tls
  [ -f "$tls/server.crt" ] && return
  mkdir -p "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=GoDocker test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$tls/server.ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial \
    -days 3650 -extfile "$tls/server.ext" -out "$tls/server.crt" 2>/dev/null
  chmod 600 "$tls"/*.key
}

make_config() {
  [ -d "$DIR/slapd.d" ] && return
  local root_hash; root_hash=$(slappasswd -s "$ADMIN_PASSWORD")
  mkdir -p "$DIR/data" "$DIR/slapd.d.new"
  cat >"$DIR/config.ldif" <<EOF
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: $DIR/slapd.pid
olcArgsFile: $DIR/slapd.args
olcTLSCACertificateFile: $DIR/tls/ca.crt
olcTLSCertificateFile: $DIR/tls/server.crt
olcTLSCertificateKeyFile: $DIR/tls/server.key
# Like many directories (AD among them), accept an "unauthenticated bind" (a DN with an empty password) as
# anonymous: the trap a client must not fall into, live in the tests.
olcAllows: bind_anon_dn

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: memberof

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/nis.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend
olcSizeLimit: 500

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcDbDirectory: $DIR/data
olcDbMaxSize: 67108864
olcSuffix: $SUFFIX
olcRootDN: cn=admin,$SUFFIX
olcRootPW: $root_hash
olcDbIndex: objectClass eq
olcDbIndex: uid eq
olcDbIndex: memberUid eq
olcDbIndex: gidNumber eq
olcAccess: {0}to attrs=userPassword by self write by anonymous auth by * none
olcAccess: {1}to * by * read

dn: olcOverlay={0}memberof,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcMemberOf
olcOverlay: {0}memberof
olcMemberOfRefInt: TRUE
EOF
  slapadd -n 0 -F "$DIR/slapd.d.new" -l "$DIR/config.ldif" >"$DIR/slapadd.log" 2>&1 \
    || { cat "$DIR/slapadd.log" >&2; die "slapadd of the configuration failed"; }
  mv "$DIR/slapd.d.new" "$DIR/slapd.d"
}

person() { # uid uidNumber gidNumber password
  cat <<EOF
dn: uid=$1,ou=people,$SUFFIX
objectClass: inetOrgPerson
objectClass: posixAccount
objectClass: shadowAccount
uid: $1
cn: ${1^}
sn: ${1^}
mail: $1@godocker.test
uidNumber: $2
gidNumber: $3
homeDirectory: /home/$1
loginShell: /bin/bash
userPassword: $(slappasswd -s "$4")

dn: cn=$1,ou=groups,$SUFFIX
objectClass: posixGroup
cn: $1
gidNumber: $3

EOF
}

load_data() {
  [ -f "$DIR/.loaded" ] && return
  {
    cat <<EOF
dn: $SUFFIX
objectClass: dcObject
objectClass: organization
dc: godocker
o: GoDocker tests

dn: cn=reader,$SUFFIX
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: reader
userPassword: $(slappasswd -s reader-secret)

dn: ou=people,$SUFFIX
objectClass: organizationalUnit
ou: people

dn: ou=groups,$SUFFIX
objectClass: organizationalUnit
ou: groups

EOF
    person alice 2001 2001 alice-secret
    person bob 2002 2002 bob-secret
    person carol 2003 2003 carol-secret
    cat <<EOF
dn: uid=dave,ou=people,$SUFFIX
objectClass: inetOrgPerson
uid: dave
cn: Dave
sn: Dave
mail: dave@godocker.test
userPassword: $(slappasswd -s dave-secret)

dn: cn=genomics,ou=groups,$SUFFIX
objectClass: posixGroup
cn: genomics
gidNumber: 3001
memberUid: alice
memberUid: carol

dn: cn=users,ou=groups,$SUFFIX
objectClass: posixGroup
cn: users
gidNumber: 100
memberUid: alice
memberUid: bob
memberUid: carol

dn: cn=admins,ou=groups,$SUFFIX
objectClass: groupOfNames
cn: admins
member: uid=bob,ou=people,$SUFFIX
EOF
  } >"$DIR/data.ldif"
  # -c: a load interrupted earlier left some entries; "already exists" is then fine.
  local rc=0
  ldapadd -c -x -H "ldap://127.0.0.1:$PORT/" -D "cn=admin,$SUFFIX" -w "$ADMIN_PASSWORD" \
    -f "$DIR/data.ldif" >"$DIR/ldapadd.log" 2>&1 || rc=$?
  [ $rc -eq 0 ] || [ $rc -eq 68 ] || { cat "$DIR/ldapadd.log" >&2; die "loading the test data failed ($rc)"; }
  touch "$DIR/.loaded"
}

start() {
  install_packages
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  exec 9>"$DIR/.lock"
  flock 9
  if running && answers; then
    log "already running (pid $(cat "$DIR/slapd.pid")) on ldap://127.0.0.1:$PORT/"
    load_data
    return
  fi
  if running; then
    die "slapd (pid $(cat "$DIR/slapd.pid")) runs for $DIR but does not answer on port $PORT"
  fi
  rm -f "$DIR/slapd.pid"
  if answers; then
    die "something else already answers on ldap://127.0.0.1:$PORT/"
  fi
  make_tls
  make_config
  local urls="ldap://127.0.0.1:$PORT/ ldaps://127.0.0.1:$LDAPS_PORT/"
  # -d none: stay in the foreground (no fork), logging only errors (to slapd.log); stdin/stdout/stderr
  # must not be the caller's, or a caller reading our output to its end would wait for slapd;
  # nor may it keep fd 9, the lock on DIR.
  setsid slapd -d none -h "$urls" -F "$DIR/slapd.d" </dev/null >"$DIR/slapd.log" 2>&1 9>&- &
  local pid=$!
  echo "$pid" >"$DIR/slapd.pid"
  for _ in $(seq 1 100); do
    answers && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! answers; then
    kill "$pid" 2>/dev/null || true
    rm -f "$DIR/slapd.pid"
    cat "$DIR/slapd.log" >&2
    die "slapd did not answer on ldap://127.0.0.1:$PORT/ (log above: $DIR/slapd.log)"
  fi
  load_data
  ldapsearch -x -LLL -H "ldap://127.0.0.1:$PORT/" -b "$SUFFIX" -s base dn >/dev/null \
    || die "the suffix $SUFFIX is not there after loading"
  log "running (pid $pid): $urls"
}

stop() {
  [ -d "$DIR" ] || { log "nothing in $DIR"; return; }
  exec 9>"$DIR/.lock"
  flock 9
  if ! running; then
    rm -f "$DIR/slapd.pid"
    log "not running"
    return
  fi
  local pid; pid=$(cat "$DIR/slapd.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "slapd (pid $pid) ignored SIGTERM for 5 s: SIGKILL"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$DIR/slapd.pid"
  log "stopped"
}

[ $# -ge 2 ] || usage
cmd=$1
DIR=$2
case "$cmd" in
  start)
    [ $# -ge 3 ] || usage
    PORT=$3
    LDAPS_PORT=${4:-$((PORT + 1))}
    start
    ;;
  stop) stop ;;
  *) usage ;;
esac
