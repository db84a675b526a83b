import ArgumentParser
import Supervisor

@main
struct Swiftlet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlet",
        abstract: "Pods that heal themselves: Kubernetes pods, probes and restarts on one machine, without a cluster.",
        discussion: """
            A supervisor started by `run` keeps its pods alive: it probes them as the kubelet does and kills and restarts containers that fail their liveness probe. Every other command reads the state root (--root, or SWIFTLET_ROOT, default /run/swiftlet), so it works from another terminal while a supervisor runs. Output follows kubectl's: same columns, same Age format, and -o json prints Kubernetes Pod objects, so jq scripts written for kubectl work. Must run as root.

              swiftlet run -d -f pod.yaml
              swiftlet get pods -o wide
              swiftlet describe pod kubia-liveness
              swiftlet get events --for pod/kubia-liveness -w
              swiftlet logs kubia-liveness --previous
              swiftlet exec kubia-liveness -- ps
              swiftlet delete pod kubia-liveness
            """,
        subcommands: [Run.self, DaemonCommand.self, Get.self, Describe.self, Logs.self, Exec.self, Delete.self, MetricsCommand.self]
    )

    // Accepted before the verb too (`swiftlet --root DIR get pods`), as kubectl takes global flags anywhere.
    @OptionGroup var global: GlobalOptions
}
