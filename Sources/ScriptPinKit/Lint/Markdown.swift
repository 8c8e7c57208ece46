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
                var state = DownloadFlowState(dialect: .bash)
                collector.shell(block, state: &state, failsClosed: false)
            }
        }
    }
}
