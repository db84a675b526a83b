import GoFormat

/// Why a pod file was rejected. Nothing in a rejected file may start, so one error carries the
/// problems of every document.
///
/// `description` prints the way kubectl does:
///
///     error: the path "pod.yaml" does not exist
///     error: error parsing "pod.yaml": yaml: line 9, column 5: mapping values are not allowed in this context
///     error: error validating "pod.yaml": unknown field "spec.containers[0].httpGet"
///     The Pod "kubia-liveness" is invalid: 
///     * spec.containers[0].livenessProbe.periodSeconds: Invalid value: 0: must be greater than or equal to 1
///
/// A document that cannot be decoded (unknown fields, wrong types, wrong `kind`) is reported with
/// `error validating` and is not validated further, as the API server does; a decoded document is
/// reported with `The Pod "NAME" is invalid`. In a file of several documents the decoding header
/// names the document: `error validating "pods.yaml" (document 2 of 3)`.
public struct PodSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case fileNotFound
        case unreadable(String)
        /// Not YAML; line and column count from 1.
        case syntax(line: Int, column: Int, problem: String)
        /// The file holds no documents (or only empty ones).
        case noObjects
        /// One or more documents are invalid; the valid ones are not returned either.
        case invalidDocuments([DocumentError])
    }

    /// The file as the user named it.
    public let file: String
    public let reason: Reason

    public init(file: String, reason: Reason) {
        self.file = file
        self.reason = reason
    }

    public var documents: [DocumentError] {
        if case .invalidDocuments(let documents) = reason { return documents }
        return []
    }

    /// Every field error of every document, in file order.
    public var fieldErrors: [FieldError] {
        documents.flatMap(\.errors)
    }

    public var description: String {
        let file = goQuoted(self.file)
        switch reason {
        case .fileNotFound:
            return "error: the path \(file) does not exist"
        case .unreadable(let why):
            return "error: error reading \(file): \(why)"
        case .syntax(let line, let column, let problem):
            return "error: error parsing \(file): yaml: line \(line), column \(column): \(problem)"
        case .noObjects:
            return "error: no objects found in \(file)"
        case .invalidDocuments(let documents):
            return documents.map { $0.report(file: file) }.joined(separator: "\n")
        }
    }
}

/// The problems of one YAML document of a pod file.
public struct DocumentError: Sendable, Equatable {
    public enum Stage: Sendable, Equatable {
        /// The document is not a well-formed `v1` Pod: unknown fields, wrong types, wrong kind.
        case decoding
        /// The Pod decoded but breaks Kubernetes' rules.
        case validation
    }

    /// Position of the document in the file, from 0, counting empty documents too.
    public let index: Int
    /// How many documents the file has, counting empty ones.
    public let documentCount: Int
    /// `metadata.name` when it could be read.
    public let podName: String?
    public let stage: Stage
    public let errors: [FieldError]
    /// The document's kind, as the header names it: `The ConfigMap "x" is invalid`.
    public var kind: String = "Pod"

    func report(file: String) -> String {
        switch stage {
        case .decoding:
            let which = documentCount > 1 ? " (document \(index + 1) of \(documentCount))" : ""
            let header = "error: error validating \(file)\(which): "
            if errors.count == 1 { return header + errors[0].description }
            return header + errors.map { "\n* \($0)" }.joined()
        case .validation:
            return "The \(kind) \(goQuoted(podName ?? "")) is invalid: " + errors.map { "\n* \($0)" }.joined()
        }
    }
}
