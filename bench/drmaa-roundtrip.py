#!/usr/bin/python3
"""Bench 9: N trivial jobs, each submitted and waited for before the next, three ways against one server in the
same run: DRMAA (libdrmaa through Debian's python3-drmaa: runJob + wait), the CLI (`godocker submit --wait`, a
fresh process per job, as a shell loop would) and the REST API (POST /jobs, then GET until it ended, polling as the
CLI and libdrmaa do: 100 ms doubling to 1 s). Prints RESULT lines and the ratios of DRMAA to the other two.
Run with Debian's python (/usr/bin/python3): DRMAA_LIBRARY_PATH and GODOCKER_URL set, --cli the godocker binary."""
import argparse, json, os, subprocess, sys, time, urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--n", type=int, default=200)
parser.add_argument("--cli", required=True)
parser.add_argument("--image", default="godocker/busybox")
args = parser.parse_args()
url = os.environ["GODOCKER_URL"].rstrip("/")


def drmaa_way(n):
    import drmaa
    with drmaa.Session() as s:
        jt = s.createJobTemplate()
        jt.remoteCommand = "true"
        jt.nativeSpecification = "--image " + args.image
        for _ in range(n):
            info = s.wait(s.runJob(jt), drmaa.Session.TIMEOUT_WAIT_FOREVER)
            assert info.exitStatus == 0, info


def cli_way(n):
    for _ in range(n):
        subprocess.run([args.cli, "submit", "--wait", "--url", url, "-i", args.image, "--", "true"],
                       check=True, stdout=subprocess.DEVNULL)


def rest_way(n):
    body = json.dumps({"command": ["true"], "image": args.image}).encode()
    for _ in range(n):
        request = urllib.request.Request(url + "/api/v1/jobs", body, {"Content-Type": "application/json"})
        job = json.load(urllib.request.urlopen(request))
        delay = 0.1
        while job["state"].lower() not in ("succeeded", "failed", "killed", "rejected", "archived"):
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
            job = json.load(urllib.request.urlopen(f"{url}/api/v1/jobs/{job['id']}"))
        assert job["state"].lower() == "succeeded", job


rates = {}
for name, way in (("drmaa", drmaa_way), ("cli", cli_way), ("rest", rest_way)):
    started = time.monotonic()
    way(args.n)
    seconds = time.monotonic() - started
    rates[name] = args.n / seconds
    print(f"RESULT drmaa-roundtrip {name} n={args.n} seconds={seconds:.2f} rate={rates[name]:.3f} per_job_ms={1000 * seconds / args.n:.1f}")
    sys.stdout.flush()
print(f"RESULT drmaa-roundtrip ratio drmaa/cli={rates['drmaa'] / rates['cli']:.3f} drmaa/rest={rates['drmaa'] / rates['rest']:.3f}")
