#if canImport(Glibc)
import Glibc
#endif
import CShims
import Cgroups

/// `kill` and `delete` with runc's semantics, which containerd's shim and podman rely on.
public enum ContainerRemoval {
    /// Signals the init, or with `all` every process of the cgroup. A stopped container is
    /// "container not running" (clients map that text to NotFound), except with `all`, which
    /// then succeeds: the shim sends it after the init exited when a pid namespace is shared.
    public static func kill(store: StateStore, id: String, signal: Int32, all: Bool) throws(RuntimeError) {
        let state = try store.load(id)
        let status = store.status(of: state)
        if status == .stopped {
            if all { return }
            throw .state("container not running")
        }
        if all {
            do { try Cgroup(paths: state.cgroup).kill(signal: signal) } catch { throw .cgroup("\(error)") }
            return
        }
        let pidfd = try state.location.openInit()
        let r = sl_pidfd_send_signal(pidfd.rawValue, signal)
        if r == -ESRCH { throw .state("container not running") }
        if r < 0 { throw .system(step: "sending signal \(signal) to container \(id)", errno: Errno(-r)) }
    }

    /// Removes a container: its processes, cgroup and state. A created container is killed
    /// first (as runc does: it never ran); a running or paused one only with `force`.
    /// `force` on a container that does not exist succeeds (podman's and the shim's cleanup).
    /// Returns warnings (failed poststop hooks) for the caller to log.
    public static func delete(store: StateStore, id: String, force: Bool) throws(RuntimeError) -> [String] {
        let state: ContainerState
        do { state = try store.load(id) } catch {
            if force, case .notFound = error { return [] }
            if force, case .state = error {   // an id reserved by a create that died half-way
                store.remove(id)
                return []
            }
            throw error
        }
        let status = store.status(of: state)
        if (status == .running || status == .paused) && !force {
            throw .state("cannot delete container \(id) that is not stopped: \(status.rawValue)")
        }
        let hooks = (try? store.hooks(id)) ?? OCISpec.Hooks()
        let cgroup = Cgroup(paths: state.cgroup)
        // A frozen cgroup's processes cannot act on SIGKILL (v1) until thawed.
        if status == .paused { try? cgroup.setFrozen(false) }
        do { try cgroup.destroy() } catch { throw .cgroup("\(error)") }
        store.remove(id)
        // The spec: poststop hooks run after the container is deleted; a failure is a warning.
        if hooks.poststop.isEmpty { return [] }
        return HookRunner.runCollectingFailures(hooks.poststop, phase: "poststop", state: state.json(status: .stopped))
            .map(\.description)
    }
}
