import ArgumentParser
import Foundation
import Supervisor

struct Logs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the logs of a container in a pod.",
        discussion: """
            Reads the CRI log files the supervisor writes for each container instance; the current and the previous instance are kept.

              swiftlet logs kubia-liveness
              swiftlet logs kubia-liveness --previous
              swiftlet logs web -c sidecar -f --timestamps
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The pod (NAME or pod/NAME).", valueName: "name"))
    var name: String
    @Option(name: [.customShort("c"), .long], help: "The container; needed when the pod has several.")
    var container: String?
    @Flag(name: [.customShort("p"), .long], help: "Print the logs of the previous instance of the container.")
    var previous = false
    @Flag(name: [.customShort("f"), .long], help: "Keep printing new output, also of the next instance, until Ctrl-C or the pod is deleted.")
    var follow = false
    @Flag(help: "Start each line with its time (RFC 3339, nanoseconds).")
    var timestamps = false

    func run() throws {
        try reporting {
            let podName = try PodArguments.podName(name)
            let store = global.store
            let record = try PodView.load(podName, store: store).record
            let chosen = try ContainerSelection.choose(container, in: record)
            let instance = try ContainerSelection.logInstance(of: chosen, pod: podName, previous: previous)
            var printer = CRILogPrinter(timestamps: timestamps)
            let path = store.logPath(podName, chosen.name, instance: instance)
            for file in [path + ".1", path] where !(follow && !previous && file == path) {
                writeBytes(printer.render(lines: LogFileReader.contents(file)))
            }
            if follow && !previous {
                var follower = LogFollower(store: store, pod: podName, uid: record.uid, container: chosen.name,
                                           instance: instance, printer: printer)
                follower.run()
            }
        }
    }
}

/// `logs -f`: polls the log file for growth and moves to the next instance when the container
/// restarts; returns when the pod is gone.
struct LogFollower {
    let store: PodStore
    let pod: String
    let uid: String
    let container: String
    var instance: Int
    var printer: CRILogPrinter

    mutating func run() {
        var reader = LogFileReader(path: store.logPath(pod, container, instance: instance))
        var idle = 0
        // The keeper appends to the file in the log directory: inotify wakes us as it writes, so
        // a line shows at once; the 200 ms timeout keeps the record checks below going.
        let changes = LogDirectoryWatch(store.logDir(pod, container))
        while true {
            let lines = reader.readLines()
            if !lines.isEmpty {
                writeBytes(printer.render(lines: lines))
                idle = 0
                continue
            }
            if reader.wasReplaced {
                reader.reopen()
                continue
            }
            idle += 1
            // The record changes far less often than the log: look at it about once a second.
            if idle % 5 == 0 {
                guard let record = try? store.load(pod), record.uid == uid else {
                    writeBytes(printer.render(lines: reader.readLines()))
                    return
                }
                if let c = record.containers.first(where: { $0.name == container }),
                   let current = try? ContainerSelection.logInstance(of: c, pod: pod, previous: false), current != instance {
                    writeBytes(printer.render(lines: reader.readLines()))
                    instance = current
                    reader = LogFileReader(path: store.logPath(pod, container, instance: instance))
                    continue
                }
            }
            changes.wait(milliseconds: 200)
        }
    }
}

/// Wakes a follower when anything in a log directory is written, created or renamed.
final class LogDirectoryWatch {
    private let fd: Int32

    init(_ directory: String) {
        fd = inotify_init1(Int32(IN_CLOEXEC))
        if fd >= 0 { _ = inotify_add_watch(fd, directory, UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE)) }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Returns when something changed or after `milliseconds`.
    func wait(milliseconds: Int32) {
        guard fd >= 0 else {
            usleep(useconds_t(milliseconds) * 1000)
            return
        }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, milliseconds) > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        _ = read(fd, &buffer, buffer.count)
    }
}
