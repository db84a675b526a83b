import PodSpec
import Testing

/// ConfigMap and Secret documents beside pods: strict decoding, the API server's validation
/// (ValidateConfigMap, ValidateSecret) and its messages.
@Suite struct ConfigDocumentTests {
    static let file = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: game-config}
        data:
          lives: "3"
          ui.properties: |
            color.good=purple
        binaryData:
          logo: AAEC
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: creds, namespace: prod}
        type: Opaque
        data:
          password: MWYyZDFlMmU2N2Rm
        stringData:
          username: admin
        ---
        \(Manifest.pod())
        """

    @Test func aFileHoldsPodsConfigMapsAndSecrets() throws {
        let manifest = try PodFile.parseManifest(Self.file, file: "all.yaml")
        #expect(manifest.pods.map(\.name) == ["web"])
        #expect(manifest.configMaps == [ConfigMap(name: "game-config", data: ["lives": "3", "ui.properties": "color.good=purple\n"],
                                                  binaryData: ["logo": [0, 1, 2]])])
        #expect(manifest.secrets == [Secret(name: "creds", namespace: "prod",
                                            data: ["password": Array("1f2d1e2e67df".utf8), "username": Array("admin".utf8)])])
        // Existing callers still get the pods.
        #expect(try PodFile.parse(Self.file, file: "all.yaml").map(\.name) == ["web"])
    }

    @Test func stringDataWinsOverData() throws {
        let manifest = try PodFile.parseManifest("""
            apiVersion: v1
            kind: Secret
            metadata: {name: s}
            data: {k: YQ==}
            stringData: {k: b}
            """, file: "s.yaml")
        #expect(manifest.secrets.first?.data["k"] == Array("b".utf8))
    }

    static let errors: [Case] = [
        Case("bad base64 in a secret", """
            apiVersion: v1
            kind: Secret
            metadata: {name: s}
            data: {password: "abc$"}
            """, "data[password]: Invalid value: \"<secret contents redacted>\": illegal base64 data at input byte 3"),
        Case("missing padding", """
            apiVersion: v1
            kind: Secret
            metadata: {name: s}
            data: {password: "abcde"}
            """, "data[password]: Invalid value: \"<secret contents redacted>\": illegal base64 data at input byte 4"),
        Case("bad key", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: c}
            data: {"a b": x}
            """, "data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"),
        Case("dot-dot key", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: c}
            data: {"..x": x}
            """, "data[..x]: Invalid value: \"..x\": must not start with '..'"),
        Case("key in data and binaryData", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: c}
            data: {k: x}
            binaryData: {k: eA==}
            """, "data[k]: Invalid value: \"k\": duplicate of key present in binaryData",
             "binaryData[k]: Invalid value: \"k\": duplicate of key present in data"),
        Case("a number where a string goes", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: c}
            data: {lives: 3}
            """, "data[lives]: Invalid value: 3: must be a string; quote it"),
        Case("unknown field", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: c}
            date: {k: x}
            """, "unknown field \"date\""),
        Case("tls secret without its keys", """
            apiVersion: v1
            kind: Secret
            metadata: {name: s}
            type: kubernetes.io/tls
            """, "data[tls.crt]: Required value", "data[tls.key]: Required value"),
        Case("bad name", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: Game}
            """, "metadata.name: Invalid value: \"Game\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
        Case("two ConfigMaps of one name", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: c}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: c}
            """, "metadata.name: Duplicate value: \"c\": already used by document 1 of this file"),
    ]

    @Test(arguments: errors)
    func refused(_ testCase: Case) {
        let errors = fieldErrors(in: testCase.yaml)
        #expect(!errors.isEmpty && testCase.expected.allSatisfy(errors.contains), "\(errors)")
    }

    @Test func aConfigMapAndAPodMayShareAName() throws {
        let manifest = try PodFile.parseManifest("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: web}
            ---
            \(Manifest.pod())
            """, file: "f.yaml")
        #expect(manifest.configMaps.map(\.name) == ["web"])
        #expect(manifest.pods.map(\.name) == ["web"])
    }

    @Test func moreThanOneMebibyteIsRefused() {
        let big = String(repeating: "x", count: 1024 * 1024 + 1)
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {k: \"\(big)\"}\n"
        #expect(fieldErrors(in: yaml) == ["Too long: may not be more than 1048576 bytes"])
        #expect(report(for: yaml)?.hasPrefix("The ConfigMap \"big\" is invalid") == true)
    }
}
