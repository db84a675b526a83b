#if canImport(Glibc)
import Glibc
#endif

/// `ps` table format as runc does it: run ps(1), keep the header and the rows whose PID column
/// names one of the container's processes.
enum PsTable {
    static func filter(options: [String], pids: Set<Int32>) -> String {
        let output = run(["ps"] + (options.isEmpty ? ["-ef"] : options))
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { return "" }
        let header = lines.removeFirst()
        guard let column = header.split(separator: " ").firstIndex(of: "PID") else {
            fail("ps: no PID column in the output of ps \(options.joined(separator: " "))")
        }
        let rows = lines.filter { line in
            let fields = line.split(separator: " ")
            return fields.count > column && Int32(fields[column]).map(pids.contains) == true
        }
        return ([header] + rows).joined(separator: "\n") + "\n"
    }

    private static func run(_ argv: [String]) -> String {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { fail("ps: creating a pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        var pid: pid_t = 0
        let cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        let r = posix_spawnp(&pid, "ps", &actions, nil, cargs, environ)
        posix_spawn_file_actions_destroy(&actions)
        close(fds[1])
        if r != 0 { close(fds[0]); fail("ps: running ps(1) failed: \(String(cString: strerror(r)))") }
        let out = readAll(fd: fds[0])
        close(fds[0])
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return String(decoding: out, as: UTF8.self)
    }
}
