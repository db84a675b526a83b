import ArgumentParser
import Foundation
import Supervisor

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print the daemon's metrics in the Prometheus text format.",
        discussion: """
            The kubelet's prober metrics (prober_probe_total, prober_probe_duration_seconds) and swiftlet's own (restarts, restart latency, pods and containers by state), as the daemon serves them on its socket. `swiftlet daemon --metrics-address` serves the same over HTTP for Prometheus to scrape.

              swiftlet metrics | grep prober_probe_total
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        guard let client = DaemonClient.connect(root: global.root) else {
            throw CLIError.error("no swiftlet daemon serves \(global.root) (start one with `swiftlet daemon -d`)")
        }
        let reply: DaemonReply
        do { reply = try client.request(DaemonRequest(verb: .metrics)) } catch { throw CLIError.error("\(error)") }
        guard reply.ok, let text = reply.text else { throw CLIError.error(reply.error ?? "no metrics") }
        print(text, terminator: "")
    }
}
