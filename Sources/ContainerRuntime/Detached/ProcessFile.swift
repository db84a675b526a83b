/// `exec --process FILE`: an OCI process object on its own, as podman (conmon) and containerd's
/// shim write it. Decoded and validated exactly as config.json's `process`, with errors naming
/// the file instead of config.json.
public enum ProcessFile {
    public static func load(_ path: String) throws(RuntimeError) -> OCISpec.Process {
        let json: JSONValue
        do { json = try JSONValue.parse(JSONFile.read(path)) } catch {
            throw .spec("--process \(path): \(error)")
        }
        let wrapper: JSONValue = .object(["ociVersion": "1.0.2", "root": .object(["path": "/"]), "process": json,
                                          "linux": .object(["namespaces": .array([.object(["type": "mount"])])])])
        do {
            guard let process = try SpecDecoder.decode(wrapper).process else { throw RuntimeError.spec("--process \(path): empty") }
            return process
        } catch let error as SpecError {
            let text = error.description.replacingAll("config.json: process.", with: "--process \(path): ")
                .replacingAll("config.json: process", with: "--process \(path)")
            throw .spec(text)
        } catch let error as RuntimeError {
            throw error
        } catch {
            throw .spec("--process \(path): \(error)")
        }
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
