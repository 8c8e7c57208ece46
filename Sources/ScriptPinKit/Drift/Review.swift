/// What a reviewer needs to judge a changed script: the diff against the
/// approved copy and the risky lines it adds, or, without an approved copy,
/// the risky lines of the whole new body.
public struct Review: Sendable {
    public let diff: String?
    public let risks: [Risk]
    public let hasApprovedCopy: Bool
    /// The approved body the diff is against, for what else the review compares (the hosts it names).
    public let approvedBody: [UInt8]?
    /// Stored copies that were met but could not be used (modified, too
    /// large, unreadable): the reviewer is told every time.
    public let storeProblems: [ScriptPinError]

    /// Compares `new` (with digest `newDigest`) with the first of `approved`
    /// that the store holds intact, else with `elsewhere`: an approved body
    /// from another channel, which the caller has hashed to one of `approved`.
    public init(
        approved: [Digest], store: ContentStore, new: [UInt8], newDigest: Digest, sizeLimit: Int,
        elsewhere: (digest: Digest, bytes: [UInt8])? = nil
    ) {
        let newText = String(decoding: new, as: UTF8.self)
        var old: (Digest, [UInt8])?
        var problems: [ScriptPinError] = []
        for digest in approved where old == nil {
            do {
                if let bytes = try store.loadBytes(digest, limit: sizeLimit) { old = (digest, bytes) }
            } catch {
                problems.append(error)
            }
        }
        storeProblems = problems
        if old == nil, let elsewhere { old = (elsewhere.digest, elsewhere.bytes) }
        guard let (oldDigest, oldBytes) = old,
              let diff = UnifiedDiff(old: String(decoding: oldBytes, as: UTF8.self), new: newText)
        else {
            self.diff = nil
            self.risks = RiskScanner.scanAll(newText)
            self.hasApprovedCopy = false
            self.approvedBody = nil
            return
        }
        self.diff = diff.render(oldLabel: "sha256:\(oldDigest.hex)", newLabel: "sha256:\(newDigest.hex)")
        self.risks = RiskScanner.scan(newText, lines: diff.addedLineNumbers)
        self.hasApprovedCopy = true
        self.approvedBody = oldBytes
    }

    /// The risk summary as printed under a diff.
    public func renderRisks(reporter: any Reporter) -> String {
        guard !risks.isEmpty else { return "risk summary: no risky shapes in the added lines\n" }
        var text = "risk summary (\(plural(risks.count, "line")) to read first):\n"
        for risk in risks {
            text += "  line \(risk.line): \(reporter.styled(risk.reason, .yellow)): \(VisibleText.escape(risk.text.trimmingBlanksString()))\n"
        }
        return text
    }
}

/// Reads an image's content into memory; bounded by the fetch size cap.
func contents(of image: ScriptImage) throws(ScriptPinError) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Int(image.size))
    try image.forEachChunk { (chunk) throws(ScriptPinError) in bytes.append(contentsOf: chunk) }
    return bytes
}

extension String {
    /// Without leading blanks and trailing blanks or CR, as risk lines are shown.
    func trimmingBlanksString() -> String {
        var result = Substring(self).drop(while: { $0 == " " || $0 == "\t" })
        while let last = result.last, last == " " || last == "\t" || last == "\r" { result = result.dropLast() }
        return String(result)
    }
}
