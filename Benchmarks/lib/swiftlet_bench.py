"""Shared by the pod benchmarks: run a detached supervisor on a private root, read its metrics."""
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")


def binary():
    path = os.environ.get("SWIFTLET", str(REPO / ".build/release/swiftlet"))
    if not Path(path).exists() or not Path(REPO, "rootfs/busybox/bin/busybox").exists():
        raise SystemExit(f"needs {path} and rootfs/busybox (make build demo-rootfs)")
    return path


def cpu_seconds(pid):
    """utime + stime of every thread of pid."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def status_kib(pid, key):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


class Supervisor:
    """`swiftlet run -d` of some pods on a temporary root; `close()` deletes them all."""

    def __init__(self, yaml_text, *extra_args):
        self.tmp = tempfile.TemporaryDirectory(prefix="swiftlet-bench-")
        self.root = Path(self.tmp.name, "root")
        self.metrics_path = Path(self.tmp.name, "metrics.json")
        pods = Path(self.tmp.name, "pods.yaml")
        pods.write_text(yaml_text)
        self.started = time.monotonic()
        self.run("run", "-d", "-f", str(pods), *extra_args, timeout=1800,
                 env=dict(os.environ, SWIFTLET_METRICS=str(self.metrics_path)))
        record = json.loads(next(Path(self.root, "pods").glob("*/pod.json")).read_text())
        self.pid = int(record["supervisorPID"])

    def run(self, *args, check=True, timeout=600, env=None):
        p = subprocess.run([binary(), *args, "--root", str(self.root)], capture_output=True, text=True,
                           timeout=timeout, env=env)
        if check and p.returncode != 0:
            raise RuntimeError(f"swiftlet {' '.join(args)}: {p.stderr.strip()}")
        return p

    def pods(self):
        out = self.run("get", "pods", "-o", "json").stdout
        return json.loads(out).get("items", []) if out.strip() else []

    def wait_running(self, count, limit=1800):
        """Waits until `count` pods have every container running; fails fast on a stuck pod."""
        while True:
            pods = self.pods()
            statuses = [c for p in pods for c in p.get("status", {}).get("containerStatuses", [])]
            if len(pods) == count and statuses and all("running" in c.get("state", {}) for c in statuses):
                return time.monotonic() - self.started
            stuck = [p["metadata"]["name"] for p in pods
                     if any(c.get("state", {}).get("waiting", {}).get("reason", "ContainerCreating") != "ContainerCreating"
                            for c in p.get("status", {}).get("containerStatuses", []))]
            if stuck or time.monotonic() - self.started > limit:
                raise RuntimeError(f"pods did not all start: {stuck[:5] or 'timeout'}; see {self.root}/supervisor.log")
            time.sleep(2)  # `get pods -o json` of 1000 pods costs CPU the supervisor is short of

    def metrics(self):
        try:
            return json.loads(self.metrics_path.read_text())
        except (OSError, ValueError):
            return {}

    def restarts(self):
        return sum(c.get("restartCount", 0) for p in self.pods() for c in p.get("status", {}).get("containerStatuses", []))

    def close(self, grace=1):
        """Deletes every pod and waits for the supervisor to exit (it does after its last pod)
        before removing the root; one still running after that is stopped with SIGTERM (it stops
        its pods first). Returns the wall time of `delete pods --all`."""
        t0 = time.monotonic()
        p = self.run("delete", "pods", "--all", "--grace-period", str(grace), check=False, timeout=1800)
        took = time.monotonic() - t0
        if p.returncode != 0:
            print(f"delete pods --all failed: {p.stderr.strip()[-800:]}", file=sys.stderr)
        if not self.wait_exit(120):
            print(f"supervisor {self.pid} still running after delete; sending SIGTERM", file=sys.stderr)
            os.kill(self.pid, signal.SIGTERM)
            if not self.wait_exit(600):
                raise RuntimeError(f"supervisor {self.pid} did not stop; root left at {self.root}")
        log = Path(self.root, "supervisor.log")
        if p.returncode != 0 and log.exists():
            print("supervisor.log, last lines:\n" + "\n".join(log.read_text().splitlines()[-20:]), file=sys.stderr)
        self.tmp.cleanup()
        return took

    def wait_exit(self, limit):
        """Whether the supervisor (not our child: it detached) is gone within `limit` seconds."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                if str(self.root) not in Path(f"/proc/{self.pid}/cmdline").read_text():
                    return True  # the pid went to another process
            except OSError:
                return True
            time.sleep(0.2)
        return False


def window_percentiles(h0, h1, ps=(0.5, 0.99)):
    """Percentiles (ms, bucket upper bounds) of what a supervisor histogram gained between two
    reads: the supervisor's own p50/p99 cover everything since it started, start-up included."""
    before = {upper: n for upper, n in h0.get("buckets", [])}
    gained = sorted((upper, n - before.get(upper, 0)) for upper, n in h1.get("buckets", []))
    total = sum(n for _, n in gained)
    result = []
    for p in ps:
        rank, seen, value = math.ceil(total * p), 0, None
        for upper, n in gained:
            seen += n
            if total and seen >= rank:
                value = upper
                break
        result.append(value or 0)
    return result


def leftovers(tag="swiftlet-bench-"):
    """Mounts whose path names one of our temporary roots."""
    return [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines() if tag in line]
