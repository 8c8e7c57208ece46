internal import Synchronization

/// The only way out of a confined script's network namespace. It serves a
/// listener that sits on the namespace's loopback but belongs to scriptpin,
/// outside: it reads one `CONNECT host:port` or absolute-form `http://`
/// request per connection, checks the host against the egress list,
/// resolves it with the host's DNS, connects, and then only relays bytes,
/// counting them.
final class EgressProxy: Sendable {
    /// The loopback port inside the sandbox. The namespace is new, so
    /// nothing else can hold it; the proxy variables name it.
    static let portInsideSandbox = 3128
    /// A request head is a few hundred bytes; more is not a client of ours.
    static let maximumRequestHead = 16 * 1024
    /// How long a connection may take to send its request before it is dropped,
    /// so that an idle connection cannot hold a thread for the whole run.
    static let requestHeadTimeoutMilliseconds: Int32 = 30_000
    /// How long resolving and connecting to an allowed host may take in all, as curl's own default connect timeout.
    static let connectTimeoutMilliseconds: Int32 = 30_000
    /// After the script has ended, how long its connections may go on
    /// delivering what it sent before it exited; then every one is cut, so
    /// that no upstream can keep scriptpin from exiting.
    static let closingGraceMilliseconds: Int32 = 500
    /// The relay's buffer for each direction of one connection.
    static let relayBufferSize = 64 * 1024
    /// Connections served at once, one thread each; a script that opens
    /// more gets 503 instead of exhausting scriptpin's threads.
    static let maximumConcurrentConnections = 256

    /// What the proxy lets through.
    enum Policy: Sendable {
        case allow([EgressDestination])
        /// Everything, recorded: `--egress-audit`.
        case audit
    }

    private let listener: Socket
    private let policy: Policy
    /// Fired when the script has ended: no new connections.
    private let wake: WakeSignal
    /// Fired after the grace period: every connection ends, whatever it was waiting for.
    private let cutoff: WakeSignal
    private let ledger = Mutex(EgressLedger())
    private let connections = Mutex(ConnectionThreads())
    private let acceptor = Mutex<JoinableThread?>(nil)

    init(listener: Socket, policy: Policy) throws(Errno) {
        self.listener = listener
        self.policy = policy
        wake = try WakeSignal()
        cutoff = try WakeSignal()
    }

    /// Starts accepting on a thread of its own; false when no thread could start.
    func start() -> Bool {
        let thread = JoinableThread { [self] in acceptConnections() }
        acceptor.withLock { $0 = thread }
        return thread != nil
    }

    /// Ends every connection still open (the script has ended), after
    /// at most the grace period, and returns what went through.
    func stop() -> EgressLedger {
        wake.fire()
        acceptor.withLock { $0?.join() }
        let grace = Deadline(afterMilliseconds: Self.closingGraceMilliseconds)
        while connections.withLock({ $0.running }) > 0 && grace.remainingMilliseconds > 0 {
            _ = try? poll([], timeoutMilliseconds: min(10, grace.remainingMilliseconds))
        }
        cutoff.fire()
        for thread in connections.withLock({ $0.takeAll() }) { thread.join() }
        return ledger.withLock { $0 }
    }

    private func acceptConnections() {
        while true {
            let connection: Socket?
            do {
                connection = try listener.accept(unless: wake)
            } catch {
                ledger.withLock { $0.proxyFailure = "the egress proxy stopped accepting connections: \(error)" }
                return
            }
            guard let connection else { return }
            for finished in connections.withLock({ $0.takeFinished() }) { finished.join() }
            let identifier = connections.withLock { (threads) -> Int? in
                threads.running < Self.maximumConcurrentConnections ? threads.reserve() : nil
            }
            guard let identifier else {
                try? connection.sendAll(Self.response(503, "scriptpin: over \(Self.maximumConcurrentConnections) connections at once"), unless: wake)
                continue
            }
            let thread = JoinableThread { [self] in
                serve(connection)
                connections.withLock { $0.finish(identifier) }
            }
            connections.withLock { $0.started(identifier, thread) }
            if thread == nil {
                try? connection.sendAll(Self.response(503, "scriptpin: no thread to serve this connection"), unless: wake)
            }
        }
    }

    private func serve(_ client: Socket) {
        guard let (head, rest) = readHead(client) else { return }
        let request: ProxyRequest
        switch ProxyRequest.parse(head) {
        case .success(let parsed):
            request = parsed
        case .failure(let problem):
            ledger.withLock { $0.recordMalformed(problem.summary) }
            try? client.sendAll(Self.response(400, "scriptpin: \(problem.summary)"), unless: cutoff)
            return
        }
        guard isAllowed(request.destination) else {
            ledger.withLock { $0.recordBlocked(request.destination) }
            try? client.sendAll(Self.response(403, "scriptpin: \(request.destination.address) is not in the pin's egress list"), unless: cutoff)
            return
        }
        let upstream: Socket
        do {
            upstream = try Socket.connect(
                host: request.destination.host, port: request.destination.port, timeoutMilliseconds: Self.connectTimeoutMilliseconds,
                refusingInternal: !request.destination.isAddressLiteral, unless: cutoff)
        } catch .abandoned {
            return
        } catch .internalAddress {
            ledger.withLock { $0.recordInternal(request.destination) }
            try? client.sendAll(Self.response(403, "scriptpin: \(request.destination.host) resolves only to internal addresses; an egress line must name such an address literally"), unless: cutoff)
            return
        } catch {
            ledger.withLock { $0.recordUnreachable(request.destination) }
            try? client.sendAll(Self.response(502, "scriptpin: could not connect to \(request.destination.address)"), unless: cutoff)
            return
        }
        var sent = 0
        do {
            switch request.kind {
            case .tunnel:
                try client.sendAll(Array("HTTP/1.1 200 Connection established\r\n\r\n".utf8), unless: cutoff)
            case .forward(let originHead):
                try upstream.sendAll(originHead, unless: cutoff)
                sent += originHead.count
            }
            try upstream.sendAll(rest, unless: cutoff)
            sent += rest.count
        } catch {
            ledger.withLock { $0.recordAllowed(request.destination, sent: sent, received: 0) }
            return
        }
        let (relayedUp, relayedDown) = relay(client, upstream)
        ledger.withLock { $0.recordAllowed(request.destination, sent: sent + relayedUp, received: relayedDown) }
    }

    private func isAllowed(_ destination: EgressDestination) -> Bool {
        switch policy {
        case .audit: true
        case .allow(let list): list.contains { $0.allows(host: destination.host, port: destination.port) }
        }
    }

    /// The request head up to its blank line, and whatever followed it in the same reads.
    private func readHead(_ client: Socket) -> ([UInt8], [UInt8])? {
        var bytes: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
        defer { buffer.deallocate() }
        while bytes.count <= Self.maximumRequestHead {
            guard let count = try? client.read(into: buffer, timeoutMilliseconds: Self.requestHeadTimeoutMilliseconds, unless: cutoff), count > 0 else {
                return nil
            }
            bytes += buffer[0..<count]
            if let end = ProxyRequest.endOfHead(in: bytes) {
                return (Array(bytes[..<end]), Array(bytes[end...]))
            }
        }
        try? client.sendAll(Self.response(431, "scriptpin: the request head is over \(Self.maximumRequestHead) bytes"), unless: cutoff)
        return nil
    }

    /// Copies bytes both ways until both sides have finished or the cutoff;
    /// returns the bytes sent upstream and received from it. Both sockets
    /// are non-blocking, so no peer that stops reading can hold it.
    private func relay(_ client: Socket, _ upstream: Socket) -> (Int, Int) {
        var sent = 0
        var received = 0
        var clientOpen = true
        var upstreamOpen = true
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.relayBufferSize, alignment: 16)
        defer { buffer.deallocate() }
        while clientOpen || upstreamOpen {
            var watched = [cutoff.readableDescriptor]
            if clientOpen { watched.append(client.descriptor) }
            if upstreamOpen { watched.append(upstream.descriptor) }
            guard let ready = try? poll(watched, timeoutMilliseconds: -1), !ready.contains(cutoff.readableDescriptor) else { break }
            for (source, target, isUpward) in [(client, upstream, true), (upstream, client, false)] where ready.contains(source.descriptor) {
                let count: Int
                do {
                    guard let received = try source.receive(into: buffer) else { continue }
                    count = received
                } catch {
                    count = 0
                }
                guard count > 0 else {
                    target.shutdownWriting()
                    if isUpward { clientOpen = false } else { upstreamOpen = false }
                    continue
                }
                guard (try? target.sendAll(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), unless: cutoff)) != nil else { return (sent, received) }
                if isUpward { sent += count } else { received += count }
            }
        }
        return (sent, received)
    }

    private static func response(_ status: Int, _ text: String) -> [UInt8] {
        let reason = [400: "Bad Request", 403: "Forbidden", 431: "Request Header Fields Too Large", 502: "Bad Gateway", 503: "Service Unavailable"][status] ?? "Error"
        let body = text + "\n"
        return Array("HTTP/1.1 \(status) \(reason)\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8)
    }
}

/// The proxy's connection threads: finished ones are joined as new ones
/// start, so that a script making many connections one after another does
/// not leave one unjoined thread behind for each.
private struct ConnectionThreads {
    private var nextIdentifier = 0
    private var threads: [Int: JoinableThread] = [:]
    private var reserved: Set<Int> = []
    private var finished: Set<Int> = []

    /// Threads reserved or started and not finished.
    var running: Int { reserved.count - finished.count }

    mutating func reserve() -> Int {
        nextIdentifier += 1
        reserved.insert(nextIdentifier)
        return nextIdentifier
    }

    /// Records the thread for `identifier` (nil: none could start, so it is finished).
    mutating func started(_ identifier: Int, _ thread: JoinableThread?) {
        guard let thread else {
            finish(identifier)
            return
        }
        threads[identifier] = thread
    }

    mutating func finish(_ identifier: Int) {
        finished.insert(identifier)
    }

    /// The finished threads that have been recorded, to join; they are forgotten here.
    mutating func takeFinished() -> [JoinableThread] {
        let done = finished.filter { threads[$0] != nil }
        defer {
            for identifier in done {
                threads[identifier] = nil
                reserved.remove(identifier)
                finished.remove(identifier)
            }
        }
        return done.compactMap { threads[$0] }
    }

    /// Every recorded thread, to join when the proxy stops.
    mutating func takeAll() -> [JoinableThread] {
        defer { threads = [:] }
        return Array(threads.values)
    }
}
