/// The first request on a connection to the egress proxy: where it wants
/// to go, and what to send there.
struct ProxyRequest {
    enum Kind {
        /// `CONNECT host:port`: answer 200, then relay (TLS, end to end).
        case tunnel
        /// An absolute-form `http://` request, rewritten to origin form for the server.
        case forward(originHead: [UInt8])
    }

    /// A head the proxy does not serve, with a summary safe to print.
    struct Problem: Error {
        let summary: String
    }

    /// The plain-HTTP port an `http://` URL without one means.
    static let httpPort = 80

    let destination: EgressDestination
    let kind: Kind

    /// The index just past the blank line that ends the head, if it has arrived.
    static func endOfHead(in bytes: [UInt8]) -> Int? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        return bytes.firstOffset(of: terminator).map { $0 + terminator.count }
    }

    static func parse(_ head: [UInt8]) -> Result<ProxyRequest, Problem> {
        let lineEnd = head.firstIndex(of: 13) ?? head.endIndex
        let requestLine = String(decoding: head[..<lineEnd], as: UTF8.self)
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else {
            return .failure(Problem(summary: "the proxy serves CONNECT and absolute http:// requests only"))
        }
        let method = parts[0]
        let target = String(parts[1])
        if method == "CONNECT" {
            guard target.contains(":"), !target.hasSuffix(":"), let destination = EgressDestination(parsing: target) else {
                return .failure(Problem(summary: "CONNECT needs host:port"))
            }
            return .success(ProxyRequest(destination: destination, kind: .tunnel))
        }
        let scheme = "http://"
        guard target.lowercased().hasPrefix(scheme) else {
            return .failure(Problem(summary: "the proxy serves CONNECT and absolute http:// requests only"))
        }
        let afterScheme = target.dropFirst(scheme.count)
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var path = String(afterScheme.dropFirst(authority.count))
        if path.isEmpty || !path.hasPrefix("/") { path = "/" + path }
        let hasPort = authority.hasPrefix("[") ? authority.contains("]:") : authority.contains(":")
        guard !authority.contains("@"),
              let destination = EgressDestination(parsing: hasPort ? String(authority) : "\(authority):\(httpPort)")
        else {
            return .failure(Problem(summary: "the request's URL names no usable host"))
        }
        var origin = Array("\(method) \(path) \(parts[2])".utf8)
        origin += head[lineEnd...]
        return .success(ProxyRequest(destination: destination, kind: .forward(originHead: origin)))
    }
}
