#if canImport(Glibc)
import Glibc
#endif
import CShims

/// `create`: a container set up completely whose init waits for `start` (runc's lifecycle,
/// runtime-spec runtime.md). Nothing here waits for the container: the init is our child only
/// until we exit, then the caller's subreaper (conmon, containerd's shim) owns and reaps it.
public struct ContainerCreation {
    public let store: StateStore
    public let id: String
    public let bundle: String
    public let spec: OCISpec

    public init(store: StateStore, id: String, bundle: String, spec: OCISpec) {
        self.store = store
        self.id = id
        self.bundle = bundle
        self.spec = spec
    }

    /// Creates the container, records it, writes the pid file and runs the create-time hooks.
    /// On any failure everything is removed again: the init, its cgroup, the state directory.
    public func run(consoleSocketPath: String?, preserveFDs: Int32, pidFile: String?) throws(RuntimeError) {
        try store.reserve(id)
        var kept = false
        defer { if !kept { store.remove(id) } }

        let gate = try ExecFifo.make(at: store.execFifo(id))
        let console = try consoleSocketPath.map { (path) throws(RuntimeError) in try ConsoleSocket.connect(path: path) }
        defer { if let console { close(console) } }
        var options = LaunchOptions(dieWithParent: false, preserveFDs: preserveFDs, startFD: gate.rawValue,
                                    consoleSocket: console, seccompCacheDirectory: store.seccompCacheDirectory)
        let hooks = spec.hooks
        if !(hooks.prestart.isEmpty && hooks.createRuntime.isEmpty && hooks.createContainer.isEmpty) {
            let (id, bundle, spec) = (self.id, self.bundle, self.spec)
            options.beforePivot = { (pid, cgroup) throws(RuntimeError) in
                let state = ContainerState(id: id, pid: pid, startTime: ProcStat.startTime(pid: pid) ?? 0, cgroup: cgroup,
                                           bundle: bundle, spec: spec)
                try Self.runCreateHooks(hooks, state: state)
            }
        }
        let container = try Container.start(id: id, spec: spec, bundle: bundle, options: options)

        let state = ContainerState(id: id, pid: container.pid, startTime: container.startTime,
                                   cgroup: container.cgroup.paths, bundle: bundle, spec: spec)
        do {
            try store.save(state, config: spec)
            if let pidFile { try PidFile.write(container.pid, to: pidFile) }
        } catch {
            _ = try? container.destroy()
            throw error
        }
        kept = true
    }

    /// prestart and createRuntime in our namespaces, createContainer in the container's, at the
    /// spec's point: the container's mounts are in place and pivot_root has not happened, so the
    /// createContainer hook's path resolves as on the host (scripts and dynamic binaries work)
    /// while it runs in the container's mount, pid, network, ipc and uts namespaces and cgroup.
    /// One failing fails `create`.
    static func runCreateHooks(_ hooks: OCISpec.Hooks, state: ContainerState) throws(RuntimeError) {
        let json = state.json(status: .created)
        try HookRunner.run(hooks.prestart, phase: "prestart", state: json)
        try HookRunner.run(hooks.createRuntime, phase: "createRuntime", state: json)
        try HookRunner.runInContainer(hooks.createContainer, phase: "createContainer", state: json,
                                      location: state.location, resolveInContainer: true)
    }
}
