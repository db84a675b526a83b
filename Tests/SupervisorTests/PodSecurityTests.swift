import ContainerRuntime
import Foundation
import PodSpec
import Testing
@testable import Supervisor

/// The pod securityContext merged into a container's, and into its OCI config, as the kubelet
/// does it (pkg/securitycontext/util.go, kuberuntime's security_context*.go); pure logic.
@Suite struct PodSecurityTests {
    static func pod(_ context: PodSecurityContext?, _ containers: [PodSpec.Container]) -> Pod {
        var spec = PodSpec(containers: containers)
        spec.securityContext = context
        return Pod(metadata: ObjectMeta(name: "web"), spec: spec)
    }

    static func container(_ context: SecurityContext? = nil) -> PodSpec.Container {
        var c = PodSpec.Container(name: "app", image: PodSpec.Image(written: "img", resolved: "/img"))
        c.command = ["true"]
        c.securityContext = context
        return c
    }

    @Test func theContainerWinsFieldByField() {
        let podContext = PodSecurityContext(runAsUser: 1000, runAsGroup: 3000, runAsNonRoot: true, seccompProfile: .unconfined)
        let own = Self.container(SecurityContext(runAsUser: 2000, seccompProfile: .runtimeDefault))
        let merged = PodSecurity.effective(pod: Self.pod(podContext, [own]), container: own)
        #expect(merged?.runAsUser == 2000)
        #expect(merged?.runAsGroup == 3000)
        #expect(merged?.runAsNonRoot == true)
        #expect(merged?.seccompProfile == .runtimeDefault)
        let bare = Self.container()
        let inherited = PodSecurity.effective(pod: Self.pod(podContext, [bare]), container: bare)
        #expect(inherited == SecurityContext(runAsUser: 1000, runAsGroup: 3000, seccompProfile: .unconfined).with(runAsNonRoot: true))
        #expect(PodSecurity.effective(pod: Self.pod(nil, [bare]), container: bare) == nil)
    }

    /// verifyRunAsNonRoot's messages, one per way a container can be root or unverifiable.
    @Test func runAsNonRootMessages() throws {
        func failure(pod context: PodSecurityContext?, container: SecurityContext?, imageUID: Int64?, imageUser: String = "") -> String? {
            let c = Self.container(container)
            do {
                try PodSecurity.verifyRunAsNonRoot(pod: Self.pod(context, [c]), podUID: "u1", container: c,
                                                   imageUID: imageUID, imageUser: imageUser)
                return nil
            } catch { return error.description }
        }
        let nonRoot = PodSecurityContext(runAsNonRoot: true)
        let at = #"(pod: "web_default(u1)", container: app)"#
        #expect(failure(pod: nonRoot, container: nil, imageUID: nil) == "container has runAsNonRoot and image will run as root \(at)")
        #expect(failure(pod: nonRoot, container: nil, imageUID: 0) == "container has runAsNonRoot and image will run as root \(at)")
        #expect(failure(pod: nonRoot, container: nil, imageUID: 1234) == nil)
        #expect(failure(pod: nonRoot, container: nil, imageUID: nil, imageUser: "nginx")
                == "container has runAsNonRoot and image has non-numeric user (nginx), cannot verify user is non-root \(at)")
        #expect(failure(pod: nonRoot, container: SecurityContext(runAsUser: 0), imageUID: 1234)
                == "container's runAsUser breaks non-root policy \(at)")
        #expect(failure(pod: nonRoot, container: SecurityContext(runAsUser: 5), imageUID: 0) == nil)
        // The container's runAsNonRoot: false lifts the pod's.
        #expect(failure(pod: nonRoot, container: SecurityContext().with(runAsNonRoot: false), imageUID: 0) == nil)
        #expect(failure(pod: nil, container: SecurityContext().with(runAsNonRoot: true), imageUID: nil)
                == "container has runAsNonRoot and image will run as root \(at)")
        #expect(failure(pod: nil, container: nil, imageUID: 0) == nil)
    }

    /// The OCI config of a container: the image's user unless runAsUser says otherwise, the pod's
    /// supplementalGroups then fsGroup, its sysctls, and the pod's seccomp profile unless the
    /// container names its own.
    @Test func theOCIConfigCarriesThePodsSettings() throws {
        let context = PodSecurityContext(runAsGroup: 3000, supplementalGroups: [4000], fsGroup: 2000,
                                         sysctls: [Sysctl(name: "net.ipv4.tcp_syncookies", value: "0")],
                                         seccompProfile: .unconfined)
        let store = PodStore(root: "/nonexistent")
        let image = ContainerSpecBuilder.Image(rootfs: "/img", process: OCISpec.Process(user: OCISpec.User(uid: 1234, gid: 1234), args: ["sh"]))
        func build(_ c: PodSpec.Container) throws -> OCISpec {
            try ContainerSpecBuilder(pod: Self.pod(context, [c]), container: c, store: store, sandboxNamespaces: [:], baseDir: "/")
                .build(image: image)
        }
        let inherits = try build(Self.container())
        #expect(inherits.process?.user.uid == 1234)
        #expect(inherits.process?.user.gid == 3000)
        #expect(inherits.process?.user.additionalGids == [4000, 2000])
        #expect(inherits.linux?.sysctl == ["net.ipv4.tcp_syncookies": "0"])
        #expect(inherits.linux?.seccomp == nil)
        let own = try build(Self.container(SecurityContext(runAsUser: 7, seccompProfile: .runtimeDefault)))
        #expect(own.process?.user.uid == 7)
        #expect(own.linux?.seccomp != nil)
    }

    @Test func fsGroupForTheVolumes() {
        #expect(PodSecurity.fsGroup(Self.pod(PodSecurityContext(fsGroup: 2000), [Self.container()])) == 2000)
        #expect(PodSecurity.fsGroup(Self.pod(nil, [Self.container()])) == nil)
    }
}

extension SecurityContext {
    func with(runAsNonRoot: Bool) -> SecurityContext {
        var copy = self
        copy.runAsNonRoot = runAsNonRoot
        return copy
    }
}
