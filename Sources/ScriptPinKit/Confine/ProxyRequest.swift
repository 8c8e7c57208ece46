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
        // A server picks the site by its Host header: one naming another host than the checked URL would reach that host instead.
        if let named = hostHeader(in: head[lineEnd...]), !sameAuthority(named, destination) {
            return .failure(Problem(summary: "the Host header does not name the request's host"))
        }
        var origin = Array("\(method) \(path) \(parts[2])".utf8)
        origin += head[lineEnd...]
        return .success(ProxyRequest(destination: destination, kind: .forward(originHead: origin)))
    }

    /// The value of the head's Host header, if it has one.
    private static func hostHeader(in headers: ArraySlice<UInt8>) -> String? {
        for line in String(decoding: headers, as: UTF8.self).split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "host" else { continue }
            // A host has no white space: a value with more than one word names none.
            let words = line[line.index(after: colon)...].split { $0 == " " || $0 == "\t" }
            return words.count == 1 ? String(words[0]) : ""
        }
        return nil
    }

    private static func sameAuthority(_ header: String, _ destination: EgressDestination) -> Bool {
        let hasPort = header.hasPrefix("[") ? header.contains("]:") : header.contains(":")
        guard let named = EgressDestination(parsing: hasPort ? header : "\(header):\(httpPort)") else { return false }
        return named == destination
    }
}
