import Foundation
import PodSpec
import Testing
@testable import swiftlet

/// `describe` and `-o json` of configMap, secret, downwardAPI and projected volumes and of subPath
/// mounts, as kubectl prints them (pkg/describe/describe.go) and the API server stores them.
@Suite struct ConfigVolumeFormatTests {
    static let volumes = [
        Volume(name: "config", source: .configMap(ConfigMapVolumeSource(name: "special-config"))),
        Volume(name: "creds", source: .secret(SecretVolumeSource(secretName: "test-secret", defaultMode: 0o400, optional: true))),
        Volume(name: "podinfo", source: .downwardAPI(DownwardAPIVolumeSource(items: [
            DownwardAPIVolumeFile(path: "labels", value: .field(ObjectFieldSelector(fieldPath: "metadata.labels"))),
            DownwardAPIVolumeFile(path: "cpu_limit", value: .resource(ResourceFieldSelector(containerName: "c", resource: "limits.cpu"))),
        ]))),
        Volume(name: "all", source: .projected(ProjectedVolumeSource(sources: [
            .secret(SecretVolumeSource(secretName: "user")), .configMap(ConfigMapVolumeSource(name: "cm")),
            .downwardAPI(DownwardAPIVolumeSource())]))),
    ]

    @Test func describeNamesEachSource() {
        #expect(DescribePod.volumes(Self.volumes) == [
            "Volumes:",
            "  config:",
            "    Type:\tConfigMap (a volume populated by a ConfigMap)", "    Name:\tspecial-config", "    Optional:\tfalse",
            "  creds:",
            "    Type:\tSecret (a volume populated by a Secret)", "    SecretName:\ttest-secret", "    Optional:\ttrue",
            "  podinfo:",
            "    Type:\tDownwardAPI (a volume populated by information about the pod)", "    Items:",
            "      metadata.labels -> labels", "      limits.cpu -> cpu_limit",
            "  all:",
            "    Type:\tProjected (a volume that contains injected data from multiple sources)",
            "    SecretName:\tuser", "    SecretOptionalName:\tfalse",
            "    ConfigMapName:\tcm", "    ConfigMapOptional:\tfalse",
            "    DownwardAPI:\ttrue",
        ])
    }

    @Test func jsonHasTheAPIServersDefaults() {
        #expect(SpecJSON.volume(Self.volumes[0]) == .object(["name": .string("config"), "configMap": .object([
            "name": .string("special-config"), "defaultMode": .int(420)])]))
        #expect(SpecJSON.volume(Self.volumes[1]) == .object(["name": .string("creds"), "secret": .object([
            "secretName": .string("test-secret"), "defaultMode": .int(256), "optional": .bool(true)])]))
    }
}
