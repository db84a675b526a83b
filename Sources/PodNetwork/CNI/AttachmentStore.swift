import Foundation
import Glibc
import GoFormat

/// The directory of kept attachments: `<dir>/<sandboxID>.json`, mode 0600, written atomically
/// (a temp file in the same directory, then rename); the directory is created 0700. No fsync,
/// as for the pod records: the state root is /run, which a reboot empties together with every
/// namespace, veth and rule an attachment names, and a crashed supervisor's writes are in the
/// page cache already.
public struct AttachmentStore: Sendable {
    public let dir: String

    public init(dir: String) {
        self.dir = dir
    }

    public func save(_ attachment: Attachment) throws(NetworkError) {
        guard CNIIdentifiers.isValidContainerID(attachment.sandboxID) else {
            throw NetworkError("cannot keep attachment: invalid sandbox ID \(goQuoted(attachment.sandboxID))")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(attachment) else {
            throw NetworkError("cannot keep attachment of sandbox \(attachment.sandboxID): it cannot be encoded")
        }
        try makeDirectory()
        let path = self.path(attachment.sandboxID)
        let temp = "\(dir)/.\(attachment.sandboxID).json.\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        func failure(_ step: String, _ code: Int32) -> NetworkError {
            NetworkError("cannot keep attachment of sandbox \(attachment.sandboxID) in \(path): \(step): \(String(cString: strerror(code)))")
        }
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("create \(temp)", errno) }
        var writeError: Int32 = 0
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    writeError = errno
                    return
                }
                offset += n
            }
        }
        close(fd)
        if writeError != 0 {
            unlink(temp)
            throw failure("write", writeError)
        }
        if rename(temp, path) != 0 {
            let code = errno
            unlink(temp)
            throw failure("rename", code)
        }
    }

    /// The kept attachment of `sandboxID`, nil when there is none or it cannot be read.
    public func load(sandboxID: String) -> Attachment? {
        guard CNIIdentifiers.isValidContainerID(sandboxID) else { return nil }
        return read(path(sandboxID))
    }

    /// Every readable kept attachment, in sandbox ID order. Unreadable files are skipped and left
    /// in place (nothing can DEL them without their config); `scan()` also names them.
    public func all() -> [Attachment] {
        scan().attachments
    }

    /// Every kept attachment, and the paths of the files that could not be read.
    public func scan() -> (attachments: [Attachment], unreadable: [String]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        var attachments: [Attachment] = []
        var unreadable: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let path = "\(dir)/\(name)"
            if let attachment = read(path), path == self.path(attachment.sandboxID) {
                attachments.append(attachment)
            } else {
                unreadable.append(path)
            }
        }
        return (attachments, unreadable)
    }

    public func remove(sandboxID: String) {
        guard CNIIdentifiers.isValidContainerID(sandboxID) else { return }
        unlink(path(sandboxID))
    }

    func path(_ sandboxID: String) -> String {
        "\(dir)/\(sandboxID).json"
    }

    private func read(_ path: String) -> Attachment? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(Attachment.self, from: data)
    }

    private func makeDirectory() throws(NetworkError) {
        var info = stat()
        if stat(dir, &info) == 0 { return }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw NetworkError("cannot create attachment dir \(dir): \(error.localizedDescription)")
        }
        chmod(dir, 0o700)
    }
}
