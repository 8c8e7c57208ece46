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

/// Dockerfiles: `RUN` in shell form with continuations, exec form running
/// `sh -c`, BuildKit heredocs, and `ADD URL` downloads; a download in one
/// `RUN` (or `ADD`) and its execution in a later one are tracked per stage.
enum Dockerfile {
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
                while index < lines.count, lines[index].bytes.trimmingLeadingBlanks().0.first == UInt8(ascii: "#") { index += 1 }
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
                recordAdd(text, state: state)
            case "RUN":
                run(text, lines: lines, index: &index, state: state, powershell: powershell, into: &collector)
            default:
                break
            }
        }
    }

    /// `ADD https://… /dest` writes a download to the image unless `--checksum` pins it.
    private static func recordAdd(_ text: MappedText, state: DownloadFlowState) {
        let words = String(decoding: text.bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\\" }).map(String.init)
        guard !words.contains(where: { $0.hasPrefix("--checksum") }) else { return }
        let operands = words.filter { !$0.hasPrefix("--") }
        guard operands.count >= 2, let destination = operands.last else { return }
        for source in operands.dropLast() where source.contains("://") {
            let name = source.split(separator: "/").last.map(String.init) ?? ""
            let path = destination.hasSuffix("/") ? destination + name : destination
            state.downloadedFiles[normalized(path)] = Download(tool: "ADD", url: source, offset: 0)
        }
    }

    private static func run(
        _ text: MappedText, lines: [SourceLines.Line], index: inout Int, state: DownloadFlowState, powershell: Bool,
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
            heredoc(body, at: offset, text: text, lines: lines, index: &index, state: state, into: &collector)
            return
        }
        if body.first == UInt8(ascii: "[") {
            execForm(body, at: offset, text: text, state: state, into: &collector)
            return
        }
        if powershell {
            collector.powershell(remap(text, from: offset, length: body.count))
        } else {
            collector.shell(remap(text, from: offset, length: body.count), state: state, failsClosed: true)
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

    /// `RUN <<EOF` … `EOF`: the body is the script, run by /bin/sh or by the command after the marker.
    private static func heredoc(
        _ body: ArraySlice<UInt8>, at offset: Int, text: MappedText, lines: [SourceLines.Line], index: inout Int,
        state: DownloadFlowState, into collector: inout LintEngine.Collector
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
        if ShellCommands.isShellFamily(runner) { collector.shell(script, state: state, failsClosed: true) }
    }

    /// `RUN ["sh", "-c", "curl … | sh"]` runs its third element as shell;
    /// other exec forms run a program with arguments, read as one command.
    private static func execForm(
        _ body: ArraySlice<UInt8>, at offset: Int, text: MappedText, state: DownloadFlowState, into collector: inout LintEngine.Collector
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
            collector.shell(script, state: state, failsClosed: true)
            return
        }
        var command = MappedText()
        for (element, elementOffset) in elements {
            let position = text.position(of: elementOffset)
            command.append(Array(shellQuoted(element).utf8), line: position.line, column: max(1, position.column - 1))
            command.appendSynthetic(UInt8(ascii: " "))
        }
        collector.shell(command, state: state, failsClosed: true)
    }

    private static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingAll("'", "'\\''") + "'"
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var result = Substring(self)
        while let first = result.first, set.contains(first) { result = result.dropFirst() }
        while let last = result.last, set.contains(last) { result = result.dropLast() }
        return String(result)
    }
}

/// GitHub Actions workflows and composite actions, GitLab CI pipelines.
enum CIFiles {
    static func lintGitHub(_ bytes: [UInt8], into collector: inout LintEngine.Collector) {
        guard let root = read(bytes, into: &collector) else { return }
        let defaultShell = root["defaults"]?["run"]?["shell"]?.scalar?.string
        if let runs = root["runs"] {
            job(runs, defaultShell: defaultShell, into: &collector)
        }
        for entry in root["jobs"]?.entries ?? [] {
            let jobShell = entry.value["defaults"]?["run"]?["shell"]?.scalar?.string ?? defaultShell
            job(entry.value, defaultShell: jobShell, into: &collector)
        }
    }

    /// Steps of one job share a workspace: a file downloaded in one step and run in a later one is found.
    private static func job(_ job: YAMLNode, defaultShell: String?, into collector: inout LintEngine.Collector) {
        // The runner's default `bash -e {0}` stops a step at its first failing command.
        let state = DownloadFlowState(errexit: true)
        for step in job["steps"]?.items ?? [] {
            guard let run = step["run"]?.scalar else { continue }
            let shell = (step["shell"]?.scalar?.string ?? defaultShell ?? "bash").lowercased()
            if shell.hasPrefix("pwsh") || shell.hasPrefix("powershell") {
                collector.powershell(run.text)
            } else if shell.hasPrefix("bash") || shell.hasPrefix("sh") {
                collector.shell(run.text, state: state, failsClosed: true)
            }
        }
    }

    private static let gitlabReserved: Set<String> = ["stages", "variables", "include", "workflow", "image", "services", "cache", "default"]

    static func lintGitLab(_ bytes: [UInt8], into collector: inout LintEngine.Collector) {
        guard let root = read(bytes, into: &collector) else { return }
        let defaults = root["default"]
        let globalBefore = defaults?["before_script"] ?? root["before_script"]
        let globalAfter = defaults?["after_script"] ?? root["after_script"]
        for entry in root.entries where !gitlabReserved.contains(entry.key) {
            guard entry.value["script"] != nil else { continue }
            // GitLab stops a job at the first failing script line.
            let state = DownloadFlowState(errexit: true)
            for key in ["before_script", "script", "after_script"] {
                let node = entry.value[key] ?? (key == "before_script" ? globalBefore : key == "after_script" ? globalAfter : nil)
                guard let node else { continue }
                let lines = node.items.isEmpty ? [node] : node.items
                for line in lines {
                    guard let scalar = line.scalar else { continue }
                    collector.shell(scalar.text, state: state, failsClosed: true)
                }
            }
        }
    }

    private static func read(_ bytes: [UInt8], into collector: inout LintEngine.Collector) -> YAMLNode? {
        switch YAMLReader.read(bytes) {
        case .success(let node):
            return node
        case .failure(let error):
            collector.problem(line: error.line, column: error.column, "cannot read this YAML: \(error.message); it was not checked")
            return nil
        }
    }
}

/// Makefile recipes: tab-indented lines with continuations, `$$` for `$`,
/// make's own `$(VAR)` references kept as plain words, `@`/`-`/`+` prefixes dropped.
enum Makefile {
    static func lint(_ bytes: [UInt8], into collector: inout LintEngine.Collector) {
        let lines = SourceLines(bytes).lines
        var state = DownloadFlowState(errexit: true)
        var index = 0
        while index < lines.count {
            let line = lines[index]
            index += 1
            guard line.bytes.first == UInt8(ascii: "\t") else {
                // A new rule starts a new recipe context.
                if !line.bytes.isEmpty && line.bytes.first != UInt8(ascii: "#") && line.bytes.contains(UInt8(ascii: ":")) {
                    state = DownloadFlowState(errexit: true)
                }
                continue
            }
            var text = MappedText()
            var current = line
            var first = true
            while true {
                var content = current.bytes
                var column = 1
                if content.first == UInt8(ascii: "\t") {
                    content = content.dropFirst()
                    column += 1
                }
                if first {
                    while let prefix = content.first, prefix == UInt8(ascii: "@") || prefix == UInt8(ascii: "-") || prefix == UInt8(ascii: "+") {
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
            collector.shell(text, state: state, failsClosed: true)
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

/// Fenced shell code blocks in Markdown (with `--include-docs`); `console`
/// blocks keep only the lines after a `$ ` prompt.
enum Markdown {
    private static let shellLanguages: Set<String> = ["sh", "bash", "shell", "zsh", "console", "shell-session"]

    static func lint(_ bytes: [UInt8], into collector: inout LintEngine.Collector) {
        let lines = SourceLines(bytes).lines
        var index = 0
        while index < lines.count {
            let (content, _) = lines[index].bytes.trimmingLeadingBlanks()
            index += 1
            guard content.starts(with: Array("```".utf8)) || content.starts(with: Array("~~~".utf8)) else { continue }
            let fence = content.prefix(3)
            let language = String(decoding: content.dropFirst(3), as: UTF8.self).trimmingCharacters(in: " `~").lowercased()
            var block = MappedText()
            while index < lines.count {
                let line = lines[index]
                index += 1
                if line.bytes.trimmingLeadingBlanks().0.starts(with: fence) { break }
                if language == "console" || language == "shell-session" {
                    let (trimmed, blanks) = line.bytes.trimmingLeadingBlanks()
                    guard trimmed.starts(with: Array("$ ".utf8)) else { continue }
                    block.append(trimmed.dropFirst(2), line: line.number, column: blanks + 3)
                } else {
                    block.append(line.bytes, line: line.number, column: 1)
                }
                block.appendSynthetic(UInt8(ascii: "\n"))
            }
            if shellLanguages.contains(language) {
                collector.shell(block, state: DownloadFlowState(), failsClosed: false)
            }
        }
    }
}
