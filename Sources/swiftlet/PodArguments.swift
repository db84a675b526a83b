/// kubectl's ways of naming pods on the command line: `pod NAME...`, `pod/NAME`, or a bare NAME
/// where the command is about pods only.
enum PodArguments {
    static let podTypes: Set<String> = ["pod", "pods", "po"]

    /// `NAME` or `pod/NAME`.
    static func podName(_ argument: String) throws(CLIError) -> String {
        guard let slash = argument.firstIndex(of: "/") else { return argument }
        let type = String(argument[..<slash]), name = String(argument[argument.index(after: slash)...])
        guard podTypes.contains(type.lowercased()), !name.isEmpty else {
            throw CLIError.error("the server doesn't have a resource type \"\(type)\"")
        }
        return name
    }

    /// `pod NAME...` or `pod/NAME...`: the names, in order.
    static func podNames(_ arguments: [String]) throws(CLIError) -> [String] {
        guard let first = arguments.first else { return [] }
        if first.contains("/") { return try arguments.map { argument throws(CLIError) in
            guard argument.contains("/") else {
                throw CLIError.error("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'swiftlet get resource/<resource_name>' instead of 'swiftlet get resource resource/<resource_name>'")
            }
            return try podName(argument)
        } }
        guard podTypes.contains(first.lowercased()) else {
            throw CLIError.error("the server doesn't have a resource type \"\(first)\"")
        }
        return Array(arguments.dropFirst())
    }
}
