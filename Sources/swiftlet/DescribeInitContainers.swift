import Foundation
import Supervisor

extension DescribePod {
    /// `Init Containers:`, before `Containers:`, only for a pod that has some (kubectl's
    /// `describePod` calls `describeContainers("Init Containers", ...)` the same way).
    static func initContainers(_ view: PodView, time: (Date) -> String) -> [String] {
        let records = view.record.initContainers ?? []
        let statuses = Dictionary(records.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        guard let specs = view.pod?.spec.initContainers else {
            guard !records.isEmpty else { return [] }
            return ["Init Containers:"] + records.flatMap { c in
                ["  \(c.name):", "    Image:\t\(c.image)"] + state(of: c, time: time)
            }
        }
        guard !specs.isEmpty else { return [] }
        return ["Init Containers:"] + specs.flatMap { container($0, status: statuses[$0.name], time: time) }
    }
}
