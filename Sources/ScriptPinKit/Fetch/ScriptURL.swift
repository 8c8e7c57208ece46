/// The parts of an https URL that scriptpin checks and redacts. Parsing is
/// deliberately narrow: a pin's URL is compared and printed, libcurl does the rest.
public struct ScriptURL: Sendable, Equatable {
    public let text: String
    public let host: String
    public let hasCredentials: Bool
    public let hasQuery: Bool
    /// The path's non-empty segments, as written (not decoded), used to suggest a pin name.
    public let pathSegments: [String]
    /// Last path segment, used to name downloads.
    public var lastPathSegment: String { pathSegments.last ?? "" }

    /// Why `text` is not an https URL scriptpin will fetch, or nil when it is.
    public static func problem(with text: String) -> String? {
        switch parse(text) {
        case .success: nil
        case .failure(let reason): reason.message
        }
    }

    public init?(_ text: String) {
        guard case .success(let url) = Self.parse(text) else { return nil }
        self = url
    }

    private init(text: String, host: String, hasCredentials: Bool, hasQuery: Bool, pathSegments: [String]) {
        self.text = text
        self.host = host
        self.hasCredentials = hasCredentials
        self.hasQuery = hasQuery
        self.pathSegments = pathSegments
    }

    private struct Reason: Error {
        let message: String
    }

    private static func parse(_ text: String) -> Result<ScriptURL, Reason> {
        if text.isEmpty { return .failure(Reason(message: "the URL is empty")) }
        if text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7f }) {
            return .failure(Reason(message: "the URL contains a space, a control character or a character that is not ASCII; percent-encode it"))
        }
        guard let schemeEnd = schemeSeparator(in: Substring(text)) else {
            return .failure(Reason(message: "'\(redact(text))' is not a URL; give the full https:// address"))
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "https" else {
            return .failure(Reason(message: "'\(redact(text))' uses \(scheme); only https URLs are accepted, so the body cannot be changed in transit"))
        }
        // The text is ASCII from here on: its bytes are its characters, and searching them is fast.
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = endOfAuthority(in: rest)
        var authority = rest[..<authorityEnd]
        var hasCredentials = false
        if let at = authority.utf8.lastIndex(of: UInt8(ascii: "@")) {
            hasCredentials = true
            authority = authority[authority.utf8.index(after: at)...]
        }
        var host = authority
        if host.hasPrefix("[") {
            guard let close = host.utf8.firstIndex(of: UInt8(ascii: "]")) else {
                return .failure(Reason(message: "'\(redact(text))' has an unterminated IPv6 address"))
            }
            let afterBracket: Substring = host[host.utf8.index(after: close)...]
            if !afterBracket.isEmpty && !isPort(afterBracket) {
                return .failure(Reason(message: "'\(redact(text))' has an invalid port"))
            }
            host = host[...close]
        } else if let colon = host.utf8.lastIndex(of: UInt8(ascii: ":")) {
            guard isPort(host[colon...]) else {
                return .failure(Reason(message: "'\(redact(text))' has an invalid port"))
            }
            host = host[..<colon]
        }
        if host.isEmpty { return .failure(Reason(message: "'\(redact(text))' has no host")) }
        let afterAuthority = rest[authorityEnd...]
        let pathEnd = afterAuthority.utf8.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) ?? afterAuthority.endIndex
        let path = afterAuthority[..<pathEnd]
        let segments = path.utf8.split(separator: UInt8(ascii: "/")).map { String(Substring($0)) }
        return .success(ScriptURL(
            text: text, host: String(host).lowercased(), hasCredentials: hasCredentials,
            hasQuery: afterAuthority.utf8.contains(UInt8(ascii: "?")), pathSegments: segments))
    }

    /// Where the authority (user, host, port) after the scheme ends.
    private static func endOfAuthority(in rest: Substring) -> Substring.Index {
        rest.utf8.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) ?? rest.endIndex
    }

    /// The range of the first "://", which ends the scheme; found in the
    /// bytes, as lint asks for every finding's URL.
    private static func schemeSeparator(in text: Substring) -> Range<Substring.Index>? {
        let utf8 = text.utf8
        var searchStart = utf8.startIndex
        while let colon = utf8[searchStart...].firstIndex(of: UInt8(ascii: ":")) {
            if utf8[colon...].starts(with: "://".utf8) { return colon..<utf8.index(colon, offsetBy: 3) }
            searchStart = utf8.index(after: colon)
        }
        return nil
    }

    private static func isPort(_ text: Substring) -> Bool {
        guard text.first == ":" else { return false }
        let digits = text.dropFirst()
        guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy(\.isASCII), let port = Int(digits) else { return false }
        return (1...65535).contains(port)
    }

    /// The URL with user, password, query string and fragment replaced, fit
    /// for any message or log: CI logs are public more often than people
    /// think, and signed URLs carry their token in the query or fragment.
    public static func redact(_ text: String) -> String {
        var result = Substring(text)
        var prefix = ""
        if let schemeEnd = schemeSeparator(in: result) {
            prefix = String(result[..<schemeEnd.upperBound])
            result = result[schemeEnd.upperBound...]
            let authorityEnd = endOfAuthority(in: result)
            if let at = result[..<authorityEnd].utf8.lastIndex(of: UInt8(ascii: "@")) {
                prefix += "REDACTED@"
                result = result[result.utf8.index(after: at)...]
            }
        }
        var suffix = ""
        if let fragment = result.utf8.firstIndex(of: UInt8(ascii: "#")) {
            suffix = "#REDACTED"
            result = result[..<fragment]
        }
        if let query = result.utf8.firstIndex(of: UInt8(ascii: "?")) {
            suffix = "?REDACTED" + suffix
            result = result[..<query]
        }
        return prefix + result + suffix
    }

    public var redacted: String { Self.redact(text) }
}

/// Whether an operand names a URL rather than a file. Plain http is
/// recognised too, so that it is refused with a reason instead of "no such file".
public func isRemote(_ operand: String) -> Bool {
    let lowered = operand.lowercased()
    return lowered.hasPrefix("https://") || lowered.hasPrefix("http://")
}
