# Sourced by godocker.sh and scripts/dockerd2.sh: what starting a dockerd of ours needs beyond `dockerd`.

# dockerd 20.10 trusts its containerd's pidfile: when the pid in EXEC_ROOT/containerd/containerd.pid is alive it dials
# that "containerd" instead of starting one, and gives up after 15 s ("timeout waiting for containerd to start"). The
# pidfile outlives a stopped engine and pids are reused on a machine that has been up for a while, so it can name any
# process. Remove it unless it names a live containerd of this exec root (an orphan dockerd rightly reuses).
clear_stale_containerd_pidfile() {
  local exec_root=$1 pidfile pid
  pidfile=$exec_root/containerd/containerd.pid
  [ -f "$pidfile" ] || return 0
  pid=$(tr -dc '0-9' <"$pidfile")
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = containerd ] \
    && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$exec_root/containerd/"; then
    return 0
  fi
  rm -f "$pidfile"
}
