import ScriptPinKit

/// One option a command accepts.
struct OptionSpec: Sendable {
    let name: String
    let shortName: Character?
    /// Placeholder for the value, or nil for a flag.
    let valueName: String?
    let repeatable: Bool
    let help: String

    static func flag(_ name: String, short: Character? = nil, _ help: String) -> OptionSpec {
        OptionSpec(name: name, shortName: short, valueName: nil, repeatable: false, help: help)
    }

    static func value(_ name: String, short: Character? = nil, _ valueName: String, repeatable: Bool = false, _ help: String) -> OptionSpec {
        OptionSpec(name: name, shortName: short, valueName: valueName, repeatable: repeatable, help: help)
    }
}

/// A subcommand's shape, from which both parsing and help are made.
struct CommandSpec: Sendable {
    let name: String
    let overview: String
    let usage: String
    let arguments: [(String, String)]
    let options: [OptionSpec]
    let discussion: String?
}

/// The command line after parsing: options may come before or after operands;
/// everything after `--` is kept apart, untouched.
struct ParsedArguments {
    var flags: Set<String> = []
    var values: [String: [String]] = [:]
    var operands: [String] = []
    /// Where each operand stood on the command line (1 is the command's name),
    /// so that a usage error can name an argument without repeating it.
    var operandPositions: [Int] = []
    var passthrough: [String] = []

    func flag(_ name: String) -> Bool { flags.contains(name) }
    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// An option's value as a whole number within `range`.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(ScriptPinError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw .usage("--\(name) needs a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }
}

extension CommandSpec {
    func parse(_ arguments: [String]) throws(ScriptPinError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                parsed.passthrough = Array(arguments[index...])
                break
            }
            guard argument.hasPrefix("-"), argument != "-" else {
                parsed.operands.append(argument)
                parsed.operandPositions.append(index + 1)
                continue
            }
            let (spec, inlineValue) = try lookUp(argument)
            guard spec.valueName != nil else {
                if inlineValue != nil { throw .usage("--\(spec.name) takes no value") }
                parsed.flags.insert(spec.name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else { throw .usage("--\(spec.name) needs a value: --\(spec.name) \(spec.valueName!)") }
                value = arguments[index]
                index += 1
            }
            if !spec.repeatable && parsed.values[spec.name] != nil {
                throw .usage("--\(spec.name) is given twice; give it once")
            }
            parsed.values[spec.name, default: []].append(value)
        }
        return parsed
    }

    private func lookUp(_ argument: String) throws(ScriptPinError) -> (OptionSpec, String?) {
        if argument.hasPrefix("--") {
            let body = argument.dropFirst(2)
            let name = body.prefix(while: { $0 != "=" })
            let inline = body.count > name.count ? String(body.dropFirst(name.count + 1)) : nil
            if let spec = options.first(where: { $0.name == name }) { return (spec, inline) }
        } else if argument.count == 2, let spec = options.first(where: { $0.shortName == argument.last }) {
            return (spec, nil)
        }
        // Only the name: what follows `=` may be a secret typed in the wrong place.
        throw .usage("unknown option '\(argument.prefix(while: { $0 != "=" }))' for `scriptpin \(name)`")
    }

    /// OVERVIEW / USAGE / ARGUMENTS / OPTIONS, in the layout of swift-argument-parser.
    var help: String {
        var text = "OVERVIEW: \(overview)\n\nUSAGE: \(usage)\n"
        if let discussion { text += "\n\(discussion)\n" }
        if !arguments.isEmpty {
            text += "\nARGUMENTS:\n"
            for (name, help) in arguments { text += Self.row(name, help) }
        }
        text += "\nOPTIONS:\n"
        for option in options {
            var label = option.shortName.map { "-\($0), " } ?? ""
            label += "--\(option.name)"
            if let valueName = option.valueName { label += " <\(valueName)>" }
            text += Self.row(label, option.help)
        }
        return text
    }

    static func row(_ label: String, _ help: String) -> String {
        let padded = label.count < 26 ? label + String(repeating: " ", count: 26 - label.count) : label + "\n" + String(repeating: " ", count: 28)
        return "  \(padded)\(help)\n"
    }
}
