import Foundation
import Yams

/// Reads pod files: one or many `v1` Pod documents separated by `---` (empty documents skipped),
/// and the `v1` ConfigMaps and Secrets beside them (`loadManifest`; `load` returns the pods).
///
/// Every document is decoded with Kubernetes' defaults and validated with its rules before any
/// pod is returned; when one is invalid, the errors of all documents are thrown together and no
/// pod is returned, so nothing starts from a half-valid file. Two pods of one name in one file
/// are refused too.
///
/// Decoding is strict, as `kubectl apply --validate=strict`:
/// - a key the object does not have is `unknown field "spec.containers[0].httpGet"`; a Kubernetes
///   field swiftlet does not implement is `spec.nodeSelector: Forbidden: not supported by swiftlet`;
///   `status`, `metadata.creationTimestamp` (and other server-set metadata),
///   and `imagePullPolicy` are accepted and ignored;
/// - scalars are typed as kubectl's YAML reader types them, and never converted: `value: 8080` is
///   refused for a string field (quote it); booleans are `true`/`false` only, so `yes`, `on` and
///   friends, which YAML 1.1 and 1.2 read differently, are refused for every field; integers are
///   decimal only (`010` and `0x1F` are refused for the same reason); quantities are parsed from
///   the text as written;
/// - anchors, aliases and merge keys (`<<: *defaults`) work, within go-yaml's alias budget
///   (`AliasBudget`: a billion-laughs file is refused before it is expanded).
///
/// The messages are the API server's; `PodSpecError` describes the report.
public enum PodFile {
    /// Reads and parses a file. Images resolve against the file's directory, made absolute.
    public static func load(path: String) throws(PodSpecError) -> [Pod] {
        let text = try read(path)
        let absolute = PathRules.resolve(path, against: FileManager.default.currentDirectoryPath)
        return try parse(text, file: path, baseDirectory: PathRules.directory(of: absolute))
    }

    /// Reads a file of Pods, ConfigMaps and Secrets (`podman kube play` style), all validated
    /// before any is returned.
    public static func loadManifest(path: String) throws(PodSpecError) -> Manifest {
        let text = try read(path)
        let absolute = PathRules.resolve(path, against: FileManager.default.currentDirectoryPath)
        return try parseManifest(text, file: path, baseDirectory: PathRules.directory(of: absolute))
    }

    public static func parseManifest(_ text: String, file: String) throws(PodSpecError) -> Manifest {
        try parseManifest(text, file: file, baseDirectory: PathRules.directory(of: file))
    }

    /// Parses pod YAML read from `file`, which names the file in errors and is the base for
    /// relative image paths (relative itself when `file` is).
    public static func parse(_ text: String, file: String) throws(PodSpecError) -> [Pod] {
        try parse(text, file: file, baseDirectory: PathRules.directory(of: file))
    }

    /// Each pod's own document, re-serialized, by pod name: what `get pods -o json` shows as the
    /// pod's spec, without keeping every other pod of a big file alongside it.
    public static func manifests(_ text: String, file: String) -> [String: String] {
        guard let documents = try? YAMLDocuments.split(text, file: file) else { return [:] }
        var byName: [String: String] = [:]
        for document in documents where !document.isNull && (document["kind"]?.string ?? "Pod") == "Pod" {
            guard let name = document["metadata"]?["name"]?.string, byName[name] == nil,
                  let yaml = try? Yams.serialize(node: document) else { continue }
            byName[name] = yaml
        }
        return byName
    }

    static func parse(_ text: String, file: String, baseDirectory: String) throws(PodSpecError) -> [Pod] {
        try parseManifest(text, file: file, baseDirectory: baseDirectory).pods
    }

    static func parseManifest(_ text: String, file: String, baseDirectory: String) throws(PodSpecError) -> Manifest {
        let documents = try YAMLDocuments.split(text, file: file)
        var manifest = Manifest()
        var failures: [DocumentError] = []
        // The state root keys pods by name, ConfigMaps and Secrets by namespace and name: one
        // file cannot hold two objects of one kind and key.
        var documentOfKey: [String: Int] = [:]
        var objectCount = 0

        for (index, document) in documents.enumerated() where !document.isNull {
            objectCount += 1
            let diagnostics = Diagnostics()
            let kind = document["kind"]?.string ?? "Pod"
            let name: String?
            let key: String?
            switch kind {
            case "ConfigMap":
                let decoded = ConfigObjectDecoder.configMap(document, diagnostics: diagnostics)
                name = decoded.name
                key = decoded.object.map { "ConfigMap/\($0.namespace)/\($0.name)" }
                if let object = decoded.object { manifest.configMaps.append(object) }
            case "Secret":
                let decoded = ConfigObjectDecoder.secret(document, diagnostics: diagnostics)
                name = decoded.name
                key = decoded.object.map { "Secret/\($0.namespace)/\($0.name)" }
                if let object = decoded.object { manifest.secrets.append(object) }
            default:
                // Any other kind is decoded as a Pod, which names the kind it expects.
                let decoded = PodDecoder.decode(document, baseDirectory: baseDirectory, diagnostics: diagnostics)
                name = decoded.name
                key = name.flatMap { $0.isEmpty || !diagnostics.decodingErrors.isEmpty ? nil : "Pod/\($0)" }
                if let pod = decoded.pod { manifest.pods.append(pod) }
            }
            if let key {
                if let first = documentOfKey[key] {
                    diagnostics.duplicate(FieldPath("metadata").child("name"), name ?? "",
                                          "already used by document \(first + 1) of this file")
                } else {
                    documentOfKey[key] = index
                }
            }

            let stage: DocumentError.Stage
            let errors: [FieldError]
            if !diagnostics.decodingErrors.isEmpty {
                (stage, errors) = (.decoding, diagnostics.decodingErrors)
            } else if !diagnostics.validationErrors.isEmpty {
                (stage, errors) = (.validation, diagnostics.validationErrors)
            } else {
                continue
            }
            var failure = DocumentError(index: index, documentCount: documents.count, podName: name,
                                        stage: stage, errors: errors)
            failure.kind = ["ConfigMap", "Secret"].contains(kind) ? kind : "Pod"
            failures.append(failure)
        }

        guard objectCount > 0 else { throw PodSpecError(file: file, reason: .noObjects) }
        guard failures.isEmpty else { throw PodSpecError(file: file, reason: .invalidDocuments(failures)) }
        return manifest
    }

    /// Reads with plain syscalls so that errors carry the errno's own words ("Permission denied").
    private static func read(_ path: String) throws(PodSpecError) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            throw PodSpecError(file: path, reason: code == ENOENT ? .fileNotFound : .unreadable(describe(code)))
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw PodSpecError(file: path, reason: .unreadable(describe(errno)))
            }
            bytes += buffer[0..<count]
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw PodSpecError(file: path, reason: .unreadable("not UTF-8 text"))
        }
        return text
    }

    private static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// What one file holds: its Pods, ConfigMaps and Secrets, each valid.
public struct Manifest: Sendable, Equatable {
    public var pods: [Pod] = []
    public var configMaps: [ConfigMap] = []
    public var secrets: [Secret] = []

    public init(pods: [Pod] = [], configMaps: [ConfigMap] = [], secrets: [Secret] = []) {
        self.pods = pods
        self.configMaps = configMaps
        self.secrets = secrets
    }

    /// The file's own objects as a lookup (the pods of the file read them before they are stored).
    public var configObjects: ConfigObjects { ConfigObjects(configMaps: configMaps, secrets: secrets) }
}
