/// What went through the egress proxy during one run, for the report at its end.
public struct EgressLedger: Sendable, Equatable {
    public struct Traffic: Sendable, Equatable {
        public var connections = 0
        public var bytesSent = 0
        public var bytesReceived = 0
    }

    /// Connections let through, by the destination the script asked for.
    public private(set) var allowed: [EgressDestination: Traffic] = [:]
    /// Connections refused because their destination is not in the list, with how many times.
    public private(set) var blocked: [EgressDestination: Int] = [:]
    /// Allowed destinations that could not be resolved or connected to.
    public private(set) var unreachable: [EgressDestination: Int] = [:]
    /// Allowed names that resolved only to loopback, private or link-local addresses, refused.
    public private(set) var internalOnly: [EgressDestination: Int] = [:]
    /// Requests that were not CONNECT or absolute http://, by what was wrong.
    public private(set) var malformed: [String: Int] = [:]
    /// Set when the proxy itself could not go on.
    public var proxyFailure: String?

    public init() {}

    mutating func recordAllowed(_ destination: EgressDestination, sent: Int, received: Int) {
        allowed[destination, default: Traffic()].connections += 1
        allowed[destination]!.bytesSent += sent
        allowed[destination]!.bytesReceived += received
    }

    mutating func recordBlocked(_ destination: EgressDestination) {
        blocked[destination, default: 0] += 1
    }

    mutating func recordUnreachable(_ destination: EgressDestination) {
        unreachable[destination, default: 0] += 1
    }

    mutating func recordInternal(_ destination: EgressDestination) {
        internalOnly[destination, default: 0] += 1
    }

    mutating func recordMalformed(_ summary: String) {
        malformed[summary, default: 0] += 1
    }

    /// Every destination the script reached or tried to reach, for audit mode.
    public var contacted: [EgressDestination] {
        Set(allowed.keys).union(blocked.keys).union(unreachable.keys).union(internalOnly.keys).sorted()
    }

    /// The pin lines that allow exactly what the script contacted.
    var suggestedEgressLines: [String] {
        contacted.map { "egress \($0)" }
    }
}
