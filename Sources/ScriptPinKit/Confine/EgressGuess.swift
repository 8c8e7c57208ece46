/// The hosts a script names literally in `http://` and `https://` URLs,
/// outside comment lines: a
/// first draft of its egress list for `add` and `update` to show. Only a
/// guess: a script may build its hosts from variables, and name hosts it
/// never contacts; `run --egress-audit` shows what it really reaches.
enum EgressGuess {
    static func destinations(in text: String) -> [EgressDestination] {
        var found: Set<EgressDestination> = []
        let bytes = Array(text.utf8)
        var index = 0
        var quote: UInt8?
        while index < bytes.count {
            // A comment (`# see https://docs.example.com`) names documentation, not a host the
            // script contacts: `#` at a line's start or after a blank, outside quotes, runs to the line's end.
            switch bytes[index] {
            case UInt8(ascii: "\n"):
                quote = nil
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                if quote == nil { quote = bytes[index] } else if quote == bytes[index] { quote = nil }
            case UInt8(ascii: "#") where quote == nil && (index == 0 || [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n")].contains(bytes[index - 1])):
                index = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
                continue
            default:
                break
            }
            guard let (scheme, schemeEnd) = scheme(in: bytes, at: index) else {
                index += 1
                continue
            }
            var end = schemeEnd
            while end < bytes.count, isAuthorityByte(bytes[end]) { end += 1 }
            // An authority followed by a variable or a template is not literal.
            let followedByExpansion = end < bytes.count && (bytes[end] == UInt8(ascii: "$") || bytes[end] == UInt8(ascii: "{"))
            let authority = String(decoding: bytes[schemeEnd..<end], as: UTF8.self)
            if !followedByExpansion, !authority.isEmpty, authority.contains(".") || authority.hasPrefix("localhost") {
                let hasPort = authority.contains(":")
                if let destination = EgressDestination(parsing: hasPort ? authority : "\(authority):\(scheme == "https" ? 443 : 80)") {
                    found.insert(destination)
                }
            }
            index = max(end, index + 1)
        }
        return found.sorted()
    }

    /// The lines `add` and `update` print under the review.
    /// `comparedWithApproved`: the hosts are those the approved body did not name (`update`).
    static func render(_ destinations: [EgressDestination], reporter: any Reporter, comparedWithApproved: Bool = false) {
        guard !destinations.isEmpty else { return }
        let which = comparedWithApproved ? "hosts the new body names that the approved one did not, and" : "hosts named in the script and"
        reporter.line("egress guess, \(which) a starting point only\(reporter.hint(.auditEgress)):")
        for destination in destinations { reporter.line("  egress \(destination)") }
    }

    private static func scheme(in bytes: [UInt8], at index: Int) -> (String, Int)? {
        for scheme in ["https", "http"] {
            let prefix = Array((scheme + "://").utf8)
            if index + prefix.count <= bytes.count,
               bytes[index..<index + prefix.count].elementsEqual(prefix, by: { lowercased($0) == $1 }) {
                return (scheme, index + prefix.count)
            }
        }
        return nil
    }

    private static func isAuthorityByte(_ byte: UInt8) -> Bool {
        let lower = lowercased(byte)
        return (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(lower) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}
