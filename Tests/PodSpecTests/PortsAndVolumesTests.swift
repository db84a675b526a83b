import PodSpec
import Testing

/// Cross-references inside a pod: probes to container ports, mounts to volumes.
@Suite struct PortsAndVolumesTests {
    @Test func namedPortsResolveToTheContainerPort() throws {
        let yaml = Manifest.pod(container: """
            ports:
            - {name: metrics, containerPort: 9100}
            - {name: http, containerPort: 8080}
            livenessProbe:
              httpGet: {port: http}
            readinessProbe:
              tcpSocket: {port: metrics}
            startupProbe:
              grpc: {port: 9090}
            """)
        let container = try #require(try PodFile.parse(yaml, file: "pod.yaml").first?.spec.containers.first)
        let liveness = try #require(container.livenessProbe)
        #expect(liveness.handler == .httpGet(HTTPGetAction(port: .name("http"))))
        #expect(container.probePort(liveness) == 8080)
        #expect(container.probePort(try #require(container.readinessProbe)) == 9100)
        #expect(container.probePort(try #require(container.startupProbe)) == 9090)
        #expect(container.resolvePort(.name("missing")) == nil)
        #expect(container.resolvePort(.number(81)) == 81)
    }

    @Test func execProbesHaveNoPort() throws {
        let yaml = Manifest.pod(container: "livenessProbe: {exec: {command: [cat, /tmp/healthy]}}")
        let container = try #require(try PodFile.parse(yaml, file: "pod.yaml").first?.spec.containers.first)
        #expect(container.probePort(try #require(container.probe(.liveness))) == nil)
    }

    @Test func aNamedPortIsLookedUpInItsOwnContainer() {
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              containers:
              - {name: front, image: rootfs, ports: [{name: http, containerPort: 80}]}
              - name: back
                image: rootfs
                livenessProbe: {httpGet: {port: http}}
            """
        #expect(fieldErrors(in: yaml) == [
            #"spec.containers[1].livenessProbe.httpGet.port: Invalid value: "http": no port in spec.containers[1].ports has this name"#,
        ])
    }

    @Test func volumesAreSharedByTheContainersThatMountThem() throws {
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              volumes:
              - name: shared
                emptyDir: {}
              - name: config
                hostPath: {path: /etc/web, type: Directory}
              containers:
              - name: writer
                image: rootfs
                volumeMounts: [{name: shared, mountPath: /out}]
              - name: reader
                image: rootfs
                volumeMounts:
                - {name: shared, mountPath: /in, readOnly: true}
                - {name: config, mountPath: /etc/web, readOnly: true}
            """
        let spec = try #require(try PodFile.parse(yaml, file: "pod.yaml").first?.spec)
        #expect(spec.volumes == [
            Volume(name: "shared", source: .emptyDir(EmptyDirVolumeSource())),
            Volume(name: "config", source: .hostPath(HostPathVolumeSource(path: "/etc/web", type: .directory))),
        ])
        #expect(spec.container(named: "writer")?.volumeMounts == [VolumeMount(name: "shared", mountPath: "/out")])
        #expect(spec.container(named: "reader")?.volumeMounts == [
            VolumeMount(name: "shared", mountPath: "/in", readOnly: true),
            VolumeMount(name: "config", mountPath: "/etc/web", readOnly: true),
        ])
    }

    @Test func aMountOfABrokenVolumeIsNotAlsoReportedMissing() {
        let yaml = Manifest.pod(spec: "volumes: [{name: data, hostPath: {path: relative}}]",
                                container: "volumeMounts: [{name: data, mountPath: /data}]")
        #expect(fieldErrors(in: yaml) == [#"spec.volumes[0].hostPath.path: Invalid value: "relative": must be an absolute path"#])
    }

    @Test func oneVolumeMayBeMountedTwiceAtDifferentPaths() throws {
        let yaml = Manifest.pod(spec: "volumes: [{name: data, emptyDir: {}}]",
                                container: "volumeMounts: [{name: data, mountPath: /a}, {name: data, mountPath: /b}]")
        #expect(fieldErrors(in: yaml) == [])
    }
}

/// `PodSpec.X` must name the module's types even though the struct `PodSpec` shadows the module,
/// so that clients importing another `Container` (ContainerRuntime's) can disambiguate.
@Suite struct ModuleQualificationTests {
    @Test func qualifiedNamesReachTheModelTypes() throws {
        let pod: PodSpec.Pod = try #require(try PodSpec.PodFile.parse(Manifest.pod(), file: "pod.yaml").first)
        let container: PodSpec.Container = try #require(pod.spec.containers.first)
        let kind: PodSpec.ProbeKind = .liveness
        #expect(container.probe(kind) == nil)
        #expect(try PodSpec.Quantity("1Gi") == Quantity("1024Mi"))
    }
}
