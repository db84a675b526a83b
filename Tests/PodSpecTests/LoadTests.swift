import Foundation
import PodSpec
import Testing

/// Reading pod files from disk, and where images resolve.
@Suite struct LoadTests {
    /// A fresh directory, removed when the test ends whatever happens.
    private static func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("podspec-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(directory)
    }

    @Test func imagesResolveAgainstTheFilesDirectory() throws {
        try Self.withTemporaryDirectory { directory in
            try FileManager.default.createDirectory(atPath: directory + "/demo", withIntermediateDirectories: true)
            let file = directory + "/demo/pod.yaml"
            let yaml = """
                apiVersion: v1
                kind: Pod
                metadata: {name: web}
                spec:
                  containers:
                  - {name: a, image: kubia-unhealthy}
                  - {name: b, image: ./out/../images/b}
                  - {name: c, image: /opt/images/c}
                """
            try yaml.write(toFile: file, atomically: true, encoding: .utf8)
            let images = try #require(try PodFile.load(path: file).first).spec.containers.map(\.image)
            #expect(images == [
                Image(written: "kubia-unhealthy", resolved: directory + "/demo/kubia-unhealthy"),
                Image(written: "./out/../images/b", resolved: directory + "/demo/images/b"),
                Image(written: "/opt/images/c", resolved: "/opt/images/c"),
            ])
        }
    }

    @Test func parseResolvesAgainstTheNamedFilesDirectory() throws {
        let pod = try #require(try PodFile.parse(Manifest.pod(), file: "rootfs/demo/pod.yaml").first)
        #expect(pod.spec.containers.first?.image == Image(written: "rootfs", resolved: "rootfs/demo/rootfs"))
        let here = try #require(try PodFile.parse(Manifest.pod(), file: "pod.yaml").first)
        #expect(here.spec.containers.first?.image.resolved == "rootfs")
    }

    @Test func aMissingFileIsReportedAsKubectlDoes() throws {
        let error = try #require(throws: PodSpecError.self) { try PodFile.load(path: "/nonexistent/pod.yaml") }
        #expect(error.reason == .fileNotFound)
        #expect(error.description == #"error: the path "/nonexistent/pod.yaml" does not exist"#)
    }

    @Test func aDirectoryIsNotAPodFile() throws {
        try Self.withTemporaryDirectory { directory in
            let error = try #require(throws: PodSpecError.self) { try PodFile.load(path: directory) }
            #expect(error.description == "error: error reading \"\(directory)\": Is a directory")
        }
    }

    @Test func errorsNameTheFileAsTheUserWroteIt() throws {
        try Self.withTemporaryDirectory { directory in
            let file = directory + "/bad.yaml"
            try Manifest.pod(container: "livenessProbe: {}").write(toFile: file, atomically: true, encoding: .utf8)
            let error = try #require(throws: PodSpecError.self) { try PodFile.load(path: file) }
            #expect(error.file == file)
            #expect(error.fieldErrors.map(\.description) == [
                "spec.containers[0].livenessProbe: Required value: must specify a handler type",
            ])
        }
    }
}
