/// `start`: lets a created container's init exec its program (runtime-spec runtime.md "start").
public enum ContainerStart {
    public static func run(store: StateStore, id: String) throws(RuntimeError) {
        let state = try store.load(id)
        switch store.status(of: state) {
        case .created: break
        case .stopped: throw .state("cannot start a container that has stopped")
        case .running, .paused, .creating: throw .state("cannot start an already running container")
        }
        try ExecFifo.release(at: store.execFifo(id))
    }
}
