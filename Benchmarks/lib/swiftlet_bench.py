"""Shared by the pod benchmarks: run a detached supervisor on a private root, read its metrics.

Networks: a supervisor runs with `--network none` (pods have loopback only) unless it is given
`network="cni"`; then it must run inside a `BenchNetns`, a network namespace of the benchmark's
own, with an empty --cni-conf-dir of its own, so swiftlet's default network (bridge swiftlet0,
host-local, portmap, firewall) and everything the plugins do (links, iptables rules, sysctls) stay
in that namespace: a benchmark never changes the machine's own network.
"""
import ctypes
import json
import math
import os
import secrets
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


CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def _setns(path):
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns({path}): {os.strerror(err)}")
    finally:
        os.close(fd)


def _netns_id(path):
    st = os.stat(path)
    return st.st_dev, st.st_ino


class BenchNetns:
    """`with BenchNetns() as ns:` a network namespace of the benchmark's own
    (/run/netns/swiftlet-bench-<random>, lo up) which this process enters for the block: every
    process it starts meanwhile (swiftlet, its supervisor, plugins) runs in it, as under
    `nsenter --net=/run/netns/<name>`, without an nsenter exec in any timing. On the way out (also
    on an exception, Ctrl-C or SIGTERM/SIGHUP) the process goes back to its own namespace and the
    namespace is deleted with `ip netns del`. The process must not start threads meanwhile:
    setns() moves only the calling thread.

    `pod_netns()` makes further namespaces (for plugins run directly) removed on the way out too."""

    active = None

    def __init__(self):
        self.name = f"swiftlet-bench-{secrets.token_hex(4)}"
        self.path = f"/run/netns/{self.name}"
        self.extra = []
        self._saved_handlers = {}

    def __enter__(self):
        if BenchNetns.active is not None:
            raise RuntimeError("BenchNetns: already inside one")
        self._home = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        home_id = _netns_id("/proc/thread-self/ns/net")
        for sig in (signal.SIGTERM, signal.SIGHUP):
            self._saved_handlers[sig] = signal.signal(sig, _raise_interrupt)
        try:
            subprocess.run(["ip", "netns", "add", self.name], check=True)
            subprocess.run(["ip", "-n", self.name, "link", "set", "lo", "up"], check=True)
            _setns(self.path)
            if _netns_id("/proc/thread-self/ns/net") != _netns_id(self.path) or _netns_id(self.path) == home_id:
                raise RuntimeError(f"could not enter network namespace {self.name}")
        except BaseException:
            self._leave()
            raise
        BenchNetns.active = self
        return self

    def __exit__(self, *exc):
        self._leave()
        return False

    def pod_netns(self, tag):
        """A further namespace /run/netns/<our name>-<tag> (lo down, like a pod's before its
        runtime brings it up); removed on the way out if the caller has not."""
        name = f"{self.name}-{tag}"
        subprocess.run(["ip", "netns", "add", name], check=True)
        self.extra.append(name)
        return name, f"/run/netns/{name}"

    def del_netns(self, name):
        subprocess.run(["ip", "netns", "del", name], check=False, stderr=subprocess.DEVNULL)
        if name in self.extra:
            self.extra.remove(name)

    def _leave(self):
        BenchNetns.active = None
        try:
            if _libc.setns(self._home, CLONE_NEWNET) != 0:
                print(f"BenchNetns: could not return to the original network namespace (errno {ctypes.get_errno()})",
                      file=sys.stderr)
        finally:
            os.close(self._home)
        for name in [*self.extra, self.name]:
            if Path(f"/run/netns/{name}").exists():
                subprocess.run(["ip", "netns", "del", name], check=False)
        self.extra = []
        for sig, handler in self._saved_handlers.items():
            signal.signal(sig, handler)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def require_bench_netns():
    """Fails unless this thread is in an active BenchNetns (never the machine's own network)."""
    ns = BenchNetns.active
    if ns is None or _netns_id("/proc/thread-self/ns/net") != _netns_id(ns.path):
        raise RuntimeError("refusing to run a CNI network outside the benchmark's own network namespace")


class Supervisor:
    """`swiftlet run -d` of some pods on a temporary root; `close()` deletes them all.

    network "none" (default): `--network none`, pods have loopback only. "cni": swiftlet's default
    network from an empty --cni-conf-dir of the benchmark's own; only inside a BenchNetns."""

    def __init__(self, yaml_text, *extra_args, network="none"):
        if network not in ("none", "cni"):
            raise ValueError(f"network {network!r}: expected none or cni")
        if network == "cni":
            require_bench_netns()
        self.network = network
        self.tmp = tempfile.TemporaryDirectory(prefix="swiftlet-bench-")
        self.root = Path(self.tmp.name, "root")
        self.metrics_path = Path(self.tmp.name, "metrics.json")
        self.conf_dir = Path(self.tmp.name, "cni-conf")
        self.conf_dir.mkdir()
        pods = Path(self.tmp.name, "pods.yaml")
        pods.write_text(yaml_text)
        self.started = time.monotonic()
        self.run("run", "-d", "-f", str(pods), *network_args(network, self.conf_dir), *extra_args, timeout=1800,
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

    def pod_ips(self):
        """{pod name: status.podIP or None} (get pods -o json)."""
        return {p["metadata"]["name"]: p.get("status", {}).get("podIP") for p in self.pods()}

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


def network_args(network, conf_dir):
    """The `run` options for network "none" or "cni" (the default network: an empty conf dir)."""
    if network == "none":
        return ["--network", "none"]
    return ["--network", "cni", "--cni-conf-dir", str(conf_dir)]


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
    """Mounts whose path names one of our temporary roots (not the active BenchNetns's own
    /run/netns entries, which go when it is left)."""
    ns = BenchNetns.active
    ours = {ns.path, *(f"/run/netns/{name}" for name in ns.extra)} if ns else set()
    mounts = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines() if tag in line]
    return [m for m in mounts if m not in ours]
