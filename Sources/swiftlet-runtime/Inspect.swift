import ArgumentParser
import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List containers.")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "table or json.")
    var format: String = "table"
    @Flag(name: [.short, .long], help: "Print only the ids.")
    var quiet = false

    func run() throws {
        requireRoot()
        let store = global.store
        let states = store.list().compactMap { try? store.load($0) }
        if quiet { states.forEach { writeStdout($0.id + "\n") }; return }
        switch format {
        case "json":
            writeStdout(JSONValue.array(states.map { $0.json(status: store.status(of: $0)) }).text(pretty: true) + "\n")
        case "table":
            var rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED"]]
            for s in states {
                let status = store.status(of: s)
                rows.append([s.id, String(status == .stopped ? 0 : s.pid), status.rawValue, s.bundle, s.created])
            }
            writeStdout(Table.render(rows))
        default:
            fail("--format \(format): expected table or json")
        }
    }
}

struct State: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "Print a container's state as JSON (OCI state).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The container id.")
    var id: String

    func run() throws { Self.execute(store: global.store, id: id) }

    static func execute(store: StateStore, id: String) {
        requireRoot()
        do {
            let state = try store.load(id)
            writeStdout(state.json(status: store.status(of: state)).text(pretty: true) + "\n")
        } catch { fail("\(error)") }
    }
}

/// Left-aligned columns separated by three spaces, like runc list.
enum Table {
    static func render(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        var widths = first.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        return rows.map { r in
            r.enumerated().map { i, c in i == r.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count + 3) }
                .joined()
        }.joined(separator: "\n") + "\n"
    }
}
