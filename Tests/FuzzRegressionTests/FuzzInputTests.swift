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

    /// What each input a fuzzer (or a hand-made attack) once hung or crashed on is told now.
    struct Regression: Sendable, CustomTestStringConvertible {
        let file: String
        let message: String
        init(_ file: String, _ message: String) { (self.file, self.message) = (file, message) }
        var testDescription: String { file }
    }

    static let podRegressions: [Regression] = [
        Regression("billion-laughs-in-a-key.yaml",
         #"error: error parsing "regressions/pod/billion-laughs-in-a-key.yaml": yaml: line 5, column 17: document contains excessive aliasing"#),
        Regression("billion-laughs-in-args.yaml",
         #"error: error parsing "regressions/pod/billion-laughs-in-args.yaml": yaml: line 4, column 17: document contains excessive aliasing"#),
        Regression("aliases-containers-times-env.yaml",
         #"error: error parsing "regressions/pod/aliases-containers-times-env.yaml": yaml: line 322, column 5: document contains excessive aliasing"#),
        Regression("nesting-2000.yaml",
         #"error: error parsing "regressions/pod/nesting-2000.yaml": yaml: line 2, column 5: nesting deeper than 1000 levels"#),
    ]

    @Test(arguments: podRegressions)
    func aPodRegressionGetsItsError(_ regression: Regression) throws {
        let input = "regressions/pod/\(regression.file)"
        let text = try String(contentsOfFile: "\(Self.fuzzDirectory)/\(input)", encoding: .utf8)
        let error = try #require(throws: PodSpecError.self) { try PodFile.parse(text, file: input) }
        #expect(error.description == regression.message)
    }

    /// Aliases as manifests use them (one probe shared by 50 containers) stay well inside the budget.
    @Test func sharedAnchorsAreStillRead() throws {
        let containers = (1..<50).map { "  - {name: c\($0), image: i, livenessProbe: *p}" }.joined(separator: "\n")
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata: {name: shared}
            spec:
              containers:
              - name: c0
                image: i
                livenessProbe: &p {exec: {command: ["true"]}, periodSeconds: 5}
            \(containers)
            """
        let pod = try #require(try PodFile.parse(yaml, file: "pod.yaml").first)
        #expect(pod.spec.containers.count == 50)
        #expect(pod.spec.containers.allSatisfy { $0.livenessProbe?.periodSeconds == 5 })
    }

    /// Hand-made attacks on config.json (the fuzzer found no crash there), and what each is told.
    static let ociRegressions: [Regression] = [
        Regression("nesting-600.json", "1:513: invalid JSON: nesting deeper than 512 levels"),
        Regression("huge-exponents.json", "process.user.uid: expected an unsigned 32-bit integer, got 1e999999999"),
        Regression("thousand-digit-uid.json", "process.user.uid: expected an unsigned 32-bit integer, got 99999"),
        // "\u00e9" and "e\u0301" are two keys to Go; Swift's String equality makes them one, so
        // the parser refuses the second as a duplicate (refused, never read as the other).
        Regression("canonically-equal-keys.json", "invalid JSON: duplicate key"),
    ]

    @Test(arguments: ociRegressions)
    func anOCIRegressionGetsItsError(_ regression: Regression) throws {
        let path = "\(Self.fuzzDirectory)/regressions/oci/\(regression.file)"
        let bytes = try #require(FileManager.default.contents(atPath: path))
        let error = try #require(throws: SpecError.self) { try SpecDecoder.decode(Array(bytes)) }
        #expect(error.description.contains(regression.message))
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
