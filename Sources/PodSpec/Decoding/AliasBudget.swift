// CYaml is Yams' copy of libyaml (a target of the Yams package, built and linked with it). Yams
// composes aliases into shared nodes and gives no way to stop it, so its events are read here.
import CYaml

/// Refuses a YAML stream whose aliases expand into more nodes than go-yaml allows: a "billion
/// laughs" file of a few hundred bytes would otherwise make the decoder, Yams' duplicate-key check
/// (which hashes whole keys) and the manifest serializer walk billions of nodes.
///
/// The rule is go-yaml's (`allowedAliasRatio` and its check in `decoder.unmarshal`, gopkg.in/yaml.v2
/// decode.go, which kubectl reads YAML with): every node the decoder visits counts once, every
/// visit through an alias counts as aliased too, and once more than 100 aliased and 1000 visits
/// are made, the aliased share may not exceed 99% of up to 400,000 visits, falling to 10% at
/// 4,000,000. go-yaml checks at each visit; the share only grows during an alias's expansion, so
/// checking at its end is the same rule. Unlike go-yaml (which counts per document), the counts run
/// over the whole file: Yams lets a document use the anchors of an earlier one, so one anchor could
/// otherwise be expanded once per document.
enum AliasBudget {
    /// Where the stream first breaks the rule (the alias's position, from 1), or nil. A syntax
    /// error ends the scan with nil: the composer reports it.
    static func firstExcess(in text: String) -> (line: Int, column: Int)? {
        var text = text
        return text.withUTF8 { bytes in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return nil }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
            var counter = Counter()
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { return nil }
                if !counter.visit(event) {
                    return (Int(event.start_mark.line) + 1, Int(event.start_mark.column) + 1)
                }
            }
        }
    }

    /// go-yaml's allowed share of aliased visits for a document of `visits` visits.
    static func allowedRatio(_ visits: Int) -> Double {
        let low = 400_000.0, high = 4_000_000.0
        let visits = Double(visits)
        if visits <= low { return 0.99 }
        if visits >= high { return 0.10 }
        return 0.99 - 0.89 * ((visits - low) / (high - low))
    }

    /// The visits so far and the node count of each anchored node (expansions included), by name.
    private struct Counter {
        var visits = 0
        var aliased = 0
        var anchorSizes: [String: Int] = [:]
        /// Open sequences and mappings: their anchor and node count so far.
        var open: [(anchor: String?, size: Int)] = []

        /// Counts one event; false once the rule is broken.
        mutating func visit(_ event: yaml_event_t) -> Bool {
            switch event.type {
            case YAML_SCALAR_EVENT:
                visits += 1
                close(anchor: Self.name(event.data.scalar.anchor), size: 1)
            case YAML_SEQUENCE_START_EVENT:
                visits += 1
                open.append((Self.name(event.data.sequence_start.anchor), 1))
            case YAML_MAPPING_START_EVENT:
                visits += 1
                open.append((Self.name(event.data.mapping_start.anchor), 1))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                if let (anchor, size) = open.popLast() { close(anchor: anchor, size: size) }
            case YAML_ALIAS_EVENT:
                // An alias to no anchor is the composer's error to report.
                guard let name = Self.name(event.data.alias.anchor), let size = anchorSizes[name] else { return true }
                visits += 1 + size
                aliased += size
                addToParent(1 + size)
                return !(aliased > 100 && visits > 1000
                         && Double(aliased) / Double(visits) > AliasBudget.allowedRatio(visits))
            default:
                break
            }
            return true
        }

        private mutating func close(anchor: String?, size: Int) {
            if let anchor { anchorSizes[anchor] = size }
            addToParent(size)
        }

        private mutating func addToParent(_ size: Int) {
            if !open.isEmpty { open[open.count - 1].size += size }
        }

        private static func name(_ anchor: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            anchor.map { String(cString: $0) }
        }
    }
}
