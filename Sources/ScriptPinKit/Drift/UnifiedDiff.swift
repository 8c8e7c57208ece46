/// A line diff in the shape of `diff -u`, so that a reviewer reads a changed
/// script the way they read any patch.
public struct UnifiedDiff: Sendable {
    /// Lines of context around each change, as `diff -u` uses.
    public static let contextLines = 3
    /// Above this many lines on either side the diff is not computed: the
    /// Myers algorithm is quadratic in the worst case, and no reviewer reads
    /// a hundred-thousand-line script diff anyway.
    public static let maximumLines = 100_000

    public enum Operation: Equatable, Sendable {
        case same(old: Int, new: Int)
        case removed(old: Int)
        case added(new: Int)
    }

    public let oldLines: [Substring]
    public let newLines: [Substring]
    public let operations: [Operation]

    public init?(old: String, new: String) {
        oldLines = Self.lines(old)
        newLines = Self.lines(new)
        guard oldLines.count <= Self.maximumLines, newLines.count <= Self.maximumLines else { return nil }
        operations = Self.myers(oldLines, newLines)
    }

    /// 1-based line numbers, in the new text, of every added line.
    public var addedLineNumbers: [Int] {
        operations.compactMap { if case .added(let new) = $0 { new + 1 } else { nil } }
    }

    public func render(oldLabel: String, newLabel: String) -> String {
        var output = "--- \(oldLabel)\n+++ \(newLabel)\n"
        let changes = operations.indices.filter { if case .same = operations[$0] { false } else { true } }
        guard !changes.isEmpty else { return output }
        var index = 0
        while index < changes.count {
            var end = index
            // Hunks whose changes are at most 2 × context unchanged lines apart are one hunk, as in diff -u.
            while end + 1 < changes.count && changes[end + 1] - changes[end] <= 2 * Self.contextLines + 1 { end += 1 }
            let first = max(0, changes[index] - Self.contextLines)
            let last = min(operations.count - 1, changes[end] + Self.contextLines)
            output += hunk(operations[first...last])
            index = end + 1
        }
        return output
    }

    private func hunk(_ slice: ArraySlice<Operation>) -> String {
        var oldStart: Int?
        var newStart: Int?
        var oldCount = 0
        var newCount = 0
        var body = ""
        for operation in slice {
            switch operation {
            case .same(let old, let new):
                oldStart = oldStart ?? old
                newStart = newStart ?? new
                oldCount += 1
                newCount += 1
                body += " \(oldLines[old])\n"
            case .removed(let old):
                oldStart = oldStart ?? old
                oldCount += 1
                body += "-\(oldLines[old])\n"
            case .added(let new):
                newStart = newStart ?? new
                newCount += 1
                body += "+\(newLines[new])\n"
            }
        }
        // diff -u numbers an empty side by the line before it.
        let oldPosition = oldCount == 0 ? (oldStart ?? precedingOld(slice)) : oldStart! + 1
        let newPosition = newCount == 0 ? (newStart ?? precedingNew(slice)) : newStart! + 1
        return "@@ -\(range(oldPosition, oldCount)) +\(range(newPosition, newCount)) @@\n" + body
    }

    private func precedingOld(_ slice: ArraySlice<Operation>) -> Int {
        operations[..<slice.startIndex].reduce(0) { count, operation in
            if case .added = operation { return count }
            return count + 1
        }
    }

    private func precedingNew(_ slice: ArraySlice<Operation>) -> Int {
        operations[..<slice.startIndex].reduce(0) { count, operation in
            if case .removed = operation { return count }
            return count + 1
        }
    }

    private func range(_ start: Int, _ count: Int) -> String {
        count == 1 ? "\(start)" : "\(start),\(count)"
    }

    /// Split on LF alone, as `diff` does: a CR before it stays part of the
    /// line (Swift's Character splitting would treat CRLF as one separator-less character).
    static func lines(_ text: String) -> [Substring] {
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { Substring($0) }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// Eugene Myers' O(ND) shortest edit script, with the trace kept to walk back.
    private static func myers(_ old: [Substring], _ new: [Substring]) -> [Operation] {
        let n = old.count
        let m = new.count
        let maximum = n + m
        var frontier = [Int](repeating: 0, count: 2 * maximum + 2)
        var trace: [[Int]] = []
        var found = false
        for depth in 0...max(maximum, 0) {
            trace.append(frontier)
            for diagonal in stride(from: -depth, through: depth, by: 2) {
                let index = diagonal + maximum
                var x: Int
                if diagonal == -depth || (diagonal != depth && frontier[index - 1] < frontier[index + 1]) {
                    x = frontier[index + 1]
                } else {
                    x = frontier[index - 1] + 1
                }
                var y = x - diagonal
                while x < n && y < m && old[x] == new[y] {
                    x += 1
                    y += 1
                }
                frontier[index] = x
                if x >= n && y >= m {
                    found = true
                    break
                }
            }
            if found { break }
        }
        trace.append(frontier)
        var operations: [Operation] = []
        var x = n
        var y = m
        for depth in stride(from: trace.count - 2, through: 0, by: -1) {
            let previous = trace[depth]
            let diagonal = x - y
            let index = diagonal + maximum
            let previousDiagonal: Int
            if diagonal == -depth || (diagonal != depth && previous[index - 1] < previous[index + 1]) {
                previousDiagonal = diagonal + 1
            } else {
                previousDiagonal = diagonal - 1
            }
            let previousX = depth == 0 ? 0 : previous[previousDiagonal + maximum]
            let previousY = previousX - previousDiagonal
            while x > previousX && y > previousY {
                x -= 1
                y -= 1
                operations.append(.same(old: x, new: y))
            }
            if depth > 0 {
                if x == previousX {
                    y -= 1
                    operations.append(.added(new: y))
                } else {
                    x -= 1
                    operations.append(.removed(old: x))
                }
            }
        }
        while x > 0 && y > 0 {
            x -= 1
            y -= 1
            operations.append(.same(old: x, new: y))
        }
        return operations.reversed()
    }
}

/// A unified diff for people: hiding controls escaped on every line, added
/// lines green and removed lines red on a terminal.
func colouredDiff(_ diff: String, reporter: any Reporter) -> String {
    UnifiedDiff.lines(diff).map { line -> String in
        let shown = VisibleText.escape(line)
        if line.hasPrefix("+") && !line.hasPrefix("+++") { return reporter.styled(shown, .green) }
        if line.hasPrefix("-") && !line.hasPrefix("---") { return reporter.styled(shown, .red) }
        if line.hasPrefix("@@") { return reporter.styled(shown, .cyan) }
        return shown
    }.joined(separator: "\n") + "\n"
}
