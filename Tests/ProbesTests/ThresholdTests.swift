import Probes
import Testing

/// A script of probe results (S success, F failure, W warning, U errored) and the changes it must
/// publish, by probe index.
struct ThresholdCase: Sendable, CustomTestStringConvertible {
    var kind: ProbeType
    var successThreshold: Int
    var failureThreshold: Int
    var script: String
    var expected: [Int: ProbeState]

    var testDescription: String {
        "\(kind.rawValue) success×\(successThreshold) failure×\(failureThreshold): \(script)"
    }
}

@Suite("Thresholds are runs of equal results")
struct ThresholdTests {
    static let cases: [ThresholdCase] = [
        // A success breaks a run of failures: two failures, a success, two failures publish nothing.
        ThresholdCase(kind: .liveness, successThreshold: 1, failureThreshold: 3, script: "FFSFF", expected: [:]),
        ThresholdCase(kind: .liveness, successThreshold: 1, failureThreshold: 3, script: "FFF", expected: [2: .failure]),
        // Errored probes are thrown away: they neither count nor break the run.
        ThresholdCase(kind: .liveness, successThreshold: 1, failureThreshold: 3, script: "FUFUF", expected: [4: .failure]),
        ThresholdCase(kind: .liveness, successThreshold: 1, failureThreshold: 1, script: "UUUF", expected: [3: .failure]),
        // Readiness needs successThreshold successes in a row; a failure starts the count over.
        ThresholdCase(kind: .readiness, successThreshold: 3, failureThreshold: 1, script: "SSFSSS", expected: [5: .success]),
        ThresholdCase(kind: .readiness, successThreshold: 1, failureThreshold: 3, script: "SFFSFFF",
                      expected: [0: .success, 6: .failure]),
        // A warning counts as a success.
        ThresholdCase(kind: .readiness, successThreshold: 2, failureThreshold: 2, script: "WSFF",
                      expected: [1: .success, 3: .failure]),
        ThresholdCase(kind: .startup, successThreshold: 1, failureThreshold: 3, script: "FFS", expected: [2: .success]),
        ThresholdCase(kind: .startup, successThreshold: 1, failureThreshold: 3, script: "FFF", expected: [2: .failure]),
    ]

    @Test("a result changes only after threshold-many equal results in a row", arguments: cases)
    func runs(_ run: ThresholdCase) {
        let timing = ProbeTiming.every(1, success: run.successThreshold, failure: run.failureThreshold)
        var loop = WorkerLoop(ProbeWorker(kind: run.kind, timing: timing, startingAt: .zero))
        loop.script(run.script)
        loop.start("c1", at: .zero)
        loop.run(until: at(Double(run.script.count + 2)))
        var published: [Int: ProbeState] = [:]
        // Probes past the end of the script answer Success; only the script's own are judged.
        for change in loop.probed {
            if let probe = change.probe, probe < run.script.count { published[probe] = change.state }
        }
        #expect(published == run.expected)
    }

    @Test("only a liveness or startup failure asks for a kill", arguments: ProbeType.allCases)
    func killRequest(kind: ProbeType) {
        var worker = ProbeWorker(kind: kind, timing: .every(1, failure: 1), startingAt: .zero)
        #expect(worker.nextAction(at: .zero) == .sleep(until: at(1)))  // the first run found no instance
        _ = worker.containerStarted(ContainerInstanceID("c1"), at: .zero)
        #expect(worker.nextAction(at: at(1)) == .probe(ContainerInstanceID("c1")))
        let transition = worker.record(.failure(output: "down"), at: at(1)).transition
        // Readiness already published Failure for the new instance: nothing changes, nothing is killed.
        #expect(transition?.requestsKill == (kind == .readiness ? nil : true))
    }
}
