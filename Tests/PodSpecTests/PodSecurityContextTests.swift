import PodSpec
import Testing

/// `spec.securityContext` and `shareProcessNamespace`: decoded, validated with the API server's
/// messages, and the sub-fields swiftlet does not implement refused by name.
@Suite struct PodSecurityContextTests {
    @Test func decodesEveryHonouredField() throws {
        let pods = try PodFile.parse(Manifest.pod(spec: """
            shareProcessNamespace: true
            securityContext:
              runAsUser: 1000
              runAsGroup: 3000
              runAsNonRoot: true
              fsGroup: 2000
              supplementalGroups: [4000, 5000]
              seccompProfile: {type: Unconfined}
              sysctls:
              - {name: kernel.shm_rmid_forced, value: "1"}
              - {name: net/ipv4/ip_local_port_range, value: "1024 65000"}
            """, container: """
            securityContext:
              runAsNonRoot: false
            """), file: "pod.yaml")
        let spec = try #require(pods.first).spec
        #expect(spec.shareProcessNamespace)
        #expect(spec.securityContext == PodSecurityContext(
            runAsUser: 1000, runAsGroup: 3000, runAsNonRoot: true, supplementalGroups: [4000, 5000], fsGroup: 2000,
            sysctls: [Sysctl(name: "kernel.shm_rmid_forced", value: "1"),
                      Sysctl(name: "net.ipv4.ip_local_port_range", value: "1024 65000")],
            seccompProfile: .unconfined))
        #expect(spec.containers.first?.securityContext?.runAsNonRoot == false)
    }

    @Test func unsetMeansNoneAndNotShared() throws {
        let spec = try #require(try PodFile.parse(Manifest.pod(), file: "pod.yaml").first).spec
        #expect(spec.securityContext == nil)
        #expect(!spec.shareProcessNamespace)
    }

    static let cases: [Case] = [
        Case("negative runAsUser", Manifest.pod(spec: "securityContext: {runAsUser: -1}"),
             "spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive"),
        Case("fsGroup too large", Manifest.pod(spec: "securityContext: {fsGroup: 2147483648}"),
             "spec.securityContext.fsGroup: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive"),
        Case("negative supplemental group", Manifest.pod(spec: "securityContext: {supplementalGroups: [1, -2]}"),
             "spec.securityContext.supplementalGroups[1]: Invalid value: -2: must be between 0 and 2147483647, inclusive"),
        Case("sysctl without a name", Manifest.pod(spec: "securityContext: {sysctls: [{value: \"1\"}]}"),
             "spec.securityContext.sysctls[0].name: Required value"),
        Case("bad sysctl name", Manifest.pod(spec: "securityContext: {sysctls: [{name: Kernel.X, value: \"1\"}]}"),
             #"spec.securityContext.sysctls[0].name: Invalid value: "Kernel.X": must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$"#),
        Case("duplicate sysctl", Manifest.pod(spec: """
            securityContext:
              sysctls:
              - {name: net.ipv4.tcp_syncookies, value: "1"}
              - {name: net/ipv4/tcp_syncookies, value: "0"}
            """), #"spec.securityContext.sysctls[1].name: Duplicate value: "net/ipv4/tcp_syncookies""#),
        Case("net sysctl with hostNetwork", Manifest.pod(spec: """
            hostNetwork: true
            securityContext:
              sysctls: [{name: net.ipv4.tcp_syncookies, value: "1"}]
            """), #"spec.securityContext.sysctls[0].name: Invalid value: "net.ipv4.tcp_syncookies": may not be specified when 'hostNetwork' is true"#),
        Case("seccomp Localhost without a profile", Manifest.pod(spec: "securityContext: {seccompProfile: {type: Localhost}}"),
             "spec.securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost"),
        Case("seLinuxOptions", Manifest.pod(spec: "securityContext: {seLinuxOptions: {level: s0}}"),
             "spec.securityContext.seLinuxOptions: Forbidden: not supported by swiftlet"),
        Case("fsGroupChangePolicy", Manifest.pod(spec: "securityContext: {fsGroupChangePolicy: OnRootMismatch}"),
             "spec.securityContext.fsGroupChangePolicy: Forbidden: not supported by swiftlet"),
        Case("supplementalGroupsPolicy", Manifest.pod(spec: "securityContext: {supplementalGroupsPolicy: Strict}"),
             "spec.securityContext.supplementalGroupsPolicy: Forbidden: not supported by swiftlet"),
        Case("appArmorProfile", Manifest.pod(spec: "securityContext: {appArmorProfile: {type: RuntimeDefault}}"),
             "spec.securityContext.appArmorProfile: Forbidden: not supported by swiftlet"),
        Case("unknown field", Manifest.pod(spec: "securityContext: {runAsUsr: 1}"),
             #"unknown field "spec.securityContext.runAsUsr""#),
    ]

    @Test(arguments: cases)
    func rejected(_ c: Case) {
        #expect(fieldErrors(in: c.yaml) == c.expected)
    }

    /// The kubelet's admission (allowlist.go): the safe set passes, anything else is refused with
    /// its message; slashes are read as dots.
    @Test func sysctlAdmission() {
        #expect(SysctlNames.admissionError(SysctlNames.safe.map { Sysctl(name: $0, value: "1") }, hostNetwork: false) == nil)
        #expect(SysctlNames.admissionError([Sysctl(name: "kernel.msgmax", value: "1")], hostNetwork: false)
                == #"forbidden sysctl: "kernel.msgmax" not allowlisted"#)
        #expect(SysctlNames.admissionError([Sysctl(name: "net/ipv4/ip_forward", value: "1")], hostNetwork: false)
                == #"forbidden sysctl: "net.ipv4.ip_forward" not allowlisted"#)
        #expect(SysctlNames.admissionError([Sysctl(name: "net.ipv4.tcp_syncookies", value: "1")], hostNetwork: true)
                == #"forbidden sysctl: "net.ipv4.tcp_syncookies" not allowed with host net enabled"#)
        #expect(SysctlNames.dotted("net/ipv4/conf/eno2.100/rp_filter") == "net.ipv4.conf.eno2/100.rp_filter")
        #expect(SysctlNames.dotted("net.ipv4.conf.eno2/100.rp_filter") == "net.ipv4.conf.eno2/100.rp_filter")
    }
}
