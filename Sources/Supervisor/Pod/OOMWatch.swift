import Cgroups
import ContainerRuntime
import Foundation

/// A container any of whose processes is OOM-killed dies whole and ends `OOMKilled`, as under the
/// kubelet on cgroup v2 (pkg/kubelet/kuberuntime/kuberuntime_container_linux.go sets
/// memory.oom.group=1 on every container unless singleProcessOOMKill).
///
/// - Pure cgroup v2 host: every container's config sets `memory.oom.group` to 1, and the kernel
///   kills the whole cgroup itself.
/// - Hybrid host (v1 memory controller, which has no such switch): a container with a memory
///   limit gets an eventfd on its `memory.oom_control` (cgroup.event_control). The kernel signals
///   it when the cgroup goes out of memory; the epoll thread that already watches pidfds wakes,
///   and once the cgroup's `oom_kill` counter has risen every process of the container gets
///   SIGKILL. An eventfd costs nothing while nothing happens, where polling the counters of 1000
///   containers would read 1000 files every period; and the kill comes within milliseconds of
///   the OOM, not a polling period later. The exit then reads `OOMKilled` from that counter, as
///   every exit does (PodController.exitStatus).
enum OOMGroup {
    /// The kernel does the group kill: pure cgroup v2 with the memory controller.
    static let byKernel: Bool = {
        guard case .unified(let mount)? = try? CgroupLayout.detect() else { return false }
        let controllers = (try? String(contentsOfFile: mount + "/cgroup.controllers", encoding: .utf8)) ?? ""
        return controllers.split(whereSeparator: \.isWhitespace).contains("memory")
    }()

    /// Sets memory.oom.group=1 in the container's config where the kernel can do the group kill.
    static func apply(to spec: inout OCISpec) {
        guard byKernel, spec.linux != nil else { return }
        var resources = spec.linux?.resources ?? OCISpec.Resources()
        resources.unified["memory.oom.group"] = "1"
        spec.linux?.resources = resources
    }

    /// After an OOM notification: the victim is chosen and the counter raised just after the
    /// notification, so the counter is looked at a few times over a second.
    static func killAfterOOM(_ cgroup: Cgroup) async {
        for delay in [0, 5, 20, 50, 100, 250, 500] {
            if delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
            if cgroup.killAllIfOOMKilled(since: 0) { return }
        }
    }
}

extension PodController {
    /// Hybrid hosts: kills the container whole when the OOM killer takes one of its processes
    /// (see OOMGroup). Nothing to do without a v1 memory cgroup (no memory limit) or where the
    /// kernel does it. The watch ends when the cgroup is removed (the kernel signals the eventfd
    /// then too).
    func watchOOM(_ cgroup: Cgroup) {
        guard !OOMGroup.byKernel, let memory = cgroup.paths.v1["memory"] else { return }
        let watcher = self.watcher
        // Registering writes cgroupfs files, which can wait for the kernel's cgroup lock: on the
        // disk thread, before anything it later does to this cgroup (removal is queued there too).
        disk.perform {
            let fd: Int32
            do {
                guard let opened = try cgroup.openV1OOMEvents() else { return }
                fd = opened
            } catch {
                FileHandle.standardError.write(Data("swiftlet: no OOM events for \(memory): \(error)\n".utf8))
                return
            }
            watcher.watchOwned(fd) { fd in
                Cgroup.drainEventFD(fd)
                guard FileManager.default.fileExists(atPath: memory) else { return false }
                Task.detached { await OOMGroup.killAfterOOM(cgroup) }
                return true
            }
            // An OOM kill before the eventfd existed sent no event: look once now.
            _ = cgroup.killAllIfOOMKilled(since: 0)
        }
    }
}
