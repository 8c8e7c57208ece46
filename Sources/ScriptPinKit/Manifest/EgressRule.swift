/// One `egress` line: a host (or `*.domain`) and a port the script may
/// reach through the proxy, or `none` for no network at all.
public enum EgressRule: Sendable, Hashable, CustomStringConvertible {
    case none
    case destination(EgressDestination)

    /// Reads `none`, `HOST`, `HOST:PORT`, `*.DOMAIN[:PORT]`, `[IPv6]:PORT`.
    public init?(parsing text: String) {
        if text == "none" {
            self = .none
            return
        }
        guard let destination = EgressDestination(parsing: text) else { return nil }
        self = .destination(destination)
    }

    /// The value as an `egress` line writes it.
    public var description: String {
        switch self {
        case .none: "none"
        case .destination(let destination): destination.description
        }
    }

    /// Why `text` is not an egress value, for pin and command-line errors.
    public static let formatHelp = "write HOST, HOST:PORT, *.DOMAIN[:PORT] or none (port 443 when omitted; an IPv4 address as a dotted quad such as 192.0.2.1)"
}

/// A host pattern and a port.
public struct EgressDestination: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The port an `egress` line means when it names none: HTTPS.
    public static let defaultPort = 443

    /// Lowercase, without brackets; `*.example.com` for a wildcard; an IPv4 address only as a canonical dotted quad.
    public let host: String
    public let port: Int

    public init?(host: String, port: Int) {
        let normalized = EgressDestination.normalize(host)
        guard (1...65535).contains(port), EgressDestination.isValidHost(normalized) else { return nil }
        self.host = normalized
        self.port = port
    }

    public init?(parsing text: String) {
        var hostPart = Substring(text)
        var port = EgressDestination.defaultPort
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let number = EgressDestination.port(rest.dropFirst()) else { return nil }
                port = number
            }
            guard hostPart.contains(":") else { return nil }
        } else if let colon = text.lastIndex(of: ":") {
            guard !text[..<colon].contains(":"), let number = EgressDestination.port(text[text.index(after: colon)...]) else { return nil }
            hostPart = text[..<colon]
            port = number
        }
        self.init(host: String(hostPart), port: port)
    }

    /// Whether the host is written as an address, not a name: only then may
    /// the proxy connect to a loopback, private or link-local address.
    public var isAddressLiteral: Bool {
        host.contains(":") || host.utf8.allSatisfy { EgressDestination.isDecimalDigit($0) || $0 == UInt8(ascii: ".") }
    }

    /// Whether a request for `host` (as the script named it) and `port` is allowed by this line.
    public func allows(host requested: String, port requestedPort: Int) -> Bool {
        guard port == requestedPort else { return false }
        let name = EgressDestination.normalize(requested)
        if host.hasPrefix("*.") { return name.hasSuffix(host.dropFirst()) && name.count > host.count - 1 }
        return name == host
    }

    /// `host` alone for port 443, else `host:port`; IPv6 in brackets.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return port == EgressDestination.defaultPort ? shownHost : "\(shownHost):\(port)"
    }

    /// `host:port` always, as reports name a connection.
    public var address: String {
        (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    public static func < (lhs: EgressDestination, rhs: EgressDestination) -> Bool {
        (lhs.host, lhs.port) < (rhs.host, rhs.port)
    }

    private static func normalize(_ host: String) -> String {
        var name = host.lowercased()
        if name.hasSuffix(".") && name.count > 1 { name.removeLast() }
        return name
    }

    private static func port(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 5, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let value = Int(text), (1...65535).contains(value)
        else { return nil }
        return value
    }

    /// A DNS name (letters, digits, `-`, `.`; `*.` only as a whole first label), an IPv4 or an IPv6 address.
    private static func isValidHost(_ host: String) -> Bool {
        if host.contains(":") {
            return host.utf8.allSatisfy { isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }
        }
        var name = Substring(host)
        if name.hasPrefix("*.") { name = name.dropFirst(2) }
        guard !name.isEmpty, name.count <= 253 else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        // No top-level domain is numeric: a name ending in a number is an IPv4
        // address, and only its canonical dotted quad is one; the resolver
        // also reads `0x7f.1` and `2130706433` as 127.0.0.1, which a list could not tell apart.
        if let last = labels.last, last.hasPrefix("0x") || last.utf8.allSatisfy(isDecimalDigit) {
            return !host.hasPrefix("*.") && isCanonicalIPv4(labels)
        }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.utf8.allSatisfy { isHexDigit($0) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || $0 == UInt8(ascii: "-") }
        }
    }

    private static func isCanonicalIPv4(_ labels: [Substring]) -> Bool {
        labels.count == 4 && labels.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.utf8.allSatisfy(isDecimalDigit) && (part == "0" || !part.hasPrefix("0"))
                && (Int(part) ?? 256) <= 255
        }
    }

    private static func isDecimalDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
