import Foundation
import Glibc
import Testing
@testable import PodNetwork

@Suite("Kept CNI attachments")
struct CNIAttachmentStoreTests {
    static let result = #"{"cniVersion":"1.0.0","interfaces":[{"name":"swiftlet0"},{"name":"veth1"},{"name":"eth0","sandbox":"/run/netns/x"},{"name":"net1","sandbox":"/run/netns/x"}],"ips":[{"address":"fd00::5/64","interface":2},{"address":"10.85.0.5/16","gateway":"10.85.0.1","interface":2},{"address":"10.9.9.9/24","interface":3},{"address":"10.85.0.6/16","interface":2},{"address":"192.168.1.1/24"}]}"#

    func attachment(_ id: String, result: String? = Self.result) -> PodNetwork.Attachment {
        PodNetwork.Attachment(
            sandboxID: id, podName: "web", podNamespace: "default", podUID: "u1", networkName: "swiftlet", netns: "/run/netns/x",
            ifName: "eth0", config: Array("{\"k\":\"/v/\"}\n".utf8), cniArgs: [["IgnoreUnknown", "1"], ["K8S_POD_NAME", "web"]],
            portMappings: [PortMapping(hostPort: 8080, containerPort: 80)], result: result)
    }

    @Test func podIPsAreEth0sWithTheFirstIPv4First() {
        #expect(attachment("a").podIPs == ["10.85.0.5", "fd00::5", "10.85.0.6", "192.168.1.1"])
        #expect(attachment("a", result: nil).podIPs == [])
        #expect(attachment("a", result: "garbage").podIPs == [])
    }

    @Test func savedAttachmentsReadBackWithConfigInBase64() throws {
        let dir = makeTempDir("store")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = AttachmentStore(dir: dir + "/kept/attachments")
        try store.save(attachment("sb-1"))
        try store.save(attachment("sb-2", result: nil))
        let back = try #require(store.load(sandboxID: "sb-1"))
        #expect(back.config == attachment("sb-1").config)
        #expect(back.result == Self.result)
        #expect(back.cniArgs == attachment("sb-1").cniArgs)
        #expect(back.portMappings == attachment("sb-1").portMappings)
        #expect(store.load(sandboxID: "sb-2")?.result == nil)
        let text = try String(contentsOfFile: store.dir + "/sb-1.json", encoding: .utf8)
        #expect(text.contains("\"config\":\"" + Data(attachment("sb-1").config).base64EncodedString() + "\""))

        var info = stat()
        #expect(stat(store.dir + "/sb-1.json", &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(stat(store.dir, &info) == 0 && info.st_mode & 0o777 == 0o700)

        write("{ not an attachment", to: store.dir + "/zz-broken.json")
        write("{}", to: store.dir + "/.sb-3.json.123.456")   // a temp file of an interrupted save
        #expect(store.all().map(\.sandboxID) == ["sb-1", "sb-2"])
        #expect(store.scan().unreadable == [store.dir + "/zz-broken.json"])

        try store.save(attachment("sb-1", result: nil))   // replaced atomically
        #expect(store.load(sandboxID: "sb-1")?.result == nil)
        store.remove(sandboxID: "sb-1")
        store.remove(sandboxID: "sb-1")
        #expect(store.load(sandboxID: "sb-1") == nil)
        #expect(store.load(sandboxID: "../etc/passwd") == nil)
        #expect(fileNames(store.dir).filter { $0.hasPrefix(".sb-1") }.isEmpty, "no temp file left")
    }
}
