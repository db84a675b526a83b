import GoFormat
import Yams

/// The documents of a YAML stream (`---` separated), or the syntax error that stops it.
enum YAMLDocuments {
    /// All documents, empty ones included (they decode as null), so that positions match the file.
    static func split(_ text: String, file: String) throws(PodSpecError) -> [Node] {
        if let (line, column) = AliasBudget.firstExcess(in: text) {
            throw PodSpecError(file: file, reason: .syntax(line: line, column: column,
                                                           problem: "document contains excessive aliasing"))
        }
        do {
            var stream = try compose_all(yaml: text)
            var documents: [Node] = []
            while let document = stream.next() {
                documents.append(document)
            }
            if let error = stream.error { throw error }
            return documents
        } catch {
            throw PodSpecError(file: file, reason: syntaxReason(error, text: text))
        }
    }

    private static func syntaxReason(_ error: any Error, text: String) -> PodSpecError.Reason {
        guard let error = error as? YamlError else {
            return .syntax(line: 1, column: 1, problem: "\(error)")
        }
        switch error {
        case .parser(_, let problem, let mark, _) where problem.hasPrefix("Maximum nesting level reached"):
            // libyaml's text names its C setter; say what the user can act on.
            return .syntax(line: mark.line, column: mark.column, problem: "nesting deeper than 1000 levels")
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return .syntax(line: mark.line, column: mark.column, problem: problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map(goQuoted).joined(separator: ", ")
            return .syntax(line: context.mark.line, column: context.mark.column, problem: "duplicate key \(keys)")
        case .reader(let problem, let offset, _, _):
            let (line, column) = position(ofUTF8Offset: offset ?? 0, in: text)
            return .syntax(line: line, column: column, problem: problem)
        default:
            return .syntax(line: 1, column: 1, problem: "\(error)")
        }
    }

    private static func position(ofUTF8Offset offset: Int, in text: String) -> (line: Int, column: Int) {
        let before = text.utf8.prefix(offset)
        let line = before.count { $0 == UInt8(ascii: "\n") } + 1
        let column = before.reversed().prefix { $0 != UInt8(ascii: "\n") }.count + 1
        return (line, column)
    }
}
