import PodSpec
import Testing

/// Files of several documents: all valid, or nothing.
@Suite struct MultiDocumentTests {
    static func pod(_ name: String, restartPolicy: String = "Always") -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: \(name)}
        spec:
          restartPolicy: \(restartPolicy)
          containers: [{name: app, image: rootfs}]
        """
    }

    @Test func everyPodIsReturnedInFileOrderAndEmptyDocumentsAreSkipped() throws {
        let yaml = "---\n" + Self.pod("one") + "\n---\n# only a comment\n---\n" + Self.pod("two") + "\n---\n"
        let pods = try PodFile.parse(yaml, file: "pods.yaml")
        #expect(pods.map(\.name) == ["one", "two"])
    }

    @Test func oneInvalidPodFailsTheWholeFile() throws {
        let yaml = [Self.pod("one"), Self.pod("two", restartPolicy: "Sometimes"), Self.pod("three")]
            .joined(separator: "\n---\n")
        let error = try #require(throws: PodSpecError.self) { try PodFile.parse(yaml, file: "pods.yaml") }
        #expect(error.documents.map(\.index) == [1])
        #expect(error.documents.first?.podName == "two")
        #expect(error.documents.first?.stage == .validation)
        #expect(error.description == """
            The Pod "two" is invalid: \("")
            * spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"
            """)
    }

    @Test func errorsOfEveryDocumentAreReportedTogether() throws {
        let yaml = [Self.pod("one").replacingOccurrences(of: "kind: Pod", with: "kind: Deployment"),
                    Self.pod("two"),
                    Self.pod("Three")].joined(separator: "\n---\n")
        let error = try #require(throws: PodSpecError.self) { try PodFile.parse(yaml, file: "pods.yaml") }
        #expect(error.documents.map(\.index) == [0, 2])
        #expect(error.documents.map(\.stage) == [.decoding, .validation])
        #expect(error.description.hasPrefix("""
            error: error validating "pods.yaml" (document 1 of 3): kind: Invalid value: "Deployment": must be "Pod"
            The Pod "Three" is invalid: \("")
            * metadata.name: Invalid value: "Three": a lowercase RFC 1123 subdomain
            """))
    }

    @Test func twoPodsOfOneNameAreRefused() throws {
        let yaml = [Self.pod("web"), Self.pod("web")].joined(separator: "\n---\n")
        #expect(fieldErrors(in: yaml) == [#"metadata.name: Duplicate value: "web": already used by document 1 of this file"#])
    }

    @Test(arguments: ["", "\n", "---\n---\n", "# nothing here\n"])
    func aFileWithoutObjectsIsAnError(_ yaml: String) throws {
        let error = try #require(throws: PodSpecError.self) { try PodFile.parse(yaml, file: "empty.yaml") }
        #expect(error.reason == .noObjects)
        #expect(error.description == #"error: no objects found in "empty.yaml""#)
    }

    @Test func aSyntaxErrorNamesLineAndColumn() throws {
        let yaml = Self.pod("one") + "\n---\nmetadata:\n  name: x\n   bad: indentation\n"
        let error = try #require(throws: PodSpecError.self) { try PodFile.parse(yaml, file: "pods.yaml") }
        guard case .syntax(let line, let column, let problem) = error.reason else {
            Issue.record("expected a syntax error, got \(error)")
            return
        }
        #expect(line == 10)
        #expect(column == 7)
        #expect(error.description == #"error: error parsing "pods.yaml": yaml: line 10, column 7: \#(problem)"#)
    }

    @Test func aDuplicateKeyIsASyntaxError() {
        let yaml = Manifest.pod(metadata: "name: other")
        #expect(report(for: yaml) == #"error: error parsing "pod.yaml": yaml: line 4, column 3: duplicate key "name""#)
    }
}
