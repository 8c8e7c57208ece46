/// What `update --format` writes for a pull request: per changed pin, the
/// old and new digests, the evidence, the risk lines, the new hosts and
/// the diff. Every byte that comes from a script sits in a code block or
/// span whose fence it cannot close, so a backdoored body cannot write
/// Markdown (a fake "reviewed" note, a link) into the request.
public struct UpdateReport: Sendable {
    /// `markdown` for a pull request's body, `json` for a tool that writes one.
    public enum Format: String, NamedValues {
        case markdown, json
    }

    /// One pin the update looked at and found changed, or could not update.
    public struct Entry: Sendable, Encodable {
        public enum Status: String, Sendable, Encodable {
            /// The new digest was written into the pin.
            case approved
            /// The change was seen and not taken (evidence refused it, or nobody confirmed).
            case refused
            /// The body could not be had.
            case unreachable
        }

        public let name: String
        public let url: String
        public var status: Status
        public let previous: [String]
        public let new: String?
        public let size: Int64?
        public let evidence: [String]
        public let risks: [Risk]
        public let newHosts: [String]
        public let diff: String?
        /// What the diff is against: the store's copy, the pin's source, an `--against` body.
        public let diffAgainst: String?
        /// Why a refused or unreachable pin was not updated.
        public var reason: String?

        /// A pin whose update failed before its change could be shown.
        public init(failed pin: Pin, error: ScriptPinError) {
            let unreachable: Bool
            if case .fetch = error { unreachable = true } else { unreachable = false }
            self.init(
                name: pin.name, url: pin.url, status: unreachable ? .unreachable : .refused, previous: pin.sha256.map(\.hex),
                new: nil, size: nil, evidence: [], risks: [], newHosts: [], diff: nil, diffAgainst: nil, reason: error.description)
        }

        init(
            name: String, url: String, status: Status, previous: [String], new: String?, size: Int64?, evidence: [String], risks: [Risk],
            newHosts: [String], diff: String?, diffAgainst: String?, reason: String? = nil
        ) {
            self.name = name
            self.url = url
            self.status = status
            self.previous = previous
            self.new = new
            self.size = size
            self.evidence = evidence
            self.risks = risks
            self.newHosts = newHosts
            self.diff = diff
            self.diffAgainst = diffAgainst
            self.reason = reason
        }
    }

    public var entries: [Entry] = []
    /// Pins that still serve their approved body.
    public var unchanged: [String] = []

    public init() {}

    /// A pull request's body is at most 65,536 characters on GitHub; a diff
    /// beyond this many lines is cut, with a note, so the rest still fits.
    static let maximumDiffLines = 400

    public func render(_ format: Format) -> String {
        switch format {
        case .json: encodeReport(JSONForm(version: 1, pins: entries, unchanged: unchanged))
        case .markdown: markdown()
        }
    }

    private struct JSONForm: Encodable {
        let version: Int
        let pins: [Entry]
        let unchanged: [String]
    }

    private func markdown() -> String {
        let approved = entries.filter { $0.status == .approved }
        var text = "## scriptpin: \(plural(approved.count, "pin")) updated to what upstream serves now\n\n"
        text += "Review each change before merging: the pins below approve new bytes that CI will run.\n"
        for entry in entries {
            text += "\n### \(Self.span(entry.name)): \(entry.status.rawValue)\n\n"
            text += "- URL: \(Self.span(ScriptURL.redact(entry.url)))\n"
            text += "- previous: \(entry.previous.map { Self.span("sha256:" + $0) }.joined(separator: " or "))\n"
            if let new = entry.new { text += "- new: \(Self.span("sha256:" + new))\(entry.size.map { " (\($0) bytes)" } ?? "")\n" }
            if let reason = entry.reason { text += "- not updated: \(Self.span(reason))\n" }
            if entry.evidence.isEmpty, entry.status == .approved {
                text += "- evidence: none (the pin approves whatever the host serves; consider a source, sums or signature line)\n"
            }
            for line in entry.evidence { text += "- evidence: \(Self.span(line))\n" }
            if !entry.risks.isEmpty {
                text += "\nRisk lines in what was added (\(entry.risks.count)):\n\n"
                text += Self.block(entry.risks.map { "line \($0.line): \($0.reason): \($0.text.trimmingBlanksString())" }.joined(separator: "\n"), info: "text")
            }
            if !entry.newHosts.isEmpty {
                text += "\nHosts the new body names that the approved one did not: \(entry.newHosts.map(Self.span).joined(separator: ", "))\n"
            }
            if let diff = entry.diff {
                let lines = diff.split(separator: "\n", omittingEmptySubsequences: false)
                let shown = lines.count > Self.maximumDiffLines
                    ? lines.prefix(Self.maximumDiffLines).joined(separator: "\n") + "\n… \(lines.count - Self.maximumDiffLines) more lines: run `scriptpin update \(entry.name)` for the whole diff"
                    : diff
                text += "\n<details><summary>Diff against \(Self.escapeHTML(entry.diffAgainst ?? "the approved body"))</summary>\n\n"
                text += Self.block(shown, info: "diff")
                text += "\n</details>\n"
            } else if entry.status != .unreachable {
                text += "\nNo diff: the approved body is not in this runner's store and the pin has no source line that gives it.\n"
            }
        }
        if !unchanged.isEmpty {
            text += "\nUnchanged: \(unchanged.map(Self.span).joined(separator: ", "))\n"
        }
        return text
    }

    /// A code span whose backtick run is longer than any in `text`; line breaks and control characters made visible.
    static func span(_ text: String) -> String {
        let visible = VisibleText.escape(text).replacingAll("\n", "\\n")
        let fence = String(repeating: "`", count: longestRun(of: "`", in: visible) + 1)
        let padding = visible.hasPrefix("`") || visible.hasSuffix("`") ? " " : ""
        return fence + padding + visible + padding + fence
    }

    /// A fenced block whose fence is longer than any backtick run in `text`, so `text` cannot end it.
    static func block(_ text: String, info: String) -> String {
        let body = VisibleText.escape(text.hasSuffix("\n") ? String(text.dropLast()) : text)
        let fence = String(repeating: "`", count: max(3, longestRun(of: "`", in: body) + 1))
        return "\(fence)\(info)\n\(body)\n\(fence)\n"
    }

    private static func longestRun(of character: Character, in text: String) -> Int {
        var longest = 0
        var current = 0
        for scalar in text {
            current = scalar == character ? current + 1 : 0
            longest = max(longest, current)
        }
        return longest
    }

    private static func escapeHTML(_ text: String) -> String {
        VisibleText.escape(text).replacingAll("&", "&amp;").replacingAll("<", "&lt;").replacingAll(">", "&gt;")
    }
}
