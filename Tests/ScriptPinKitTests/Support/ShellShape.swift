@testable import ScriptPinKit

/// A compact, readable rendering of a parsed shell AST, in the manner of
/// mvdan/sh's parser tests: `[echo hi] | [sh]`, `{ [a]; [b] } >out`,
/// `[sh -c «x»]` (quoted text in « »), `$(…)` and `<(…)` with their lists,
/// `((…))` an arithmetic expression with any substitutions in it.
enum ShellShape {
    static func of(_ list: ShellList) -> String {
        list.items.map(of).joined(separator: "; ")
    }

    static func of(_ andOr: AndOrList) -> String {
        var text = ""
        for (index, pipeline) in andOr.pipelines.enumerated() {
            if index > 0 { text += " \(andOr.operators[index - 1].rawValue) " }
            if pipeline.negated { text += "! " }
            text += pipeline.commands.map(of).joined(separator: " | ")
        }
        return text
    }

    static func of(_ command: ShellCommand) -> String {
        switch command {
        case .simple(let simple):
            let assignments = simple.assignments.map(of)
            let words = simple.words.map(of)
            return "[" + (assignments + words).joined(separator: " ") + "]" + simple.redirections.map(of).joined()
        case .compound(let list, let redirections):
            return "{ " + of(list) + " }" + redirections.map(of).joined()
        case .subshell(let list, let redirections):
            return "( " + of(list) + " )" + redirections.map(of).joined()
        case .conditional(let conditional):
            let (opener, closer) = conditional.kind == .ifClause ? ("then", "fi") : ("do", "done")
            var text = ""
            for (index, clause) in conditional.clauses.enumerated() {
                text += (index == 0 ? conditional.kind.rawValue : "elif") + " " + of(clause.condition) + " \(opener) " + of(clause.body) + " "
            }
            if let elseBody = conditional.elseBody { text += "else " + of(elseBody) + " " }
            return text + closer + conditional.redirections.map(of).joined()
        case .function(let name, let body):
            return name + "() " + of(body)
        }
    }

    static func of(_ redirection: Redirection) -> String {
        var text = " " + (redirection.descriptor.map(String.init) ?? "") + redirection.operation.rawValue
        text += redirection.target.map(of) ?? "-"
        if let body = redirection.hereDocument {
            text += "{" + String(decoding: body.body, as: UTF8.self).replacingOccurrences("\n", "⏎") + (body.quoted ? "}'" : "}")
        }
        return text
    }

    static func of(_ word: ShellWord) -> String {
        word.parts.map { part -> String in
            switch part {
            case .literal(let text): text
            case .quoted(let text): "«\(text)»"
            case .parameter(let name): name
            case .commandSubstitution(let list): "$(" + of(list) + ")"
            case .processSubstitution(let list): "<(" + of(list) + ")"
            case .arithmetic(_, let parts): "((" + of(ShellWord(parts: parts, offset: 0)) + "))"
            }
        }.joined()
    }

    /// The shape of `source`, or `error@OFFSET: message`.
    static func parse(_ source: String) -> String {
        switch ShellParser.parse(Array(source.utf8)) {
        case .success(let list): of(list)
        case .failure(let error): "error@\(error.offset): \(error.message)"
        }
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
