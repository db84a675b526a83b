import Glibc

/// The syscalls of one probe connection, run on a dial thread.
enum ProbeSocket {
    enum Start {
        case connected(CInt)
        case inProgress(CInt)
    }

    /// A non-blocking TCP socket in the calling thread's network namespace, with SO_LINGER
    /// {1, 1} (as the kubelet's probe dialer) so probe connections don't pile up in TIME_WAIT,
    /// and a connect already started.
    static func start(_ address: DialAddress, display: String) throws(DialError) -> Start {
        let type = CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue) | CInt(SOCK_NONBLOCK.rawValue)
        let fd = socket(address.family, type, 0)
        guard fd >= 0 else { throw DialError.socket(display, errno: errno) }
        var lingerOption = linger(l_onoff: 1, l_linger: 1)
        guard setsockopt(fd, SOL_SOCKET, SO_LINGER, &lingerOption, socklen_t(MemoryLayout<linger>.size)) == 0 else {
            let err = errno
            close(fd)
            throw DialError.socket(display, errno: err)
        }
        var storage = address.storage
        let rc = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, address.length) }
        }
        if rc == 0 { return .connected(fd) }
        let err = errno
        if err == EINPROGRESS || err == EINTR { return .inProgress(fd) }
        close(fd)
        throw DialError.connect(display, errno: err)
    }

    /// The outcome of a connect that poll() reported ready; closes the socket on failure.
    static func finish(_ fd: CInt, display: String) throws(DialError) -> CInt {
        var err: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &length) != 0 { err = errno }
        guard err == 0 else {
            close(fd)
            throw DialError.connect(display, errno: err)
        }
        return fd
    }
}
