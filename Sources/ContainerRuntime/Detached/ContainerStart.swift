#if canImport(Glibc)
import Glibc
#endif
import Cgroups

/// `start`: lets a created container's init exec its program (runtime-spec runtime.md "start").
public enum ContainerStart {
    /// Returns warnings (failed poststart hooks) for the caller to log.
    public static func run(store: StateStore, id: String) throws(RuntimeError) -> [String] {
        let state = try store.load(id)
        switch store.status(of: state) {
        case .created: break
        case .stopped: throw .state("cannot start a container that has stopped")
        case .running, .paused, .creating: throw .state("cannot start an already running container")
        }
        let hooks = try store.hooks(id)
        if !hooks.startContainer.isEmpty {
            do throws(RuntimeError) {
                try HookRunner.runInContainer(hooks.startContainer, phase: "startContainer",
                                              state: state.json(status: .created), location: state.location,
                                              resolveInContainer: true)
            } catch {
                // The spec: a failing startContainer hook stops the container.
                try? Cgroup(paths: state.cgroup).kill(signal: SIGKILL)
                throw error
            }
        }
        try ExecFifo.release(at: store.execFifo(id))
        if hooks.poststart.isEmpty { return [] }
        return HookRunner.runCollectingFailures(hooks.poststart, phase: "poststart", state: state.json(status: .running))
            .map(\.description)
    }
}
