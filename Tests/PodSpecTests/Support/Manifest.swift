import PodSpec

/// Builds pod YAML around the fragment a test is about, so each case shows only what matters.
enum Manifest {
    /// A valid one-container pod, with fragments spliced into `metadata`, `spec` and the container.
    static func pod(metadata: String = "", spec: String = "", container: String = "") -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        \(indent(metadata, by: 2))
        spec:
        \(indent(spec, by: 2))
          containers:
          - name: app
            image: rootfs
        \(indent(container, by: 4))
        """
    }

    private static func indent(_ fragment: String, by width: Int) -> String {
        let padding = String(repeating: " ", count: width)
        return fragment.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "" : padding + $0 }
            .joined(separator: "\n")
    }
}

/// The field errors a pod file is rejected with, as printed; empty when it is accepted.
func fieldErrors(in yaml: String, file: String = "pod.yaml") -> [String] {
    do {
        _ = try PodFile.parse(yaml, file: file)
        return []
    } catch {
        return error.fieldErrors.map(\.description)
    }
}

/// The whole error report for a rejected file, or nil when it is accepted.
func report(for yaml: String, file: String = "pod.yaml") -> String? {
    do {
        _ = try PodFile.parse(yaml, file: file)
        return nil
    } catch {
        return error.description
    }
}

/// A test case named by what it checks.
struct Case: Sendable, CustomStringConvertible {
    let yaml: String
    let expected: [String]
    let description: String

    init(_ description: String, _ yaml: String, _ expected: String...) {
        self.description = description
        self.yaml = yaml
        self.expected = expected
    }
}
