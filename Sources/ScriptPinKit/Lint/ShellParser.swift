/// Which shell's grammar decides what `((` means: bash (and zsh, ksh) read
/// `((…))` as arithmetic when its text is an arithmetic expression; POSIX
/// sh (dash, busybox) reads it as two nested subshells.
public enum ShellDialect: Sendable {
    case posix
    case bash
    /// bash's reading of `((`, and zsh's own syntax tolerated: glob
    /// qualifiers (`*.sh(N)`), `=(…)`, `{ … } always { … }`, a `}` without
    /// `;`, short `for x (…) cmd` and `if … { … }` forms.
    case zsh
}

/// A recursive-descent parser for POSIX sh and the bash syntax installers
/// use. It keeps what decides data flow (words, substitutions, redirections,
/// heredocs, pipelines, `&&`/`||` lists, `!`, the conditions and bodies of
/// `if`, `while` and `until`, subshells, function names) and flattens the
/// other compound commands (`for`, `case`, brace groups), which run in the
/// shell around them, into their parts in source order. It runs in time
/// linear in the input, with nesting bounded by `maximumDepth`, and reports
/// what it cannot parse with its position. It reads bytes through a
/// `ShellScanner` and knows no command's name: which commands lint may step
/// over comes from the analysis as a `SkimPolicy`.
public struct ShellParser {
    /// Substitutions nest this deep at most: real scripts use two or three,
    /// and the bound keeps hostile input from exhausting the stack.
    public static let maximumDepth = 64

    private var scanner: ShellScanner
    /// The scanner's text, held here too (the same storage) for the parser's own reads.
    private let bytes: [UInt8]
    /// The parser moves the scanner's cursor.
    private var index: Int {
        get { scanner.index }
        set { scanner.index = newValue }
    }
    /// Added to every recorded offset, so that a parse of embedded text
    /// (backticks, `sh -c '…'`) reports positions in the enclosing text.
    private let baseOffset: Int
    private let dialect: ShellDialect
    private var depth: Int
    /// Brace groups open around the current command, for zsh's `{ echo hi }`.
    private var openBraceGroups = 0

    /// For lint: which commands the scanner may step over (see
    /// `ShellScanner.skimInertCommand`); nil parses every command in full.
    private let skimPolicy: SkimPolicy?
    /// Bytes a skim of a whole item read before it found something to read in
    /// full, which the parser then reads again; past the text's length,
    /// `skimmingGroups` ends, so that the parse stays linear in the input.
    private var skimmedInVain = 0
    private var skimmingGroups = true
    /// Functions defined so far, here or by earlier text the same shell ran
    /// (a GitLab job's earlier script lines), which are never stepped over:
    /// piping into one may run its input.
    private var definedFunctions: Set<String> = []

    public init(
        _ bytes: [UInt8], baseOffset: Int = 0, depth: Int = 0, dialect: ShellDialect = .bash,
        skimming skimPolicy: SkimPolicy? = nil
    ) {
        self.scanner = ShellScanner(bytes)
        self.bytes = bytes
        self.baseOffset = baseOffset
        self.depth = depth
        self.dialect = dialect
        self.skimPolicy = skimPolicy
    }

    public static func parse(
        _ bytes: [UInt8], baseOffset: Int = 0, dialect: ShellDialect = .bash, skimming skimPolicy: SkimPolicy? = nil,
        functions: Set<String> = []
    ) -> Result<ShellList, ShellParseError> {
        var parser = ShellParser(bytes, baseOffset: baseOffset, dialect: dialect, skimming: skimPolicy)
        parser.definedFunctions = functions
        return Result { () throws(ShellParseError) in try parser.parseProgram() }
    }

    mutating func parseProgram() throws(ShellParseError) -> ShellList {
        let list = try parseList(closing: nil, keywords: .none)
        if index < bytes.count {
            throw error("unexpected '\(Character(Unicode.Scalar(bytes[index])))'")
        }
        return list
    }

    // MARK: - Lists and pipelines

    private mutating func parseList(closing: UInt8?, keywords: Keywords, stopAtCaseEnd: Bool = false) throws(ShellParseError) -> ShellList {
        var list = ShellList()
        // Consecutive items that are each one skimmed command (`echo …` and
        // `mkdir -p …` lines) stand as one item spanning them: the analysis
        // asks the same of one as of several, and most lines are such.
        var skimmedRun: SimpleCommand?
        while true {
            try skipSeparators()
            guard index < bytes.count else { break }
            if let closing, bytes[index] == closing { break }
            if bytes[index] == UInt8(ascii: ")") && closing == nil { break }
            if stopAtCaseEnd && scanner.startsWith(UInt8(ascii: ";"), UInt8(ascii: ";")) || stopAtCaseEnd && scanner.startsWith(UInt8(ascii: ";"), UInt8(ascii: "&")) { break }
            if !keywords.isEmpty, let keyword = scanner.peekKeyword(), keywords.contains(keyword) { break }
            let before = index
            if skimPolicy != nil, let skimmed = skimStandaloneItem() {
                // `exit` stands alone: whether a list ends in one is asked of its items.
                if let run = skimmedRun, run.skimmed != .exits, skimmed.skimmed != .exits {
                    skimmedRun!.end = skimmed.end
                } else {
                    if let run = skimmedRun { list.items.append(Self.item(of: run)) }
                    skimmedRun = skimmed
                }
            } else {
                if let run = skimmedRun.take() { list.items.append(Self.item(of: run)) }
                let item = try parseAndOr(keywords: keywords)
                if !item.pipelines.isEmpty { list.items.append(item) }
            }
            // Every round must consume input; what nothing accepts (a stray `;;`) is an error.
            if index == before {
                throw error("unexpected '\(Character(Unicode.Scalar(bytes[index])))'")
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ";"), !scanner.startsWith(UInt8(ascii: ";"), UInt8(ascii: ";")), !scanner.startsWith(UInt8(ascii: ";"), UInt8(ascii: "&")) { index += 1 }
        }
        if let run = skimmedRun { list.items.append(Self.item(of: run)) }
        list.start = list.items.first?.start ?? baseOffset + index
        list.end = list.items.last?.end ?? list.start
        return list
    }

    /// Skips blanks, newlines, comments and lone `;`/`&` between commands.
    private mutating func skipSeparators() throws(ShellParseError) {
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
                index += 1
            } else if byte == UInt8(ascii: "\\") && scanner.peek(1) == UInt8(ascii: "\n") {
                index += 2
            } else if byte == UInt8(ascii: "\n") {
                scanner.consumeNewline()
            } else if byte == UInt8(ascii: "#") {
                scanner.skipComment()
            } else if byte == UInt8(ascii: "&") && !scanner.startsWith(UInt8(ascii: "&"), UInt8(ascii: "&")) && !scanner.startsWith(UInt8(ascii: "&"), UInt8(ascii: ">")) {
                index += 1
            } else if byte == UInt8(ascii: ";") && !scanner.startsWith(UInt8(ascii: ";"), UInt8(ascii: ";")) && !scanner.startsWith(UInt8(ascii: ";"), UInt8(ascii: "&")) {
                index += 1
            } else {
                return
            }
        }
    }

    private mutating func parseAndOr(keywords: Keywords) throws(ShellParseError) -> AndOrList {
        var list = AndOrList()
        while true {
            let pipeline = try parsePipeline(keywords: keywords)
            if !pipeline.commands.isEmpty { list.pipelines.append(pipeline) }
            scanner.skipBlanks()
            if scanner.startsWith(UInt8(ascii: "&"), UInt8(ascii: "&")) || scanner.startsWith(UInt8(ascii: "|"), UInt8(ascii: "|")) {
                let operation: ListOperator = scanner.startsWith(UInt8(ascii: "&"), UInt8(ascii: "&")) ? .and : .or
                index += 2
                if !pipeline.commands.isEmpty { list.operators.append(operation) }
                try skipLineBreaks()
                continue
            }
            break
        }
        // An operator after an empty pipeline (a flattened `fi`) joins nothing.
        while list.operators.count >= list.pipelines.count && !list.operators.isEmpty { list.operators.removeLast() }
        list.start = list.pipelines.first?.start ?? baseOffset + index
        list.end = list.pipelines.last?.end ?? list.start
        return list
    }

    private mutating func parsePipeline(keywords: Keywords) throws(ShellParseError) -> Pipeline {
        var pipeline = Pipeline()
        scanner.skipBlanks()
        if index < bytes.count, bytes[index] == UInt8(ascii: "!"), index + 1 == bytes.count || scanner.isWordEnd(bytes[index + 1]) {
            pipeline.negated = true
            index += 1
        }
        while true {
            if let command = try parseCommand(keywords: keywords) { pipeline.commands.append(command) }
            scanner.skipBlanks()
            if index < bytes.count && bytes[index] == UInt8(ascii: "|") && !scanner.startsWith(UInt8(ascii: "|"), UInt8(ascii: "|")) {
                index += scanner.startsWith(UInt8(ascii: "|"), UInt8(ascii: "&")) ? 2 : 1
                try skipLineBreaks()
                continue
            }
            break
        }
        pipeline.start = pipeline.commands.first?.start ?? baseOffset + index
        pipeline.end = pipeline.commands.last?.end ?? pipeline.start
        return pipeline
    }

    /// Newlines (and comments) allowed after `|`, `&&` and `||`.
    private mutating func skipLineBreaks() throws(ShellParseError) {
        while index < bytes.count {
            scanner.skipBlanks()
            guard index < bytes.count else { return }
            if bytes[index] == UInt8(ascii: "\n") {
                scanner.consumeNewline()
            } else if bytes[index] == UInt8(ascii: "#") {
                scanner.skipComment()
            } else {
                return
            }
        }
    }

    // MARK: - Commands

    /// Skipped where they stand alone: `time`, and stray keywords of an
    /// unbalanced compound command (tolerated, as the rest still parses).
    private static var prefixKeywords: Keywords { Keywords(.then).adding(.elif).adding(.else).adding(.do).adding(.bang).adding(.time) }

    private mutating func parseCommand(keywords: Keywords) throws(ShellParseError) -> ShellCommand? {
        while true {
            scanner.skipBlanks()
            guard index < bytes.count else { return nil }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "&") || byte == UInt8(ascii: "|") || byte == UInt8(ascii: ")") {
                return nil
            }
            if byte == UInt8(ascii: "(") {
                if scanner.startsWith(UInt8(ascii: "("), UInt8(ascii: "(")) {
                    if dialect != .posix && scanner.isArithmetic(openingAt: index) { return .simple(try parseArithmeticCommand()) }
                    if dialect == .posix {
                        // As dash reads it: two subshells. A bash arithmetic command that
                        // does not parse so (`((a<<2))`) is read as arithmetic instead of failing.
                        let saved = scanner
                        let open = index
                        index += 1
                        do {
                            let list = try parseUntilClosingParenthesis(openedAt: open, "a '(' subshell is not closed with ')'")
                            return .subshell(list, redirections: try parseTrailingRedirections())
                        } catch {
                            scanner = saved
                            return .simple(try parseArithmeticCommand())
                        }
                    }
                }
                let open = index
                index += 1
                let list = try parseUntilClosingParenthesis(openedAt: open, "a '(' subshell is not closed with ')'")
                return .subshell(list, redirections: try parseTrailingRedirections())
            }
            guard let keyword = scanner.peekKeyword() else {
                return try parseSimpleCommand()
            }
            if keywords.contains(keyword) { return nil }
            if Self.prefixKeywords.contains(keyword) || (dialect == .zsh && keyword == .always) {
                index += keyword.length
                continue
            }
            if keyword == .fi || keyword == .done {
                // The keyword stands for its empty group, so that redirections after `done` or `fi` have a place.
                var group = ShellList()
                group.start = baseOffset + index
                index += keyword.length
                group.end = baseOffset + index
                return .compound(group, redirections: try parseTrailingRedirections())
            }
            switch keyword {
            case .openBrace:
                index += 1
                openBraceGroups += 1
                let list = try nested { (parser) throws(ShellParseError) in
                    try parser.parseList(closing: nil, keywords: Keywords(.closeBrace))
                }
                openBraceGroups -= 1
                guard scanner.peekKeyword() == .closeBrace else { throw error("a '{' group is not closed with '}'") }
                index += 1
                return .compound(list, redirections: try parseTrailingRedirections())
            case .closeBrace:
                throw error("unexpected '}'")
            case .if:
                return .conditional(try parseConditional(.ifClause))
            case .while:
                return .conditional(try parseConditional(.whileLoop))
            case .until:
                return .conditional(try parseConditional(.untilLoop))
            case .for, .select:
                index += keyword.length
                let expansions = try parseLoopHeader()
                return Self.evaluating(expansions, before: try parseLoopBody())
            case .case:
                return try parseCase()
            case .function:
                index += keyword.length
                scanner.skipBlanks()
                let name = try parseWord()
                scanner.skipBlanks()
                if scanner.startsWith(UInt8(ascii: "("), UInt8(ascii: ")")) { index += 2 }
                try skipLineBreaks()
                guard let body = try parseCommand(keywords: .none) else { throw error("'function' without a body") }
                definedFunctions.insert(name.literal ?? name.text)
                return .function(name: name.literal ?? name.text, body: body)
            case .doubleBracket:
                return .simple(try parseDoubleBracket())
            default:
                return try parseSimpleCommand()
            }
        }
    }

    /// `if`, `while` or `until` up to its `fi` or `done`; a missing one at
    /// the end of the text is tolerated, as a shell reading a fragment would.
    private mutating func parseConditional(_ kind: ConditionalCommand.Kind) throws(ShellParseError) -> ConditionalCommand {
        var conditional = ConditionalCommand(kind: kind, start: baseOffset + index)
        let keywordStart = index
        index += kind.rawValue.utf8.count
        let (opener, closer): (Keyword, Keyword) = kind == .ifClause ? (.then, .fi) : (.do, .done)
        let conditionEnds = Keywords(opener)
        let bodyEnds = kind == .ifClause ? Keywords(.elif).adding(.else).adding(.fi) : Keywords(.done)
        while true {
            let condition = try nested { (parser) throws(ShellParseError) in try parser.parseList(closing: nil, keywords: conditionEnds) }
            guard scanner.peekKeyword() == opener else {
                // zsh's `if [[ … ]] { … }`: the braced body was read with the condition; both are analysed.
                guard index >= bytes.count || dialect == .zsh else {
                    throw ShellParseError(offset: baseOffset + keywordStart, message: "'\(kind.rawValue)' without '\(opener.spelling)'")
                }
                conditional.clauses.append(ConditionalCommand.Clause(condition: condition, body: ShellList()))
                break
            }
            index += opener.length
            let body = try nested { (parser) throws(ShellParseError) in try parser.parseList(closing: nil, keywords: bodyEnds) }
            conditional.clauses.append(ConditionalCommand.Clause(condition: condition, body: body))
            if kind == .ifClause, scanner.peekKeyword() == .elif {
                index += 4
                continue
            }
            if kind == .ifClause, scanner.peekKeyword() == .else {
                index += 4
                conditional.elseBody = try nested { (parser) throws(ShellParseError) in try parser.parseList(closing: nil, keywords: Keywords(.fi)) }
            }
            break
        }
        if scanner.peekKeyword() == closer {
            index += closer.length
        } else if index < bytes.count {
            throw ShellParseError(offset: baseOffset + keywordStart, message: "'\(kind.rawValue)' is not closed with '\(closer.spelling)'")
        }
        conditional.redirections = try parseTrailingRedirections()
        conditional.end = conditional.redirections.last?.end ?? baseOffset + index
        return conditional
    }

    /// A `for` or `select` loop's `do … done` (or bash's `{ … }`), after its header.
    private mutating func parseLoopBody() throws(ShellParseError) -> ShellCommand {
        try skipSeparators()
        if scanner.peekKeyword() == .openBrace { return try parseCommand(keywords: .none) ?? .compound(ShellList(), redirections: []) }
        if dialect == .zsh && scanner.peekKeyword() != .do {
            // zsh's `for x (a b) command`: one command is the body.
            var body = ShellList()
            body.items = [try parseAndOr(keywords: .none)]
            body.start = body.items[0].start
            body.end = body.items[0].end
            return .compound(body, redirections: [])
        }
        if scanner.peekKeyword() == .do { index += 2 }
        let body = try nested { (parser) throws(ShellParseError) in try parser.parseList(closing: nil, keywords: Keywords(.done)) }
        if scanner.peekKeyword() == .done {
            index += 4
        } else if index < bytes.count {
            throw error("a loop is not closed with 'done'")
        }
        return .compound(body, redirections: try parseTrailingRedirections())
    }

    /// `for NAME in WORDS` or `for ((…))`, up to the `;` or newline before
    /// `do`; returns the words whose substitutions run when the loop starts.
    private mutating func parseLoopHeader() throws(ShellParseError) -> [ShellWord] {
        scanner.skipBlanks()
        if scanner.startsWith(UInt8(ascii: "("), UInt8(ascii: "(")) {
            let start = index
            index += 2
            let parts = try nested { (parser) throws(ShellParseError) in try parser.readArithmetic(openedAt: start) }
            guard parts.contains(where: \.isSubstitution) else { return [] }
            let source = String(decoding: bytes[start..<index], as: UTF8.self)
            return [ShellWord(parts: [.arithmetic(source: source, parts: parts)], offset: baseOffset + start, end: baseOffset + index)]
        }
        var expansions: [ShellWord] = []
        while index < bytes.count {
            scanner.skipBlanks()
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: ";") || byte == UInt8(ascii: "\n") { break }
            if scanner.peekKeyword() == .do { break }
            if dialect == .zsh && byte == UInt8(ascii: "(") {
                // zsh's `for x (a b c)`: the list in parentheses ends the header.
                let listStart = index
                let substitutions = try nested { (parser) throws(ShellParseError) in
                    try parser.readBalanced(open: UInt8(ascii: "("), close: UInt8(ascii: ")"))
                }
                if !substitutions.isEmpty { expansions.append(ShellWord(parts: substitutions, offset: baseOffset + listStart, end: baseOffset + index)) }
                break
            }
            try parseHeaderWord(into: &expansions)
        }
        return expansions
    }

    /// One word of a loop's list or a `case` subject or pattern (an operator
    /// there is an error), kept when a substitution in it runs code.
    private mutating func parseHeaderWord(into expansions: inout [ShellWord]) throws(ShellParseError) {
        let before = index
        // Most such words are plain (`x`, `in`, `*.txt`, `build`): nothing in them runs, so they are stepped over unbuilt.
        var cursor = index
        while cursor < bytes.count, !scanner.isWordEnd(bytes[cursor]), !scanner.isQuoteOrExpansion(bytes[cursor]) { cursor += 1 }
        if cursor > index, cursor == bytes.count || !(bytes[cursor] == UInt8(ascii: "(") || bytes[cursor] == UInt8(ascii: "<")
            || bytes[cursor] == UInt8(ascii: ">") || scanner.isQuoteOrExpansion(bytes[cursor])) {
            index = cursor
            return
        }
        let word = try parseWord()
        if index == before { throw error("unexpected '\(Character(Unicode.Scalar(bytes[index])))'") }
        if word.hasSubstitution { expansions.append(word) }
    }

    /// A list item of one simple command.
    private static func item(of command: SimpleCommand) -> AndOrList {
        var pipeline = Pipeline()
        pipeline.commands = [.simple(command)]
        (pipeline.start, pipeline.end) = (command.offset, command.end)
        var item = AndOrList()
        item.pipelines = [pipeline]
        (item.start, item.end) = (command.offset, command.end)
        return item
    }

    /// A loop or `case` whose list, subject or patterns hold substitutions:
    /// they run before the body, as a command of assignments would (its
    /// words are expanded, none is run by name), standing first in the group.
    private static func evaluating(_ expansions: [ShellWord], before command: ShellCommand) -> ShellCommand {
        guard let first = expansions.first, let last = expansions.last, case .compound(var list, let redirections) = command else { return command }
        var evaluation = SimpleCommand(offset: first.offset)
        evaluation.assignments = expansions
        evaluation.end = last.end
        list.items.insert(item(of: evaluation), at: 0)
        list.start = first.offset
        list.end = max(list.end, last.end)
        return .compound(list, redirections: redirections)
    }

    private mutating func parseCase() throws(ShellParseError) -> ShellCommand {
        let start = index
        index += 4
        scanner.skipBlanks()
        var expansions: [ShellWord] = []
        try parseHeaderWord(into: &expansions)
        try skipLineBreaks()
        guard scanner.peekKeyword() == .in else { throw ShellParseError(offset: baseOffset + start, message: "'case' without 'in'") }
        index += 2
        var combined = ShellList()
        while true {
            try skipSeparators()
            guard index < bytes.count else { throw ShellParseError(offset: baseOffset + start, message: "'case' is not closed with 'esac'") }
            if scanner.peekKeyword() == .esac {
                index += 4
                break
            }
            if bytes[index] == UInt8(ascii: "(") { index += 1 }
            try parseCasePattern(into: &expansions)
            let body = try nested { (parser) throws(ShellParseError) in
                try parser.parseList(closing: nil, keywords: Keywords(.esac), stopAtCaseEnd: true)
            }
            combined.items += body.items
            if scanner.startsWith(";;&") { index += 3 } else if scanner.startsWith(UInt8(ascii: ";"), UInt8(ascii: ";")) || scanner.startsWith(UInt8(ascii: ";"), UInt8(ascii: "&")) { index += 2 }
        }
        // The arms' commands, in order, stand for the whole `case … esac`.
        combined.start = combined.items.first?.start ?? baseOffset + start
        combined.end = combined.items.last?.end ?? baseOffset + index
        return Self.evaluating(expansions, before: .compound(combined, redirections: try parseTrailingRedirections()))
    }

    private mutating func parseCasePattern(into expansions: inout [ShellWord]) throws(ShellParseError) {
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ")") {
                index += 1
                return
            }
            if byte == UInt8(ascii: "\n") { throw error("a 'case' pattern is not closed with ')'") }
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "|") {
                index += 1
            } else {
                try parseHeaderWord(into: &expansions)
            }
        }
    }

    /// `[[ … ]]` as a command whose words are its operands and operators, so
    /// that substitutions inside it are seen.
    private mutating func parseDoubleBracket() throws(ShellParseError) -> SimpleCommand {
        let start = index
        var command = SimpleCommand(offset: baseOffset + start)
        command.words.append(ShellWord(parts: [.literal("[[")], offset: baseOffset + start, end: baseOffset + start + 2))
        index += 2
        while true {
            scanner.skipBlanks()
            guard index < bytes.count, bytes[index] != UInt8(ascii: "\n") else {
                throw ShellParseError(offset: baseOffset + start, message: "'[[' is not closed with ']]'")
            }
            let wordStart = index
            if scanner.startsWith(UInt8(ascii: "]"), UInt8(ascii: "]")) && (index + 2 == bytes.count || scanner.isWordEnd(bytes[index + 2])) {
                index += 2
                command.words.append(ShellWord(parts: [.literal("]]")], offset: baseOffset + wordStart, end: baseOffset + index))
                break
            }
            if scanner.isOperatorStart(bytes[index]) || bytes[index] == UInt8(ascii: "!") {
                while index < bytes.count, scanner.isOperatorStart(bytes[index]) || bytes[index] == UInt8(ascii: "!") || bytes[index] == UInt8(ascii: "=") { index += 1 }
                command.words.append(ShellWord(parts: [.literal(String(decoding: bytes[wordStart..<index], as: UTF8.self))], offset: baseOffset + wordStart, end: baseOffset + index))
                continue
            }
            let word = try parseWord()
            guard index > wordStart else { throw error("unexpected '\(Character(Unicode.Scalar(bytes[index])))' in '[['") }
            command.words.append(word)
        }
        command.redirections = try parseTrailingRedirections()
        command.end = command.redirections.last?.end ?? command.words.last!.end
        return command
    }

    /// `(( … ))` as a command of one arithmetic word.
    private mutating func parseArithmeticCommand() throws(ShellParseError) -> SimpleCommand {
        let start = index
        index += 2
        let parts = try nested { (parser) throws(ShellParseError) in try parser.readArithmetic(openedAt: start) }
        var command = SimpleCommand(offset: baseOffset + start)
        let source = String(decoding: bytes[start..<index], as: UTF8.self)
        command.words = [ShellWord(parts: [.arithmetic(source: source, parts: parts)], offset: baseOffset + start, end: baseOffset + index)]
        command.redirections = try parseTrailingRedirections()
        command.end = command.redirections.last?.end ?? command.words[0].end
        return command
    }

    /// An arithmetic expression up to its closing `))`, consumed; the command
    /// substitutions inside it are parsed, the rest kept as text.
    private mutating func readArithmetic(openedAt start: Int) throws(ShellParseError) -> [WordPart] {
        var parts: [WordPart] = []
        var literal: [UInt8] = []
        var depth = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ")") && depth == 0 {
                guard scanner.startsWith(UInt8(ascii: ")"), UInt8(ascii: ")")) else { break }
                index += 2
                Self.moveText(&literal, into: &parts, quoted: false)
                return parts
            }
            if byte == UInt8(ascii: "$") && scanner.peek(1) == UInt8(ascii: "(") || byte == UInt8(ascii: "`") {
                Self.moveText(&literal, into: &parts, quoted: false)
                if byte == UInt8(ascii: "`") { parts.append(try readBackticks()) } else { try readDollar(inQuotes: false, into: &parts) }
                continue
            }
            if byte == UInt8(ascii: "(") { depth += 1 }
            if byte == UInt8(ascii: ")") { depth -= 1 }
            literal.append(byte)
            index += 1
        }
        throw ShellParseError(offset: baseOffset + start, message: "arithmetic '((' is not closed with '))'")
    }

    private mutating func parseSimpleCommand() throws(ShellParseError) -> ShellCommand? {
        // zsh closes a brace group with a bare `}`, which only the full parse sees.
        if !(dialect == .zsh && openBraceGroups > 0), let skimmed = skimCommand() { return .simple(skimmed) }
        var command = SimpleCommand(offset: baseOffset + index)
        while true {
            scanner.skipBlanks()
            guard index < bytes.count, bytes[index] != UInt8(ascii: "\n") else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "#") && (command.words.isEmpty && command.assignments.isEmpty || scanner.isBlank(before: index)) {
                scanner.skipComment()
                break
            }
            if (byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")) && scanner.peek(1) == UInt8(ascii: "(") {
                command.words.append(try parseWord())
                continue
            }
            if let redirection = try parseRedirection() {
                command.redirections.append(redirection)
                continue
            }
            if scanner.isOperatorStart(byte) {
                // `name() { … }`: a function definition; its body follows as a command.
                if byte == UInt8(ascii: "("), command.words.count == 1, command.assignments.isEmpty {
                    let save = index
                    index += 1
                    scanner.skipBlanks()
                    if index < bytes.count, bytes[index] == UInt8(ascii: ")") {
                        index += 1
                        try skipLineBreaks()
                        guard let body = try parseCommand(keywords: .none) else { throw error("a function definition without a body") }
                        definedFunctions.insert(command.words[0].literal ?? command.words[0].text)
                        return .function(name: command.words[0].literal ?? command.words[0].text, body: body)
                    }
                    index = save
                }
                break
            }
            if dialect == .zsh && openBraceGroups > 0 && scanner.peekKeyword() == .closeBrace { break }
            let word = try parseWord()
            if command.words.isEmpty && isAssignment(word) {
                command.assignments.append(word)
            } else {
                command.words.append(word)
            }
        }
        if command.words.isEmpty && command.assignments.isEmpty && command.redirections.isEmpty { return nil }
        command.end = max(command.assignments.last?.end ?? 0, command.words.last?.end ?? 0, command.redirections.last?.end ?? 0)
        return .simple(command)
    }

    private mutating func parseTrailingRedirections() throws(ShellParseError) -> [Redirection] {
        var redirections: [Redirection] = []
        while true {
            scanner.skipBlanks()
            guard let redirection = try parseRedirection() else { return redirections }
            redirections.append(redirection)
        }
    }

    private mutating func parseRedirection() throws(ShellParseError) -> Redirection? {
        guard index < bytes.count else { return nil }
        let first = bytes[index]
        // Most words start with none of these: skip the operator search for them.
        guard ShellScanner.isDigit(first) || first == UInt8(ascii: "<") || first == UInt8(ascii: ">") || first == UInt8(ascii: "&") else { return nil }
        let start = index
        var descriptor: Int?
        var cursor = index
        while cursor < bytes.count, ShellScanner.isDigit(bytes[cursor]) { cursor += 1 }
        if cursor > index, cursor < bytes.count, bytes[cursor] == UInt8(ascii: "<") || bytes[cursor] == UInt8(ascii: ">") {
            descriptor = Int(String(decoding: bytes[index..<cursor], as: UTF8.self))
            index = cursor
        }
        guard let operation = RedirectionOperator.byLength.first(where: { scanner.startsWith($0.rawValue) }) else {
            index = start
            return nil
        }
        index += operation.rawValue.utf8.count
        scanner.skipBlanks()
        if operation == .duplicateOutput || operation == .duplicateInput, index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            index += 1
            var closing = Redirection(descriptor: descriptor, operation: operation, target: nil)
            closing.start = baseOffset + start
            closing.end = baseOffset + index
            return closing
        }
        let processSubstitution = (scanner.startsWith(UInt8(ascii: "<"), UInt8(ascii: "(")) || scanner.startsWith(UInt8(ascii: ">"), UInt8(ascii: "(")))
        guard index < bytes.count, !scanner.isOperatorStart(bytes[index]) || processSubstitution, bytes[index] != UInt8(ascii: "\n") else {
            throw ShellParseError(offset: baseOffset + start, message: "'\(operation.rawValue)' has no target")
        }
        let target = try parseWord()
        var redirection = Redirection(descriptor: descriptor, operation: operation, target: target)
        redirection.start = baseOffset + start
        redirection.end = target.end
        if operation == .hereDocument || operation == .hereDocumentStrippingTabs {
            redirection.hereDocument = try readHereDocument(delimiter: target, stripTabs: operation == .hereDocumentStrippingTabs)
        }
        return redirection
    }

    /// Reads the body of a heredoc, which starts after the end of the current
    /// line (or after the previous heredoc of that line).
    private mutating func readHereDocument(delimiter: ShellWord, stripTabs: Bool) throws(ShellParseError) -> HereDocument {
        let name = delimiter.literal ?? delimiter.text
        let quoted = delimiter.parts.contains { if case .quoted = $0 { true } else { false } }
        let lineEnd: Int
        var cursor: Int
        if let skip = scanner.hereDocumentSkip {
            lineEnd = skip.newline
            cursor = skip.resume
        } else {
            var end = index
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            lineEnd = end
            cursor = min(end + 1, bytes.count)
        }
        let bodyStart = cursor
        while cursor < bytes.count {
            var lineStop = cursor
            while lineStop < bytes.count, bytes[lineStop] != UInt8(ascii: "\n") { lineStop += 1 }
            var content = bytes[cursor..<lineStop]
            if stripTabs { content = content.drop(while: { $0 == UInt8(ascii: "\t") }) }
            if content.last == UInt8(ascii: "\r") { content = content.dropLast() }
            if String(decoding: content, as: UTF8.self) == name {
                scanner.hereDocumentSkip = (lineEnd, min(lineStop + 1, bytes.count))
                return HereDocument(body: Array(bytes[bodyStart..<cursor]), bodyOffset: baseOffset + bodyStart, quoted: quoted)
            }
            cursor = lineStop + 1
        }
        throw ShellParseError(offset: delimiter.offset, message: "heredoc is not closed: no line '\(name)' follows")
    }

    // MARK: - Words

    private mutating func parseWord() throws(ShellParseError) -> ShellWord {
        let start = index
        var parts: [WordPart] = []
        // The current run of plain bytes, kept as a range of the input: no copy until it ends.
        var runStart = index
        while index < bytes.count {
            let byte = bytes[index]
            // Plain bytes are the common case: advance without any other test.
            if (byte > UInt8(ascii: "`") && byte != UInt8(ascii: "|")) || (byte >= UInt8(ascii: "*") && byte <= UInt8(ascii: ";") && byte != UInt8(ascii: ";"))
                || (byte >= UInt8(ascii: "?") && byte <= UInt8(ascii: "[")) || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "^")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "%") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "=")
                || byte == UInt8(ascii: "@") || byte == UInt8(ascii: "!") || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "#") {
                index += 1
                continue
            }
            if byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") {
                guard scanner.peek(1) == UInt8(ascii: "(") else { break }
                appendLiteral(from: runStart, to: &parts)
                let open = index
                index += 2
                parts.append(.processSubstitution(try parseUntilClosingParenthesis(openedAt: open, "a process substitution is not closed with ')'")))
                runStart = index
                continue
            }
            if byte == UInt8(ascii: "(") {
                // zsh's `=(cmd)`: the command's output in a temporary file, as `<(cmd)` is a pipe.
                if dialect == .zsh && index == start + 1 && bytes[start] == UInt8(ascii: "=") {
                    let open = index - 1
                    index += 1
                    parts.append(.processSubstitution(try parseUntilClosingParenthesis(openedAt: open, "a process substitution is not closed with ')'")))
                    runStart = index
                    continue
                }
                // `name=(…)` arrays and `@(…)` extended globs keep their parentheses.
                let previous: UInt8? = index > runStart ? bytes[index - 1] : nil
                let isGlobQualifier = dialect == .zsh && previous != nil && scanner.peek(1) != UInt8(ascii: ")")
                    && bytes[runStart..<index].contains(where: { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "]") })
                guard let previous, isGlobQualifier || previous == UInt8(ascii: "=") || previous == UInt8(ascii: "@") || previous == UInt8(ascii: "?")
                    || previous == UInt8(ascii: "*") || previous == UInt8(ascii: "+") || previous == UInt8(ascii: "!") else { break }
                let substitutions = try nested { (parser) throws(ShellParseError) in
                    try parser.readBalanced(open: UInt8(ascii: "("), close: UInt8(ascii: ")"))
                }
                if !substitutions.isEmpty {
                    // The text as written, then what runs when it is expanded.
                    appendLiteral(from: runStart, to: &parts)
                    parts += substitutions
                    runStart = index
                }
                continue
            }
            if scanner.isWordEnd(byte) { break }
            appendLiteral(from: runStart, to: &parts)
            switch byte {
            case UInt8(ascii: "\\"):
                if let next = scanner.peek(1), next != UInt8(ascii: "\n") {
                    parts.append(.quoted(String(decoding: [next], as: UTF8.self)))
                }
                index = min(index + 2, bytes.count)
            case UInt8(ascii: "'"):
                parts.append(.quoted(try readSingleQuoted()))
            case UInt8(ascii: "\""):
                parts += try readDoubleQuoted()
            case UInt8(ascii: "`"):
                parts.append(try readBackticks())
            case UInt8(ascii: "$"):
                try readDollar(inQuotes: false, into: &parts)
            default:
                index += 1
            }
            runStart = index
        }
        if parts.isEmpty, index > runStart {
            return ShellWord(plain: String(decoding: bytes[runStart..<index], as: UTF8.self), offset: baseOffset + start, end: baseOffset + index)
        }
        appendLiteral(from: runStart, to: &parts)
        return ShellWord(parts: parts, offset: baseOffset + start, end: baseOffset + index)
    }

    /// Appends gathered text as a part, if there is any, and empties it.
    private static func moveText(_ text: inout [UInt8], into parts: inout [WordPart], quoted: Bool) {
        guard !text.isEmpty else { return }
        let value = String(decoding: text, as: UTF8.self)
        parts.append(quoted ? .quoted(value) : .literal(value))
        text.removeAll(keepingCapacity: true)
    }

    /// Appends the plain bytes from `start` to the current index as a literal part, if there are any.
    private func appendLiteral(from start: Int, to parts: inout [WordPart]) {
        if index > start { parts.append(.literal(String(decoding: bytes[start..<index], as: UTF8.self))) }
    }

    private mutating func readSingleQuoted() throws(ShellParseError) -> String {
        let start = index
        index += 1
        let contentStart = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "'") { index += 1 }
        guard index < bytes.count else { throw ShellParseError(offset: baseOffset + start, message: "unterminated single quote") }
        let text = String(decoding: bytes[contentStart..<index], as: UTF8.self)
        index += 1
        return text
    }

    private mutating func readDoubleQuoted() throws(ShellParseError) -> [WordPart] {
        let start = index
        index += 1
        var parts: [WordPart] = []
        var literal: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                Self.moveText(&literal, into: &parts, quoted: true)
                // `""` is still a word (an empty argument).
                return parts.isEmpty ? [.quoted("")] : parts
            case UInt8(ascii: "\\"):
                if let next = scanner.peek(1), "$`\"\\\n".utf8.contains(next) {
                    if next != UInt8(ascii: "\n") { literal.append(next) }
                    index += 2
                } else {
                    literal.append(byte)
                    index += 1
                }
            case UInt8(ascii: "`"):
                Self.moveText(&literal, into: &parts, quoted: true)
                parts.append(try readBackticks())
            case UInt8(ascii: "$"):
                Self.moveText(&literal, into: &parts, quoted: true)
                let count = parts.count
                try readDollar(inQuotes: true, into: &parts)
                // A lone `$` is text.
                if parts.count == count + 1, case .parameter(let text) = parts[count], text == "$" {
                    parts.removeLast()
                    literal.append(byte)
                }
            default:
                literal.append(byte)
                index += 1
            }
        }
        throw ShellParseError(offset: baseOffset + start, message: "unterminated double quote")
    }

    private mutating func readBackticks() throws(ShellParseError) -> WordPart {
        let start = index
        index += 1
        var inner: [UInt8] = []
        while index < bytes.count, bytes[index] != UInt8(ascii: "`") {
            if bytes[index] == UInt8(ascii: "\\"), let next = scanner.peek(1), "`\\$".utf8.contains(next) {
                inner.append(next)
                index += 2
            } else {
                inner.append(bytes[index])
                index += 1
            }
        }
        guard index < bytes.count else { throw ShellParseError(offset: baseOffset + start, message: "unterminated backquote") }
        index += 1
        guard depth < Self.maximumDepth else { throw tooDeep(at: start) }
        var parser = ShellParser(inner, baseOffset: baseOffset + start + 1, depth: depth + 1, dialect: dialect, skimming: skimPolicy)
        parser.definedFunctions = definedFunctions
        return .commandSubstitution(try parser.parseProgram())
    }

    /// Appends a `$` expansion: one part, or for `${…}` and `$"…"` with
    /// substitutions inside, the expansion and then those substitutions.
    private mutating func readDollar(inQuotes: Bool, into parts: inout [WordPart]) throws(ShellParseError) {
        let start = index
        guard let next = scanner.peek(1) else {
            index += 1
            parts.append(.parameter("$"))
            return
        }
        if scanner.startsWith("$(("), scanner.isArithmetic(openingAt: index + 1) {
            index += 3
            let inner = try nested { (parser) throws(ShellParseError) in try parser.readArithmetic(openedAt: start) }
            parts.append(.arithmetic(source: String(decoding: bytes[start..<index], as: UTF8.self), parts: inner))
            return
        }
        if next == UInt8(ascii: "(") {
            index += 2
            parts.append(.commandSubstitution(try parseUntilClosingParenthesis(openedAt: start, "unterminated command substitution '$('")))
            return
        }
        if next == UInt8(ascii: "{") {
            index += 1
            // `${VERSION:-$(curl …)}`: a default value's substitution runs when the parameter is unset.
            let inner = try nested { (parser) throws(ShellParseError) in
                try parser.readBalanced(open: UInt8(ascii: "{"), close: UInt8(ascii: "}"))
            }
            parts.append(.parameter(String(decoding: bytes[start..<index], as: UTF8.self)))
            parts += inner
            return
        }
        if next == UInt8(ascii: "'") && !inQuotes {
            index += 1
            var cursor = index + 1
            while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "'") {
                cursor += bytes[cursor] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard cursor < bytes.count else { throw ShellParseError(offset: baseOffset + start, message: "unterminated $'…' quote") }
            let text = String(decoding: bytes[(index + 1)..<cursor], as: UTF8.self)
            index = cursor + 1
            parts.append(.quoted(text))
            return
        }
        if next == UInt8(ascii: "\"") && !inQuotes {
            // `$"…"`, a translated string: expanded as a double-quoted one.
            index += 1
            parts += try readDoubleQuoted()
            return
        }
        if ShellScanner.isNameByte(next) {
            var cursor = index + 1
            while cursor < bytes.count, ShellScanner.isNameByte(bytes[cursor]) { cursor += 1 }
            index = cursor
            parts.append(.parameter(String(decoding: bytes[start..<index], as: UTF8.self)))
            return
        }
        if ShellScanner.isDigit(next) || "@*#?$!-".utf8.contains(next) {
            index += 2
            parts.append(.parameter(String(decoding: bytes[start..<index], as: UTF8.self)))
            return
        }
        index += 1
        parts.append(.parameter("$"))
    }

    // MARK: - Skimming

    /// A command the scanner steps over, as the tree holds it: no words, the verdict.
    private mutating func skimCommand() -> SimpleCommand? {
        guard let skimPolicy, let skimmed = scanner.skimInertCommand(policy: skimPolicy, definedFunctions: definedFunctions) else { return nil }
        var command = SimpleCommand(offset: baseOffset + skimmed.range.lowerBound)
        command.end = baseOffset + skimmed.range.upperBound
        command.skimmed = skimmed.skim
        return command
    }

    /// A whole list item the skim steps over: a pipeline of commands it
    /// steps over, or a `for`, `while`, `until`, `if`, `case` or `{ … }`
    /// made of nothing else (no `!`, subshell, function, substitution,
    /// heredoc, or redirection of the group), with no `&&` or `||` after it.
    /// Such an item can neither download, verify nor run code, and the
    /// analysis asks of it only whether it ends the script. Anything else is
    /// left for `parseAndOr`, with the cursor where it was.
    private mutating func skimStandaloneItem() -> SimpleCommand? {
        guard let skimPolicy else { return nil }
        let start = index
        // zsh's own group syntax is left to the parser, as is all of a text
        // where skimming groups proved vain: only lone simple commands are stepped over there.
        guard dialect != .zsh, skimmingGroups else {
            guard !(dialect == .zsh && openBraceGroups > 0), scanner.peekKeyword() == nil, let command = skimCommand() else { return nil }
            scanner.skipBlanks()
            if index < bytes.count, bytes[index] == UInt8(ascii: "|") || scanner.startsWith(UInt8(ascii: "&"), UInt8(ascii: "&")) {
                index = start
                return nil
            }
            return command
        }
        var end = start
        guard scanner.hereDocumentSkip == nil, let skim = skimPipeline(skimPolicy, end: &end, depth: depth),
              !scanner.startsWith(UInt8(ascii: "&"), UInt8(ascii: "&")), !scanner.startsWith(UInt8(ascii: "|"), UInt8(ascii: "|"))
        else {
            // What a failed skim read is read again by the parser: once the
            // text's length has been read in vain, groups are read in full.
            skimmedInVain += index - start
            if skimmedInVain > bytes.count { skimmingGroups = false }
            index = start
            return nil
        }
        var command = SimpleCommand(offset: baseOffset + start)
        command.end = baseOffset + end
        command.skimmed = skim
        return command
    }

    /// Commands joined by `|`, each stepped over; `end` moves past the last.
    /// The verdict is the command's when there is one; a longer pipeline
    /// runs each command in a subshell, so an `exit` in it ends nothing.
    private mutating func skimPipeline(_ policy: SkimPolicy, end: inout Int, depth: Int) -> SimpleCommand.Skim? {
        var verdict: SimpleCommand.Skim?
        var count = 0
        while true {
            guard let skim = skimPipelineCommand(policy, end: &end, depth: depth) else { return nil }
            count += 1
            verdict = count == 1 ? skim : (verdict == .consumesInput || skim == .consumesInput ? .consumesInput : .passesInputOn)
            scanner.skipBlanks()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "|"), !scanner.startsWith(UInt8(ascii: "|"), UInt8(ascii: "|")),
                  !scanner.startsWith(UInt8(ascii: "|"), UInt8(ascii: "&"))
            else { break }
            index += 1
            skimSeparators(newlinesOnly: true)
        }
        return count > 1 && verdict == .exits ? .passesInputOn : verdict
    }

    /// One command of a skimmed pipeline: a simple command or a group of skimmed lists.
    /// A `for`, `case` or `{ … }` is one list in the tree, which ends the
    /// script when an item of its own is a lone `exit`; `if` and loops with a
    /// condition never count as ending it (`ShellCommand` and the analysis).
    private mutating func skimPipelineCommand(_ policy: SkimPolicy, end: inout Int, depth: Int) -> SimpleCommand.Skim? {
        guard depth < Self.maximumDepth else { return nil }
        guard let keyword = scanner.peekKeyword() else {
            guard let skimmed = scanner.skimInertCommand(policy: policy, definedFunctions: definedFunctions) else { return nil }
            end = skimmed.range.upperBound
            return skimmed.skim
        }
        var exits = false
        switch keyword {
        case .openBrace:
            index += 1
            guard let bodyExits = skimList(policy, until: Keywords(.closeBrace), depth: depth) else { return nil }
            exits = bodyExits
        case .for:
            index += keyword.length
            guard skimLoopHeader(), let bodyExits = skimList(policy, until: Keywords(.done), depth: depth) else { return nil }
            exits = bodyExits
        case .while, .until:
            index += keyword.length
            guard skimList(policy, until: Keywords(.do), depth: depth) != nil else { return nil }
            index += Keyword.do.length
            guard skimList(policy, until: Keywords(.done), depth: depth) != nil else { return nil }
        case .if:
            index += keyword.length
            var next = Keyword.if
            while next == .if || next == .elif {
                guard skimList(policy, until: Keywords(.then), depth: depth) != nil else { return nil }
                index += Keyword.then.length
                guard skimList(policy, until: Keywords(.elif).adding(.else).adding(.fi), depth: depth) != nil,
                      let found = scanner.peekKeyword() else { return nil }
                index += found.length
                next = found
            }
            if next == .else {
                guard skimList(policy, until: Keywords(.fi), depth: depth) != nil else { return nil }
                index += Keyword.fi.length
            }
        case .case:
            index += keyword.length
            guard let armsExit = skimCaseArms(policy, depth: depth) else { return nil }
            exits = armsExit
        default:
            return nil
        }
        // `if` and `case` consumed their closing word; the other groups' lists stop before theirs.
        if keyword == .openBrace || keyword == .for || keyword == .while || keyword == .until {
            guard let closing = scanner.peekKeyword(), closing == .closeBrace || closing == .done else { return nil }
            index += closing.length
        }
        end = index
        // A redirection of the whole group, or anything but a separator after it, is read in full.
        scanner.skipBlanks()
        guard index == bytes.count || "\n;|&)#".utf8.contains(bytes[index]) else { return nil }
        return exits ? .exits : .passesInputOn
    }

    /// `for NAME [in WORDS]` up to `do`, which it consumes; false for `for ((…))` or words with substitutions.
    private mutating func skimLoopHeader() -> Bool {
        scanner.skipBlanks()
        let nameStart = index
        while index < bytes.count, ShellScanner.isNameByte(bytes[index]) { index += 1 }
        guard index > nameStart else { return false }
        scanner.skipBlanks()
        if scanner.peekKeyword() == .in {
            index += Keyword.in.length
            while true {
                scanner.skipBlanks()
                guard index < bytes.count else { return false }
                if bytes[index] == UInt8(ascii: ";") || bytes[index] == UInt8(ascii: "\n") || scanner.peekKeyword() == .do { break }
                guard scanner.skimInertWord() else { return false }
            }
        }
        skimSeparators(newlinesOnly: false)
        guard scanner.peekKeyword() == .do else { return false }
        index += Keyword.do.length
        return true
    }

    /// `WORD in (PATTERN) LIST ;; … esac`, after `case`, up to and with `esac`;
    /// whether some arm's list holds a lone `exit` (the arms are one list in the tree).
    private mutating func skimCaseArms(_ policy: SkimPolicy, depth: Int) -> Bool? {
        scanner.skipBlanks()
        guard scanner.skimInertWord() else { return nil }
        skimSeparators(newlinesOnly: true)
        guard scanner.peekKeyword() == .in else { return nil }
        index += Keyword.in.length
        var exits = false
        while true {
            skimSeparators(newlinesOnly: true)
            guard index < bytes.count else { return nil }
            if scanner.peekKeyword() == .esac {
                index += Keyword.esac.length
                return exits
            }
            if bytes[index] == UInt8(ascii: "(") { index += 1 }
            while true {
                scanner.skipBlanks()
                guard scanner.skimInertWord() else { return nil }
                scanner.skipBlanks()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ")") { break }
                guard bytes[index] == UInt8(ascii: "|") else { return nil }
                index += 1
            }
            index += 1
            guard let armExits = skimList(policy, until: Keywords(.esac), inCaseArm: true, depth: depth) else { return nil }
            exits = exits || armExits
            if scanner.startsWith(";;&") { index += 3 } else if scanner.startsWith(UInt8(ascii: ";"), UInt8(ascii: ";")) || scanner.startsWith(UInt8(ascii: ";"), UInt8(ascii: "&")) { index += 2 }
        }
    }

    /// Steps over a list of skimmed pipelines, joined by `&&` and `||` or
    /// apart, up to one of `terminators` (not consumed) or a case arm's end;
    /// nil when something in it is not skimmed. Returns whether one of its
    /// items is a lone command that ends the script, as the analysis asks of a group's list.
    private mutating func skimList(_ policy: SkimPolicy, until terminators: Keywords, inCaseArm: Bool = false, depth: Int) -> Bool? {
        var exits = false
        while true {
            skimSeparators(newlinesOnly: false)
            guard index < bytes.count else { return nil }
            if inCaseArm, scanner.startsWith(UInt8(ascii: ";"), UInt8(ascii: ";")) || scanner.startsWith(UInt8(ascii: ";"), UInt8(ascii: "&")) { return exits }
            if let keyword = scanner.peekKeyword(), terminators.contains(keyword) { return exits }
            var pipelines = 0
            var lastExits = false
            while true {
                var end = index
                guard let skim = skimPipeline(policy, end: &end, depth: depth + 1) else { return nil }
                pipelines += 1
                lastExits = skim == .exits
                guard scanner.startsWith(UInt8(ascii: "&"), UInt8(ascii: "&")) || scanner.startsWith(UInt8(ascii: "|"), UInt8(ascii: "|")) else { break }
                index += 2
                skimSeparators(newlinesOnly: true)
            }
            if pipelines == 1 && lastExits { exits = true }
            // An item ends at a separator or where the next keyword closes the group.
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ")") { return nil }
        }
    }

    /// Blanks, comments and newlines between skimmed commands, and unless
    /// `newlinesOnly`, a lone `;` or `&` too (never `;;`, `&&` or `&>`).
    private mutating func skimSeparators(newlinesOnly: Bool) {
        while index < bytes.count {
            scanner.skipBlanks()
            guard index < bytes.count else { return }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                index += 1
            } else if byte == UInt8(ascii: "#") {
                scanner.skipComment()
            } else if !newlinesOnly, byte == UInt8(ascii: ";"), !scanner.startsWith(UInt8(ascii: ";"), UInt8(ascii: ";")), !scanner.startsWith(UInt8(ascii: ";"), UInt8(ascii: "&")) {
                index += 1
            } else if !newlinesOnly, byte == UInt8(ascii: "&"), !scanner.startsWith(UInt8(ascii: "&"), UInt8(ascii: "&")), !scanner.startsWith(UInt8(ascii: "&"), UInt8(ascii: ">")) {
                index += 1
            } else {
                return
            }
        }
    }

    // MARK: - Helpers

    /// Parses a list up to its closing `)` and consumes it; an unclosed one
    /// is reported where the construct opened.
    private mutating func parseUntilClosingParenthesis(openedAt opening: Int, _ message: String) throws(ShellParseError) -> ShellList {
        let list = try nested { (parser) throws(ShellParseError) in
            try parser.parseList(closing: UInt8(ascii: ")"), keywords: .none)
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: ")") else {
            throw ShellParseError(offset: baseOffset + opening, message: message)
        }
        index += 1
        return list
    }

    private mutating func nested<T>(_ body: (inout ShellParser) throws(ShellParseError) -> T) throws(ShellParseError) -> T {
        guard depth < Self.maximumDepth else { throw tooDeep(at: index) }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }

    private func tooDeep(at offset: Int) -> ShellParseError {
        ShellParseError(offset: baseOffset + offset, message: "nesting deeper than \(Self.maximumDepth) levels")
    }

    /// Reads from an opening byte to its match, honouring quotes, and
    /// returns the substitutions inside (`$(…)`, backquotes, `<(…)`, and
    /// those in double quotes and nested `${…}`), which run when the text
    /// is expanded: an array `a=( $(cmd) )`, a glob `@(…)`, a `${…}`.
    private mutating func readBalanced(open: UInt8, close: UInt8) throws(ShellParseError) -> [WordPart] {
        let start = index
        var level = 0
        var substitutions: [WordPart] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\\"):
                index += 2
                continue
            case UInt8(ascii: "'"):
                _ = try readSingleQuoted()
                continue
            case UInt8(ascii: "\""):
                substitutions += try readDoubleQuoted().filter(\.isSubstitution)
                continue
            case UInt8(ascii: "`"):
                substitutions.append(try readBackticks())
                continue
            case UInt8(ascii: "$") where scanner.peek(1) == UInt8(ascii: "(") || scanner.peek(1) == UInt8(ascii: "{"):
                var expansion: [WordPart] = []
                try readDollar(inQuotes: false, into: &expansion)
                substitutions += expansion.filter(\.isSubstitution)
                continue
            case UInt8(ascii: "<"), UInt8(ascii: ">"):
                if scanner.peek(1) == UInt8(ascii: "(") {
                    let opening = index
                    index += 2
                    substitutions.append(.processSubstitution(try parseUntilClosingParenthesis(openedAt: opening, "a process substitution is not closed with ')'")))
                    continue
                }
            default:
                break
            }
            if byte == open { level += 1 }
            if byte == close {
                level -= 1
                if level == 0 {
                    index += 1
                    return substitutions
                }
            }
            index += 1
        }
        throw ShellParseError(offset: baseOffset + start, message: "'\(Character(Unicode.Scalar(open)))' is not closed with '\(Character(Unicode.Scalar(close)))'")
    }

    private func error(_ message: String) -> ShellParseError {
        ShellParseError(offset: baseOffset + min(index, max(bytes.count - 1, 0)), message: message)
    }

    private func isAssignment(_ word: ShellWord) -> Bool {
        guard let first = word.leadingLiteral else { return false }
        let utf8 = first.utf8
        guard let head = utf8.first, !ShellScanner.isDigit(head), head != UInt8(ascii: "=") else { return false }
        for byte in utf8 {
            if byte == UInt8(ascii: "=") { return true }
            guard ShellScanner.isNameByte(byte) || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "+") else { return false }
        }
        return false
    }
}

