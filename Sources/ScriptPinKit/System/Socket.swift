internal import Glibc

/// A connected or listening socket, closed with its last owner. A class,
/// not a `~Copyable` descriptor, because the egress proxy hands each one to
/// the thread that serves it.
final class Socket: @unchecked Sendable {
    let descriptor: Int32

    init(owning descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        _ = Glibc.close(descriptor)
    }

    /// Waits until a connection arrives or `wake` becomes readable (nil then).
    func accept(unless wake: WakeSignal) throws(Errno) -> Socket? {
        while true {
            let ready = try poll([descriptor, wake.readableDescriptor], timeoutMilliseconds: -1)
            if ready.contains(wake.readableDescriptor) { return nil }
            let connection = Glibc.accept(descriptor, nil, nil)
            if connection >= 0 {
                // Every child scriptpin starts closes descriptors above 2 anyway; this keeps exec-ed ones clean too.
                _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
                return Socket(owning: connection)
            }
            let failure = Errno.current
            // The peer gave up before we accepted, or a signal came: wait for the next one.
            if failure == .interrupted || failure == Errno(ECONNABORTED) || failure == .wouldBlock { continue }
            throw failure
        }
    }

    /// Reads what is there (at most `buffer.count` bytes), waiting at most
    /// `timeoutMilliseconds`; 0 at end of stream, nil on timeout or `wake`.
    func read(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int32, unless wake: WakeSignal) throws(Errno) -> Int? {
        let ready = try poll([descriptor, wake.readableDescriptor], timeoutMilliseconds: timeoutMilliseconds)
        if ready.contains(wake.readableDescriptor) || !ready.contains(descriptor) { return nil }
        return try retryingInterrupts { recv(descriptor, buffer.baseAddress, buffer.count, 0) }
    }

    /// One `recv` of what is there; 0 at end of stream.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try retryingInterrupts { recv(descriptor, buffer.baseAddress, buffer.count, 0) }
    }

    /// Sends every byte; a peer that went away is an error, never SIGPIPE.
    func sendAll(_ bytes: UnsafeRawBufferPointer) throws(Errno) {
        var offset = 0
        while offset < bytes.count {
            offset += try retryingInterrupts {
                send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
        }
    }

    func sendAll(_ bytes: [UInt8]) throws(Errno) {
        let failure: Errno? = bytes.withUnsafeBytes { buffer in
            do throws(Errno) { try sendAll(buffer) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// Ends our sending direction, so that the peer reads end of stream while its answer still comes back.
    func shutdownWriting() {
        _ = shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Resolves `host` and connects to the first address that answers
    /// within `timeoutMilliseconds`, the way a client on this host would.
    /// With `refusingInternal`, an address that is not on the public
    /// internet (``InternetAddress/isInternal``) is skipped: a name the list
    /// allows must not lead to the host's own services or a cloud metadata endpoint.
    static func connect(host: String, port: Int, timeoutMilliseconds: Int32, refusingInternal: Bool) throws(ConnectFailure) -> Socket {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw .unresolved(String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var lastFailure = Errno(ECONNREFUSED)
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        var attempted = false
        while let entry = cursor {
            cursor = entry.pointee.ai_next
            if refusingInternal, InternetAddress.isInternal(entry.pointee.ai_addr) { continue }
            attempted = true
            let fd = socket(entry.pointee.ai_family, entry.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), entry.pointee.ai_protocol)
            guard fd >= 0 else {
                lastFailure = .current
                continue
            }
            let candidate = Socket(owning: fd)
            if Glibc.connect(fd, entry.pointee.ai_addr, entry.pointee.ai_addrlen) != 0 {
                let failure = Errno.current
                guard failure == Errno(EINPROGRESS) else {
                    lastFailure = failure
                    continue
                }
                var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let ready = Glibc.poll(&descriptor, 1, timeoutMilliseconds)
                guard ready > 0 else {
                    lastFailure = Errno(ETIMEDOUT)
                    continue
                }
                var result: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &result, &length)
                guard result == 0 else {
                    lastFailure = Errno(result)
                    continue
                }
            }
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
            return candidate
        }
        // getaddrinfo gave at least one address: none tried means every one was internal.
        throw attempted ? .refused(lastFailure) : .internalAddress
    }
}

/// Where an address points, for the egress proxy's refusal of names that resolve inside.
enum InternetAddress {
    /// Loopback, unspecified, private (RFC 1918), CGNAT, link-local (the
    /// cloud metadata endpoint 169.254.169.254), multicast, reserved,
    /// unique-local, or an IPv4-mapped or -compatible IPv6 form of one.
    static func isInternal(_ address: UnsafePointer<sockaddr>?) -> Bool {
        guard let address else { return true }
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            let raw = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
            return isInternal(ipv4: UInt32(bigEndian: raw))
        case AF_INET6:
            let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
            }
            return isInternal(ipv6: bytes)
        default:
            return true
        }
    }

    static func isInternal(ipv4 address: UInt32) -> Bool {
        let ranges: [(network: UInt32, prefix: UInt32)] = [
            (0x0000_0000, 8), (0x0A00_0000, 8), (0x6440_0000, 10), (0x7F00_0000, 8), (0xA9FE_0000, 16),
            (0xAC10_0000, 12), (0xC000_0000, 24), (0xC0A8_0000, 16), (0xC612_0000, 15), (0xE000_0000, 4), (0xF000_0000, 4),
        ]
        return ranges.contains { range in
            address & (~UInt32(0) << (32 - range.prefix)) == range.network
        }
    }

    static func isInternal(ipv6 bytes: [UInt8]) -> Bool {
        guard bytes.count == 16 else { return true }
        let firstTen = bytes[0..<10].allSatisfy { $0 == 0 }
        let embedded = UInt32(bytes[12]) << 24 | UInt32(bytes[13]) << 16 | UInt32(bytes[14]) << 8 | UInt32(bytes[15])
        // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible; :: and ::1 fall in 0.0.0.0/8).
        if firstTen && ((bytes[10] == 0xff && bytes[11] == 0xff) || (bytes[10] == 0 && bytes[11] == 0)) {
            return isInternal(ipv4: embedded)
        }
        return bytes[0] & 0xfe == 0xfc || (bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80) || bytes[0] == 0xff
    }
}

/// Why an outgoing connection was not made.
enum ConnectFailure: Error {
    case unresolved(String)
    case refused(Errno)
    /// Every address the name resolved to is internal, and the name is not an address literal.
    case internalAddress
}

/// A pipe that, once written to, stays readable: every thread polling it
/// learns that the work is over, however many there are.
final class WakeSignal: Sendable {
    let readableDescriptor: Int32
    private let writableDescriptor: Int32

    init() throws(Errno) {
        var ends: [Int32] = [0, 0]
        try retryingInterrupts { pipe(&ends) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        readableDescriptor = ends[0]
        writableDescriptor = ends[1]
    }

    func fire() {
        var byte: UInt8 = 1
        _ = write(writableDescriptor, &byte, 1)
    }

    deinit {
        _ = close(readableDescriptor)
        _ = close(writableDescriptor)
    }
}

/// The descriptors among `descriptors` that are readable (or closed), after
/// waiting at most `timeoutMilliseconds` (-1: no limit).
func poll(_ descriptors: [Int32], timeoutMilliseconds: Int32) throws(Errno) -> Set<Int32> {
    var entries = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    let count = try retryingInterrupts { Glibc.poll(&entries, nfds_t(entries.count), timeoutMilliseconds) }
    guard count > 0 else { return [] }
    return Set(entries.filter { $0.revents != 0 }.map(\.fd))
}
