/// Physical lines of a file as byte ranges, CR removed, with 1-based numbers.
struct SourceLines {
    struct Line {
        let number: Int
        let bytes: ArraySlice<UInt8>
    }

    let lines: [Line]

    init(_ bytes: [UInt8]) {
        var lines: [Line] = []
        var start = 0
        var number = 1
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            var slice = bytes[start..<end]
            if slice.last == UInt8(ascii: "\r") { slice = slice.dropLast() }
            lines.append(Line(number: number, bytes: slice))
            number += 1
            start = end + 1
        }
        self.lines = lines
    }

    /// The offset of each line's first byte: 0, and every offset just past a newline.
    static func starts(of bytes: [UInt8]) -> [Int] {
        [0] + offsets(of: UInt8(ascii: "\n"), in: bytes).map { $0 + 1 }
    }
}

extension RandomAccessCollection where Element == UInt8, Index == Int {
    /// Where `needle` first occurs at or after `start`, by the `memchr`
    /// search (a whole file for lint's ignore marker, a line, a command).
    func firstOffset(of needle: [UInt8], from start: Int? = nil) -> Int? {
        let from = start ?? startIndex
        guard from >= startIndex, from <= endIndex else { return nil }
        func search(_ buffer: UnsafeBufferPointer<UInt8>) -> Int? {
            let rest = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[(from - startIndex)...])
            return ScriptPinKit.firstOffset(of: needle, in: rest).map { $0 + from }
        }
        return withContiguousStorageIfAvailable(search) ?? Array(self).withUnsafeBufferPointer(search)
    }
}

extension ArraySlice<UInt8> {
    func trimmingLeadingBlanks() -> (ArraySlice<UInt8>, Int) {
        var result = self
        var count = 0
        while let first = result.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            result = result.dropFirst()
            count += 1
        }
        return (result, count)
    }

    var endsWithContinuation: Bool {
        var result = self
        while let last = result.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { result = result.dropLast() }
        return result.last == UInt8(ascii: "\\")
    }
}
