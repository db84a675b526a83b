import Yams

/// The key-value pairs of a YAML mapping in document order, with merge keys (`<<: *defaults`)
/// expanded as sigs.k8s.io/yaml does: keys written in the mapping win over merged ones, and earlier
/// merged mappings win over later ones.
struct MappingEntry {
    let key: String
    let value: Node
}

func mappingEntries(_ mapping: Node.Mapping) -> [MappingEntry] {
    var own: [MappingEntry] = []
    var merged: [MappingEntry] = []
    for (key, value) in mapping {
        let keyText = ScalarValue(key)?.text ?? "\(key.errorValue)"
        guard keyText == "<<", key.scalar?.style == .plain else {
            own.append(MappingEntry(key: keyText, value: value))
            continue
        }
        let sources: [Node] = if case .sequence(let list) = value { Array(list) } else { [value] }
        for case .mapping(let source) in sources {
            merged += mappingEntries(source)
        }
    }
    var seen = Set(own.map(\.key))
    for entry in merged where !seen.contains(entry.key) {
        seen.insert(entry.key)
        own.append(entry)
    }
    return own
}
