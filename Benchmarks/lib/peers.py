"""The peers swiftlet is measured against, run side by side on one busybox image: podman (conmon
per container) and a private containerd (containerd-shim-runc-v2 per container).

Everything here is started on temporary paths of the caller's and taken down again by `close()`,
also after a failure: containers, images, storage mounts, the cgroup directories the runtimes
made and left (a namespace's parent, libpod_parent), and every process we started. Nothing touches
the machine's network: podman runs with --network=none, ctr without --net-host (its containers
get a new, empty network namespace). No peer uses the machine's own storage or daemon: podman
gets --root, --runroot and --tmpdir of its own, containerd its own --root, --state, address and
config (CRI off).
"""
import errno
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

SMAPS_KEYS = ("Rss", "Pss", "Private_Dirty")
CGROUP_ROOT = Path("/sys/fs/cgroup")


def say(msg):
    print(f"holder-memory: {msg}", flush=True)


# --- processes -----------------------------------------------------------------------------------

def smaps_rollup(pid):
    """{Rss, Pss, Private_Dirty} in KiB from /proc/<pid>/smaps_rollup (the whole process)."""
    values = dict.fromkeys(SMAPS_KEYS, 0)
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in values:
            values[key] = int(rest.split()[0])
    return values


def cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
    except OSError:
        return []


def ppid(pid):
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def start_time(pid):
    """Field 22 of /proc/<pid>/stat: with the pid, names one process even if the pid is reused.
    None for a process that is gone or a zombie (it has exited; only its parent's wait is due)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return None if fields[0] in ("Z", "X") else int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def processes(match):
    """Pids of the processes whose argv satisfies match(argv)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            argv = cmdline(int(entry))
            if argv and match(argv):
                found.append(int(entry))
    return sorted(found)


class Started:
    """The processes a benchmark started (pid and start time), so that only they are ever killed."""

    def __init__(self):
        self.known = {}  # pid -> (start time, label)

    def add(self, pid, label):
        t = start_time(pid)
        if t is not None:
            self.known[pid] = (t, label)

    def alive(self):
        return [(pid, label) for pid, (t, label) in self.known.items() if start_time(pid) == t]

    def kill_left(self, sig=signal.SIGKILL):
        """Sends sig to those still alive (the same process, not a reused pid); returns them."""
        left = self.alive()
        for pid, _ in left:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        return left


def wait_gone(pids, limit):
    """Whether every process of pids (as they are now) has exited (gone or a zombie; a pid
    taken by another process counts as gone) within limit seconds."""
    known = {p: start_time(p) for p in pids}
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if all(t is None or start_time(p) != t for p, t in known.items()):
            return True
        time.sleep(0.1)
    return False


class CommandFailed(RuntimeError):
    def __init__(self, argv, p):
        self.error = (p.stderr or p.stdout).strip()
        super().__init__(f"`{' '.join(map(str, argv))}` exited with status {p.returncode}: {self.error[-600:]}")


def run(argv, check=True, timeout=300, **kw):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise CommandFailed(argv, p)
    return p


def version(argv):
    try:
        p = subprocess.run([*argv, "--version"], capture_output=True, text=True, timeout=20)
        lines = (p.stdout or p.stderr).strip().splitlines()
        return lines[0] if lines else "version unknown"
    except (OSError, subprocess.TimeoutExpired):
        return "version unknown"


# --- packages --------------------------------------------------------------------------------------

def ensure_packages(wanted):
    """wanted: [(command, Debian package)]. Installs the packages of missing commands with
    apt-get (after apt-get update), saying what it installs. Returns the packages installed."""
    missing = sorted({pkg for command, pkg in wanted if not shutil.which(command)})
    if not missing:
        return []
    say(f"installing missing Debian packages: {' '.join(missing)} (apt-get update; apt-get install)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for argv in (["apt-get", "update", "-q"],
                 ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]):
        p = subprocess.run(argv, capture_output=True, text=True, env=env)
        if p.returncode != 0:
            raise RuntimeError(f"`{' '.join(argv)}` failed: {(p.stderr or p.stdout).strip()[-800:]}")
    still = [command for command, _ in wanted if not shutil.which(command)]
    if still:
        raise RuntimeError(f"still missing after apt-get install: {' '.join(still)}")
    return missing


# --- what runtimes leave behind ----------------------------------------------------------------------

def unmount_under(path):
    """Unmounts everything mounted at or below path, deepest first (lazily if busy)."""
    prefix = str(Path(path).resolve())
    for _ in range(3):
        points = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
        ours = sorted({m for m in points if m == prefix or m.startswith(prefix + "/")}, key=len, reverse=True)
        if not ours:
            return
        for m in ours:
            if subprocess.run(["umount", m], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", m], capture_output=True)


def remove_tree(path):
    """rm -rf after unmounting what is below; says what could not go."""
    if not Path(path).exists():
        return
    unmount_under(path)
    shutil.rmtree(path, ignore_errors=True)
    if Path(path).exists():
        say(f"could not remove {path} entirely")


def cgroup_hierarchies():
    """Every cgroup mount below /sys/fs/cgroup (v1 controllers, name=systemd, the v2 tree)."""
    roots = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        fstype = fields[fields.index("-") + 1]
        if fstype in ("cgroup", "cgroup2") and fields[4].startswith(str(CGROUP_ROOT)):
            roots.append(Path(fields[4]))
    return roots


class NewCgroupParents:
    """Top-level cgroup directories with these names that a runtime makes and never removes
    (containerd's <namespace>, podman's libpod_parent): those that did not exist at the start are
    removed at the end, children first, if no process is left in them."""

    def __init__(self, names):
        self.names = names
        self.before = {h / n for h in cgroup_hierarchies() for n in names if (h / n).exists()}

    def remove_new(self):
        left = []
        for h in cgroup_hierarchies():
            for n in self.names:
                top = h / n
                if top in self.before or not top.is_dir():
                    continue
                dirs = sorted((d for d in top.rglob("*") if d.is_dir()), key=lambda d: len(d.parts), reverse=True)
                for d in [*dirs, top]:
                    try:
                        d.rmdir()
                    except OSError as e:
                        if e.errno != errno.ENOENT:
                            left.append(str(d))
        if left:
            say(f"cgroups left (not empty?): {', '.join(left[:6])}")
        return left


# --- podman + conmon ---------------------------------------------------------------------------------

class Podman:
    """podman on storage of its own below tmp, cgroupfs, file events (no systemd, no journald)."""

    def __init__(self, tmp, started):
        self.tmp = Path(tmp)
        self.started = started
        self.runtime = None  # None: podman's default
        self.ids = []
        self.conmons = []
        self.images = []
        self.base = ["podman", "--root", str(self.tmp / "storage"), "--runroot", str(self.tmp / "run"),
                     "--tmpdir", str(self.tmp / "libpod"), "--cgroup-manager=cgroupfs", "--events-backend=file"]
        self.cgroups = NewCgroupParents(["libpod_parent"])

    def cmd(self, *args, **kw):
        runtime = ["--runtime", self.runtime] if self.runtime else []
        return run([*self.base, *runtime, *args], **kw)

    def default_runtime(self):
        return self.cmd("info", "--format", "{{.Host.OCIRuntime.Name}}").stdout.strip()

    def runtime_version(self):
        return self.cmd("info", "--format", "{{.Host.OCIRuntime.Version}}").stdout.strip().splitlines()[0]

    def import_rootfs(self, rootfs, name):
        """`tar -C rootfs -c . | podman import - name`."""
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        try:
            p = subprocess.run([*self.base, "import", "-", name], stdin=tar.stdout, capture_output=True, text=True)
        finally:
            tar.stdout.close()
            tar.wait()
        if p.returncode != 0 or tar.returncode != 0:
            raise RuntimeError(f"podman import failed: {p.stderr.strip()[-600:]}")
        self.images.append(name)

    def save_oci(self, name, path):
        self.cmd("save", "--format", "oci-archive", "-o", str(path), name)

    # podman gives root's containers RLIMIT_NOFILE 1048576 and RLIMIT_NPROC above this VM's hard
    # limits, and lowers its own NPROC hard limit to 32768 first; nothing may raise a limit here,
    # so the runtime's setrlimit fails. The containers get containerd's default spec values
    # instead (what the holders cost does not depend on them).
    ULIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]

    def run_detached(self, image, *argv):
        """`podman run -d --network=none image argv`; returns (container id, conmon pid)."""
        cid = self.cmd("run", "-d", "--network=none", *self.ULIMITS, image, *argv).stdout.strip().splitlines()[-1]
        self.ids.append(cid)
        conmon = int(self.cmd("inspect", "--format", "{{.State.ConmonPid}}", cid).stdout.strip())
        self.started.add(conmon, f"conmon of podman container {cid[:12]}")
        self.conmons.append(conmon)
        return cid, conmon

    def close(self):
        if self.ids:
            self.cmd("rm", "-f", "-t", "0", *self.ids, check=False, timeout=600)
            self.ids = []
        # Each conmon runs `podman container cleanup` after its container died and exits after
        # `rm` has returned; until then its cgroup (libpod_parent/conmon) cannot go.
        if not wait_gone(self.conmons, 30):
            say("conmons still running 30 s after podman rm")
        for image in self.images:
            self.cmd("rmi", "-f", image, check=False)
        self.images = []
        remove_tree(self.tmp)
        self.cgroups.remove_new()


# --- containerd + containerd-shim-runc-v2 ---------------------------------------------------------

class Containerd:
    """A containerd of our own: --root, --state, --address and config (CRI disabled) below tmp.
    The runc shim keeps runc's state in /run/containerd/runc/<namespace> whatever containerd's
    paths are, so the namespace is ours alone (`namespace`) and its directory goes at the end."""

    def __init__(self, tmp, started, namespace):
        self.tmp = Path(tmp)
        self.started = started
        self.ns = namespace
        self.address = str(self.tmp / "containerd.sock")
        self.ids = []
        self.proc = None
        self.cgroups = NewCgroupParents([namespace])
        self.run_dir_existed = Path("/run/containerd").exists()
        self.sockets_before = set(Path("/run/containerd/s").iterdir()) if Path("/run/containerd/s").is_dir() else set()
        self.runc_root = Path("/run/containerd/runc") / namespace

    def start(self):
        for d in ("root", "state", "opt"):
            (self.tmp / d).mkdir(parents=True, exist_ok=True)
        config = self.tmp / "config.toml"
        config.write_text(f"""version = 2
root = "{self.tmp / 'root'}"
state = "{self.tmp / 'state'}"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "{self.address}"

[ttrpc]
  address = "{self.tmp / 'containerd.sock.ttrpc'}"

[debug]
  address = ""

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "{self.tmp / 'opt'}"
""")
        log = open(self.tmp / "containerd.log", "w")
        self.proc = subprocess.Popen(["containerd", "--config", str(config), "--root", str(self.tmp / "root"),
                                      "--state", str(self.tmp / "state"), "--address", self.address],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        log.close()
        self.started.add(self.proc.pid, "private containerd")
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"containerd exited with status {self.proc.returncode}: {self.log_tail()}")
            if Path(self.address).exists() and self.ctr("version", check=False).returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"containerd did not answer within 30 s: {self.log_tail()}")
            time.sleep(0.2)

    def log_tail(self):
        try:
            return (self.tmp / "containerd.log").read_text().strip()[-800:]
        except OSError:
            return "(no log)"

    def ctr(self, *args, **kw):
        return run(["ctr", "--address", self.address, "--namespace", self.ns, *args], **kw)

    def import_archive(self, path, name):
        """`ctr images import` of an OCI archive (podman save); fails unless `name` is there after."""
        self.ctr("images", "import", "--base-name", name.rsplit(":", 1)[0], str(path), timeout=600)
        names = self.ctr("images", "ls", "-q").stdout.split()
        if name not in names:
            raise RuntimeError(f"ctr images import made {names}, not {name}")

    def run_detached(self, image, cid, *argv):
        """`ctr run -d image cid argv` (no --net-host: a new, empty network namespace)."""
        self.ids.append(cid)
        self.ctr("run", "-d", image, cid, *argv)

    def tasks(self):
        """{container id: task pid} from `ctr task ls`."""
        out = self.ctr("task", "ls").stdout.splitlines()[1:]
        return {f[0]: int(f[1]) for f in (line.split() for line in out) if len(f) >= 2 and f[1].isdigit()}

    def is_our_shim(self, argv):
        return (bool(argv) and Path(argv[0]).name == "containerd-shim-runc-v2"
                and self.address in argv and self.ns in argv)

    def shims(self):
        """{container id: shim pid}: each task's parent, checked to be a runc v2 shim of ours."""
        found = {}
        for cid, pid in self.tasks().items():
            parent = ppid(pid)
            if parent and self.is_our_shim(cmdline(parent)):
                found[cid] = parent
                self.started.add(parent, f"containerd-shim-runc-v2 of {cid}")
            else:
                raise RuntimeError(f"task {cid} (pid {pid}): parent {parent} is not a shim of ours: {cmdline(parent or 0)}")
        return found

    def all_shims(self):
        """Every running shim started for our address (found by its command line)."""
        return processes(self.is_our_shim)

    def close(self):
        if self.proc and self.proc.poll() is None:
            for pid in self.all_shims():
                self.started.add(pid, "containerd-shim-runc-v2")
            for cid in self.ids:
                self.ctr("task", "kill", "-s", "SIGKILL", cid, check=False)
            for cid in self.ids:
                for _ in range(100):  # the task is deleted once its SIGKILL has been reaped
                    if self.ctr("task", "delete", cid, check=False).returncode == 0 or cid not in self.tasks():
                        break
                    time.sleep(0.1)
                self.ctr("container", "delete", cid, check=False)
            self.ids = []
            for name in self.ctr("images", "ls", "-q", check=False).stdout.split():
                self.ctr("images", "rm", name, check=False)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        # Shims that outlived their task (or containerd) are ours: they name our address.
        left = self.all_shims()
        for pid in left:
            self.started.add(pid, "containerd-shim-runc-v2")
            os.kill(pid, signal.SIGKILL)
        wait_gone(left, 10)
        try:
            self.runc_root.rmdir()
        except OSError:
            pass
        self.remove_stale_sockets()
        remove_tree(self.tmp)
        self.cgroups.remove_new()

    def remove_stale_sockets(self):
        """A shim killed before it could clean up leaves its socket in /run/containerd/s: remove
        those made since we started that nobody listens on, and /run/containerd itself (shims'
        sockets in s/, runc's state in runc/, ctr's FIFOs in fifo/) if it was not there before us
        and is empty now."""
        s = Path("/run/containerd/s")
        if s.is_dir():
            for entry in set(s.iterdir()) - self.sockets_before:
                if entry.is_socket() and not listening(entry):
                    entry.unlink(missing_ok=True)
        if not self.run_dir_existed:
            for d in (self.runc_root.parent, s, Path("/run/containerd/fifo"), Path("/run/containerd")):
                try:
                    d.rmdir()
                except OSError:
                    pass


def listening(path):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(str(path))
            return True
        except OSError:
            return False
