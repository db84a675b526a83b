import ArgumentParser
import Foundation
import Probes
import Supervisor

struct GetEvents: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "List events: LAST SEEN TYPE REASON OBJECT MESSAGE.",
        discussion: """
            Identical events are folded into one with a count, as the kubelet records them. With -w the table goes on: new and changed events are printed as they are recorded, until Ctrl-C.

              swiftlet get events
              swiftlet get events --for pod/kubia-liveness -w
              swiftlet get events -o json
            """,
        aliases: ["event", "ev"]
    )

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("for"), help: ArgumentHelp("Only the events of this pod.", valueName: "pod/name"))
    var object: String?
    @Flag(name: [.customShort("w"), .long], help: "After listing, watch for new and changed events.")
    var watch = false
    @Option(name: [.customShort("o", allowingJoined: true), .long], help: "Output format: json.")
    var output: OutputFormat?

    func validate() throws {
        if output == .wide { throw ValidationError("-o wide is not supported for events") }
        if let object, !object.contains("/") { throw ValidationError("--for must be in resource/name form, e.g. pod/\(object)") }
    }

    func run() throws {
        try reporting {
            let store = global.store
            try StoreAccess.check(store)
            let pod = try object.map { value throws(CLIError) in try PodArguments.podName(value) }
            let node = NodeName.current
            // Subscribed before the listing, so nothing falls between the two.
            let stream = watch ? DaemonClient.connect(root: store.root) : nil
            let streamed = EventQueue()
            if let stream {
                try? stream.streamEvents(pods: pod.map { [$0] }, onEvent: { name, event in streamed.push(name, event) },
                                         onEnd: { streamed.end() })
            }
            var events = Self.collect(store: store, pod: pod)
            if output == .json {
                writeStdout((watch ? events.map { PodEvents.json($0, node: node) }
                                   : [PodEvents.list(events, node: node)]).map { $0.rendered() + "\n" }.joined())
            } else if events.isEmpty && !watch {
                writeStderr("No resources found in default namespace.\n")
            } else if !events.isEmpty {
                writeStdout(PodEvents.table(events, now: .now))
            }
            guard watch else { return }
            var seen = EventWatch(events)
            var headerPrinted = !events.isEmpty
            var records: [String: PodRecord] = [:]
            while true {
                // The daemon's stream says at once; without a daemon (or once it is gone) the
                // records are read every half second.
                if stream != nil, let batch = streamed.next() {
                    events = batch.compactMap { name, stored in
                        if records[name] == nil { records[name] = try? store.load(name) }
                        return records[name].map { PodEvents.events([stored], of: $0)[0] }
                    }
                } else {
                    usleep(500_000)
                    events = Self.collect(store: store, pod: pod)
                }
                let changed = seen.update(events)
                guard !changed.isEmpty else { continue }
                if output == .json {
                    writeStdout(changed.map { PodEvents.json($0, node: node).rendered() + "\n" }.joined())
                } else {
                    // Each batch is aligned on its own, as kubectl's watch output is.
                    writeStdout(PodEvents.table(changed, now: .now, header: !headerPrinted))
                    headerPrinted = true
                }
            }
        }
    }

    /// The events of every pod (or one), from the store.
    static func collect(store: PodStore, pod: String?) -> [Probes.Event] {
        (pod.map { [$0] } ?? store.names()).flatMap { name -> [Probes.Event] in
            guard let record = try? store.load(name) else { return [] }
            return PodEvents.events(store.loadEvents(pod: name), of: record)
        }
    }
}

/// Events the daemon streams, waiting for the main thread; nil from `next` once the stream ended.
final class EventQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var queued: [(String, StoredEvent)] = []
    private var ended = false

    func push(_ pod: String, _ event: StoredEvent) {
        condition.withLock {
            queued.append((pod, event))
            condition.signal()
        }
    }

    func end() {
        condition.withLock {
            ended = true
            condition.signal()
        }
    }

    func next() -> [(String, StoredEvent)]? {
        condition.lock()
        defer { condition.unlock() }
        while queued.isEmpty && !ended { condition.wait() }
        if queued.isEmpty { return nil }
        defer { queued = [] }
        return queued
    }
}

/// What `-w` has printed: an event is printed again when its count or last time changes.
struct EventWatch {
    private var printed: [String: (count: Int, last: WallTime)] = [:]

    init(_ events: [Probes.Event]) { _ = update(events) }

    /// The events that are new or changed since the last call, oldest last-seen first.
    mutating func update(_ events: [Probes.Event]) -> [Probes.Event] {
        var changed: [Probes.Event] = []
        for event in events {
            let key = Self.key(event)
            if let before = printed[key], before.count == event.count, before.last == event.lastTimestamp { continue }
            printed[key] = (event.count, event.lastTimestamp)
            changed.append(event)
        }
        return PodEvents.sorted(changed)
    }

    /// An event's identity: the folded fields and the time it was first seen.
    private static func key(_ e: Probes.Event) -> String {
        [e.name, e.involvedObject.uid, e.involvedObject.fieldPath ?? "", e.type.rawValue, e.reason, e.message]
            .joined(separator: "\u{1F}")
    }
}
