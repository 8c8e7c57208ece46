/// Makefile recipes: tab-indented lines with continuations, `$$` for `$`,
/// make's own `$(VAR)` references kept as plain words, `@`/`-`/`+` prefixes
/// dropped. Each line runs in its own `sh -c` without `-e`, and make stops at
/// the first line that fails, unless the line starts with `-`.
enum Makefile {
    static func lint(_ bytes: [UInt8], into collector: inout LintEngine.Collector) {
        let lines = SourceLines(bytes).lines
        var state = DownloadFlowState()
        var index = 0
        while index < lines.count {
            let line = lines[index]
            index += 1
            guard line.bytes.first == UInt8(ascii: "\t") else {
                // A new rule starts a new recipe context.
                if !line.bytes.isEmpty && line.bytes.first != UInt8(ascii: "#") && line.bytes.contains(UInt8(ascii: ":")) {
                    state = DownloadFlowState()
                }
                continue
            }
            var text = MappedText()
            var current = line
            var first = true
            var ignoresErrors = false
            while true {
                var content = current.bytes
                var column = 1
                if content.first == UInt8(ascii: "\t") {
                    content = content.dropFirst()
                    column += 1
                }
                if first {
                    while let prefix = content.first, prefix == UInt8(ascii: "@") || prefix == UInt8(ascii: "-") || prefix == UInt8(ascii: "+") {
                        if prefix == UInt8(ascii: "-") { ignoresErrors = true }
                        content = content.dropFirst()
                        column += 1
                    }
                }
                appendRecipe(content, line: current.number, column: column, to: &text)
                first = false
                guard current.bytes.endsWithContinuation, index < lines.count else { break }
                text.appendSynthetic(UInt8(ascii: "\n"))
                current = lines[index]
                index += 1
            }
            state.startProcess(errexit: false)
            collector.shell(text, state: &state, failsClosed: !ignoresErrors)
        }
    }

    /// Copies a recipe line, turning `$$` into `$` and `$(NAME)`/`${NAME}` into a plain word.
    private static func appendRecipe(_ content: ArraySlice<UInt8>, line: Int, column: Int, to text: inout MappedText) {
        var runStart = content.startIndex
        var cursor = content.startIndex
        func flush(upTo end: Int) {
            if end > runStart { text.append(content[runStart..<end], line: line, column: column + (runStart - content.startIndex)) }
        }
        while cursor < content.endIndex {
            guard content[cursor] == UInt8(ascii: "$"), cursor + 1 < content.endIndex else {
                cursor += 1
                continue
            }
            let next = content[cursor + 1]
            if next == UInt8(ascii: "$") {
                flush(upTo: cursor + 1)
                cursor += 2
                runStart = cursor
            } else if next == UInt8(ascii: "(") || next == UInt8(ascii: "{") {
                let close = next == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "}")
                var end = cursor + 2
                var level = 1
                while end < content.endIndex, level > 0 {
                    if content[end] == next { level += 1 }
                    if content[end] == close { level -= 1 }
                    end += 1
                }
                flush(upTo: cursor)
                let reference = content[cursor..<end].map { $0 == UInt8(ascii: " ") || $0 == next || $0 == close ? UInt8(ascii: "_") : $0 }
                text.append(reference.dropFirst(), line: line, column: column + (cursor - content.startIndex) + 1)
                cursor = end
                runStart = cursor
            } else {
                cursor += 1
            }
        }
        flush(upTo: content.endIndex)
    }
}
