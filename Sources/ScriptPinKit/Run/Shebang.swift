/// A script's `#!` line, read the way Linux reads it: the program is the
/// first word, and everything after it, blanks trimmed, is one argument. It
/// is the single reader of `#!` lines, for `run` (what to execute), `add`
/// (what a pin records) and `lint` (whether a file is a shell script).
public struct Shebang: Sendable, Equatable {
    /// The kernel reads at most this many bytes of the line (BINPRM_BUF_SIZE).
    static let maximumLineLength = 256

    /// The program as written: `/bin/sh`, `/usr/bin/env`.
    public let program: String
    /// The rest of the line as one argument, as the kernel passes it; nil when empty.
    public let argument: String?
    /// Whether the line holds only printable text; a line with a control
    /// character is never copied into a pin or a message.
    public let isPrintable: Bool

    /// Parses the first line of `bytes`; nil when it does not start with `#!`
    /// or names no program. A NUL ends the line, as it does for the kernel.
    public init?(_ bytes: some Collection<UInt8>) {
        guard bytes.starts(with: [UInt8(ascii: "#"), UInt8(ascii: "!")]) else { return nil }
        var line = Array(bytes.prefix(Self.maximumLineLength).dropFirst(2).prefix { $0 != UInt8(ascii: "\n") && $0 != 0 })
        while let last = line.last, Self.isBlank(last) || last == UInt8(ascii: "\r") { line.removeLast() }
        let start = line.firstIndex { !Self.isBlank($0) } ?? line.endIndex
        let programEnd = line[start...].firstIndex(where: Self.isBlank) ?? line.endIndex
        guard start < programEnd else { return nil }
        let rest = line[programEnd...].drop(while: Self.isBlank)
        program = String(decoding: line[start..<programEnd], as: UTF8.self)
        argument = rest.isEmpty ? nil : String(decoding: rest, as: UTF8.self)
        isPrintable = String(validating: line, as: UTF8.self).map { !VisibleText.containsHidingControls($0) } ?? false
    }

    /// What `run` executes: the program, then the argument when there is one.
    public var command: [String] {
        [program] + (argument.map { [$0] } ?? [])
    }

    /// Whether the program is `env`, whose first operand names the interpreter.
    public var usesEnv: Bool {
        program == "env" || program.hasSuffix("/env")
    }

    /// The words that name the interpreter and its options, with `env` and
    /// its `-S` removed: `#!/usr/bin/env -S bash -e` gives `bash -e`.
    private var interpreterWords: [Substring] {
        let words = (argument ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard usesEnv else { return [Substring(Self.baseName(program))] + words }
        return Array(words.drop { $0.hasPrefix("-") })
    }

    /// The interpreter as a pin records it (`bash` for `#!/usr/bin/env bash`,
    /// `sh -e` for `#!/bin/sh -e`), or nil unless the line is a plain program
    /// path with at most one argument: anything else is not copied into a pin.
    public var pinInterpreter: String? {
        guard isPrintable else { return nil }
        let words = interpreterWords
        guard (1...2).contains(words.count), words.allSatisfy({ Self.isPlainWord($0) }) else { return nil }
        return words.joined(separator: " ")
    }

    /// Whether the interpreter is a shell lint reads (`sh`, `bash`, `/usr/bin/env zsh`, …).
    public func namesShell(_ shells: Set<String>) -> Bool {
        // Two words, for `#!/bin/busybox sh`.
        interpreterWords.prefix(2).contains { shells.contains(Self.baseName($0)) }
    }

    /// Whether an option on the line turns on errexit (`#!/bin/sh -e`, `-eu`).
    public var enablesErrexit: Bool {
        interpreterWords.dropFirst().contains { $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("e") }
    }

    private static func baseName(_ path: some StringProtocol) -> String {
        let text = String(path)
        return text.split(separator: "/").last.map(String.init) ?? text
    }

    /// Letters, digits and `._+-/=`: safe in a pin line, a message and a command.
    private static func isPlainWord(_ word: Substring) -> Bool {
        !word.isEmpty && word.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                "._+-/=".utf8.contains(byte)
            }
        }
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}

extension ScriptImage {
    /// The `#!` line, if the script starts with one.
    public func shebang() -> Shebang? {
        Shebang(prefix(Shebang.maximumLineLength)[...])
    }
}
