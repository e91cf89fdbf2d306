#!/usr/bin/env python3
"""Keystroke round trip through an interactive session: one byte typed into a local pseudo-terminal until the remote
terminal's echo of it comes back, N times, for `godocker exec -it ID -- cat` (through the server) and
`docker exec -it CONTAINER cat` (the engine directly), alternating, same job, same run. Prints p50/p95 of each.
With --attach-job/--attach-container, the same for an interactive job running `cat` (godocker run -it -- cat):
`godocker attach ID` against `docker attach CONTAINER`.

    bench/exec-roundtrip.py --godocker out/bin/godocker --url http://127.0.0.1:8080 --job 12 --container <id> [--n 200]
        [--attach-job 13 --attach-container <id>]
"""
import argparse, os, pty, select, statistics, sys, time


def session(argv, env):
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    return pid, fd


def read_until(fd, wanted, deadline):
    seen = b""
    while wanted not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"{wanted!r} not seen; got {seen!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            seen += os.read(fd, 4096)
    return seen


def measure(argv, env, n, end=b"\x04\x04"):
    pid, fd = session(argv, env)
    try:
        # Wait until the remote cat is there: a probe line comes back as echo and as cat's copy.
        os.write(fd, b"ready\r")
        read_until(fd, b"ready\r\nready", time.monotonic() + 30)
        times = []
        for i in range(n + 10):
            key = bytes([ord("a") + i % 26])
            start = time.perf_counter()
            os.write(fd, key)
            read_until(fd, key, time.monotonic() + 10)
            if i >= 10:  # warm-up
                times.append((time.perf_counter() - start) * 1000)
        if end:
            os.write(fd, end)
        return times
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--godocker", required=True)
    a.add_argument("--url", required=True)
    a.add_argument("--job", required=True)
    a.add_argument("--container", required=True)
    a.add_argument("--user", default="", help="uid:gid for docker exec (the job's)")
    a.add_argument("--n", type=int, default=200)
    a.add_argument("--rounds", type=int, default=2)
    a.add_argument("--attach-job", help="an interactive job running cat")
    a.add_argument("--attach-container")
    args = a.parse_args()
    env = dict(os.environ, GODOCKER_URL=args.url, TERM="xterm")
    through, direct = [], []
    docker = ["docker", "exec", "-it"] + (["-u", args.user] if args.user else []) + [args.container, "cat"]
    for _ in range(args.rounds):
        direct += measure(docker, env, args.n // args.rounds)
        through += measure([args.godocker, "exec", "-it", args.job, "--", "cat"], env, args.n // args.rounds)
    for name, t in (("godocker exec -it", through), ("docker exec -it", direct)):
        print(f"RESULT exec-roundtrip {name}: n={len(t)} p50={statistics.median(t):.2f} ms p95={pct(t, 0.95):.2f} ms")
    print(f"RESULT exec-roundtrip overhead p50={statistics.median(through) - statistics.median(direct):.2f} ms (target <= 5 ms)")
    if args.attach_job:
        # The job's own cat must outlive every client: they are killed (a detach), never sent an end of file.
        through, direct = [], []
        for _ in range(args.rounds):
            direct += measure(["docker", "attach", "--sig-proxy=false", args.attach_container], env, args.n // args.rounds, end=b"")
            through += measure([args.godocker, "attach", args.attach_job], env, args.n // args.rounds, end=b"")
        for name, t in (("godocker attach", through), ("docker attach", direct)):
            print(f"RESULT attach-roundtrip {name}: n={len(t)} p50={statistics.median(t):.2f} ms p95={pct(t, 0.95):.2f} ms")
        print(f"RESULT attach-roundtrip overhead p50={statistics.median(through) - statistics.median(direct):.2f} ms (target <= 5 ms)")


if __name__ == "__main__":
    sys.exit(main())
