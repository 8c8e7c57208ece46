/// The parts of shell syntax that decide where data flows: words with their
/// substitutions, redirections with heredoc bodies, pipelines and lists.
/// Positions are byte offsets into the parsed text.
/// Only the cases that nest are boxed: text, by far the most common part,
/// is stored in place, without an allocation of its own.
public enum WordPart: Sendable {
    /// Unquoted text.
    case literal(String)
    /// Text from single or double quotes, or escapes: never split, never a command.
    case quoted(String)
    case parameter(String)
    indirect case commandSubstitution(ShellList)
    indirect case processSubstitution(ShellList)
    /// `$((…))`, or the expression of a `((…))` command: its text as written,
    /// and the substitutions inside it, which run when it is evaluated.
    indirect case arithmetic(source: String, parts: [WordPart])
}

public struct ShellWord: Sendable {
    /// The parts of a word that is not plain. A plain word (unquoted text
    /// alone, most words of a script) keeps no array: its one part is `literal`.
    private let storedParts: [WordPart]
    private let isPlain: Bool
    /// Where the word starts in the parsed text.
    public let offset: Int
    /// Where it ends (exclusive): `offset..<end` is exactly its source text.
    public var end: Int
    /// The word's text when it holds no substitution; parameters are kept as
    /// written (`$TMP/x`). Computed once: the analysis asks for it often.
    public let literal: String?

    public init(parts: [WordPart], offset: Int, end: Int? = nil) {
        self.offset = offset
        self.end = end ?? offset
        if parts.count == 1, case .literal(let text) = parts[0] {
            (storedParts, isPlain, literal) = ([], true, text)
            return
        }
        (storedParts, isPlain) = (parts, false)
        literal = Self.literal(of: parts)
    }

    /// A plain word: unquoted text with no expansion but parameters.
    init(plain text: String, offset: Int, end: Int) {
        (storedParts, isPlain, literal) = ([], true, text)
        self.offset = offset
        self.end = end
    }

    private static func literal(of parts: [WordPart]) -> String? {
        var text = ""
        for part in parts {
            switch part {
            case .literal(let value), .quoted(let value): text += value
            case .parameter(let name): text += name
            case .arithmetic(let source, let parts):
                guard !parts.contains(where: \.isSubstitution) else { return nil }
                text += source
            case .commandSubstitution, .processSubstitution:
                return nil
            }
        }
        return text
    }

    public var parts: [WordPart] {
        isPlain ? [.literal(literal ?? "")] : storedParts
    }

    /// The word's text with substitutions shown as `$(…)`, for names and messages.
    public var text: String {
        if isPlain { return literal ?? "" }
        return storedParts.map { part -> String in
            switch part {
            case .literal(let value), .quoted(let value): value
            case .parameter(let name): name
            case .arithmetic(let source, _): source
            case .commandSubstitution: "$(…)"
            case .processSubstitution: "<(…)"
            }
        }.joined()
    }

    /// Lists run by command or process substitutions inside the word.
    public var substitutions: [(ShellList, isProcess: Bool)] {
        isPlain ? [] : WordPart.substitutions(in: storedParts)
    }

    /// Whether the word holds a command or process substitution (in arithmetic too).
    var hasSubstitution: Bool {
        !isPlain && storedParts.contains(where: \.isSubstitution)
    }

    /// The word's first part when that is unquoted text (`NAME=` of an assignment).
    var leadingLiteral: String? {
        if isPlain { return literal }
        guard case .literal(let text)? = storedParts.first else { return nil }
        return text
    }

    /// Whether the word starts with quoted text (`'x'`, `"x"`, `\x`).
    var startsQuoted: Bool {
        guard !isPlain, case .quoted? = storedParts.first else { return false }
        return true
    }
}

extension WordPart {
    var isSubstitution: Bool {
        switch self {
        case .commandSubstitution, .processSubstitution: true
        case .arithmetic(_, let parts): parts.contains(where: \.isSubstitution)
        default: false
        }
    }

    /// The substitutions in `parts`, those inside arithmetic included.
    static func substitutions(in parts: [WordPart]) -> [(ShellList, isProcess: Bool)] {
        parts.flatMap { part -> [(ShellList, isProcess: Bool)] in
            switch part {
            case .commandSubstitution(let list): [(list, false)]
            case .processSubstitution(let list): [(list, true)]
            case .arithmetic(_, let inner): substitutions(in: inner)
            default: []
            }
        }
    }
}

public struct HereDocument: Sendable {
    public let body: [UInt8]
    public let bodyOffset: Int
    /// A quoted delimiter (`<<'EOF'`) disables expansion in the body.
    public let quoted: Bool
}

/// A redirection operator, as written.
public enum RedirectionOperator: String, Sendable, CaseIterable {
    case hereString = "<<<"
    case hereDocumentStrippingTabs = "<<-"
    case appendBoth = "&>>"
    case hereDocument = "<<"
    case readWrite = "<>"
    case duplicateInput = "<&"
    case append = ">>"
    case duplicateOutput = ">&"
    case clobber = ">|"
    case outputBoth = "&>"
    case input = "<"
    case output = ">"

    /// Longest first, so that `<<<` is not read as `<<` and `<`.
    static let byLength = allCases.sorted { $0.rawValue.utf8.count > $1.rawValue.utf8.count }

    /// Whether the target is a file that receives output.
    public var writesFile: Bool {
        [.output, .append, .clobber, .outputBoth, .appendBoth].contains(self)
    }
}

/// What joins two pipelines of an and-or list.
public enum ListOperator: String, Sendable {
    case and = "&&"
    case or = "||"
}

public struct Redirection: Sendable {
    /// `start..<end` covers the descriptor, the operator and the target (not a heredoc's body).
    public var start = 0
    public var end = 0
    public let descriptor: Int?
    public let operation: RedirectionOperator
    public let target: ShellWord?
    public var hereDocument: HereDocument?
}

public struct SimpleCommand: Sendable {
    public var assignments: [ShellWord] = []
    public var words: [ShellWord] = []
    public var redirections: [Redirection] = []
    /// `offset..<end` covers the command from its first word to its last redirection.
    public var offset: Int
    public var end = 0
    /// Set when lint's skimming parse stepped over the command without keeping its words.
    public var skimmed: Skim?

    /// What lint's parser knew of a command it stepped over: all the analysis asks of it.
    public enum Skim: Sendable, Equatable {
        /// A command of no kind the analysis follows (`mkdir`, `sort`): what is piped in flows on, as through any filter.
        case passesInputOn
        /// A command that consumes what is piped into it and runs none of it (`echo`, `printf`, `wc`).
        case consumesInput
        /// `exit` or `return`, which ends the script or function: it decides
        /// what a failing check stops. What is piped in flows on, as into `passesInputOn`.
        case exits
    }
}

public enum ShellCommand: Sendable {
    case simple(SimpleCommand)
    /// `{ …; }`, a `for` or `select` loop's body, or a `case`'s arms,
    /// flattened into one list in source order: they run in the same shell,
    /// so what they set (`set -e`, functions) holds after them.
    indirect case compound(ShellList, redirections: [Redirection])
    /// `( … )`: a child process, whose options and functions end with it.
    indirect case subshell(ShellList, redirections: [Redirection])
    /// `if`, `while` and `until`, with their conditions apart from their bodies:
    /// whether a failing command stops what follows depends on where it stands.
    indirect case conditional(ConditionalCommand)
    /// `name() body` or `function name body`.
    indirect case function(name: String, body: ShellCommand)

    /// A simple command that lint's parser stepped over.
    var isSkimmed: Bool {
        if case .simple(let command) = self { return command.skimmed != nil }
        return false
    }

    /// Where the command starts: a group's first command (its brackets and keywords are not kept).
    public var start: Int {
        switch self {
        case .simple(let command): command.offset
        case .compound(let list, _), .subshell(let list, _): list.start
        case .conditional(let conditional): conditional.start
        case .function(_, let body): body.start
        }
    }

    /// Where the command ends: after its last word, redirection, or grouped command.
    public var end: Int {
        switch self {
        case .simple(let command): command.end
        case .compound(let list, let redirections), .subshell(let list, let redirections): max(list.end, redirections.last?.end ?? 0)
        case .conditional(let conditional): conditional.end
        case .function(_, let body): body.end
        }
    }
}

/// `if … then … [elif … then …] [else …] fi`, `while … do … done`, `until … do … done`.
public struct ConditionalCommand: Sendable {
    public enum Kind: String, Sendable {
        case ifClause = "if"
        case whileLoop = "while"
        case untilLoop = "until"
    }

    public struct Clause: Sendable {
        public var condition: ShellList
        public var body: ShellList
    }

    public var kind: Kind
    /// `if` and each `elif`; a loop has one.
    public var clauses: [Clause] = []
    public var elseBody: ShellList?
    public var redirections: [Redirection] = []
    /// From the keyword to `fi` or `done` and its redirections.
    public var start: Int
    public var end = 0

    /// Every condition and body in source order, for passes that need no structure.
    public var allParts: ShellList {
        var list = ShellList()
        for clause in clauses { list.items += clause.condition.items + clause.body.items }
        list.items += elseBody?.items ?? []
        list.start = list.items.first?.start ?? start
        list.end = list.items.last?.end ?? list.start
        return list
    }
}

public struct Pipeline: Sendable {
    public var commands: [ShellCommand] = []
    /// `! pipeline`: its status is inverted, and `set -e` ignores it.
    public var negated = false
    /// `start..<end` covers the pipeline's commands and the `|` between them.
    public var start = 0
    public var end = 0
}

/// Pipelines joined by `&&` and `||`; `operators[i]` joins `pipelines[i]` and `pipelines[i + 1]`.
public struct AndOrList: Sendable {
    public var pipelines: [Pipeline] = []
    public var operators: [ListOperator] = []
    public var start = 0
    public var end = 0
}

public struct ShellList: Sendable {
    public var items: [AndOrList] = []
    public var start = 0
    public var end = 0

    /// One simple command: no pipe, no `&&`, no group.
    var isSingleCommand: Bool {
        guard items.count == 1, items[0].pipelines.count == 1, items[0].pipelines[0].commands.count == 1,
              case .simple = items[0].pipelines[0].commands[0]
        else { return false }
        return true
    }
}

/// Why a text could not be parsed, and where.
public struct ShellParseError: Error, Sendable {
    public let offset: Int
    public let message: String
}
