# Sourced by scripts/dockerd2.sh and scripts/chromium.sh: named network namespaces (/run/netns/NAME) of ours.

# Makes the namespace NAME if missing. A file /run/netns/NAME that is no namespace's mount any more (a /run that
# outlived its machine's processes, as a CI machine made from another's disk has) is removed first: `ip netns list`
# still names it, but nsenter fails on it ("reassociate to namespace 'ns/net' failed: Invalid argument") and
# `ip netns add` refuses to make it again ("File exists").
ensure_named_netns() {
  local name=$1 file=/run/netns/$1
  command -v ip >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null
  if [ -e "$file" ] && ! mountpoint -q "$file"; then
    ip netns delete "$name" 2>/dev/null || rm -f "$file"
  fi
  [ -e "$file" ] || ip netns add "$name"
}
