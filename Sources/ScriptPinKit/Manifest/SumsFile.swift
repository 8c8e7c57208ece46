/// A vendor's checksum file in the `sha256sum`/`sha512sum` format:
/// `<hex>  name` (text mode) or `<hex> *name` (binary mode), one per line,
/// the algorithm told by the digest's length.
public struct SumsFile: Sendable {
    public struct Entry: Sendable, Equatable {
        public let digest: Digest
        public let name: String
        public let line: Int
    }

    /// Vendor checksum files list a few hundred artefacts at most.
    public static let maximumFileSize = 4 * 1024 * 1024

    public let entries: [Entry]
    /// Lines that are neither blank nor a checksum line.
    public let malformedLines: [Int]

    public init(bytes: [UInt8]) {
        var entries: [Entry] = []
        var malformed: [Int] = []
        let text = String(decoding: bytes, as: UTF8.self)
        for (offset, line) in splitLines(text).enumerated() {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            if let entry = Self.parseLine(line, number: offset + 1) {
                entries.append(entry)
            } else {
                malformed.append(offset + 1)
            }
        }
        self.entries = entries
        self.malformedLines = malformed
    }

    private static func parseLine(_ line: Substring, number: Int) -> Entry? {
        var rest = line
        let escaped = rest.hasPrefix("\\")
        if escaped { rest = rest.dropFirst() }
        let hex = rest.prefix(while: { $0.isHexDigit })
        guard let digest = Digest(parsing: String(hex)) else { return nil }
        rest = rest.dropFirst(hex.count)
        guard rest.hasPrefix("  ") || rest.hasPrefix(" *") else { return nil }
        var name = String(rest.dropFirst(2))
        if escaped {
            guard let unescaped = unescape(name) else { return nil }
            name = unescaped
        }
        guard !name.isEmpty else { return nil }
        return Entry(digest: digest, name: name, line: number)
    }

    /// Undoes coreutils' escaping of backslash, newline and carriage return.
    private static func unescape(_ name: String) -> String? {
        var result = ""
        var iterator = name.makeIterator()
        while let character = iterator.next() {
            guard character == "\\" else {
                result.append(character)
                continue
            }
            switch iterator.next() {
            case "\\": result.append("\\")
            case "n": result.append("\n")
            case "r": result.append("\r")
            default: return nil
            }
        }
        return result
    }
}
