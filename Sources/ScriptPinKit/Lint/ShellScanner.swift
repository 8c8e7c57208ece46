/// The bytes of shell text and a cursor over them, with what the parser
/// asks of bytes before it knows what they form: byte classes, reserved
/// words, blanks and comments, bracket matching, whether `((` opens
/// arithmetic, and lint's skim over commands of no interest. The parser
/// drives the cursor and builds the tree; the scanner knows nothing above a
/// word and no command's name: which commands may be stepped over is the
/// `SkimPolicy` the analysis gives.
struct ShellScanner {
    let bytes: [UInt8]
    var index = 0
    /// Where the current line's heredoc bodies end: when the cursor reaches
    /// `newline`, it resumes at `resume`, past the bodies the parser already read.
    var hereDocumentSkip: (newline: Int, resume: Int)?
    /// `peekKeyword`'s last answer and where it was asked.
    private var lastKeyword: (index: Int, keyword: Keyword?) = (-1, nil)

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Whether the `((` at `start` opens an arithmetic expression: its text
    /// up to the matching `))` is operands (numbers, names, `$…`,
    /// substitutions) and operators, never two operands apart with only
    /// blanks between them, as `curl https://…` has.
    func isArithmetic(openingAt start: Int) -> Bool {
        var cursor = start + 2
        var level = 0
        var afterOperand = false
        var blankSinceOperand = false
        func operand() -> Bool {
            defer {
                afterOperand = true
                blankSinceOperand = false
            }
            return !(afterOperand && blankSinceOperand)
        }
        while cursor < bytes.count {
            let byte = bytes[cursor]
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\\"):
                blankSinceOperand = true
                cursor += 1
            case UInt8(ascii: "("):
                level += 1
                afterOperand = false
                cursor += 1
            case UInt8(ascii: ")"):
                if level == 0 { return cursor + 1 < bytes.count && bytes[cursor + 1] == UInt8(ascii: ")") }
                level -= 1
                afterOperand = true
                blankSinceOperand = false
                cursor += 1
            case UInt8(ascii: "$"):
                guard operand() else { return false }
                cursor += 1
                if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "(") || bytes[cursor] == UInt8(ascii: "{") {
                    guard let end = matching(from: cursor) else { return false }
                    cursor = end
                } else {
                    while cursor < bytes.count, Self.isNameByte(bytes[cursor]) || "@*#?$!-".utf8.contains(bytes[cursor]) && bytes[cursor - 1] == UInt8(ascii: "$") { cursor += 1 }
                }
            case UInt8(ascii: "`"), UInt8(ascii: "\""), UInt8(ascii: "'"):
                guard operand() else { return false }
                guard let close = bytes[(cursor + 1)...].firstIndex(of: byte) else { return false }
                cursor = close + 1
            case _ where Self.isNameByte(byte):
                guard operand() else { return false }
                while cursor < bytes.count, Self.isNameByte(bytes[cursor]) || bytes[cursor] == UInt8(ascii: "#") || bytes[cursor] == UInt8(ascii: "[") || bytes[cursor] == UInt8(ascii: "]") {
                    cursor += 1
                }
            case _ where "+-*/%<>=!&|^~?:,".utf8.contains(byte):
                afterOperand = false
                cursor += 1
            default:
                return false
            }
        }
        return false
    }

    /// Past the `)` or `}` that closes the bracket at `open`, honouring quotes; nil when unclosed.
    func matching(from open: Int) -> Int? {
        let close = bytes[open] == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "}")
        var level = 0
        var cursor = open
        while cursor < bytes.count {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                guard let end = bytes[(cursor + 1)...].firstIndex(of: byte) else { return nil }
                cursor = end + 1
                continue
            }
            if byte == bytes[open] { level += 1 }
            if byte == close {
                level -= 1
                if level == 0 { return cursor + 1 }
            }
            cursor += 1
        }
        return nil
    }

    mutating func consumeNewline() {
        if let skip = hereDocumentSkip, index == skip.newline {
            index = skip.resume
            hereDocumentSkip = nil
        } else {
            index += 1
        }
    }

    mutating func skipComment() {
        while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
    }

    mutating func skipBlanks() {
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
                index += 1
            } else if byte == UInt8(ascii: "\\") && peek(1) == UInt8(ascii: "\n") {
                index += 2
            } else {
                return
            }
        }
    }

    /// The keyword the next word is, when it is one in plain unquoted text.
    /// The parser asks at the same place from several levels (where a list
    /// ends, where a command starts), so the last answer is kept.
    mutating func peekKeyword() -> Keyword? {
        guard index < bytes.count, Keyword.initials.contains(bytes[index]) else { return nil }
        if lastKeyword.index == index { return lastKeyword.keyword }
        let keyword = readKeyword()
        lastKeyword = (index, keyword)
        return keyword
    }

    private func readKeyword() -> Keyword? {
        var cursor = index
        // Reserved words are short: a word is read no further than one byte past the longest.
        let limit = min(bytes.count, index + Keyword.maximumLength + 1)
        while cursor < limit, !isWordEnd(bytes[cursor]), bytes[cursor] != UInt8(ascii: "("), !isQuoteOrExpansion(bytes[cursor]) {
            cursor += 1
        }
        guard cursor > index, cursor - index <= Keyword.maximumLength else { return nil }
        if cursor < bytes.count, isQuoteOrExpansion(bytes[cursor]) { return nil }
        return Keyword(bytes[index..<cursor])
    }

    /// Whether the next two bytes are `first` and `second`; the hot path of operator checks.
    func startsWith(_ first: UInt8, _ second: UInt8) -> Bool {
        index + 1 < bytes.count && bytes[index] == first && bytes[index + 1] == second
    }

    func isQuoteOrExpansion(_ byte: UInt8) -> Bool {
        ByteClass.quoteOrExpansion.contains(byte)
    }

    func startsWith(_ text: String) -> Bool {
        var cursor = index
        for byte in text.utf8 {
            guard cursor < bytes.count, bytes[cursor] == byte else { return false }
            cursor += 1
        }
        return true
    }

    func peek(_ distance: Int) -> UInt8? {
        index + distance < bytes.count ? bytes[index + distance] : nil
    }

    func isBlank(before offset: Int) -> Bool {
        offset == 0 || bytes[offset - 1] == UInt8(ascii: " ") || bytes[offset - 1] == UInt8(ascii: "\t")
    }

    func isWordEnd(_ byte: UInt8) -> Bool {
        ByteClass.wordEnd.contains(byte)
    }

    func isOperatorStart(_ byte: UInt8) -> Bool {
        ByteClass.operatorStart.contains(byte)
    }

    // MARK: - Skimming

    /// For lint, most commands (`echo …`, `mkdir -p "$OUT"`, `grep -r x src |
    /// sort`) can neither download, verify nor run code: a plain name that
    /// the policy gives a verdict and that no function defines, and no
    /// substitution, process substitution, heredoc or option the policy
    /// keeps (`-c` after an interpreter's name) in its words. Such a command
    /// is stepped over byte by byte, without building its words; the cursor
    /// stops at the operator or newline after it.
    /// Anything the scan is unsure of returns nil and leaves the cursor, and the parser reads the command in full.
    mutating func skimInertCommand(policy: SkimPolicy, definedFunctions: Set<String>) -> SkimmedCommand? {
        let start = index
        var cursor = index
        // `[`, the test command, is a name too (`[[` is a keyword and never comes here).
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "[") { cursor += 1 } else {
            while cursor < bytes.count, Self.isSkimmableNameByte(bytes[cursor]) { cursor += 1 }
        }
        guard cursor > start, cursor == bytes.count || bytes[cursor] == UInt8(ascii: " ") || bytes[cursor] == UInt8(ascii: "\t")
            || bytes[cursor] == UInt8(ascii: "\n") || bytes[cursor] == UInt8(ascii: ";")
        else { return nil }
        guard let skim = policy.verdict(bytes[start..<cursor]) else { return nil }
        if !definedFunctions.isEmpty, definedFunctions.contains(String(decoding: bytes[start..<cursor], as: UTF8.self)) { return nil }
        var lastNonBlank = cursor
        var wordStart = true
        // The first few words are shown to the policy: a wrapper's (`retry curl …`) is the command it runs.
        var wordsShown = 0
        while cursor < bytes.count {
            let byte = bytes[cursor]
            if wordStart, wordsShown < SkimPolicy.leadingWordsShown, Self.isNameByte(byte) {
                wordsShown += 1
                var end = cursor
                while end < bytes.count, Self.isSkimmableNameByte(bytes[end]) { end += 1 }
                if policy.keepsCommand(skim, bytes[cursor..<end], bytes[start..<cursor]) { return nil }
            }
            // A comparison operator (`=`, `!=`) is shown too: `[ "$sum" != "$want" ]` may be a digest check.
            if wordStart, byte == UInt8(ascii: "=") || byte == UInt8(ascii: "!") {
                var end = cursor
                while end < bytes.count, bytes[end] == UInt8(ascii: "=") || bytes[end] == UInt8(ascii: "!") { end += 1 }
                if policy.keepsCommand(skim, bytes[cursor..<end], bytes[start..<cursor]) { return nil }
            }
            switch byte {
            case UInt8(ascii: "\n"), UInt8(ascii: ";"), UInt8(ascii: ")"):
                index = cursor
                return SkimmedCommand(skim: skim, range: start..<lastNonBlank)
            case UInt8(ascii: "|"):
                if cursor + 1 < bytes.count, bytes[cursor + 1] == UInt8(ascii: "&") { return nil }
                index = cursor
                return SkimmedCommand(skim: skim, range: start..<lastNonBlank)
            case UInt8(ascii: "&"):
                if cursor + 1 < bytes.count, bytes[cursor + 1] == UInt8(ascii: ">") { return nil }
                index = cursor
                return SkimmedCommand(skim: skim, range: start..<lastNonBlank)
            case UInt8(ascii: "#") where wordStart:
                index = cursor
                return SkimmedCommand(skim: skim, range: start..<lastNonBlank)
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                wordStart = true
                cursor += 1
                continue
            case UInt8(ascii: "\\"):
                cursor += 2
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "$"):
                guard let next = endOfInertQuoteOrParameter(at: cursor) else { return nil }
                cursor = next
            case UInt8(ascii: "`"), UInt8(ascii: "("), UInt8(ascii: "{"):
                return nil
            case UInt8(ascii: "<"), UInt8(ascii: ">"):
                // A plain redirection is fine; `<(`, `>(` and heredocs are not.
                if cursor + 1 < bytes.count, bytes[cursor + 1] == UInt8(ascii: "(") || bytes[cursor + 1] == UInt8(ascii: "<") { return nil }
                cursor += 1
            case UInt8(ascii: "-") where wordStart:
                var end = cursor
                while end < bytes.count, Self.isSkimmableNameByte(bytes[end]) || bytes[end] == UInt8(ascii: "-") { end += 1 }
                if policy.keepsCommand(skim, bytes[cursor..<end], bytes[start..<cursor]) { return nil }
                cursor = max(end, cursor + 1)
            default:
                cursor += 1
            }
            wordStart = false
            lastNonBlank = cursor
        }
        index = cursor
        return SkimmedCommand(skim: skim, range: start..<lastNonBlank)
    }

    /// Where the quoted text or `$NAME` at `start` (a `'`, `"` or `$`) ends,
    /// when expanding it runs nothing; nil for a substitution, `${…}`, `$'…'`,
    /// or a quote that does not close.
    private func endOfInertQuoteOrParameter(at start: Int) -> Int? {
        var cursor = start + 1
        switch bytes[start] {
        case UInt8(ascii: "'"):
            guard let close = bytes[cursor...].firstIndex(of: UInt8(ascii: "'")) else { return nil }
            return close + 1
        case UInt8(ascii: "\""):
            while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "\"") {
                if bytes[cursor] == UInt8(ascii: "`") || (bytes[cursor] == UInt8(ascii: "$") && cursor + 1 < bytes.count && bytes[cursor + 1] == UInt8(ascii: "(")) {
                    return nil
                }
                cursor += bytes[cursor] == UInt8(ascii: "\\") ? 2 : 1
            }
            return cursor < bytes.count ? cursor + 1 : nil
        default:
            if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "(") || bytes[cursor] == UInt8(ascii: "{") || bytes[cursor] == UInt8(ascii: "'") {
                return nil
            }
            return cursor
        }
    }

    /// Steps over one word whose expansion runs nothing (plain bytes, quotes
    /// without substitutions, `$NAME`), up to a blank, newline or operator
    /// byte. Returns false, leaving the cursor, at anything else: a
    /// substitution, `${…}`, a glob's or array's parentheses, a `{`.
    mutating func skimInertWord() -> Bool {
        var cursor = index
        while cursor < bytes.count {
            let byte = bytes[cursor]
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "$"):
                guard let next = endOfInertQuoteOrParameter(at: cursor) else { return false }
                cursor = next
            case UInt8(ascii: "\\"):
                cursor += 2
            case UInt8(ascii: "`"), UInt8(ascii: "{"):
                return false
            default:
                if isWordEnd(byte) {
                    guard cursor > index else { return false }
                    index = cursor
                    return true
                }
                cursor += 1
            }
        }
        guard cursor > index else { return false }
        index = min(cursor, bytes.count)
        return true
    }

    /// Bytes of a plain command name: letters, digits, `_`, `.`, `-`, `+`.
    private static func isSkimmableNameByte(_ byte: UInt8) -> Bool {
        isNameByte(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || byte == UInt8(ascii: "_") || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }
}

/// What lint's analysis tells the scanner about the commands it may step
/// over, so that the parser knows shell syntax and the analysis knows names.
public struct SkimPolicy: Sendable {
    /// How a command of this name can be stepped over; nil reads it in full.
    let verdict: @Sendable (_ name: ArraySlice<UInt8>) -> SimpleCommand.Skim?
    /// Whether an option word, one of the leading words, or a comparison
    /// operator keeps a command with this verdict in full, given the
    /// command's text before the word (`-c` after `sh`, `curl` after `retry`, `!=` in `[`).
    let keepsCommand: @Sendable (_ verdict: SimpleCommand.Skim, _ word: ArraySlice<UInt8>, _ before: ArraySlice<UInt8>) -> Bool

    /// How many words after the name are shown to `keepsCommand` besides options.
    static let leadingWordsShown = ShellCommands.maximumWrapperWords
}

/// A command the scanner stepped over: its verdict and where its text lies.
struct SkimmedCommand {
    let skim: SimpleCommand.Skim
    let range: Range<Int>
}

/// The reserved words, with `{`, `}`, `!` and `[[`, that steer the parser:
/// it asks at nearly every command, so they are told from the bytes
/// without building a string.
enum Keyword: UInt8, CaseIterable {
    case `if`, then, elif, `else`, fi, `while`, until, `do`, done, `for`, select, `case`, esac, `in`, function
    case openBrace, closeBrace, bang, time, doubleBracket
    /// zsh's `{ … } always { … }`.
    case always

    var spelling: StaticString {
        switch self {
        case .if: "if"
        case .then: "then"
        case .elif: "elif"
        case .else: "else"
        case .fi: "fi"
        case .while: "while"
        case .until: "until"
        case .do: "do"
        case .done: "done"
        case .for: "for"
        case .select: "select"
        case .case: "case"
        case .esac: "esac"
        case .in: "in"
        case .function: "function"
        case .openBrace: "{"
        case .closeBrace: "}"
        case .bang: "!"
        case .time: "time"
        case .doubleBracket: "[["
        case .always: "always"
        }
    }

    var length: Int { spelling.utf8CodeUnitCount }

    /// Longer words are never keywords: the parser stops reading a word there.
    static let maximumLength = 8

    /// The bytes keywords start with: a word starting otherwise is read no further.
    static let initials = ByteClass(bytes: allCases.map { $0.spelling.utf8Start[0] })

    /// The one keyword a word's length and first bytes leave possible, then
    /// checked byte by byte: no table and no string for the words that are not one.
    init?(_ word: ArraySlice<UInt8>) {
        guard let first = word.first else { return nil }
        func byte(_ offset: Int) -> UInt8 { word[word.startIndex + offset] }
        let candidate: Keyword? = switch (word.count, first) {
        case (1, UInt8(ascii: "{")): .openBrace
        case (1, UInt8(ascii: "}")): .closeBrace
        case (1, UInt8(ascii: "!")): .bang
        case (2, UInt8(ascii: "i")): byte(1) == UInt8(ascii: "f") ? .if : .in
        case (2, UInt8(ascii: "f")): .fi
        case (2, UInt8(ascii: "d")): .do
        case (2, UInt8(ascii: "[")): .doubleBracket
        case (3, UInt8(ascii: "f")): .for
        case (4, UInt8(ascii: "t")): byte(1) == UInt8(ascii: "h") ? .then : .time
        case (4, UInt8(ascii: "e")): byte(1) == UInt8(ascii: "s") ? .esac : byte(2) == UInt8(ascii: "i") ? .elif : .else
        case (4, UInt8(ascii: "d")): .done
        case (4, UInt8(ascii: "c")): .case
        case (5, UInt8(ascii: "w")): .while
        case (5, UInt8(ascii: "u")): .until
        case (6, UInt8(ascii: "s")): .select
        case (6, UInt8(ascii: "a")): .always
        case (8, UInt8(ascii: "f")): .function
        default: nil
        }
        guard let candidate, candidate.length == word.count else { return nil }
        let spelling = candidate.spelling.utf8Start
        for offset in 0..<word.count where spelling[offset] != byte(offset) { return nil }
        self = candidate
    }
}

/// Keywords that end a nested list, as bits: made at every `if`, loop and
/// `case`, so without an array.
struct Keywords {
    let bits: UInt32

    private init(bits: UInt32) {
        self.bits = bits
    }

    init(_ keyword: Keyword) {
        bits = 1 << UInt32(keyword.rawValue)
    }

    func adding(_ keyword: Keyword) -> Keywords {
        Keywords(bits: bits | Keywords(keyword).bits)
    }

    static var none: Keywords { Keywords(bits: 0) }

    var isEmpty: Bool { bits == 0 }

    func contains(_ keyword: Keyword) -> Bool {
        bits & 1 << UInt32(keyword.rawValue) != 0
    }
}

/// A set of ASCII bytes as two 64-bit masks: the parser asks of nearly
/// every byte whether it ends a word or starts a quote, and a shift and a
/// test answer that where a chain of comparisons would branch a dozen times.
struct ByteClass: Equatable {
    let low: UInt64
    let high: UInt64

    init(low: UInt64, high: UInt64) {
        (self.low, self.high) = (low, high)
    }

    init(bytes: some Sequence<UInt8>) {
        var (low, high): (UInt64, UInt64) = (0, 0)
        for byte in bytes {
            precondition(byte < 128, "a byte class holds ASCII bytes only")
            if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
        }
        (self.low, self.high) = (low, high)
    }

    init(_ bytes: StaticString) {
        var (low, high): (UInt64, UInt64) = (0, 0)
        for offset in 0..<bytes.utf8CodeUnitCount {
            let byte = bytes.utf8Start[offset]
            if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
        }
        (self.low, self.high) = (low, high)
    }

    func contains(_ byte: UInt8) -> Bool {
        byte < 64 ? low >> UInt64(byte) & 1 != 0 : byte < 128 && high >> UInt64(byte & 63) & 1 != 0
    }

    // Written as masks, so that no global is initialised at run time on the
    // hot path; a test checks each against its bytes, given in its comment.

    /// `;&|<>()`
    static var operatorStart: ByteClass { ByteClass(low: 0x5800_0340_0000_0000, high: 0x1000_0000_0000_0000) }
    /// space, tab, newline, CR, and `;&|<>()`
    static var wordEnd: ByteClass { ByteClass(low: 0x5800_0341_0000_2600, high: 0x1000_0000_0000_0000) }
    /// `'"$` and backquote, backslash
    static var quoteOrExpansion: ByteClass { ByteClass(low: 0x94_0000_0000, high: 0x1_1000_0000) }
}
