import ContainerRuntime
import Foundation
import PodSpec
import Testing

/// Every seed of the fuzz corpora and every input the fuzzers once crashed on (Fuzz/corpus,
/// Fuzz/regressions) goes through the decoders as `swiftlet run -f` and `swiftlet-runtime create`
/// read them: each gives pods or a spec, or an error with a message, and none traps.
@Suite struct FuzzInputTests {
    /// The repository's Fuzz directory, found from this file's place in the tree.
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz").path

    /// The files of `Fuzz/<kind>/<target>/`, as paths relative to Fuzz/ (names read well in results).
    static func inputs(_ target: String) -> [String] {
        ["corpus", "regressions"].flatMap { kind in
            let directory = "\(kind)/\(target)"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(fuzzDirectory)/\(directory)")) ?? []
            return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { "\(directory)/\($0)" }
        }
    }

    @Test func theCorporaAreThere() {
        #expect(Self.inputs("pod").count >= 20)
        #expect(Self.inputs("oci").count >= 20)
    }

    @Test(arguments: inputs("pod"))
    func aPodFileGivesPodsOrAnError(_ input: String) {
        let path = "\(Self.fuzzDirectory)/\(input)"
        do {
            let pods = try PodFile.load(path: path)
            #expect(!pods.isEmpty)
            // What `get pods -o json` keeps of each pod (the fuzz target runs it too).
            if let text = try? String(contentsOfFile: path, encoding: .utf8) {
                let manifests = PodFile.manifests(text, file: path)
                for pod in pods { #expect(manifests[pod.name] != nil) }
            }
        } catch {
            #expect(error.description.hasPrefix("error: ") || error.description.hasPrefix("The Pod "))
        }
    }

    @Test(arguments: inputs("oci"))
    func aConfigGivesASpecOrAnError(_ input: String) throws {
        let bytes = try #require(FileManager.default.contents(atPath: "\(Self.fuzzDirectory)/\(input)"))
        do {
            let spec = try SpecDecoder.decode(Array(bytes))
            #expect(!spec.ociVersion.isEmpty)
        } catch {
            #expect(!error.description.isEmpty)
        }
    }
}
