/// Renders lint diagnostics as `path:line:col: error: …` text, JSON, SARIF
/// 2.1.0 and GitHub workflow commands.
public struct LintReport: Sendable {
    public let files: [LintedFile]

    public var findings: Int { files.reduce(0) { $0 + $1.diagnostics.count { $0.rule == .downloadExec } } }
    public var problems: Int { files.reduce(0) { $0 + $1.diagnostics.count { $0.rule == .parseError } } }
    public var notChecked: Int { files.reduce(0) { $0 + $1.diagnostics.count { $0.rule == .notChecked } } }

    public init(files: [LintedFile]) {
        self.files = files
    }

    var all: [(path: String, diagnostic: LintDiagnostic)] {
        files.flatMap { file in file.diagnostics.map { (file.path, $0) } }
    }

    public func render(_ format: LintCommand.Format, reporter: any Reporter) -> String {
        switch format {
        case .text: text(reporter: reporter)
        case .json: encodeReport(JSONLintReport(self))
        case .sarif: encodeReport(SARIFLog(self))
        case .github: github()
        }
    }

    private func text(reporter: any Reporter) -> String {
        var output = ""
        for (path, diagnostic) in all {
            let shownPath = VisibleText.escape(path)
            let label = diagnostic.rule.isNote ? reporter.styled("note:", .cyan) : reporter.styled("error:", .red)
            output += "\(shownPath):\(diagnostic.line):\(diagnostic.column): \(label) \(VisibleText.escape(diagnostic.message)) [\(diagnostic.rule.rawValue)]\n"
            if let fix = diagnostic.fix { output += "  fix: \(VisibleText.escape(fix))\n" }
        }
        output += "\(plural(findings, "finding")) in \(plural(files.count, "file"))"
        if problems > 0 { output += ", \(problems) that could not be read or parsed" }
        if notChecked > 0 { output += ", \(plural(notChecked, "place")) not checked" }
        return output + "\n"
    }

    private func github() -> String {
        var output = ""
        for (path, diagnostic) in all {
            let title = switch diagnostic.rule {
            case .downloadExec: "Unpinned download executed"
            case .parseError: "scriptpin could not parse this"
            case .notChecked: "scriptpin did not check this"
            }
            let message = VisibleText.escape(diagnostic.message + (diagnostic.fix.map { ". Fix: \($0)" } ?? ""))
            output += "::\(diagnostic.rule.isNote ? "notice" : "error") file=\(WorkflowCommand.escapeProperty(VisibleText.escape(path))),line=\(diagnostic.line),col=\(diagnostic.column),title=\(WorkflowCommand.escapeProperty(title))::\(WorkflowCommand.escapeData(message))\n"
        }
        return output
    }


    /// `{"version": 1, "files": N, "findings": [{"path", "line", "column", "rule", "message", "url"}]}`.
    struct JSONLintReport: Encodable {
        struct Finding: Encodable {
            let path: String
            let line: Int
            let column: Int
            let rule: String
            let message: String
            let url: String?

            func encode(to encoder: Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(path, forKey: .path)
                try container.encode(line, forKey: .line)
                try container.encode(column, forKey: .column)
                try container.encode(rule, forKey: .rule)
                try container.encode(message, forKey: .message)
                try container.encode(url, forKey: .url)
            }

            enum CodingKeys: String, CodingKey {
                case path, line, column, rule, message, url
            }
        }

        let version = 1
        let files: Int
        let findings: [Finding]

        init(_ report: LintReport) {
            files = report.files.count
            findings = report.all.map { path, diagnostic in
                Finding(path: path, line: diagnostic.line, column: diagnostic.column, rule: diagnostic.rule.rawValue,
                        message: diagnostic.message, url: diagnostic.url)
            }
        }
    }

    /// SARIF 2.1.0 with both rules described and each result located at its column.
}

extension LintDiagnostic.Rule {
    /// SARIF's level: `note` for a note, `error` for the others.
    var sarifLevel: String { isNote ? "note" : "error" }
}

extension SARIFLog {
    /// Each lint rule as SARIF describes it; its id and level come from the rule itself.
    static func rule(_ rule: LintDiagnostic.Rule) -> Rule {
        let (name, short, full, help): (String, String, String, String) = switch rule {
        case .downloadExec: (
            "UnpinnedDownloadExecuted", "Something downloaded is executed without a pin",
            "A downloader's output reaches an interpreter (through a pipe, a substitution, or a file it wrote) without a fail-closed digest or signature check, as in the Codecov bash uploader incident.",
            "Pin the script with `scriptpin add NAME URL` and run it with `scriptpin run NAME -- ARGS`, or verify the downloaded file with `sha256sum -c` joined by `&&` before running it. Suppress a reviewed line with `# scriptpin: ignore <reason>`.")
        case .parseError: (
            "UnparsableScript", "scriptpin could not parse this code",
            "A file or directory could not be read, or its shell code or YAML could not be parsed, so it was not checked for unpinned downloads.",
            "Fix the syntax error at the reported position, or exclude the file from the lint.")
        case .notChecked: (
            "NotChecked", "scriptpin recognised this code and did not check it",
            "The code runs in a shell lint does not read (cmd, python), or stands in a form it does not model, so it was not checked for unpinned downloads.",
            "Check this code by hand, or move it into a shell step lint reads.")
        }
        return Rule(
            id: rule.rawValue, name: name, shortDescription: Text(text: short), fullDescription: Text(text: full), help: Text(text: help),
            defaultConfiguration: Configuration(level: rule.sarifLevel))
    }

    /// One result per finding, parse problem or unchecked place, at its line and column.
    init(_ report: LintReport) {
        let results = report.all.map { path, diagnostic in
            Result(
                ruleId: diagnostic.rule.rawValue, level: diagnostic.rule.sarifLevel,
                message: Text(text: diagnostic.message + (diagnostic.fix.map { ". Fix: \($0)" } ?? "")),
                locations: [Location(path: path, line: diagnostic.line, column: diagnostic.column)])
        }
        self.init(rules: LintDiagnostic.Rule.allCases.map(Self.rule), results: results)
    }
}
