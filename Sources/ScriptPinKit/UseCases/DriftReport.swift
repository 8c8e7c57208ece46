/// Renders drift results as text for people, JSON for scripts, SARIF for
/// code scanning, and workflow commands for GitHub Actions annotations.
public struct DriftReport: Sendable {
    public let results: [DriftResult]

    public var ok: Int { results.count { $0.status == .ok } }
    public var changed: Int { results.count { $0.status == .changed } }
    public var contradicted: Int { results.count { $0.status == .contradicted } }
    public var unreachable: Int { results.count { $0.status == .unreachable } }

    public init(results: [DriftResult]) {
        self.results = results
    }

    public func render(_ format: CheckCommand.Format, reporter: any Reporter) -> String {
        switch format {
        case .text: text(reporter: reporter)
        case .json: encodeReport(JSONReport(self))
        case .sarif: encodeReport(SARIFLog(self))
        case .github: github()
        }
    }

    public func message(for result: DriftResult) -> String {
        switch result.status {
        case .ok:
            return "\(result.name) matches its pin"
        case .changed:
            let actual = result.actual?.hex ?? "?"
            return "\(ScriptURL.redact(result.url)) changed: it now serves sha256 \(actual) (\(result.size ?? 0) bytes), not the pinned \(result.expected.map(\.hex).joined(separator: " or ")). Review it with `scriptpin update \(result.name)`"
        case .contradicted:
            let findings = result.evidence.filter(\.isContradicted).map(\.summary)
            return "\(result.name) still matches its pin, but its evidence no longer does: \(findings.joined(separator: "; ")). Find out from the vendor why before the script runs again"
        case .unreachable:
            if let error = result.error { return "\(result.name) could not be checked: \(error.description)" }
            let findings = result.evidence.filter { !$0.isConfirmed }.map(\.summary)
            return "\(result.name) matches its pin, but its evidence could not be checked: \(findings.joined(separator: "; "))"
        }
    }

    private var summaryLine: String {
        "\(ok) ok, \(changed) changed, \(contradicted) contradicted, \(unreachable) unreachable\n"
    }

    private func text(reporter: any Reporter) -> String {
        var output = ""
        for result in results {
            switch result.status {
            case .ok:
                output += "\(reporter.styled("ok", .green))          \(result.name)\n"
            case .changed:
                output += "\(reporter.styled("changed", .red))     \(result.name): \(VisibleText.escape(message(for: result)))\n"
                if let review = result.review, let diff = review.diff {
                    output += colouredDiff(diff, reporter: reporter)
                    output += review.renderRisks(reporter: reporter)
                } else {
                    output += "  (no approved copy in the store, so no diff)\n"
                }
            case .contradicted:
                output += "\(reporter.styled("contradicted", .red)) \(result.name): \(VisibleText.escape(message(for: result)))\n"
            case .unreachable:
                let detail = result.error.map { $0.description } ?? message(for: result)
                output += "\(reporter.styled("unreachable", .yellow)) \(result.name): \(VisibleText.escape(detail))\n"
            }
        }
        output += summaryLine
        return output
    }

    /// `::error file=…,line=…,title=…::message`, escaped as the runner expects.
    private func github() -> String {
        var output = ""
        for result in results where result.status != .ok {
            let (command, title) = switch result.status {
            case .changed: ("error", "Pinned script changed")
            case .contradicted: ("error", "Pinned script contradicted by its evidence")
            default: ("warning", "Pinned script unreachable")
            }
            output += "::\(command) file=\(WorkflowCommand.escapeProperty(result.path)),line=\(result.line),title=\(WorkflowCommand.escapeProperty(title))::\(WorkflowCommand.escapeData(VisibleText.escape(message(for: result))))\n"
        }
        output += summaryLine
        return output
    }


}

/// The `--format json` schema, version 1 (documented in the README).
struct JSONReport: Encodable {
    struct PinEntry: Encodable {
        let name: String
        let url: String
        let status: DriftResult.Status
        let expected: [String]
        let actual: String?
        let size: Int64?
        let error: String?
        let risks: [Risk]
        let evidence: [EvidenceEntry]

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(url, forKey: .url)
            try container.encode(status, forKey: .status)
            try container.encode(expected, forKey: .expected)
            try container.encode(actual, forKey: .actual)
            try container.encode(size, forKey: .size)
            try container.encode(error, forKey: .error)
            try container.encode(risks, forKey: .risks)
            try container.encode(evidence, forKey: .evidence)
        }

        enum CodingKeys: String, CodingKey {
            case name, url, status, expected, actual, size, error, risks, evidence
        }
    }

    /// One evidence line and what it said: `confirmed`, `contradicted` or `unreachable`, with the text.
    struct EvidenceEntry: Encodable {
        let line: String
        let finding: String
        let detail: String

        init(_ verdict: EvidenceVerdict) {
            line = "\(verdict.evidence.key.rawValue) \(verdict.evidence.description)"
            switch verdict.finding {
            case .confirmed(let text): (finding, detail) = ("confirmed", text)
            case .contradicted(let text): (finding, detail) = ("contradicted", text)
            case .unreachable(let failure): (finding, detail) = ("unreachable", failure.description)
            }
        }
    }

    struct Summary: Encodable {
        let ok: Int
        let changed: Int
        let contradicted: Int
        let unreachable: Int
    }

    /// 2 added the `contradicted` status and each pin's `evidence`.
    let version = 2
    let pins: [PinEntry]
    let summary: Summary

    init(_ report: DriftReport) {
        pins = report.results.map { result in
            PinEntry(
                name: result.name, url: ScriptURL.redact(result.url), status: result.status,
                expected: result.expected.map(\.hex), actual: result.actual?.hex, size: result.size,
                error: result.error?.description, risks: result.review?.risks ?? [], evidence: result.evidence.map(EvidenceEntry.init))
        }
        summary = Summary(ok: report.ok, changed: report.changed, contradicted: report.contradicted, unreachable: report.unreachable)
    }
}

extension SARIFLog {
    static let driftRule = Rule(
        id: "pin-drift", name: "PinnedScriptChanged",
        shortDescription: Text(text: "A pinned script changed upstream"),
        fullDescription: Text(text: "The body served at the pin's URL no longer matches any of its sha256 digests."),
        help: Text(text: "Run `scriptpin update NAME` to see the diff against the approved copy and the risky lines it adds; commit the new pin only after review."),
        defaultConfiguration: Configuration(level: "error"))
    static let unreachableRule = Rule(
        id: "pin-unreachable", name: "PinnedScriptUnreachable",
        shortDescription: Text(text: "A pinned script could not be fetched"),
        fullDescription: Text(text: "The pin's URL failed: DNS, connection, TLS, HTTP status, timeout or size cap."),
        help: Text(text: "Check that the URL still exists; a moved script needs a new pin after review."),
        defaultConfiguration: Configuration(level: "warning"))
    static let contradictedRule = Rule(
        id: "pin-contradicted", name: "PinnedScriptContradicted",
        shortDescription: Text(text: "A pinned script's evidence no longer confirms it"),
        fullDescription: Text(text: "The body still matches the pin, but a second channel named in the pin (the vendor's repository at the recorded commit, another URL, a checksum file) no longer agrees, or the tag the pin names moved."),
        help: Text(text: "Find out from the vendor why the channels disagree before the script runs again; a moved tag or a changed checksum file is what a compromised release looks like."),
        defaultConfiguration: Configuration(level: "error"))

    /// One result per pin that is not ok, located at the pin file's first
    /// `sha256` line (or the evidence line that failed) so that code scanning shows it there.
    init(_ report: DriftReport) {
        let results = report.results.filter { $0.status != .ok }.map { result in
            let rule = switch result.status {
            case .changed: Self.driftRule
            case .contradicted: Self.contradictedRule
            default: Self.unreachableRule
            }
            return Result(
                ruleId: rule.id, level: rule.defaultConfiguration.level, message: Text(text: report.message(for: result)),
                locations: [Location(path: result.path, line: result.line, column: nil)])
        }
        self.init(rules: [Self.driftRule, Self.contradictedRule, Self.unreachableRule], results: results)
    }
}
