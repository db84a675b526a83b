import PodSpec
import Testing

/// Kubernetes quantity syntax, parsed exactly: no value passes through floating point.
@Suite struct QuantityTests {
    struct Valid: Sendable, CustomStringConvertible {
        let text: String
        let milliValue: Int64?
        let value: Int64?
        var description: String { text }
    }

    static let valid: [Valid] = [
        Valid(text: "500m", milliValue: 500, value: 1),
        Valid(text: "0.5", milliValue: 500, value: 1),
        Valid(text: ".5", milliValue: 500, value: 1),
        Valid(text: "2", milliValue: 2_000, value: 2),
        Valid(text: "+2", milliValue: 2_000, value: 2),
        Valid(text: "0", milliValue: 0, value: 0),
        Valid(text: "0.000", milliValue: 0, value: 0),
        Valid(text: "1m", milliValue: 1, value: 1),
        Valid(text: "0.1", milliValue: 100, value: 1),
        Valid(text: "1.", milliValue: 1_000, value: 1),
        Valid(text: "0.0001", milliValue: 1, value: 1),
        Valid(text: "1n", milliValue: 1, value: 1),
        Valid(text: "250u", milliValue: 1, value: 1),
        Valid(text: "100k", milliValue: 100_000_000, value: 100_000),
        Valid(text: "1G", milliValue: 1_000_000_000_000, value: 1_000_000_000),
        Valid(text: "2T", milliValue: 2_000_000_000_000_000, value: 2_000_000_000_000),
        Valid(text: "1E", milliValue: nil, value: 1_000_000_000_000_000_000),
        Valid(text: "1Ki", milliValue: 1_024_000, value: 1_024),
        Valid(text: "128Mi", milliValue: 134_217_728_000, value: 134_217_728),
        Valid(text: "1.5Gi", milliValue: 1_610_612_736_000, value: 1_610_612_736),
        Valid(text: "0.3Ki", milliValue: 307_200, value: 308),
        Valid(text: "7Ei", milliValue: nil, value: 8_070_450_532_247_928_832),
        Valid(text: "8Ei", milliValue: nil, value: nil),
        Valid(text: "1e3", milliValue: 1_000_000, value: 1_000),
        Valid(text: "1E3", milliValue: 1_000_000, value: 1_000),
        Valid(text: "1.5e+3", milliValue: 1_500_000, value: 1_500),
        Valid(text: "1e-3", milliValue: 1, value: 1),
        Valid(text: "12e-1", milliValue: 1_200, value: 2),
        Valid(text: "9223372036854775807", milliValue: nil, value: Int64.max),
        Valid(text: "9223372036854775808", milliValue: nil, value: nil),
        Valid(text: "-1", milliValue: -1_000, value: -1),
        Valid(text: "-0", milliValue: 0, value: 0),
    ]

    @Test(arguments: valid) func parses(_ expected: Valid) throws {
        let quantity = try Quantity(expected.text)
        #expect(quantity.text == expected.text)
        #expect(quantity.milliValue == expected.milliValue)
        #expect(quantity.value == expected.value)
    }

    static let invalid: [(String, QuantityError)] = [
        ("", .formatWrong),
        ("12x", .formatWrong),
        ("1Gb", .formatWrong),
        ("1 Gi", .formatWrong),
        (" 1", .formatWrong),
        ("1.2.3", .formatWrong),
        ("abc", .formatWrong),
        ("m", .formatWrong),
        ("-", .formatWrong),
        ("--1", .formatWrong),
        ("1e3.5", .formatWrong),
        (".", .numeric),
        ("-.Mi", .numeric),
        ("1mi", .suffix),
        ("1e", .suffix),
        ("1ee3", .suffix),
        ("1Kii", .suffix),
        ("1e99999999999999999999", .suffix),
    ]

    @Test(arguments: invalid) func refuses(_ text: String, _ error: QuantityError) {
        #expect(throws: error) { try Quantity(text) }
    }

    @Test func errorsReadAsKubernetesWritesThem() {
        #expect(QuantityError.formatWrong.description
            == "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
        #expect(QuantityError.numeric.description == "unable to parse numeric part of quantity")
        #expect(QuantityError.suffix.description == "unable to parse quantity's suffix")
    }

    static let equalPairs: [(String, String)] = [
        ("1Gi", "1024Mi"), ("1.5Gi", "1536Mi"), ("500m", "0.5"), ("1e3", "1k"), ("1000m", "1"),
        ("0.001", "1m"), ("1M", "1000k"), ("0", "0m"), ("2.50", "2.5"),
    ]

    @Test(arguments: equalPairs) func equalValuesAreEqual(_ lhs: String, _ rhs: String) throws {
        let (a, b) = (try Quantity(lhs), try Quantity(rhs))
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(!(a < b) && !(b < a))
    }

    static let orderedPairs: [(String, String)] = [
        ("1", "1001m"), ("999Mi", "1Gi"), ("1G", "1Gi"), ("-1", "0"), ("-2", "-1"), ("0.0001", "1m"),
        ("1n", "1u"), ("9e18", "8Ei"),
    ]

    @Test(arguments: orderedPairs) func smallerComesFirst(_ smaller: String, _ larger: String) throws {
        let (a, b) = (try Quantity(smaller), try Quantity(larger))
        #expect(a < b)
        #expect(!(b < a))
        #expect(a != b)
    }

    @Test func decodedFromYAMLNumbersAsWritten() throws {
        let yaml = Manifest.pod(container: """
            resources:
              limits: {cpu: 0.5, memory: 1e3}
              requests: {cpu: 100m}
            """)
        let resources = try #require(try PodFile.parse(yaml, file: "pod.yaml").first?.spec.containers.first?.resources)
        #expect(resources.limits.cpuMillicores == 500)
        #expect(resources.limits.memoryBytes == 1_000)
        #expect(resources.requests.cpuMillicores == 100)
        // A request left out defaults to the limit.
        #expect(resources.requests.memory == (try Quantity("1k")))
    }
}
