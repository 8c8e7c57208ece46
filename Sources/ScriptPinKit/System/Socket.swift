internal import Glibc
internal import Synchronization

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

    /// Waits until a connection arrives or `wake` becomes readable (nil
    /// then). The connection is non-blocking: every wait on it is a poll
    /// that a wake signal can end.
    func accept(unless wake: WakeSignal) throws(Errno) -> Socket? {
        while true {
            let ready = try poll([descriptor, wake.readableDescriptor], timeoutMilliseconds: -1)
            if ready.contains(wake.readableDescriptor) { return nil }
            let connection = Glibc.accept(descriptor, nil, nil)
            if connection >= 0 {
                let socket = Socket(owning: connection)
                guard fcntl(connection, F_SETFD, FD_CLOEXEC) == 0, fcntl(connection, F_SETFL, O_NONBLOCK) == 0 else { throw .current }
                return socket
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
        let deadline = Deadline(afterMilliseconds: timeoutMilliseconds)
        while true {
            let ready = try poll([descriptor, wake.readableDescriptor], timeoutMilliseconds: deadline.remainingMilliseconds)
            if ready.contains(wake.readableDescriptor) || !ready.contains(descriptor) { return nil }
            if let count = try receive(into: buffer) { return count }
        }
    }

    /// One `recv` of what is there; 0 at end of stream, nil when nothing is there yet.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int? {
        do {
            return try retryingInterrupts { recv(descriptor, buffer.baseAddress, buffer.count, 0) }
        } catch .wouldBlock {
            return nil
        }
    }

    /// Sends every byte, waiting for room as long as `wake` stays quiet; a
    /// peer that went away is an error, never SIGPIPE, and a wake is `ECANCELED`.
    func sendAll(_ bytes: UnsafeRawBufferPointer, unless wake: WakeSignal) throws(Errno) {
        var offset = 0
        while offset < bytes.count {
            do {
                offset += try retryingInterrupts {
                    send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                }
            } catch .wouldBlock {
                let ready = try poll([descriptor, wake.readableDescriptor], events: [Int16(POLLOUT), Int16(POLLIN)], timeoutMilliseconds: -1)
                if ready.contains(wake.readableDescriptor) { throw Errno(ECANCELED) }
            }
        }
    }

    func sendAll(_ bytes: [UInt8], unless wake: WakeSignal) throws(Errno) {
        let failure: Errno? = bytes.withUnsafeBytes { buffer in
            do throws(Errno) { try sendAll(buffer, unless: wake) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// Ends our sending direction, so that the peer reads end of stream while its answer still comes back.
    func shutdownWriting() {
        _ = shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Resolves `host` and connects to the first address that answers, the
    /// way a client on this host would, within `timeoutMilliseconds` in
    /// all; `wake` abandons the attempt at once, name lookup included. The
    /// socket stays non-blocking. With `refusingInternal`, an address that
    /// is not on the public internet (``InternetAddress/isInternal``) is
    /// skipped: a name the list allows must not lead to the host's own
    /// services or a cloud metadata endpoint.
    static func connect(
        host: String, port: Int, timeoutMilliseconds: Int32, refusingInternal: Bool, unless wake: WakeSignal
    ) throws(ConnectFailure) -> Socket {
        let deadline = Deadline(afterMilliseconds: timeoutMilliseconds)
        let addresses = try NameLookup.resolve(host: host, port: port, deadline: deadline, unless: wake)
        var lastFailure = Errno(ECONNREFUSED)
        var attempted = false
        for address in addresses {
            if refusingInternal, address.isInternal { continue }
            attempted = true
            do {
                return try address.connect(deadline: deadline, unless: wake)
            } catch .abandoned {
                throw .abandoned
            } catch .refused(let failure) {
                lastFailure = failure
            } catch {
                lastFailure = Errno(ETIMEDOUT)
            }
        }
        // The lookup gave at least one address: none tried means every one was internal.
        throw attempted ? .refused(lastFailure) : .internalAddress
    }
}

/// One address a name resolved to, copied out of getaddrinfo's list.
struct ResolvedAddress: Sendable {
    let family: Int32
    let socketType: Int32
    let socketProtocol: Int32
    let bytes: [UInt8]

    var isInternal: Bool {
        bytes.withUnsafeBytes { InternetAddress.isInternal($0.baseAddress?.assumingMemoryBound(to: sockaddr.self)) }
    }

    /// A non-blocking connect, waited for with poll until `deadline` or `wake`.
    func connect(deadline: Deadline, unless wake: WakeSignal) throws(ConnectFailure) -> Socket {
        let descriptor = socket(family, socketType | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), socketProtocol)
        guard descriptor >= 0 else { throw .refused(.current) }
        let candidate = Socket(owning: descriptor)
        let started = bytes.withUnsafeBytes { raw in
            Glibc.connect(descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        if started == 0 { return candidate }
        let failure = Errno.current
        guard failure == Errno(EINPROGRESS) || failure == .interrupted else { throw .refused(failure) }
        let ready: Set<Int32>
        do {
            ready = try poll([descriptor, wake.readableDescriptor], events: [Int16(POLLOUT), Int16(POLLIN)], timeoutMilliseconds: deadline.remainingMilliseconds)
        } catch {
            throw .refused(error)
        }
        if ready.contains(wake.readableDescriptor) { throw .abandoned }
        guard ready.contains(descriptor) else { throw .refused(Errno(ETIMEDOUT)) }
        var result: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &result, &length) == 0 else { throw .refused(.current) }
        guard result == 0 else { throw .refused(Errno(result)) }
        return candidate
    }
}

/// getaddrinfo, which cannot be interrupted, on a thread of its own: the
/// caller waits for its answer only until the deadline or a wake, and a
/// lookup abandoned then finishes unobserved on its detached thread.
private final class NameLookup: Sendable {
    private let answer = Mutex<Result<[ResolvedAddress], ConnectFailure>?>(nil)
    private let done: WakeSignal

    private init() throws(Errno) {
        done = try WakeSignal()
    }

    static func resolve(host: String, port: Int, deadline: Deadline, unless wake: WakeSignal) throws(ConnectFailure) -> [ResolvedAddress] {
        let lookup: NameLookup
        do { lookup = try NameLookup() } catch { throw .refused(error) }
        guard let thread = JoinableThread(running: { lookup.run(host: host, port: port) }) else { throw .refused(.resourceUnavailable) }
        thread.detach()
        let ready: Set<Int32>
        do {
            ready = try poll([lookup.done.readableDescriptor, wake.readableDescriptor], timeoutMilliseconds: deadline.remainingMilliseconds)
        } catch {
            throw .refused(error)
        }
        if ready.contains(wake.readableDescriptor) { throw .abandoned }
        guard let result = lookup.answer.withLock({ $0 }) else { throw .unresolved("the name lookup took too long") }
        return try result.get()
    }

    private func run(host: String, port: Int) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        var addresses: [ResolvedAddress] = []
        var cursor = status == 0 ? list : nil
        while let entry = cursor {
            cursor = entry.pointee.ai_next
            let bytes = Array(UnsafeRawBufferPointer(start: entry.pointee.ai_addr, count: Int(entry.pointee.ai_addrlen)))
            addresses.append(ResolvedAddress(
                family: entry.pointee.ai_family, socketType: entry.pointee.ai_socktype, socketProtocol: entry.pointee.ai_protocol, bytes: bytes))
        }
        if status == 0 { freeaddrinfo(list) }
        let result: Result<[ResolvedAddress], ConnectFailure> =
            status == 0 && !addresses.isEmpty ? .success(addresses) : .failure(.unresolved(String(cString: gai_strerror(status))))
        answer.withLock { $0 = result }
        done.fire()
    }
}

/// A point in time on the monotonic clock, for waits that share one limit.
struct Deadline {
    private let end: Int64?

    /// -1: no limit.
    init(afterMilliseconds milliseconds: Int32) {
        end = milliseconds < 0 ? nil : Self.now() + Int64(milliseconds)
    }

    /// What is left for poll: never negative, -1 without a limit.
    var remainingMilliseconds: Int32 {
        guard let end else { return -1 }
        return Int32(clamping: max(0, end - Self.now()))
    }

    private static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
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
enum ConnectFailure: Error, Sendable {
    case unresolved(String)
    case refused(Errno)
    /// The caller's wake signal came first: the script has ended.
    case abandoned
    /// Every address the name resolved to is internal, and the name is not an address literal.
    case internalAddress
}

/// A pipe that, once written to, stays readable: every thread polling it
/// learns that the work is over, however many there are.
final class WakeSignal: Sendable {
    let readableDescriptor: Int32
    private let writableDescriptor: Int32

    init() throws(Errno) {
        (readableDescriptor, writableDescriptor) = try makePipe(nonBlocking: true)
    }

    /// Non-blocking: a full pipe is already readable, so a wake that finds it full has nothing to add.
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
    try poll(descriptors, events: descriptors.map { _ in Int16(POLLIN) }, timeoutMilliseconds: timeoutMilliseconds)
}

/// The descriptors whose `events` (one entry each) happened, or which
/// failed or closed, within `timeoutMilliseconds`. A signal that interrupts
/// the wait is not its end: it goes on for the time that is left.
func poll(_ descriptors: [Int32], events: [Int16], timeoutMilliseconds: Int32) throws(Errno) -> Set<Int32> {
    var entries = zip(descriptors, events).map { pollfd(fd: $0, events: $1, revents: 0) }
    let deadline = Deadline(afterMilliseconds: timeoutMilliseconds)
    while true {
        let count = Glibc.poll(&entries, nfds_t(entries.count), deadline.remainingMilliseconds)
        if count > 0 { return Set(entries.filter { $0.revents != 0 }.map(\.fd)) }
        if count == 0 { return [] }
        guard Errno.current == .interrupted else { throw .current }
    }
}
