/// Renders drift results as text for people, JSON for scripts, SARIF for
/// code scanning, and workflow commands for GitHub Actions annotations.
public struct DriftReport: Sendable {
    public let results: [DriftResult]

    public var ok: Int { results.count { $0.status == .ok } }
    public var changed: Int { results.count { $0.status == .changed } }
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
        case .unreachable:
            return "\(result.name) could not be checked: \(result.error?.description ?? "unknown error")"
        }
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
            case .unreachable:
                output += "\(reporter.styled("unreachable", .yellow)) \(result.name): \(VisibleText.escape(result.error?.description ?? ""))\n"
            }
        }
        output += "\(ok) ok, \(changed) changed, \(unreachable) unreachable\n"
        return output
    }

    /// `::error file=…,line=…,title=…::message`, escaped as the runner expects.
    private func github() -> String {
        var output = ""
        for result in results where result.status != .ok {
            let title = result.status == .changed ? "Pinned script changed" : "Pinned script unreachable"
            let command = result.status == .changed ? "error" : "warning"
            output += "::\(command) file=\(WorkflowCommand.escapeProperty(result.path)),line=\(result.digestLine),title=\(WorkflowCommand.escapeProperty(title))::\(WorkflowCommand.escapeData(VisibleText.escape(message(for: result))))\n"
        }
        output += "\(ok) ok, \(changed) changed, \(unreachable) unreachable\n"
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
        }

        enum CodingKeys: String, CodingKey {
            case name, url, status, expected, actual, size, error, risks
        }
    }

    struct Summary: Encodable {
        let ok: Int
        let changed: Int
        let unreachable: Int
    }

    let version = 1
    let pins: [PinEntry]
    let summary: Summary

    init(_ report: DriftReport) {
        pins = report.results.map { result in
            PinEntry(
                name: result.name, url: ScriptURL.redact(result.url), status: result.status,
                expected: result.expected.map(\.hex), actual: result.actual?.hex, size: result.size,
                error: result.error?.description, risks: result.review?.risks ?? [])
        }
        summary = Summary(ok: report.ok, changed: report.changed, unreachable: report.unreachable)
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

    /// One result per changed or unreachable pin, located at the pin file's
    /// first `sha256` line so that code scanning shows it there.
    init(_ report: DriftReport) {
        let results = report.results.filter { $0.status != .ok }.map { result in
            let rule = result.status == .changed ? Self.driftRule : Self.unreachableRule
            return Result(
                ruleId: rule.id, level: rule.defaultConfiguration.level, message: Text(text: report.message(for: result)),
                locations: [Location(path: result.path, line: result.digestLine, column: nil)])
        }
        self.init(rules: [Self.driftRule, Self.unreachableRule], results: results)
    }
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        guard contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
