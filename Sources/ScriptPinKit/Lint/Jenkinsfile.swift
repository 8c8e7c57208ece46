/// Jenkinsfiles: the shell code of `sh` steps, in every string form Groovy
/// gives it (`sh 'cmd'`, `sh "cmd"`, `sh '''…'''`, `sh """…"""`,
/// `sh(script: '…')`, `sh label: 'x', script: "…"`), mapped back to the
/// file. Jenkins runs each with `sh -xe`, so it stops at its first failing
/// command; the steps of a pipeline share the workspace.
enum Jenkinsfile {
    static func lint(_ bytes: [UInt8], into collector: inout LintEngine.Collector) {
        var state = DownloadFlowState(errexit: true)
        let lineStarts = SourceLines.starts(of: bytes)
        var cursor = 0
        while let step = nextShStep(in: bytes, from: cursor) {
            cursor = step.end
            guard let code = step.code else {
                let position = position(of: step.start, lineStarts: lineStarts)
                collector.notChecked(line: position.line, column: position.column, "this sh step's script is not a string literal lint can read; it was not checked")
                continue
            }
            state.startProcess(errexit: true)
            collector.shell(code.mapped(in: bytes, lineStarts: lineStarts), state: &state, failsClosed: true)
        }
    }

    /// One string literal's content: runs of file bytes, escapes resolved.
    struct StringContent {
        var pieces: [(offset: Int, bytes: [UInt8])] = []

        func mapped(in file: [UInt8], lineStarts: [Int]) -> MappedText {
            var text = MappedText()
            for piece in pieces where !piece.bytes.isEmpty {
                // Each piece's lines are appended with the file position of their first byte.
                var start = 0
                for (index, byte) in piece.bytes.enumerated() where byte == UInt8(ascii: "\n") {
                    let position = Jenkinsfile.position(of: piece.offset + start, lineStarts: lineStarts)
                    text.append(piece.bytes[start...index], line: position.line, column: position.column)
                    start = index + 1
                }
                if start < piece.bytes.count {
                    let position = Jenkinsfile.position(of: piece.offset + start, lineStarts: lineStarts)
                    text.append(piece.bytes[start...], line: position.line, column: position.column)
                }
            }
            return text
        }
    }

    struct Step {
        let start: Int
        let end: Int
        /// nil when the script is not a literal (a variable, a concatenation).
        let code: StringContent?
    }

    /// The next `sh` step at or after `from`, outside comments and other strings.
    static func nextShStep(in bytes: [UInt8], from start: Int) -> Step? {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "/") {
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            }
            if byte == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "*") {
                index += 2
                while index + 1 < bytes.count, !(bytes[index] == UInt8(ascii: "*") && bytes[index + 1] == UInt8(ascii: "/")) { index += 1 }
                index += 2
                continue
            }
            if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                index = readString(bytes, at: index)?.end ?? bytes.count
                continue
            }
            let isWordStart = index == 0 || !isIdentifierByte(bytes[index - 1])
            if isWordStart, byte == UInt8(ascii: "s"), index + 2 <= bytes.count, bytes[index + 1] == UInt8(ascii: "h"),
               index + 2 == bytes.count || !isIdentifierByte(bytes[index + 2]) {
                if let step = shArgument(bytes, after: index + 2, stepStart: index) { return step }
            }
            index += 1
        }
        return nil
    }

    /// After `sh`: blanks, an optional `(`, then the script: a string, or the string after `script:`.
    private static func shArgument(_ bytes: [UInt8], after start: Int, stepStart: Int) -> Step? {
        var index = skipBlanks(bytes, start)
        if index < bytes.count, bytes[index] == UInt8(ascii: "(") { index = skipBlanks(bytes, index + 1) }
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "'") || bytes[index] == UInt8(ascii: "\"") {
            guard let string = readString(bytes, at: index) else { return nil }
            return Step(start: stepStart, end: string.end, code: string.content)
        }
        // Named arguments: the `script:` one, wherever it stands among them on the step's line or lines.
        guard isIdentifierByte(bytes[index]) else { return nil }
        var cursor = index
        while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "\n") || bytes[cursor - 1] == UInt8(ascii: ",") {
            if bytes[cursor...].starts(with: Array("script:".utf8)), cursor == index || !isIdentifierByte(bytes[cursor - 1]) {
                let value = skipBlanks(bytes, cursor + "script:".utf8.count)
                guard value < bytes.count, bytes[value] == UInt8(ascii: "'") || bytes[value] == UInt8(ascii: "\"") else {
                    return Step(start: stepStart, end: value, code: nil)
                }
                guard let string = readString(bytes, at: value) else { return nil }
                return Step(start: stepStart, end: string.end, code: string.content)
            }
            if bytes[cursor] == UInt8(ascii: "'") || bytes[cursor] == UInt8(ascii: "\"") {
                cursor = readString(bytes, at: cursor)?.end ?? bytes.count
                continue
            }
            cursor += 1
        }
        return nil
    }

    /// A Groovy string literal at `start` (`'…'`, `"…"`, `'''…'''`, `"""…"""`): its content and where it ends.
    static func readString(_ bytes: [UInt8], at start: Int) -> (content: StringContent, end: Int)? {
        let quote = bytes[start]
        let triple = start + 2 < bytes.count && bytes[start + 1] == quote && bytes[start + 2] == quote
        var index = start + (triple ? 3 : 1)
        var content = StringContent()
        var run: [UInt8] = []
        var runStart = index
        func flush() {
            content.pieces.append((runStart, run))
            run = []
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote && (!triple || (index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote)) {
                flush()
                return (content, index + (triple ? 3 : 1))
            }
            if byte == UInt8(ascii: "\n") && !triple { return nil }
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                // `\$`, `\\`, `\'`, `\"`: the escaped byte is what the shell sees; a line continuation vanishes.
                flush()
                let escaped = bytes[index + 1]
                index += 2
                runStart = index
                if escaped != UInt8(ascii: "\n") { content.pieces.append((index - 1, [escaped])) }
                continue
            }
            run.append(byte)
            index += 1
        }
        return nil
    }

    private static func skipBlanks(_ bytes: [UInt8], _ start: Int) -> Int {
        var index = start
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
        return index
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        ShellScanner.isNameByte(byte) || byte == UInt8(ascii: "$")
    }

    static func position(of offset: Int, lineStarts: [Int]) -> (line: Int, column: Int) {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return (low + 1, offset - lineStarts[low] + 1)
    }
}
