@testable import PodSpec
import Testing

/// Field names are matched byte for byte, as the API server's Go decoder matches them. Swift's
/// `==` on strings is canonical equivalence, under which a Kelvin sign (U+212A) equals "K".
@Suite struct FieldNameBytesTests {
    @Test func aKelvinSignDoesNotSpellKey() throws {
        let documents = try YAMLDocuments.split("configMap\u{212A}eyRef: {name: c}\n", file: "pod.yaml")
        let diagnostics = Diagnostics()
        let reader = try #require(ObjectReader(documents[0], at: .root, schema: Schema(fields: ["configMapKeyRef"]),
                                               diagnostics: diagnostics))
        #expect(!reader.has("configMapKeyRef"))
        #expect(diagnostics.decodingErrors.map(\.description) == ["unknown field \"configMap\u{212A}eyRef\""])
    }

    @Test func theSameKeyInASCIIIsRead() throws {
        let documents = try YAMLDocuments.split("configMapKeyRef: {name: c}\n", file: "pod.yaml")
        let diagnostics = Diagnostics()
        let reader = try #require(ObjectReader(documents[0], at: .root, schema: Schema(fields: ["configMapKeyRef"]),
                                               diagnostics: diagnostics))
        #expect(reader.has("configMapKeyRef"))
        #expect(diagnostics.decodingErrors.isEmpty)
    }
}
