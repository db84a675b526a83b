import Foundation
import XCTest

// packaging/systemd/swiftlet.service: systemd accepts it, and it keeps the settings that let the
// daemon stop, restart and be upgraded while swiftlet-keeper and every pod go on running.

final class SystemdUnitTests: XCTestCase {
    /// The repository root: this file is Tests/SupervisorTests/SystemdUnitTests.swift.
    private static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private static let unitPath = repoRoot.appendingPathComponent("packaging/systemd/swiftlet.service")

    private func unitText() throws -> String {
        try String(contentsOf: Self.unitPath, encoding: .utf8)
    }

    /// `systemd-analyze verify` on a copy whose executables exist here (verify checks that
    /// ExecStart's binary is there): exit 0 and not one message about the unit.
    func testSystemdAnalyzeVerifyAcceptsTheUnit() throws {
        guard let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else {
            throw XCTSkip("systemd-analyze is not installed (Debian: apt-get install systemd); unit not verified")
        }
        let text = try unitText()
        XCTAssertTrue(text.contains("ExecStart=/usr/local/bin/swiftlet daemon"),
                      "the test replaces ExecStart's binary; it expects /usr/local/bin/swiftlet daemon")
        let copy = text.replacingOccurrences(of: "ExecStart=/usr/local/bin/swiftlet ", with: "ExecStart=/bin/true ")

        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("swiftlet-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let unit = dir.appendingPathComponent("swiftlet.service")
        try copy.write(to: unit, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyze)
        process.arguments = ["verify", unit.path]
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()

        XCTAssertEqual(process.terminationStatus, 0, "systemd-analyze verify failed:\n\(errors)")
        // verify also speaks of other units it loads (targets it is ordered after); only
        // messages about ours fail the test. An unknown or misspelt key is a warning, not an exit code.
        let aboutOurs = errors.split(separator: "\n").filter { $0.contains("swiftlet.service") }
        XCTAssertEqual(aboutOurs, [], "systemd-analyze verify warned about the unit:\n\(errors)")
    }

    /// The settings the daemon's design depends on, read from the [Service] section.
    func testUnitStopsOnlyTheDaemonAndComesBack() throws {
        let service = try serviceSettings(unitText())
        XCTAssertEqual(service["KillMode"], ["process"],
                       "stop and restart must signal the daemon alone, not swiftlet-keeper and the pods")
        XCTAssertEqual(service["Delegate"], ["yes"])
        XCTAssertEqual(service["Restart"], ["always"])
        XCTAssertEqual(service["Type"], ["simple"], "the daemon does not speak sd_notify")
        XCTAssertEqual(service["ExecStart"], ["/usr/local/bin/swiftlet daemon"])
        XCTAssertEqual(service["OOMScoreAdjust"], ["-999"])
        XCTAssertEqual(service["TasksMax"], ["infinity"])
    }

    /// key → values (in order) of the [Service] section; comments and other sections left out.
    private func serviceSettings(_ text: String) -> [String: [String]] {
        var section = ""
        var settings: [String: [String]] = [:]
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                section = line
                continue
            }
            guard section == "[Service]", let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            settings[key, default: []].append(value)
        }
        return settings
    }
}
