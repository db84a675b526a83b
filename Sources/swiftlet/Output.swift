import ArgumentParser
import Foundation

/// A failure reported in kubectl's words (`Error from server (NotFound): pods "x" not found`,
/// `error: ...`) and exit status 1, without ArgumentParser's own prefix or usage text.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32 = 1

    init(_ description: String, exitCode: Int32 = 1) {
        self.description = description
        self.exitCode = exitCode
    }

    /// A message of our own, prefixed as kubectl prefixes client-side errors.
    static func error(_ message: String) -> CLIError { CLIError("error: " + message) }
}

/// Runs a command body; a CLIError is printed as is and becomes the exit status.
func reporting(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as CLIError {
        writeStderr(error.description + "\n")
        throw ExitCode(error.exitCode)
    }
}

func writeStdout(_ text: String) { writeBytes(Array(text.utf8)) }
func writeStderr(_ text: String) { writeBytes(Array(text.utf8), to: 2) }

/// Unbuffered: `-w` and `-f` output must appear at once, and must not be lost on Ctrl-C.
func writeBytes(_ bytes: [UInt8], to fd: Int32 = 1) {
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        offset += n
    }
}
