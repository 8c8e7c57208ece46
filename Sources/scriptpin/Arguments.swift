import ScriptPinKit

/// What one option looks like on the command line: the parser reads it,
/// and usage and help print it, from this one description.
struct OptionSpec: Sendable, Hashable {
    let name: String
    let shortName: Character?
    /// What the value looks like (`<path>`, `auto|required|off`), or nil for a flag.
    let placeholder: String?
    let repeatable: Bool
    let help: String
    /// How many arguments one use takes (`--signature KIND URL KEY` takes three),
    /// recorded as one value, space-separated, as the pin line writes it.
    var valueCount = 1

    /// `--name`, as messages name the option.
    var spelling: String { "--\(name)" }

    /// `[--name <value>]...`, for the usage line.
    var usage: String {
        let body = placeholder.map { "\(spelling) \($0)" } ?? spelling
        return "[\(body)]" + (repeatable ? "..." : "")
    }

    /// `-o, --output <file>`, for the help's option list.
    var label: String {
        (shortName.map { "-\($0), " } ?? "") + spelling + (placeholder.map { " \($0)" } ?? "")
    }
}

/// The command line after parsing: options may come before or after operands;
/// everything after `--` is kept apart, untouched. Values are found by the
/// option's declaration, never by a name typed again.
struct ParsedArguments {
    private var given: [OptionSpec: [String]] = [:]
    var operands: [String] = []
    /// Where each operand stood on the command line (1 is the command's name),
    /// so that a usage error can name an argument without repeating it.
    var operandPositions: [Int] = []
    var passthrough: [String] = []

    func isGiven(_ option: OptionSpec) -> Bool { given[option] != nil }
    func values(of option: OptionSpec) -> [String] { given[option] ?? [] }

    mutating func record(_ option: OptionSpec, _ value: String?) throws(ScriptPinError) {
        if !option.repeatable && given[option] != nil { throw .usage("\(option.spelling) is given twice; give it once") }
        given[option, default: []] += value.map { [$0] } ?? []
    }
}

/// Reads `arguments` against `options`.
func parseCommandLine(_ arguments: [String], options: [OptionSpec], command: String) throws(ScriptPinError) -> ParsedArguments {
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
        let (option, inlineValue) = try lookUp(argument, in: options, command: command)
        guard let placeholder = option.placeholder else {
            if inlineValue != nil { throw .usage("\(option.spelling) takes no value") }
            try parsed.record(option, nil)
            continue
        }
        if let inlineValue {
            guard option.valueCount == 1 else { throw .usage("\(option.spelling) takes \(option.valueCount) values after it, not after `=`: \(option.spelling) \(placeholder)") }
            try parsed.record(option, inlineValue)
        } else {
            guard arguments.count - index >= option.valueCount else {
                throw .usage("\(option.spelling) needs \(option.valueCount == 1 ? "a value" : "\(option.valueCount) values"): \(option.spelling) \(placeholder)")
            }
            try parsed.record(option, arguments[index..<index + option.valueCount].joined(separator: " "))
            index += option.valueCount
        }
    }
    return parsed
}

private func lookUp(_ argument: String, in options: [OptionSpec], command: String) throws(ScriptPinError) -> (OptionSpec, String?) {
    if argument.hasPrefix("--") {
        let body = argument.dropFirst(2)
        let name = body.prefix(while: { $0 != "=" })
        let inline = body.count > name.count ? String(body.dropFirst(name.count + 1)) : nil
        if let option = options.first(where: { $0.name == name }) { return (option, inline) }
    } else if argument.count == 2, let option = options.first(where: { $0.shortName == argument.last }) {
        return (option, nil)
    }
    // Only the name: what follows `=` may be a secret typed in the wrong place.
    throw .usage("unknown option '\(argument.prefix(while: { $0 != "=" }))' for `scriptpin \(command)`")
}

/// One option of a command's request, declared once: what the command line
/// spells (one spec, several for flags that are one choice, none for what
/// comes from the environment) and how its value lands in the request.
struct Option<Request>: Sendable {
    let specs: [OptionSpec]
    /// Flags that are one choice print as `[--a | --b]`.
    let usage: String?
    let bind: @Sendable (inout Request, ParsedArguments, ProcessContext) throws(ScriptPinError) -> Void

    init(specs: [OptionSpec], usage: String? = nil, bind: @escaping @Sendable (inout Request, ParsedArguments, ProcessContext) throws(ScriptPinError) -> Void) {
        self.specs = specs
        self.usage = usage ?? (specs.isEmpty ? nil : specs.map(\.usage).joined(separator: " "))
        self.bind = bind
    }

    /// The same option for a request that holds this one's at `keyPath`,
    /// so that a group (the fetch options) is declared once for every command.
    func scoped<Outer>(_ keyPath: WritableKeyPath<Outer, Request> & Sendable) -> Option<Outer> {
        let bind = self.bind
        return Option<Outer>(specs: specs, usage: usage) { outer, parsed, context throws(ScriptPinError) in
            try bind(&outer[keyPath: keyPath], parsed, context)
        }
    }
}

extension Option {
    static func flag(_ name: String, short: Character? = nil, _ keyPath: WritableKeyPath<Request, Bool> & Sendable, _ help: String) -> Option {
        let spec = OptionSpec(name: name, shortName: short, placeholder: nil, repeatable: false, help: help)
        return Option(specs: [spec]) { request, parsed, _ in
            if parsed.isGiven(spec) { request[keyPath: keyPath] = true }
        }
    }

    /// One value, read by `parse`, which returns nil for a value it cannot
    /// use; the message says what the value must be, and never repeats it.
    static func value<Value>(
        _ name: String, short: Character? = nil, _ placeholder: String, _ keyPath: WritableKeyPath<Request, Value> & Sendable,
        parse: @escaping @Sendable (String) -> Value?, expected: String, _ help: String
    ) -> Option {
        let spec = OptionSpec(name: name, shortName: short, placeholder: placeholder, repeatable: false, help: help)
        return Option(specs: [spec]) { request, parsed, _ throws(ScriptPinError) in
            guard let text = parsed.values(of: spec).last else { return }
            guard let value = parse(text) else { throw .usage("\(spec.spelling) needs \(expected)") }
            request[keyPath: keyPath] = value
        }
    }

    static func value(_ name: String, short: Character? = nil, _ placeholder: String, _ keyPath: WritableKeyPath<Request, String?> & Sendable, _ help: String) -> Option {
        value(name, short: short, placeholder, keyPath, parse: { $0 }, expected: "a value", help)
    }

    /// A whole number within `range`.
    static func integer(
        _ name: String, _ placeholder: String, _ keyPath: WritableKeyPath<Request, Int> & Sendable, in range: ClosedRange<Int>, _ help: String
    ) -> Option {
        value(name, placeholder, keyPath, parse: { Int($0).flatMap { range.contains($0) ? $0 : nil } },
              expected: "a whole number from \(range.lowerBound) to \(range.upperBound)", help)
    }

    /// One of the words of `Value`, which spell the placeholder and the message too.
    static func choice<Value: NamedValues>(_ name: String, _ keyPath: WritableKeyPath<Request, Value> & Sendable, _ help: String) -> Option {
        choice(name, help) { request, value in request[keyPath: keyPath] = value }
    }

    static func choice<Value: NamedValues>(_ name: String, _ keyPath: WritableKeyPath<Request, Value?> & Sendable, _ help: String) -> Option {
        choice(name, help) { request, value in request[keyPath: keyPath] = value }
    }

    private static func choice<Value: NamedValues>(_ name: String, _ help: String, assign: @escaping @Sendable (inout Request, Value) -> Void) -> Option {
        let spec = OptionSpec(name: name, shortName: nil, placeholder: Value.alternatives, repeatable: false, help: help)
        return Option(specs: [spec]) { request, parsed, _ throws(ScriptPinError) in
            guard let text = parsed.values(of: spec).last else { return }
            guard let value = Value(rawValue: text) else { throw .usage("\(spec.spelling) takes \(Value.spelledOut)") }
            assign(&request, value)
        }
    }

    /// A repeatable option whose values are appended in order; `parse`
    /// returns nil for a value it cannot use, which the message names by its
    /// position (`--egress value 2`), never by its text.
    static func values<Value>(
        _ name: String, _ placeholder: String, _ keyPath: WritableKeyPath<Request, [Value]> & Sendable,
        parse: @escaping @Sendable (String) -> [Value]?, invalid: String, _ help: String, valueCount: Int = 1
    ) -> Option {
        let spec = OptionSpec(name: name, shortName: nil, placeholder: placeholder, repeatable: true, help: help, valueCount: valueCount)
        return Option(specs: [spec]) { request, parsed, _ throws(ScriptPinError) in
            for (index, text) in parsed.values(of: spec).enumerated() {
                guard let values = parse(text) else { throw .usage("\(spec.spelling) value \(index + 1) \(invalid)") }
                request[keyPath: keyPath] += values
            }
        }
    }

    static func values(
        _ name: String, _ placeholder: String, _ keyPath: WritableKeyPath<Request, [String]> & Sendable, _ help: String, valueCount: Int = 1
    ) -> Option {
        values(name, placeholder, keyPath, parse: { [$0] }, invalid: "", help, valueCount: valueCount)
    }

    /// Flags that each set the same value, so that giving two is a contradiction.
    static func oneOf<Value: Sendable>(_ keyPath: WritableKeyPath<Request, Value> & Sendable, _ choices: [(name: String, value: Value, help: String)]) -> Option {
        let specs = choices.map { OptionSpec(name: $0.name, shortName: nil, placeholder: nil, repeatable: false, help: $0.help) }
        let values = choices.map(\.value)
        return Option(specs: specs, usage: "[" + specs.map(\.spelling).joined(separator: " | ") + "]") { request, parsed, _ throws(ScriptPinError) in
            let chosen = specs.indices.filter { parsed.isGiven(specs[$0]) }
            guard chosen.count <= 1 else {
                throw .usage("\(chosen.map { specs[$0].spelling }.joined(separator: " and ")) contradict each other; choose one")
            }
            if let index = chosen.first { request[keyPath: keyPath] = values[index] }
        }
    }

    /// What the request takes from the environment rather than the command line.
    static func environment(_ bind: @escaping @Sendable (inout Request, ProcessContext) throws(ScriptPinError) -> Void) -> Option {
        Option(specs: []) { request, _, context throws(ScriptPinError) in try bind(&request, context) }
    }
}
