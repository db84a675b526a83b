import ArgumentParser

struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Display pods or events.",
        discussion: """
            Tables, the AGE format and -o json are kubectl's.

              swiftlet get pods
              swiftlet get pods kubia-liveness -o wide
              swiftlet get pod web -o json | jq .status.phase
              swiftlet get events --for pod/kubia-liveness -w
            """,
        subcommands: [GetPods.self, GetEvents.self]
    )
}

/// `-o` values.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case wide, json
}
