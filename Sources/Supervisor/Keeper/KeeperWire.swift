#if canImport(Glibc)
import Glibc
#endif

/// The keeper's datagrams on a SOCK_SEQPACKET socket: NUL-terminated fields, at most 64 KiB,
/// descriptors as SCM_RIGHTS. The CMSG_* macros are not imported into Swift, so the control
/// message layout is computed here from `cmsghdr`'s size, aligned to `size_t` as glibc does.
enum KeeperWire {
    static let maxMessage = 64 * 1024

    static func encode(_ fields: [String]) -> [UInt8] {
        var bytes: [UInt8] = []
        for field in fields {
            bytes.append(contentsOf: field.utf8)
            bytes.append(0)
        }
        return bytes
    }

    /// nil when the datagram does not end with a NUL (not a keeper message).
    static func decode(_ bytes: UnsafeRawBufferPointer) -> [String]? {
        guard let last = bytes.last, last == 0 else { return nil }
        return bytes.dropLast().split(separator: 0, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    // CMSG_ALIGN, CMSG_SPACE, CMSG_LEN and CMSG_DATA's offset.
    static func cmsgAlign(_ n: Int) -> Int { (n + MemoryLayout<Int>.size - 1) & ~(MemoryLayout<Int>.size - 1) }
    static var cmsgHeader: Int { cmsgAlign(MemoryLayout<cmsghdr>.size) }
    static func cmsgSpace(_ n: Int) -> Int { cmsgAlign(n) + cmsgHeader }
    static func cmsgLen(_ n: Int) -> Int { cmsgHeader + n }

    static func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// Sends one request; `fds` are duplicated into the keeper by the kernel.
    static func send(_ socket: Int32, _ fields: [String], fds: [Int32]) throws(KeeperError) {
        let bytes = encode(fields)
        guard bytes.count <= maxMessage else {
            throw KeeperError("a \(fields.first ?? "") request of \(bytes.count) bytes passes the keeper's limit of 64 KiB")
        }
        let controlSize = fds.isEmpty ? 0 : cmsgSpace(fds.count * MemoryLayout<Int32>.size)
        let control = UnsafeMutableRawPointer.allocate(byteCount: max(controlSize, 1), alignment: MemoryLayout<cmsghdr>.alignment)
        defer { control.deallocate() }
        if controlSize > 0 {
            control.initializeMemory(as: UInt8.self, repeating: 0, count: controlSize)
            let header = control.bindMemory(to: cmsghdr.self, capacity: 1)
            header.pointee.cmsg_len = cmsgLen(fds.count * MemoryLayout<Int32>.size)
            header.pointee.cmsg_level = SOL_SOCKET
            header.pointee.cmsg_type = Int32(SCM_RIGHTS)
            fds.withUnsafeBytes { (control + cmsgHeader).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
        let sent = bytes.withUnsafeBytes { buffer -> Int in
            var iov = iovec(iov_base: UnsafeMutableRawPointer(mutating: buffer.baseAddress), iov_len: buffer.count)
            return withUnsafeMutablePointer(to: &iov) { iovPointer -> Int in
                var message = msghdr()
                message.msg_iov = iovPointer
                message.msg_iovlen = 1
                message.msg_control = controlSize > 0 ? control : nil
                message.msg_controllen = controlSize
                var n: Int
                repeat { n = sendmsg(socket, &message, Int32(MSG_NOSIGNAL)) } while n < 0 && errno == EINTR
                return n
            }
        }
        guard sent == bytes.count else {
            throw KeeperError(sent < 0 && (errno == EPIPE || errno == ECONNRESET)
                ? "the keeper closed the connection"
                : "cannot send \(fields.first ?? "") to the keeper: \(errnoText())")
        }
    }

    /// Waits up to `timeoutMS` (-1: forever) for one datagram; nil on timeout. Descriptors the
    /// keeper never sends are closed if they come.
    static func receive(_ socket: Int32, timeoutMS: Int32) throws(KeeperError) -> [String]? {
        var pfd = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        var ready: Int32
        repeat { ready = poll(&pfd, 1, timeoutMS) } while ready < 0 && errno == EINTR
        guard ready >= 0 else { throw KeeperError("cannot wait for the keeper: \(errnoText())") }
        if ready == 0 { return nil }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: maxMessage, alignment: 8)
        defer { buffer.deallocate() }
        let controlSize = cmsgSpace(8 * MemoryLayout<Int32>.size)
        let control = UnsafeMutableRawPointer.allocate(byteCount: controlSize, alignment: MemoryLayout<cmsghdr>.alignment)
        defer { control.deallocate() }
        var iov = iovec(iov_base: buffer.baseAddress, iov_len: buffer.count)
        var message = msghdr()
        let n = withUnsafeMutablePointer(to: &iov) { iovPointer -> Int in
            message.msg_iov = iovPointer
            message.msg_iovlen = 1
            message.msg_control = control
            message.msg_controllen = controlSize
            var n: Int
            repeat { n = recvmsg(socket, &message, Int32(MSG_CMSG_CLOEXEC)) } while n < 0 && errno == EINTR
            return n
        }
        if n >= 0 { closeReceivedDescriptors(message, control: control) }
        if n == 0 { throw KeeperError("the keeper closed the connection") }
        guard n > 0 else {
            throw KeeperError(errno == ECONNRESET ? "the keeper closed the connection" : "cannot read from the keeper: \(errnoText())")
        }
        guard message.msg_flags & Int32(MSG_TRUNC) == 0,
              let fields = decode(UnsafeRawBufferPointer(rebasing: buffer[0..<n])), !fields.isEmpty else {
            throw KeeperError("the keeper sent a malformed message")
        }
        return fields
    }

    /// CMSG_FIRSTHDR / CMSG_NXTHDR over what recvmsg filled in.
    private static func closeReceivedDescriptors(_ message: msghdr, control: UnsafeMutableRawPointer) {
        var offset = 0
        let total = Int(message.msg_controllen)
        while offset + cmsgHeader <= total {
            let header = (control + offset).load(as: cmsghdr.self)
            guard header.cmsg_len >= cmsgHeader, offset + Int(header.cmsg_len) <= total else { break }
            if header.cmsg_level == SOL_SOCKET && header.cmsg_type == Int32(SCM_RIGHTS) {
                let count = (Int(header.cmsg_len) - cmsgHeader) / MemoryLayout<Int32>.size
                for i in 0..<count {
                    _ = Glibc.close((control + offset + cmsgHeader + i * MemoryLayout<Int32>.size).loadUnaligned(as: Int32.self))
                }
            }
            offset += cmsgAlign(Int(header.cmsg_len))
        }
    }
}
