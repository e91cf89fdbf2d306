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

# dockerd itself refuses to start while its pidfile names any live process ("pid file found, ensure docker is not
# running"), and only removes the file when it stops cleanly. A killed engine, or a machine whose /run outlived its
# processes, leaves the file behind, and once its pid is reused the engine cannot start again. Remove it unless it
# names a live dockerd (a running engine's pidfile is kept: that engine is only slow to answer).
clear_stale_dockerd_pidfile() {
  pidfile_names_dockerd "$1" || rm -f "$1"
}

# The pidfile names a live dockerd (not some other process that got its pid since).
pidfile_names_dockerd() {
  local pid
  [ -f "$1" ] || return 1
  pid=$(tr -dc '0-9' <"$1")
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]
}
