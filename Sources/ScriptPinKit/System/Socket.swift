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
    static func connect(host: String, port: Int, timeoutMilliseconds: Int32) throws(ConnectFailure) -> Socket {
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
        while let entry = cursor {
            cursor = entry.pointee.ai_next
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
        throw .refused(lastFailure)
    }
}

/// Why an outgoing connection was not made.
enum ConnectFailure: Error {
    case unresolved(String)
    case refused(Errno)
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
