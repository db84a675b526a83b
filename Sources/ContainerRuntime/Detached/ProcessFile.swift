/// `exec --process FILE`: an OCI process object on its own, as podman (conmon) and containerd's
/// shim write it. Decoded and validated exactly as config.json's `process`, with errors naming
/// the file instead of config.json.
public enum ProcessFile {
    public static func load(_ path: String) throws(RuntimeError) -> OCISpec.Process {
        let json: JSONValue
        do { json = try JSONValue.parse(JSONFile.read(path)) } catch {
            throw .spec("--process \(path): \(error)")
        }
        guard let process = try SpecFragment.decode(json, as: .process, source: "--process \(path)").process else {
            throw .spec("--process \(path): empty")
        }
        return process
    }
}

extension String {
    /// Foundation-free replacement of every occurrence.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
