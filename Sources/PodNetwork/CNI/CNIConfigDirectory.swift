import Foundation

extension CNINetworkConfig {
    /// containerd's lookup (libcni `ConfFiles`, `max_conf_num = 1`): the files of `confDir` ending
    /// .conf, .conflist or .json, sorted by name; the first one is the network. nil when the
    /// directory is missing or has no such file. A first file that cannot be read or parsed is an
    /// error naming the file: swiftlet does not fall back to a later one, as containerd does not.
    public static func load(confDir: String) throws(NetworkError) -> CNINetworkConfig? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: confDir, isDirectory: &isDirectory) else { return nil }
        guard isDirectory.boolValue else { throw NetworkError("CNI config dir \(confDir) is not a directory") }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: confDir)
        } catch {
            throw NetworkError("cannot read CNI config dir \(confDir): \(error.localizedDescription)")
        }
        let candidates = names
            .filter { $0.hasSuffix(".conf") || $0.hasSuffix(".conflist") || $0.hasSuffix(".json") }
            .filter { name in
                var isDir: ObjCBool = false
                return FileManager.default.fileExists(atPath: confDir + "/" + name, isDirectory: &isDir) && !isDir.boolValue
            }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }   // Go's sort.Strings: byte order
        guard let first = candidates.first else { return nil }
        let path = (confDir.hasSuffix("/") ? confDir : confDir + "/") + first
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NetworkError("\(path): cannot read CNI network configuration")
        }
        return try CNINetworkConfig(bytes: Array(data), source: path)
    }
}
