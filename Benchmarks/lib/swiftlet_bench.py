"""Shared by the pod benchmarks: pods on a private root, run by that root's daemon; its metrics.

`swiftlet run -d -f pods.yaml --root R` hands the pods to R's daemon and starts one if none serves
R (that one exits once its last pod is deleted). Per root one swiftlet-keeper (C; pid in
R/keeper.pid, log R/keeper.log) is the parent of every container and writes their logs; the Swift
daemon (pid in R/daemon.pid, log R/daemon.log) is its child. The daemon is what the benchmarks
call the supervisor: its CPU and memory are the figures, the keeper's are shown beside them (the
pods' records name the keeper as their `supervisorPID`, so it is not read from there).

Metrics: `swiftlet metrics --root R`, the Prometheus text the daemon serves on its socket, read
with `parse` and the helpers below (`window_ms` for p50/p99 of what a histogram gained between two
scrapes, `gained` for counts). A scrape at 1000 pods costs the daemon real CPU: benchmarks scrape
at the edges of a window, never inside the CPU window if they can help it.

Networks: pods run with `--network none` (loopback only) unless `network="cni"`; then the script
must run inside a `BenchNetns`, a network namespace of the benchmark's own, with an empty
--cni-conf-dir of its own, so swiftlet's default network (bridge swiftlet0, host-local, portmap,
firewall) and everything the plugins do (links, iptables rules, sysctls) stay in that namespace:
a benchmark never changes the machine's own network. The keeper and the daemon are started from
that namespace and stay in it.
"""
import ctypes
import json
import math
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402

REPO = Path(__file__).resolve().parent.parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")


def binary():
    path = os.environ.get("SWIFTLET", str(REPO / ".build/release/swiftlet"))
    if not Path(path).exists() or not Path(REPO, "rootfs/busybox/bin/busybox").exists():
        raise SystemExit(f"needs {path} and rootfs/busybox (make build demo-rootfs)")
    return path


# --- metrics: the daemon's Prometheus text ------------------------------------------------------

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """Every sample of an exposition: [(name, {label: value}, float)] ('+Inf' reads as inf)."""
    return [(m[1], dict(LABEL.findall(m[2] or "")), float(m[3])) for m in map(SAMPLE.match, text.splitlines()) if m]


def value(s, name, **labels):
    """The sum of the samples of `name` whose labels include `labels`."""
    return sum(v for n, l, v in s if n == name and all(l.get(k) == x for k, x in labels.items()))


def buckets(s, name):
    """[(le, cumulative count)] of histogram `name`, by bound."""
    return sorted((float(l["le"]), v) for n, l, v in s if n == name + "_bucket")


def window(b0, b1):
    """What each cumulative bucket gained from b0 to b1 (b0 empty: everything in b1)."""
    before = dict(b0)
    return [(le, c - before.get(le, 0)) for le, c in b1]


def percentile(b, p):
    """The bound of the first cumulative bucket holding a share p of all (None if empty)."""
    total = b[-1][1] if b else 0
    return None if total == 0 else next(le for le, c in b if c >= math.ceil(total * p))


def gained(s0, s1, name, **labels):
    return value(s1, name, **labels) - value(s0, name, **labels)


def window_ms(s0, s1, name, ps=(0.5, 0.99)):
    """Percentiles in ms of what histogram `name` gained between scrapes s0 and s1 (s0 = []: since
    the daemon started). Bucket bounds: each at most 13% above the true value. None if nothing."""
    b = window(buckets(s0, name), buckets(s1, name))
    return [None if (v := percentile(b, p)) is None else v * 1000 for p in ps]


def window_buckets_ms(s0, s1, name):
    """[(lower bound, upper bound, count)] in ms of the buckets that gained between s0 and s1."""
    b = window(buckets(s0, name), buckets(s1, name))
    out, below, lower = [], 0, 0.0
    for le, c in b:
        if c > below:
            out.append((lower * 1000, le * 1000, c - below))
        below, lower = c, le
    return out


def window_max_ms(s0, s1, name):
    """The bound (ms) of the highest bucket that gained between s0 and s1: the longest is at most this."""
    b = window(buckets(s0, name), buckets(s1, name))
    below = 0
    top = None
    for le, c in b:
        if c > below:
            top = le
        below = c
    return None if top is None else top * 1000


def failed_probes(s):
    """Probes whose result was failed or unknown (the kubelet's prober_probe_total)."""
    return value(s, "prober_probe_total", result="failed") + value(s, "prober_probe_total", result="unknown")


def probed_pods(s):
    """Names of the pods with a prober_probe_total sample above 0: probed by this daemon."""
    return {l.get("pod") for n, l, v in s if n == "prober_probe_total" and v > 0}


def ms(v, digits=2):
    """A figure in ms for a table ("-" for None)."""
    return "-" if v is None else f"{v:.{digits}f}"


# --- processes ----------------------------------------------------------------------------------

def cpu_seconds(pid):
    """utime + stime of every thread of pid."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def status_kib(pid, key):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def read_pid(path):
    try:
        return int(Path(path).read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return None


class Proc:
    """One process named by pid and /proc start time, so a reused pid is never taken for it."""

    def __init__(self, pid, label):
        self.pid, self.label = pid, label
        self.start = peers.start_time(pid) if pid else None

    def alive(self):
        return self.start is not None and peers.start_time(self.pid) == self.start

    def wait_gone(self, limit, poll=0.05):
        """The monotonic time it was seen gone (exited: gone, a zombie, or the pid reused), or None."""
        deadline = time.monotonic() + limit
        while True:
            if not self.alive():
                return time.monotonic()
            if time.monotonic() > deadline:
                return None
            time.sleep(poll)

    def stop(self):
        """SIGTERM, then SIGKILL after 10 s; only while it is still the same process. Returns how."""
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            if not self.alive():
                return "gone"
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                return "gone"
            if self.wait_gone(wait) is not None:
                return sig.name
        return "still running after SIGKILL"

    def __str__(self):
        return f"{self.label} (pid {self.pid})"


class Usage:
    """CPU (user + sys, every thread) of some processes from now to `end()`, in % of one core, and
    their memory at the end: VmRSS, VmHWM (peak RSS) and smaps_rollup Pss, MiB."""

    def __init__(self, **pids):
        self.pids = pids
        self.t0 = time.monotonic()
        self.c0 = {k: cpu_seconds(pid) for k, pid in pids.items()}

    def end(self):
        t1 = time.monotonic()
        out = {}
        for k, pid in self.pids.items():
            out[k] = {"cpu_pct": (cpu_seconds(pid) - self.c0[k]) / (t1 - self.t0) * 100,
                      "rss_mib": status_kib(pid, "VmRSS") / 1024, "hwm_mib": status_kib(pid, "VmHWM") / 1024,
                      "pss_mib": peers.smaps_rollup(pid)["Pss"] / 1024}
        return out


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


class Pods:
    """`swiftlet run -d` of some pods on a temporary root, with that root's daemon and keeper.

    `pid` is the daemon's (R/daemon.pid: the supervisor of every pod), `keeper` the keeper's
    (R/keeper.pid). network "none" (default): `--network none`, pods have loopback only. "cni":
    swiftlet's default network from an empty --cni-conf-dir of the benchmark's own; only inside a
    BenchNetns. yaml_text None: no pods; `swiftlet daemon -d` starts the root's daemon (one that
    does not exit when idle), for pods the caller runs itself. `close()` deletes every pod and sees
    the daemon and the keeper go."""

    def __init__(self, yaml_text, *extra_args, network="none"):
        if network not in ("none", "cni"):
            raise ValueError(f"network {network!r}: expected none or cni")
        if network == "cni":
            require_bench_netns()
        self.network = network
        self.tmp = tempfile.TemporaryDirectory(prefix="swiftlet-bench-")
        self.root = Path(self.tmp.name, "root")
        self.conf_dir = Path(self.tmp.name, "cni-conf")
        self.conf_dir.mkdir()
        self.daemon = self.keeper_proc = None
        self.exits_when_idle = True   # a daemon that `run` started
        self.cleanup = []
        self.cleanup_ok = None
        pods = Path(self.tmp.name, "pods.yaml")
        pods.write_text(yaml_text or "")
        self.started = time.monotonic()
        try:
            if yaml_text is None:
                self.run("daemon", "-d", *self.network_args(), *extra_args)
            else:
                self.run("run", "-d", "-f", str(pods), *self.network_args(), *extra_args, timeout=1800)
            self.follow_daemon(exits_when_idle=yaml_text is not None)
            self.keeper_proc = Proc(read_pid(self.root / "keeper.pid"), "keeper")
            if not self.daemon.alive() or not self.keeper_proc.alive():
                raise RuntimeError(f"after run -d: no running daemon ({self.daemon.pid}) or keeper "
                                   f"({self.keeper_proc.pid}) on {self.root}")
        except BaseException:
            self.follow_daemon(exits_when_idle=yaml_text is not None)
            self.keeper_proc = Proc(read_pid(self.root / "keeper.pid"), "keeper")
            self.close()   # what did start is deleted all the same
            raise

    @property
    def pid(self):
        return self.daemon.pid

    @property
    def keeper(self):
        return self.keeper_proc.pid

    def network_args(self):
        return network_args(self.network, self.conf_dir)

    def follow_daemon(self, exits_when_idle=True):
        """Reads R/daemon.pid: the daemon now serving the root (after a `swiftlet daemon -d`, one
        that does not exit when idle)."""
        self.daemon = Proc(read_pid(self.root / "daemon.pid"), "daemon")
        self.exits_when_idle = exits_when_idle
        return self.daemon

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
                raise RuntimeError(f"pods did not all start: {stuck[:5] or 'timeout'}; see {self.root}/daemon.log")
            time.sleep(2)  # `get pods -o json` of 1000 pods costs CPU the daemon is short of

    def pod_ips(self):
        """{pod name: status.podIP or None} (get pods -o json)."""
        return {p["metadata"]["name"]: p.get("status", {}).get("podIP") for p in self.pods()}

    def metrics(self):
        """One scrape: `swiftlet metrics`, parsed."""
        return parse(self.run("metrics").stdout)

    def restarts(self):
        return sum(c.get("restartCount", 0) for p in self.pods() for c in p.get("status", {}).get("containerStatuses", []))

    def records(self):
        """{pod name: its R/pods/<pod>/pod.json}, read from the files (no daemon needed)."""
        out = {}
        for f in Path(self.root, "pods").glob("*/pod.json"):
            try:
                out[f.parent.name] = json.loads(f.read_text())
            except (OSError, ValueError):
                pass
        return out

    def log_tail(self, lines=20):
        text = []
        for name in ("daemon.log", "keeper.log"):
            f = Path(self.root, name)
            if f.exists():
                text.append(f"{f}, last lines:\n" + "\n".join(f.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(text)

    def close(self, grace=1):
        """`swiftlet delete pods --all`, then the daemon must exit by itself (one `run` started
        does once its last pod is gone; one started by `swiftlet daemon -d` does not, and is sent
        SIGTERM, which is how it stops) and the keeper about 2 s after it (it stops after 2 s
        with nothing to hold). One still running then is stopped by its pid (SIGTERM, then
        SIGKILL), only while it is the same process. What happened goes to `self.cleanup` and is
        printed ("cleanup: ..."), with the logs' last lines if anything went wrong; `cleanup_ok`
        says whether all went as it should. Returns the
        wall time of `delete pods --all`."""
        problems = False
        if not self.daemon.alive():
            self.cleanup.append(f"{self.daemon} was already gone before delete (crashed?)")
            problems = True
        t0 = time.monotonic()
        p = self.run("delete", "pods", "--all", "--grace-period", str(grace), check=False, timeout=1800)
        t1 = time.monotonic()
        if p.returncode != 0:
            self.cleanup.append(f"delete pods --all failed: {p.stderr.strip()[-800:]}")
            problems = True
        daemon_end = None
        if self.daemon.alive() and not self.exits_when_idle:
            how = self.daemon.stop()
            daemon_end = time.monotonic()
            self.cleanup.append(f"{self.daemon} stopped with {how} (started by `swiftlet daemon -d`: it does not exit "
                                f"when idle)")
        elif self.daemon.start is not None:
            daemon_end = self.daemon.wait_gone(120)
            if daemon_end is not None:
                self.cleanup.append(f"{self.daemon} exited by itself {daemon_end - t1:.1f} s after delete returned")
            else:
                how = self.daemon.stop()
                daemon_end = time.monotonic()
                self.cleanup.append(f"{self.daemon} STILL RUNNING 120 s after delete; killed by pid: {how}")
                problems = True
        keeper_end = self.keeper_proc.wait_gone(15)
        if keeper_end is not None:
            after = f"{keeper_end - daemon_end:.1f} s after the daemon" if daemon_end else "(daemon gone before)"
            self.cleanup.append(f"{self.keeper_proc} exited by itself {after}")
        elif self.keeper_proc.start is not None:
            how = self.keeper_proc.stop()
            self.cleanup.append(f"{self.keeper_proc} STILL RUNNING 15 s after the daemon; killed by pid: {how}")
            problems = True
        else:
            self.cleanup.append("no keeper.pid")
            problems = True
        self.cleanup_ok = not problems
        print("cleanup: " + "; ".join(self.cleanup), flush=True)
        if problems:
            print(self.log_tail(), file=sys.stderr, flush=True)
        self.tmp.cleanup()
        return t1 - t0


def network_args(network, conf_dir):
    """The `run` options for network "none" or "cni" (the default network: an empty conf dir)."""
    if network == "none":
        return ["--network", "none"]
    return ["--network", "cni", "--cni-conf-dir", str(conf_dir)]


def leftovers(tag="swiftlet-bench-"):
    """Mounts whose path names one of our temporary roots (not the active BenchNetns's own
    /run/netns entries, which go when it is left)."""
    ns = BenchNetns.active
    ours = {ns.path, *(f"/run/netns/{name}" for name in ns.extra)} if ns else set()
    mounts = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines() if tag in line]
    return [m for m in mounts if m not in ours]
