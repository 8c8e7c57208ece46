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
