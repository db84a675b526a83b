import Cgroups

/// `pause`, `resume`, `ps` and `update` on a container of the state store, with runc's errors.
public enum ContainerControl {
    public static func pause(store: StateStore, id: String) throws(RuntimeError) {
        let state = try store.load(id)
        switch store.status(of: state) {
        case .running, .created: break
        case .paused: return
        default: throw .state("container not running")
        }
        do { try Cgroup(paths: state.cgroup).setFrozen(true) } catch { throw .cgroup("pausing \(id): \(error)") }
    }

    public static func resume(store: StateStore, id: String) throws(RuntimeError) {
        let state = try store.load(id)
        guard store.status(of: state) == .paused else { throw .state("container not paused") }
        do { try Cgroup(paths: state.cgroup).setFrozen(false) } catch { throw .cgroup("resuming \(id): \(error)") }
    }

    /// Every process of the container's cgroup (host pids), sorted.
    public static func pids(store: StateStore, id: String) throws(RuntimeError) -> [Int32] {
        let state = try store.load(id)
        guard store.status(of: state) != .stopped else { throw .state("container not running") }
        do { return try Cgroup(paths: state.cgroup).pids().sorted() } catch { throw .cgroup("\(error)") }
    }

    /// Applies new linux.resources (a LinuxResources JSON object, as `runc update --resources`
    /// takes it). Only the limits given change; device rules are not updated (runc's rule too).
    public static func update(store: StateStore, id: String, resourcesJSON: [UInt8], source: String) throws(RuntimeError) {
        let state = try store.load(id)
        guard store.status(of: state) != .stopped else { throw .state("container not running") }
        let json: JSONValue
        do { json = try JSONValue.parse(resourcesJSON) } catch { throw .spec("--resources \(source): \(error)") }
        let spec = try SpecFragment.decode(json, as: .resources, source: "--resources \(source)")
        var resources = CgroupResources(oci: spec.linux?.resources)
        resources.devices = nil
        do { try Cgroup(paths: state.cgroup).apply(resources) } catch { throw .cgroup("updating \(id): \(error)") }
    }
}
