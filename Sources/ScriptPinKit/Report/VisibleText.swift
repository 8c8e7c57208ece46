/// Text from the network or from a script, made safe to show on a terminal
/// or in a CI log. A changed upstream script can carry `ESC[1A ESC[2K` or a
/// carriage return that erases the line a reviewer is reading, or a
/// bidirectional override that reorders it ("Trojan Source"); shown raw, the
/// reviewer approves a backdoor while looking at a clean diff. Every such
/// character is written as a visible escape instead.
public enum VisibleText {
    /// `text` with every hiding control replaced by `\r`, `\x1b`, `\u202e`, …;
    /// newlines and tabs are kept, everything else is unchanged.
    public static func escape<Text: StringProtocol>(_ text: Text) -> String {
        guard text.unicodeScalars.contains(where: { isHiding($0) }) else { return String(text) }
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 8)
        for scalar in text.unicodeScalars {
            guard isHiding(scalar) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            result += escapeSequence(for: scalar)
        }
        return result
    }

    /// Bytes that should be text (a file name from git): valid UTF-8 as
    /// `escape` shows it, each byte that is not UTF-8 as `\xNN`.
    public static func escape(bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return escape(text) }
        var result = ""
        var start = 0
        while start < bytes.count {
            var end = bytes.count
            // The longest prefix that decodes; the byte after it is shown as hex.
            while end > start, String(validating: bytes[start..<end], as: UTF8.self) == nil { end -= 1 }
            result += escape(String(decoding: bytes[start..<end], as: UTF8.self))
            if end < bytes.count {
                result += "\\x" + hex(UInt32(bytes[end]), digits: 2)
            }
            start = end + 1
        }
        return result
    }

    /// Whether a line holds a control that can hide or reorder text on a
    /// terminal. A single carriage return at the end of a CRLF line moves the
    /// cursor to where the next line starts anyway, so it alone does not count.
    public static func containsHidingControls<Text: StringProtocol>(_ line: Text) -> Bool {
        var scalars = Substring(line).unicodeScalars[...]
        if scalars.last == "\r" { scalars = scalars.dropLast() }
        return scalars.contains(where: { isHiding($0) })
    }

    /// C0 controls other than newline and tab, DEL, C1 controls, and the
    /// Unicode bidirectional embeddings, overrides and isolates.
    static func isHiding(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: false
        case 0x00...0x1F, 0x7F, 0x80...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    private static func escapeSequence(for scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x0D: return "\\r"
        case 0x08: return "\\b"
        case 0x0B: return "\\v"
        case 0x0C: return "\\f"
        case 0x00...0x7F: return "\\x" + hex(scalar.value, digits: 2)
        default: return "\\u" + hex(scalar.value, digits: 4)
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
