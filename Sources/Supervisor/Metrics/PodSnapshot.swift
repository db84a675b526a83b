/// What a scrape reads of one pod: taken on the actor, so that the exposition can be written off
/// it (at a thousand pods it is megabytes of text).
struct PodSnapshot: Sendable {
    var name: String
    var namespace: String
    var uid: String
    var phase: String
    var containers: [Container]

    struct Container: Sendable {
        var name: String
        var state: State
        var restarts: Int
    }

    enum State: String, CaseIterable, Sendable {
        case running, waiting, terminated
    }

    init(name: String, namespace: String, uid: String, phase: String, containers: [Container]) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.phase = phase
        self.containers = containers
    }

    init(_ record: PodRecord) {
        self.init(name: record.name, namespace: record.namespace, uid: record.uid, phase: record.phase,
                  containers: record.containers.map { c in
                      Container(name: c.name, state: State(c.state), restarts: c.restartCount)
                  })
    }
}

extension PodSnapshot.State {
    init(_ state: ContainerRecord.ContainerState) {
        switch state {
        case .running: self = .running
        case .waiting: self = .waiting
        case .terminated: self = .terminated
        }
    }
}
