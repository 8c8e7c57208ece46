/// PowerShell read as PowerShell: a tokenizer that knows `#` and `<# … #>`
/// comments, single- and double-quoted strings and here-strings (with the
/// `$( … )` subexpressions of double-quoted ones read as code), and
/// statement separators; then, per statement, whether downloaded code
/// reaches an executor, and which downloaded files later statements run.
enum PowerShellScanner {
    private static let executors: Set<String> = ["iex", "invoke-expression"]
    /// The known downloaders, as PowerShell matches names: without case (`curl` and `wget` are aliases of `Invoke-WebRequest` there).
    private static let downloaders = Set(KnownCommands.names(with: .downloader).map { $0.lowercased() })
    /// `WebClient`'s methods that download.
    private static let downloadMethodNames = ["DownloadString", "DownloadFile", "DownloadData"]
    private static let downloadMethods = downloadMethodNames.map { $0.lowercased() }
    /// The download methods, for the scan that decides whether a text is read at all.
    static let scanWords = downloadMethodNames.map { KnownCommand.ScanWord(word: $0, anchor: 7) }
    private static let fileRunners: Set<String> = ["pwsh", "pwsh.exe", "powershell", "powershell.exe"]

    /// One token of a statement.
    struct Token {
        enum Kind {
            case word
            /// A quoted string or here-string, its contents unquoted.
            case string
            case operatorText
        }

        let kind: Kind
        let text: String
        let offset: Int

        var lower: String { text.lowercased() }
    }

    static func scan(_ bytes: [UInt8], state: inout DownloadFlowState) -> [DownloadExecFinding] {
        var findings: [DownloadExecFinding] = []
        var pendingCheck: Checks?
        for statement in statements(bytes) {
            // `if ((Get-FileHash f).Hash -ne $h) {` then `throw …` in the block: the check stops the script.
            if let pendingCheck, statement.contains(where: { $0.kind == .word && ["throw", "exit"].contains($0.lower) }) {
                state.shell.verified.formUnion(pendingCheck)
            }
            pendingCheck = nil
            if statement.last?.text == "{", statement.contains(where: { isCheck($0) }) {
                pendingCheck = checks(namedIn: statement, state: state)
            }
            analyse(statement, state: &state, into: &findings)
        }
        return findings
    }

    /// The downloaded files a statement names, or nil when it names none.
    private static func checks(namedIn tokens: [Token], state: DownloadFlowState) -> Checks? {
        let named = tokens.map { normalizedPath($0.text) }.filter { state.download(at: $0) != nil }
        return named.isEmpty ? nil : state.checks(naming: named)
    }

    private static func isCheck(_ token: Token) -> Bool {
        token.kind == .word && (token.lower == "get-filehash" || token.lower == "get-authenticodesignature")
    }

    private static func analyse(_ tokens: [Token], state: inout DownloadFlowState, into findings: inout [DownloadExecFinding]) {
        let words = tokens.filter { $0.kind == .word }
        guard !words.isEmpty else { return }
        let url = tokens.first { $0.text.contains("://") }.map { $0.text.trimmingCharacters(in: "'\"") }
        let download = words.first { downloaders.contains($0.lower) || downloadMethods.contains(where: $0.lower.contains) }

        if let download {
            let executor = words.first { executors.contains($0.lower) } ?? words.first { $0.lower.contains("[scriptblock]::create") }
                ?? ampersandInvocation(tokens)
            if let executor {
                let how = executor.lower.contains("scriptblock") ? "[scriptblock]::Create" : executor.text == "&" ? "& (…)" : "Invoke-Expression"
                findings.append(finding(at: download, url: url, "\(url ?? "a download") is fetched by \(download.text) and run by \(how)"))
                return
            }
            if let file = savedFile(tokens) {
                var record = Download(tool: download.text, url: url, offset: download.offset)
                record.savedPath = file
                state.record(normalizedPath(file), record)
                return
            }
        }
        if words.contains(where: isCheck), words.contains(where: { $0.lower == "throw" || $0.lower == "exit" }) {
            // A hash or signature check whose failure stops the script: what it names is verified.
            if let checks = checks(namedIn: tokens, state: state) { state.shell.verified.formUnion(checks) }
            return
        }
        if let (runner, file) = runFile(tokens), let download = state.unverifiedDownload(at: normalizedPath(file)) {
            let how = runner.text == "." ? "dot-sourced" : runner.text == "&" ? "run by the call operator &" : runner.kind == .word && runner.text == file ? "run" : "run by \(runner.text)"
            findings.append(finding(at: runner, url: download.url, "\(download.described) is saved as \(file) and \(how) without verification"))
        }
    }

    /// `& (…)` or `& { … }` around a download: the expression's result is invoked.
    private static func ampersandInvocation(_ tokens: [Token]) -> Token? {
        for (index, token) in tokens.enumerated() where token.kind == .operatorText && token.text == "&" {
            if index + 1 < tokens.count, tokens[index + 1].text == "(" || tokens[index + 1].text == "{" { return token }
        }
        return nil
    }

    /// `-OutFile F`, `-Destination F`, or `.DownloadFile(U, F)`: where a download is written.
    private static func savedFile(_ tokens: [Token]) -> String? {
        for (index, token) in tokens.enumerated() where index + 1 < tokens.count {
            let lower = token.lower
            if ["-outfile", "-o", "-destination", "-outputfile"].contains(lower) { return tokens[index + 1].text }
            if lower.hasSuffix("downloadfile") {
                // `.DownloadFile(url, file)`: the second string.
                return tokens[(index + 1)...].filter { $0.kind == .string }.dropFirst().first?.text
            }
        }
        return nil
    }

    /// `.\file.ps1`, `& ./file.ps1`, `. .\file.ps1`, `pwsh -File file.ps1`, `Import-Module file`.
    private static func runFile(_ tokens: [Token]) -> (Token, String)? {
        guard let first = tokens.first else { return nil }
        if first.kind == .word, first.text.hasPrefix(".\\") || first.text.hasPrefix("./") { return (first, first.text) }
        if first.kind == .operatorText, first.text == "&" || first.text == ".", tokens.count > 1, tokens[1].kind != .operatorText {
            return (first, tokens[1].text)
        }
        if first.kind == .word, fileRunners.contains(first.lower) {
            for (index, token) in tokens.enumerated() where token.lower == "-file" && index + 1 < tokens.count {
                return (first, tokens[index + 1].text)
            }
        }
        // `Start-Process $exe -ArgumentList …`, `Start-Process -FilePath setup.exe`.
        if first.kind == .word, ["start-process", "saps"].contains(first.lower), tokens.count > 1 {
            if let index = tokens.firstIndex(where: { $0.lower == "-filepath" }), index + 1 < tokens.count { return (first, tokens[index + 1].text) }
            if let operand = tokens.dropFirst().first(where: { !$0.text.hasPrefix("-") && $0.kind != .operatorText }) { return (first, operand.text) }
        }
        if first.kind == .word, first.lower == "import-module", tokens.count > 1 {
            let operand = tokens.dropFirst().first { !$0.text.hasPrefix("-") } ?? tokens[1]
            return (first, operand.text)
        }
        return nil
    }

    /// A path as compared across statements: quotes, `.\` or `./`, and case dropped; `\` as `/`.
    private static func normalizedPath(_ path: String) -> String {
        var text = path.trimmingCharacters(in: "'\"").replacingAll("\\", "/").lowercased()
        while text.hasPrefix("./") { text.removeFirst(2) }
        return text
    }

    private static func finding(at token: Token, url: String?, _ message: String) -> DownloadExecFinding {
        // A method call (`.DownloadString`) is placed at its name.
        let offset = token.kind == .word && token.text.hasPrefix(".") && token.text.count > 1 && !token.text.hasPrefix("./") && !token.text.hasPrefix(".\\")
            ? token.offset + 1 : token.offset
        var finding = DownloadExecFinding(offset: offset, message: message, url: url, arguments: [])
        finding.fix = .manual(FixPlan.powerShell)
        return finding
    }

    // MARK: - Tokens

    /// The statements of a script: tokens up to `;` or a line end outside
    /// parentheses and braces (a line ending in `|` or a backtick continues),
    /// without comments; a brace block's statements are statements of their own.
    static func statements(_ bytes: [UInt8]) -> [[Token]] {
        var statements: [[Token]] = []
        var current: [Token] = []
        var parentheses = 0
        var index = 0
        func end() {
            if !current.isEmpty { statements.append(current) }
            current = []
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "\n"), UInt8(ascii: ";"):
                index += 1
                if parentheses == 0 && current.last?.text != "|" { end() }
            case UInt8(ascii: "#"):
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "<") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "#"):
                index = (find("#>", in: bytes, from: index + 2) ?? bytes.count - 2) + 2
            case UInt8(ascii: "`") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n"):
                index += 2
            case UInt8(ascii: "@") where index + 1 < bytes.count && (bytes[index + 1] == UInt8(ascii: "'") || bytes[index + 1] == UInt8(ascii: "\"")):
                let quote = bytes[index + 1]
                let start = index
                let close = find([UInt8(ascii: "\n"), quote, UInt8(ascii: "@")], in: bytes, from: index + 2) ?? bytes.count
                let body = Array(bytes[min(index + 2, bytes.count)..<min(close + 1, bytes.count)])
                current.append(Token(kind: .string, text: String(decoding: body, as: UTF8.self), offset: start))
                if quote == UInt8(ascii: "\"") { current += subexpressions(body, offset: index + 2) }
                index = min(close + 3, bytes.count)
            case UInt8(ascii: "'"):
                let start = index
                var text: [UInt8] = []
                index += 1
                while index < bytes.count {
                    if bytes[index] == UInt8(ascii: "'") {
                        if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "'") {
                            text.append(UInt8(ascii: "'"))
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    text.append(bytes[index])
                    index += 1
                }
                current.append(Token(kind: .string, text: String(decoding: text, as: UTF8.self), offset: start))
            case UInt8(ascii: "\""):
                let start = index
                var text: [UInt8] = []
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "`"), index + 1 < bytes.count {
                        text.append(bytes[index + 1])
                        index += 2
                        continue
                    }
                    text.append(bytes[index])
                    index += 1
                }
                index += 1
                current.append(Token(kind: .string, text: String(decoding: text, as: UTF8.self), offset: start))
                current += subexpressions(Array(bytes[(start + 1)..<min(index, bytes.count)]), offset: start + 1)
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "|"), UInt8(ascii: "&"), UInt8(ascii: ","):
                if byte == UInt8(ascii: "(") { parentheses += 1 }
                if byte == UInt8(ascii: ")") { parentheses = max(0, parentheses - 1) }
                // A block's statements stand alone: `if (…) { iwr … | iex }`.
                if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "}") {
                    current.append(Token(kind: .operatorText, text: String(UnicodeScalar(byte)), offset: index))
                    index += 1
                    if parentheses == 0 { end() }
                    continue
                }
                current.append(Token(kind: .operatorText, text: String(UnicodeScalar(byte)), offset: index))
                index += 1
            case UInt8(ascii: "."):
                // Dot-sourcing `. .\file.ps1`: a lone dot followed by a blank.
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: " ") || bytes[index + 1] == UInt8(ascii: "\t") {
                    current.append(Token(kind: .operatorText, text: ".", offset: index))
                    index += 1
                } else {
                    fallthrough
                }
            default:
                let start = index
                while index < bytes.count, !isWordEnd(bytes[index]) { index += 1 }
                if index == start { index += 1 }
                current.append(Token(kind: .word, text: String(decoding: bytes[start..<index], as: UTF8.self), offset: start))
            }
        }
        end()
        return statements
    }

    /// The code of each `$( … )` in a double-quoted string, as tokens.
    private static func subexpressions(_ body: [UInt8], offset: Int) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while let open = find([UInt8(ascii: "$"), UInt8(ascii: "(")], in: body, from: index) {
            var level = 0
            var close = open + 1
            while close < body.count {
                if body[close] == UInt8(ascii: "(") { level += 1 }
                if body[close] == UInt8(ascii: ")") {
                    level -= 1
                    if level == 0 { break }
                }
                close += 1
            }
            let inner = Array(body[(open + 2)..<min(close, body.count)])
            for statement in statements(inner) {
                tokens += statement.map { Token(kind: $0.kind, text: $0.text, offset: $0.offset + offset + open + 2) }
            }
            index = close + 1
        }
        return tokens
    }

    private static func isWordEnd(_ byte: UInt8) -> Bool {
        " \t\r\n;|&(){},'\"".utf8.contains(byte)
    }

    private static func find(_ text: String, in bytes: [UInt8], from start: Int) -> Int? {
        find(Array(text.utf8), in: bytes, from: start)
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        bytes.firstOffset(of: needle, from: start)
    }
}
