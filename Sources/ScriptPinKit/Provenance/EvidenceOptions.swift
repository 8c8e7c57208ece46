/// The evidence a caller gives for a body (`add`, `update`): the lines it becomes in the pin.
public struct EvidenceOptions: Sendable {
    /// Other places that publish the same bytes (URLs, `github:OWNER/REPO@REF:PATH`).
    public var sources: [String] = []
    /// Vendor checksum files that list the body's digest.
    public var sums: [String] = []
    /// The name the checksum files list the script under; nil is the URL's last segment.
    public var sumsName: String?
    /// Signature lines as the pin writes them (`KIND URL KEY`); which of the
    /// body and the checksum files each covers is found when it is checked.
    public var signatures: [String] = []

    public init() {}

    public var isEmpty: Bool { sources.isEmpty && sums.isEmpty && signatures.isEmpty }

    /// The evidence lines asked for, or a usage error naming the value that is not one.
    func lines() throws(ScriptPinError) -> [Evidence] {
        var lines: [Evidence] = []
        for text in sources {
            switch SourceEvidence.parse(text) {
            case .success(let source): lines.append(.source(source))
            case .failure(let problem): throw .usage("the source '\(text)' cannot be used: \(problem.message)")
            }
        }
        for text in sums {
            if let problem = ScriptURL.problem(with: text) { throw .usage("the sums URL '\(text)' cannot be used: \(problem)") }
            lines.append(.sums(SumsEvidence(url: text, fileName: sumsName)))
        }
        for text in signatures {
            switch SignatureEvidence.parse(text) {
            case .success(let signature): lines.append(.signature(signature))
            case .failure(let problem): throw .usage("the signature '\(text)' cannot be used: \(problem.message)")
            }
        }
        for index in lines.indices {
            if let problem = lines.crossReferenceProblem(at: index) { throw .usage("the signature '\(lines[index])' cannot be used: \(problem)") }
        }
        if sumsName != nil && sums.isEmpty { throw .usage("a name for the checksum file's entry needs a checksum file to look in") }
        return lines
    }
}
