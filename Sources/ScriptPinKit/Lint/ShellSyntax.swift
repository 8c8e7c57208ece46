/// The parts of shell syntax that decide where data flows: words with their
/// substitutions, redirections with heredoc bodies, pipelines and lists.
/// Positions are byte offsets into the parsed text.
public indirect enum WordPart: Sendable {
    /// Unquoted text.
    case literal(String)
    /// Text from single or double quotes, or escapes: never split, never a command.
    case quoted(String)
    case parameter(String)
    case commandSubstitution(ShellList)
    case processSubstitution(ShellList)
}

public struct ShellWord: Sendable {
    public let parts: [WordPart]
    public let offset: Int
    /// The word's text when it holds no substitution; parameters are kept as
    /// written (`$TMP/x`). Computed once: the analysis asks for it often.
    public let literal: String?

    public init(parts: [WordPart], offset: Int) {
        self.parts = parts
        self.offset = offset
        if parts.count == 1, case .literal(let text) = parts[0] {
            literal = text
            return
        }
        var text = ""
        for part in parts {
            switch part {
            case .literal(let value), .quoted(let value): text += value
            case .parameter(let name): text += name
            case .commandSubstitution, .processSubstitution:
                literal = nil
                return
            }
        }
        literal = text
    }

    /// The word's text with substitutions shown as `$(…)`, for names and messages.
    public var text: String {
        parts.map { part -> String in
            switch part {
            case .literal(let value), .quoted(let value): value
            case .parameter(let name): name
            case .commandSubstitution: "$(…)"
            case .processSubstitution: "<(…)"
            }
        }.joined()
    }

    /// Lists run by command or process substitutions inside the word.
    public var substitutions: [(ShellList, isProcess: Bool)] {
        parts.compactMap { part in
            switch part {
            case .commandSubstitution(let list): (list, false)
            case .processSubstitution(let list): (list, true)
            default: nil
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

public struct Redirection: Sendable {
    public let descriptor: Int?
    public let operation: String
    public let target: ShellWord?
    public var hereDocument: HereDocument?
}

public struct SimpleCommand: Sendable {
    public var assignments: [ShellWord] = []
    public var words: [ShellWord] = []
    public var redirections: [Redirection] = []
    public var offset: Int
}

public indirect enum ShellCommand: Sendable {
    case simple(SimpleCommand)
    /// `( … )`, `{ …; }`, a function body, or a compound command's parts,
    /// flattened into one list in source order.
    case compound(ShellList, redirections: [Redirection])
}

public struct Pipeline: Sendable {
    public var commands: [ShellCommand] = []
}

/// Pipelines joined by `&&` and `||`; `operators[i]` joins `pipelines[i]` and `pipelines[i + 1]`.
public struct AndOrList: Sendable {
    public var pipelines: [Pipeline] = []
    public var operators: [String] = []
}

public struct ShellList: Sendable {
    public var items: [AndOrList] = []
}

/// Why a text could not be parsed, and where.
public struct ShellParseError: Error, Sendable {
    public let offset: Int
    public let message: String
}
