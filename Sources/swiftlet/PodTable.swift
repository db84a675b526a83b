import Probes

/// `kubectl get pods` tables.
enum PodTable {
    static func render(_ pods: [PodView], wide: Bool, now: WallTime) -> String {
        var lines = [wide ? "NAME\tREADY\tSTATUS\tRESTARTS\tAGE\tIP\tNODE\tNOMINATED NODE\tREADINESS GATES"
                          : "NAME\tREADY\tSTATUS\tRESTARTS\tAGE"]
        for view in pods {
            let columns = PodStatusColumns(record: view.record, deleting: view.deletion != nil,
                                           supervisorLost: view.supervisorLost, now: now)
            var cells = [view.record.name, columns.ready, columns.status, columns.restarts,
                         TimeFormat.since(view.record.creationTimestamp, now: now)]
            // kubectl prints the first pod IP, <none> without one (`--network none`, not yet set up).
            if wide { cells += [view.record.network?.podIPs.first ?? "<none>", view.node, "<none>", "<none>"] }
            lines.append(cells.joined(separator: "\t"))
        }
        return KubectlTable.format(lines)
    }
}

/// kubectl's printers use Go's tabwriter with minimum width 6 and padding 3
/// (`printers.GetNewTabWriter`); `describe` uses padding 2 instead.
enum KubectlTable {
    static let writer = TabWriter(minWidth: 6, padding: 3)

    static func format(_ lines: [String]) -> String {
        writer.format(lines.joined(separator: "\n") + "\n")
    }
}
