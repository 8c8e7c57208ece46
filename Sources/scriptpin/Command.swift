import ScriptPinKit

/// An operand of a command, for its usage line and help.
struct Operand: Sendable {
    enum Count: Sendable {
        case one
        /// Zero or one: `[<name>]`.
        case optional
        /// Zero or more: `[<path>...]`.
        case any
        /// Everything after `--`, passed on untouched.
        case afterDoubleDash
    }

    let name: String
    let count: Count
    let help: String

    var usage: String {
        switch count {
        case .one: name
        case .optional: "[\(name)]"
        case .any: "[\(name)...]"
        case .afterDoubleDash: "[-- \(name)...]"
        }
    }
}

/// A subcommand, declared once: its options bound to the library request it
/// fills, its operands, its exit codes, and what it does with the request.
/// Usage, help and parsing all come from this declaration.
struct CommandDefinition<Request>: Sendable {
    let name: String
    let overview: String
    let operands: [Operand]
    let options: [Option<Request>]
    let discussion: String?
    var exitCodes = ExitCodeScheme.categories
    let request: @Sendable (ProcessContext) -> Request
    let perform: @Sendable (inout Request, ParsedArguments, Console, ProcessContext) throws(ScriptPinError) -> Int32
}

/// A command with its request type erased, as `main` dispatches it.
struct Command: Sendable {
    let name: String
    let overview: String
    let exitCodes: ExitCodeScheme
    /// Every option the parser accepts, `--help` last.
    let options: [OptionSpec]
    let usage: String
    let help: String
    private let run: @Sendable (ParsedArguments, Console, ProcessContext) throws(ScriptPinError) -> Int32

    static let helpOption = OptionSpec(name: "help", shortName: "h", placeholder: nil, repeatable: false, help: "Show help information.")

    init<Request>(_ definition: CommandDefinition<Request>) {
        name = definition.name
        overview = definition.overview
        exitCodes = definition.exitCodes
        options = definition.options.flatMap(\.specs) + [Self.helpOption]
        let operandUsage = definition.operands.filter { $0.count != .afterDoubleDash }.map(\.usage)
        let passthroughUsage = definition.operands.filter { $0.count == .afterDoubleDash }.map(\.usage)
        usage = (["scriptpin", definition.name] + operandUsage + definition.options.compactMap(\.usage) + passthroughUsage).joined(separator: " ")
        help = Self.help(definition, usage: usage, options: options)
        run = { parsed, console, context throws(ScriptPinError) in
            var request = definition.request(context)
            for option in definition.options { try option.bind(&request, parsed, context) }
            return try definition.perform(&request, parsed, console, context)
        }
    }

    func parse(_ arguments: [String]) throws(ScriptPinError) -> ParsedArguments {
        try parseCommandLine(arguments, options: options, command: name)
    }

    func perform(_ parsed: ParsedArguments, console: Console, context: ProcessContext) throws(ScriptPinError) -> Int32 {
        try run(parsed, console, context)
    }

    /// OVERVIEW / USAGE / ARGUMENTS / OPTIONS, in the layout of swift-argument-parser.
    private static func help<Request>(_ definition: CommandDefinition<Request>, usage: String, options: [OptionSpec]) -> String {
        var text = "OVERVIEW: \(definition.overview)\n\nUSAGE: \(usage)\n"
        if let discussion = definition.discussion { text += "\n\(discussion)\n" }
        if !definition.operands.isEmpty {
            text += "\nARGUMENTS:\n"
            for operand in definition.operands { text += row(operand.name, operand.help) }
        }
        text += "\nOPTIONS:\n"
        for option in options { text += row(option.label, option.help) }
        return text
    }

    static func row(_ label: String, _ help: String) -> String {
        let padded = label.count < 26 ? label + String(repeating: " ", count: 26 - label.count) : label + "\n" + String(repeating: " ", count: 28)
        return "  \(padded)\(help)\n"
    }
}
