import Foundation
import Testing

/// Each command's options are declared once; the usage line, the help's
/// option list, the parser and the README's command table must all show
/// that one declaration. Read from the real binary's output.
@Suite("Options declared once: usage, help, parser and README agree")
struct CommandDeclarationTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The names the top-level help lists under COMMANDS.
    static let commands: [String] = {
        let help = ProcessRunner.scriptpin(["--help"], in: "/").stdout
        let section = help.components(separatedBy: "COMMANDS:\n")[1].components(separatedBy: "\n\n")[0]
        return section.split(separator: "\n").map { String($0.split(separator: " ")[0]) }
    }()

    struct Help {
        let usage: String
        /// `--name` of every option the OPTIONS section lists, with the number of values its placeholders show.
        let options: [(name: String, valueCount: Int)]
    }

    /// Every command's help, read once.
    static let helps: [String: Help] = Dictionary(uniqueKeysWithValues: commands.map { ($0, readHelp($0)) })

    static func help(_ command: String) -> Help { helps[command]! }

    static func readHelp(_ command: String) -> Help {
        let text = ProcessRunner.scriptpin([command, "--help"], in: "/").stdout
        let usage = text.split(separator: "\n").first { $0.hasPrefix("USAGE: ") }.map { String($0.dropFirst(7)) } ?? ""
        let optionLines = text.components(separatedBy: "OPTIONS:\n")[1].split(separator: "\n").filter { $0.hasPrefix("  -") }
        let options = optionLines.map { line -> (String, Int) in
            let label = line.trimmingCharacters(in: .whitespaces).components(separatedBy: "  ")[0]
            let words = label.split(separator: " ").filter { $0.hasPrefix("--") || !$0.hasPrefix("-") }
            return (String(words[0]), words.count - 1)
        }
        return Help(usage: usage, options: options)
    }

    static func longOptions(in text: String) -> Set<String> {
        Set(text.matches(of: /--[a-z][a-z0-9-]*/).map { String($0.output) })
    }

    @Test("The top level lists every command, and every command has help")
    func everyCommandListed() {
        #expect(Self.commands == ["hash", "verify", "run", "fetch", "add", "update", "rename", "check", "lint", "hook"])
    }

    @Test("The usage line names exactly the options the help lists (--help aside)", arguments: commands)
    func usageMatchesHelp(command: String) {
        let help = Self.help(command)
        #expect(help.usage.hasPrefix("scriptpin \(command)"))
        #expect(Self.longOptions(in: help.usage) == Set(help.options.map(\.name)).subtracting(["--help"]), "\(command): \(help.usage)")
    }

    @Test("The parser accepts every option the help lists, and no option of another command", arguments: commands)
    func parserMatchesHelp(command: String) {
        let own = Self.help(command).options
        for option in own where option.name != "--help" {
            let arguments = [command, option.name] + Array(repeating: "1", count: option.valueCount) + ["--help"]
            let result = ProcessRunner.scriptpin(arguments, in: "/")
            #expect(result.status == 0 && result.stdout.hasPrefix("OVERVIEW:"), "\(arguments): \(result.stderr)")
        }
        // Refused before --help is seen: the parser reads left to right.
        let others = Set(Self.commands.flatMap { Self.help($0).options.map(\.name) }).subtracting(own.map(\.name))
        let refused = ProcessRunner.run("/bin/sh", ["-c", "for option; do \"$0\" \(command) \"$option\" --help 2>&1 >/dev/null | head -n 1; done",
                                                    ProcessRunner.scriptpinPath] + others.sorted(), in: "/")
        #expect(refused.stdout == others.sorted().map { "Error: unknown option '\($0)' for `scriptpin \(command)`\n" }.joined(), "\(command)")
    }

    @Test("The README's command table shows each command's usage line as it is, and its other rows use only that command's options", arguments: commands)
    func readmeTable(command: String) throws {
        let readme = try String(contentsOfFile: Self.repositoryRoot + "/README.md", encoding: .utf8)
        let cells = readme.split(separator: "\n").filter { $0.hasPrefix("| `scriptpin \(command)") }.map { line in
            String(line.dropFirst(3).prefix { $0 != "`" }).replacingOccurrences(of: "\\|", with: "|")
        }
        let help = Self.help(command)
        #expect(cells.contains(help.usage), "\(command): README rows \(cells)")
        let declared = Set(help.options.map(\.name))
        for cell in cells {
            #expect(Self.longOptions(in: cell).isSubset(of: declared), "\(cell)")
        }
    }
}
