import ArgumentParser
import Supervisor

@main
struct Swiftlet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlet",
        abstract: "Pods that heal themselves: Kubernetes pods, probes and restarts on one machine, without a cluster.",
        discussion: """
            The node daemon (`swiftlet daemon`, or the one `run` starts) keeps the pods alive: it probes them as the kubelet does and kills and restarts containers that fail their liveness probe. The containers themselves are held by swiftlet-keeper, so they outlive any daemon: kill it, stop it or upgrade it, and a new one takes them over. Commands reach the daemon on <root>/swiftlet.sock and read the state root (--root, or SWIFTLET_ROOT, default /run/swiftlet); reading commands and delete work without a daemon. Output follows kubectl's: same columns, same Age format, and -o json prints Kubernetes Pod objects, so jq scripts written for kubectl work. Must run as root.

              swiftlet daemon -d
              swiftlet run -d -f pod.yaml
              swiftlet get pods -o wide
              swiftlet describe pod kubia-liveness
              swiftlet get events --for pod/kubia-liveness -w
              swiftlet logs kubia-liveness --previous
              swiftlet exec kubia-liveness -- ps
              swiftlet delete pod kubia-liveness
              swiftlet create -f config.yaml      # ConfigMaps and Secrets the pods read
              swiftlet get configmaps; swiftlet get secrets
            """,
        subcommands: [Run.self, Create.self, DaemonCommand.self, Get.self, Describe.self, Logs.self, Exec.self, Delete.self, MetricsCommand.self]
    )

    // Accepted before the verb too (`swiftlet --root DIR get pods`), as kubectl takes global flags anywhere.
    @OptionGroup var global: GlobalOptions
}
