import Foundation
import PodSpec
import Testing

/// The pod of the seed note (`kubia-liveness`, from "Kubernetes in Action"), as the note has it and
/// as it was meant.
@Suite struct SeedTests {
    /// Verbatim from /work/shared/seeds/000_b8c872788dbf38ba.txt: `httpGet` is indented to sit
    /// beside `livenessProbe` instead of under it, and `kind` is lower case.
    static let seedYAML = """
        apiVersion: v1
        kind: pod
        metadata:
          name: kubia-liveness
        spec:
          containers:
          - image: luksa/kubia-unhealthy
            name: kubia
            livenessProbe:
            httpGet:
              path: /
              port: 8080
        """

    static let correctedYAML = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: kubia-liveness
        spec:
          containers:
          - image: luksa/kubia-unhealthy
            name: kubia
            livenessProbe:
              httpGet:
                path: /
                port: 8080
        """

    static let seedNote = "/work/shared/seeds/000_b8c872788dbf38ba.txt"

    @Test(.enabled(if: FileManager.default.fileExists(atPath: seedNote)))
    func theLiteralIsTheSeedsOwnText() throws {
        let note = try String(contentsOfFile: Self.seedNote, encoding: .utf8)
        #expect(note.contains(Self.seedYAML))
    }

    @Test func theSeedIsRejectedAtTheMisplacedFieldAndTheKind() {
        #expect(fieldErrors(in: Self.seedYAML) == [
            #"kind: Invalid value: "pod": must be "Pod""#,
            #"unknown field "spec.containers[0].httpGet""#,
        ])
        #expect(report(for: Self.seedYAML, file: "kubia-liveness.yaml") == """
            error: error validating "kubia-liveness.yaml": \("")
            * kind: Invalid value: "pod": must be "Pod"
            * unknown field "spec.containers[0].httpGet"
            """)
    }

    @Test func withTheKindFixedOnlyTheIndentationIsReported() {
        let yaml = Self.seedYAML.replacingOccurrences(of: "kind: pod", with: "kind: Pod")
        #expect(report(for: yaml) == #"error: error validating "pod.yaml": unknown field "spec.containers[0].httpGet""#)
    }

    @Test func theCorrectedPodGetsTheKubeletDefaults() throws {
        let pods = try PodFile.parse(Self.correctedYAML, file: "/demo/kubia-liveness.yaml")
        let pod = try #require(pods.first)
        #expect(pods.count == 1)
        #expect(pod.name == "kubia-liveness")
        #expect(pod.metadata.namespace == "default")
        #expect(pod.spec.restartPolicy == .always)
        #expect(pod.spec.terminationGracePeriodSeconds == 30)

        let container = try #require(pod.spec.containers.first)
        #expect(container.name == "kubia")
        #expect(container.image == Image(written: "luksa/kubia-unhealthy", resolved: "/demo/luksa/kubia-unhealthy"))
        #expect(container.readinessProbe == nil)
        #expect(container.startupProbe == nil)

        let probe = try #require(container.livenessProbe)
        #expect(probe == Probe(handler: .httpGet(HTTPGetAction(path: "/", port: .number(8080)))))
        #expect(probe.periodSeconds == 10)
        #expect(probe.timeoutSeconds == 1)
        #expect(probe.initialDelaySeconds == 0)
        #expect(probe.successThreshold == 1)
        #expect(probe.failureThreshold == 3)
        #expect(probe.terminationGracePeriodSeconds == nil)
        #expect(container.probePort(probe) == 8080)
    }

    @Test func aBrokenPeriodIsReportedAsTheAPIServerDoes() {
        let yaml = Self.correctedYAML + "\n      periodSeconds: 0"
        #expect(report(for: yaml) == """
            The Pod "kubia-liveness" is invalid: \("")
            * spec.containers[0].livenessProbe.periodSeconds: Invalid value: 0: must be greater than or equal to 1
            """)
    }
}
