import Foundation
import Synchronization

/// The supervisor's file work (state files written, instance layers, cgroups and pod directories
/// removed) done on a thread of its own, in the order asked. The actor runs on the probe event
/// loop: a write that waits for a busy disk there would hold up every probe. A file asked to be
/// written again before its turn is written once, with the newest content.
final class DiskQueue: Sendable {
    private let thread = WorkerThreads(name: "swiftlet-disk")
    /// Content still to write, by path; a job is queued for a path only when it enters here.
    private let pending = Mutex<[String: @Sendable () throws -> Data]>([:])

    /// Writes what `content` makes (run on the disk thread) to `path`, atomically (see
    /// `PodStore.writeAtomically`). A failure goes to stderr (the supervisor's log) unless the
    /// directory is gone (its pod was deleted meanwhile); the next change writes the file again.
    func write(_ path: String, _ content: @escaping @Sendable () throws -> Data) {
        let queued = pending.withLock { files in
            defer { files[path] = content }
            return files[path] != nil
        }
        guard !queued else { return }
        thread.enqueue { [self] in
            guard let newest = self.pending.withLock({ $0.removeValue(forKey: path) }) else { return }
            do {
                try PodStore.writeAtomically(try newest(), to: path)
            } catch {
                let dir = (path as NSString).deletingLastPathComponent
                if FileManager.default.fileExists(atPath: dir) {
                    FileHandle.standardError.write(Data("swiftlet: \(error)\n".utf8))
                }
            }
        }
    }

    /// Runs `body` after everything asked before it; does not wait.
    func perform(_ body: @escaping @Sendable () -> Void) {
        thread.enqueue(body)
    }

    /// Runs `body` after everything asked before it, and waits for it.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            thread.enqueue { continuation.resume(returning: body()) }
        }
    }
}
