/// Dockerfiles: `RUN` in shell form with continuations, exec form running
/// `sh -c`, BuildKit heredocs, and `ADD URL` downloads; a download in one
/// `RUN` (or `ADD`) and its execution in a later one are tracked per stage.
enum Dockerfile {
    /// `ADD URL`, for the scan that decides whether a Dockerfile is read at all.
    static let scanWords = [KnownCommand.ScanWord(word: "ADD", anchor: 1)]

    static func lint(_ bytes: [UInt8], into collector: inout LintEngine.Collector) {
        let lines = SourceLines(bytes).lines
        var state = DownloadFlowState()
        var powershell = false
        var index = 0
        while index < lines.count {
            let line = lines[index]
            let (content, indent) = line.bytes.trimmingLeadingBlanks()
            index += 1
            guard !content.isEmpty, content.first != UInt8(ascii: "#") else { continue }
            let keywordEnd = content.firstIndex(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) ?? content.endIndex
            let keyword = String(decoding: content[content.startIndex..<keywordEnd], as: UTF8.self).uppercased()
            // The instruction's text, continuation lines included, comment lines inside it dropped.
            var text = MappedText()
            var (rest, restIndent) = content[keywordEnd...].trimmingLeadingBlanks()
            var restColumn = indent + (keywordEnd - content.startIndex) + restIndent + 1
            var current = line
            while true {
                text.append(rest, line: current.number, column: restColumn)
                guard current.bytes.endsWithContinuation, index < lines.count else { break }
                text.appendSynthetic(UInt8(ascii: "\n"))
                // Comment lines and blank lines inside a continuation are dropped, as Docker does.
                while index < lines.count, lines[index].bytes.trimmingLeadingBlanks().0.first.map({ $0 == UInt8(ascii: "#") }) ?? true { index += 1 }
                guard index < lines.count else { break }
                current = lines[index]
                index += 1
                rest = current.bytes
                restColumn = 1
            }
            switch keyword {
            case "FROM":
                state = DownloadFlowState()
            case "SHELL":
                powershell = String(decoding: text.bytes, as: UTF8.self).lowercased().contains("pwsh")
                    || String(decoding: text.bytes, as: UTF8.self).lowercased().contains("powershell")
            case "ADD":
                recordAdd(text, state: &state)
            case "RUN":
                // Each `RUN` is a new shell process.
                state.startProcess(errexit: false)
                collector.instructionLine = line.number
                run(text, lines: lines, index: &index, state: &state, powershell: powershell, into: &collector)
                collector.instructionLine = nil
            default:
                break
            }
        }
    }

    /// `ADD https://… /dest` writes a download to the image unless `--checksum` pins it.
    private static func recordAdd(_ text: MappedText, state: inout DownloadFlowState) {
        let words = String(decoding: text.bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\\" }).map(String.init)
        guard !words.contains(where: { $0.hasPrefix("--checksum") }) else { return }
        let operands = words.filter { !$0.hasPrefix("--") }
        guard operands.count >= 2, let destination = operands.last else { return }
        for source in operands.dropLast() where source.contains("://") {
            let name = source.split(separator: "/").last.map(String.init) ?? ""
            let path = destination.hasSuffix("/") ? destination + name : destination
            state.record(path, Download(tool: "ADD", url: source, offset: 0))
        }
    }

    private static func run(
        _ text: MappedText, lines: [SourceLines.Line], index: inout Int, state: inout DownloadFlowState, powershell: Bool,
        into collector: inout LintEngine.Collector
    ) {
        var body = text.bytes[...]
        var offset = 0
        // RUN --mount=… --network=… flags come before the command.
        while body.starts(with: Array("--".utf8)) {
            while let first = body.first, first != UInt8(ascii: " ") && first != UInt8(ascii: "\t") {
                body = body.dropFirst()
                offset += 1
            }
            let (trimmed, blanks) = body.trimmingLeadingBlanks()
            body = trimmed
            offset += blanks
        }
        if body.starts(with: Array("<<".utf8)) {
            heredoc(body, at: offset, text: text, lines: lines, index: &index, state: &state, into: &collector)
            return
        }
        // `RUN bash <<'EOS'`: a heredoc given to a command; the shell reads the lines up to the delimiter as its body.
        if !powershell, let delimiter = heredocDelimiter(in: body) {
            var script = remap(text, from: offset, length: body.count)
            script.appendSynthetic(UInt8(ascii: "\n"))
            while index < lines.count {
                let line = lines[index]
                index += 1
                script.append(line.bytes, line: line.number, column: 1)
                script.appendSynthetic(UInt8(ascii: "\n"))
                if String(decoding: line.bytes.trimmingLeadingBlanks().0, as: UTF8.self) == delimiter { break }
            }
            collector.shell(script, state: &state, failsClosed: true)
            return
        }
        // Docker reads `RUN [` as exec form only when it is a JSON array of strings; `RUN [[ … ]]` is shell.
        if body.first == UInt8(ascii: "["), isJSONStringArray(body) {
            execForm(body, at: offset, text: text, state: &state, into: &collector)
            return
        }
        if powershell {
            collector.powershell(remap(text, from: offset, length: body.count), state: &state)
        } else {
            collector.shell(remap(text, from: offset, length: body.count), state: &state, failsClosed: true)
        }
    }

    /// The part of `text` from `offset`, keeping its positions.
    private static func remap(_ text: MappedText, from offset: Int, length: Int) -> MappedText {
        var result = MappedText()
        var cursor = offset
        while cursor < offset + length {
            let position = text.position(of: cursor)
            var end = cursor + 1
            while end < offset + length, text.bytes[end - 1] != UInt8(ascii: "\n") { end += 1 }
            result.append(text.bytes[cursor..<end], line: position.line, column: position.column)
            cursor = end
        }
        return result
    }

    /// The delimiter of the first heredoc (`<<EOS`, `<<-'EOS'`, `<< "EOS"`) in a RUN's command line, outside quotes; nil when there is none.
    private static func heredocDelimiter(in body: ArraySlice<UInt8>) -> String? {
        var cursor = body.startIndex
        var quote: UInt8?
        while cursor < body.endIndex {
            let byte = body[cursor]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                quote = byte
            } else if byte == UInt8(ascii: "\n") {
                return nil
            } else if byte == UInt8(ascii: "<"), body[cursor...].starts(with: Array("<<".utf8)), !body[cursor...].starts(with: Array("<<<".utf8)) {
                var word = body[(cursor + 2)...].drop { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: " ") }
                if let first = word.first, first == UInt8(ascii: "'") || first == UInt8(ascii: "\"") { word = word.dropFirst() }
                let name = word.prefix { ShellScanner.isNameByte($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
                return name.isEmpty ? nil : String(decoding: name, as: UTF8.self)
            }
            cursor += 1
        }
        return nil
    }

    /// `RUN <<EOF` … `EOF`: the body is the script, run by /bin/sh or by the command after the marker.
    private static func heredoc(
        _ body: ArraySlice<UInt8>, at offset: Int, text: MappedText, lines: [SourceLines.Line], index: inout Int,
        state: inout DownloadFlowState, into collector: inout LintEngine.Collector
    ) {
        let header = String(decoding: body, as: UTF8.self)
        let words = header.split(separator: " ")
        var delimiter = String(words.first?.dropFirst(2) ?? "")
        if delimiter.hasPrefix("-") { delimiter.removeFirst() }
        delimiter = delimiter.trimmingCharacters(in: "'\"")
        let runner = words.dropFirst().first.map(String.init) ?? "sh"
        var script = MappedText()
        while index < lines.count {
            let line = lines[index]
            index += 1
            if String(decoding: line.bytes.trimmingLeadingBlanks().0, as: UTF8.self) == delimiter { break }
            script.append(line.bytes, line: line.number, column: 1)
            script.appendSynthetic(UInt8(ascii: "\n"))
        }
        if ShellCommands.isShellFamily(runner) { collector.shell(script, state: &state, failsClosed: true) }
    }

    /// `[ "a", "b" ]`: strings with JSON escapes, commas between, nothing after the `]`.
    static func isJSONStringArray(_ body: ArraySlice<UInt8>) -> Bool {
        var cursor = body.startIndex + 1
        func skipSpace() {
            while cursor < body.endIndex, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(body[cursor]) { cursor += 1 }
        }
        skipSpace()
        if cursor < body.endIndex, body[cursor] == UInt8(ascii: "]") {
            cursor += 1
        } else {
            while true {
                guard cursor < body.endIndex, body[cursor] == UInt8(ascii: "\"") else { return false }
                cursor += 1
                while cursor < body.endIndex, body[cursor] != UInt8(ascii: "\"") {
                    cursor += body[cursor] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard cursor < body.endIndex else { return false }
                cursor += 1
                skipSpace()
                guard cursor < body.endIndex else { return false }
                if body[cursor] == UInt8(ascii: "]") {
                    cursor += 1
                    break
                }
                guard body[cursor] == UInt8(ascii: ",") else { return false }
                cursor += 1
                skipSpace()
            }
        }
        skipSpace()
        return cursor >= body.endIndex
    }

    /// `RUN ["sh", "-c", "curl … | sh"]` runs its third element as shell;
    /// other exec forms run a program with arguments, read as one command.
    private static func execForm(
        _ body: ArraySlice<UInt8>, at offset: Int, text: MappedText, state: inout DownloadFlowState, into collector: inout LintEngine.Collector
    ) {
        var elements: [(String, Int)] = []
        var cursor = body.startIndex
        while cursor < body.endIndex {
            guard body[cursor] == UInt8(ascii: "\"") else {
                cursor += 1
                continue
            }
            let start = cursor + 1
            var value: [UInt8] = []
            cursor += 1
            while cursor < body.endIndex, body[cursor] != UInt8(ascii: "\"") {
                if body[cursor] == UInt8(ascii: "\\"), cursor + 1 < body.endIndex {
                    cursor += 1
                }
                value.append(body[cursor])
                cursor += 1
            }
            elements.append((String(decoding: value, as: UTF8.self), offset + (start - body.startIndex)))
            cursor += 1
        }
        guard let program = elements.first else { return }
        let name = String(program.0.split(separator: "/").last ?? "")
        if ShellCommands.isShellFamily(name), elements.count >= 3, elements[1].0 == "-c" || elements[1].0.hasSuffix("c") && elements[1].0.hasPrefix("-") {
            let position = text.position(of: elements[2].1)
            var script = MappedText()
            script.append(Array(elements[2].0.utf8), line: position.line, column: position.column)
            collector.shell(script, state: &state, failsClosed: true)
            return
        }
        var command = MappedText()
        for (element, elementOffset) in elements {
            let position = text.position(of: elementOffset)
            command.append(Array(ShellQuoting.quote(element).utf8), line: position.line, column: max(1, position.column - 1))
            command.appendSynthetic(UInt8(ascii: " "))
        }
        collector.shell(command, state: &state, failsClosed: true)
    }
}

extension String {
    /// Without the characters of `set` at either end.
    func trimmingCharacters(in set: String) -> String {
        var result = Substring(self)
        while let first = result.first, set.contains(first) { result = result.dropFirst() }
        while let last = result.last, set.contains(last) { result = result.dropLast() }
        return String(result)
    }
}
