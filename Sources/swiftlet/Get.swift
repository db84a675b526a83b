import ArgumentParser

struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Display pods, events, ConfigMaps or Secrets.",
        discussion: """
            Tables, the AGE format and -o json are kubectl's.

              swiftlet get pods
              swiftlet get pods kubia-liveness -o wide
              swiftlet get pod web -o json | jq .status.phase
              swiftlet get events --for pod/kubia-liveness -w
              swiftlet get configmaps
              swiftlet get secrets db-credentials -o json
            """,
        subcommands: [GetPods.self, GetEvents.self, GetConfigMaps.self, GetSecrets.self]
    )
}

/// `-o` values.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case wide, json
}
