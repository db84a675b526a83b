import Foundation

/// Kubernetes' IP address rule (`k8s.io/apimachinery/pkg/util/validation/ip.go`), with the API
/// server's message. The parser is libc's `inet_pton`, so a value that passes is one the
/// resolver and the CNI plugins read the same way; it refuses IPv4 octets with leading zeros,
/// which the API server still accepts and libc reads as octal.
enum IPRules {
    static func ipAddress(_ value: String) -> [String] {
        isIPAddress(value) ? [] : ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]
    }

    static func isIPAddress(_ value: String) -> Bool {
        var address = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, value, &address) == 1 || inet_pton(AF_INET6, value, &address) == 1
    }
}
