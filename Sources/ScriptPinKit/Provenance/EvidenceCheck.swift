/// What one evidence line said about a body.
public struct EvidenceVerdict: Sendable {
    public enum Finding: Sendable {
        /// The second channel agrees; the text says what it showed.
        case confirmed(String)
        /// The second channel disagrees; the text says how.
        case contradicted(String)
        /// The second channel could not be asked: no answer, not a wrong one.
        case unreachable(FetchError)
    }

    /// The line as checked; for a GitHub source being approved, with the commit its ref resolved to.
    public let evidence: Evidence
    public let finding: Finding

    public var isConfirmed: Bool {
        if case .confirmed = finding { return true }
        return false
    }

    public var isContradicted: Bool {
        if case .contradicted = finding { return true }
        return false
    }

    /// `source github:…: <what it showed>`, for reports and errors.
    public var summary: String {
        let subject = "\(evidence.key.rawValue) \(evidence.shortDescription)"
        switch finding {
        case .confirmed(let text), .contradicted(let text): return "\(subject): \(text)"
        case .unreachable(let failure): return "\(subject): could not be checked: \(failure.description)"
        }
    }
}

extension Evidence {
    /// The line without the recorded commit, which the verdict's text names where it matters.
    var shortDescription: String {
        switch self {
        case .source(let source): source.location.description
        case .sums(let sums): sums.description
        case .signature(let signature): "\(signature.kind.rawValue) \(signature.location)"
        }
    }
}

/// Checks evidence lines in two steps, so that the network work runs beside
/// the body's own download: `gather` asks each second channel what it holds
/// (no body needed), `judge` compares that with the body.
struct EvidenceChecker: Sendable {
    /// A checksum file or a source file is as large as the script it covers, at most.
    let sizeLimit: Int64
    let fetcher: Fetcher
    var github: GitHubAPI
    let keys: SigningKeys
    /// Where gpgv gets a private directory for the bytes it checks.
    let temporaryDirectory: String
    /// A detached signature is a few hundred bytes (minisign, SSH) to a few kilobytes (OpenPGP).
    static let maximumSignatureSize = 64 * 1024

    /// Approving resolves a GitHub ref afresh and records its commit;
    /// checking uses the recorded commit and reports a tag that moved.
    enum Purpose: Sendable {
        case approving
        case checking
    }

    init(fetchOptions: FetchOptions, sizeLimit: Int64, keys: SigningKeys, context: ProcessContext) {
        fetcher = Fetcher(options: fetchOptions)
        self.sizeLimit = sizeLimit
        self.keys = keys
        temporaryDirectory = context.temporaryDirectory
        github = GitHubAPI(base: context.nonEmptyValue(GitHubAPI.baseVariable) ?? GitHubAPI.defaultBase, fetcher: fetcher)
        github.token = GitHubAPI.tokenVariables.lazy.compactMap(context.nonEmptyValue).first
    }

    /// What a second channel holds, before it is compared with a body.
    enum Gathered: Sendable {
        case servedDigest(Digest)
        case githubBlob(resolved: SourceEvidence, blobID: String, content: [UInt8]?, movedTag: String?)
        case sums(SumsFile, bytes: [UInt8])
        case signatureFile([UInt8])
        case signedTag(GitHubAPI.SignedTag)
        /// Settled without the body: not found, moved, or unreachable.
        case settled(EvidenceVerdict.Finding, SourceEvidence?)
    }

    func gather(_ evidence: Evidence, purpose: Purpose) -> Gathered {
        switch evidence {
        case .source(let source):
            switch source.location {
            case .url(let url):
                do {
                    return .servedDigest(try fetcher.fetch(url, sizeLimit: sizeLimit).digest)
                } catch {
                    return .settled(Self.finding(for: error, url: url, notFound: "\(url) answers 404: the vendor does not publish the script there"), nil)
                }
            case .github(let file):
                return gatherGitHub(file, source: source, purpose: purpose)
            }
        case .sums(let sums):
            let collector = ByteCollector(limit: SumsFile.maximumFileSize, source: sums.url)
            do {
                _ = try fetcher.fetch(sums.url, sizeLimit: Int64(SumsFile.maximumFileSize), into: collector)
                return .sums(SumsFile(bytes: collector.bytes), bytes: collector.bytes)
            } catch {
                return .settled(Self.finding(for: error, url: sums.url, notFound: "\(sums.url) answers 404: there is no checksum file there"), nil)
            }
        case .signature(let signature):
            return gatherSignature(signature)
        }
    }

    private func gatherSignature(_ signature: SignatureEvidence) -> Gathered {
        switch signature.location {
        case .url(let url):
            let collector = ByteCollector(limit: Self.maximumSignatureSize, source: url)
            do {
                _ = try fetcher.fetch(url, sizeLimit: Int64(Self.maximumSignatureSize), into: collector)
                return .signatureFile(collector.bytes)
            } catch {
                return .settled(Self.finding(for: error, url: url, notFound: "\(url) answers 404: there is no signature there"), nil)
            }
        case .tag(let tag):
            let subject = "tag \(tag.tag) of \(tag.owner)/\(tag.repository)"
            do throws(GitHubAPI.Failure) {
                guard let object = try github.inSession().signedTag(tag) else {
                    return .settled(.contradicted("\(subject) is a lightweight tag: there is no tag object, so nothing is signed"), nil)
                }
                guard object.signature != nil else { return .settled(.contradicted("\(subject) is not signed"), nil) }
                return .signedTag(object)
            } catch {
                return .settled(githubFinding(error, notFound: "\(tag.owner)/\(tag.repository) has no tag \(tag.tag)"), nil)
            }
        }
    }

    private func gatherGitHub(_ file: GitHubFile, source: SourceEvidence, purpose: Purpose) -> Gathered {
        let github = self.github.inSession()
        let repository = "\(file.owner)/\(file.repository)"
        var movedTag: String?
        let commit: String
        do throws(GitHubAPI.Failure) {
            let resolved = try github.resolve(file.ref, in: file)
            switch (purpose, source.commit) {
            case (.checking, let recorded?):
                if resolved.kind == .tag, resolved.commit != recorded {
                    movedTag = "tag \(file.ref) of \(repository) moved: it points at commit \(resolved.commit) now, and at \(recorded) when the pin was approved"
                }
                commit = recorded
            default:
                commit = resolved.commit
            }
        } catch {
            return .settled(githubFinding(error, notFound: "\(repository) has no tag or branch \(file.ref) (or the repository does not exist)"), nil)
        }
        var resolved = source
        resolved.commit = commit
        do throws(GitHubAPI.Failure) {
            let blobID = try github.blobID(of: file, at: commit)
            let content = source.commitPlaceholder == nil ? nil : try github.blob(blobID, of: file, limit: sizeLimit)
            return .githubBlob(resolved: resolved, blobID: blobID, content: content, movedTag: movedTag)
        } catch {
            return .settled(githubFinding(error, notFound: "\(repository) has no file \(file.path) at commit \(commit)"), resolved)
        }
    }

    /// Compares what was gathered for `evidence` with the body of the pin at `pinURL`.
    static func judge(_ evidence: Evidence, _ gathered: Gathered, body: BodyFacts, pinURL: String) -> EvidenceVerdict {
        switch (evidence, gathered) {
        case (_, .settled(let finding, let resolved)):
            return EvidenceVerdict(evidence: resolved.map(Evidence.source) ?? evidence, finding: finding)
        case (.source(let source), .servedDigest(let digest)):
            let finding: EvidenceVerdict.Finding = digest == body.sha256
                ? .confirmed("serves the same bytes")
                : .contradicted("serves different bytes (sha256 \(digest.hex), the body's is \(body.sha256.hex))")
            return EvidenceVerdict(evidence: .source(source), finding: finding)
        case (.source, .githubBlob(let resolved, let blobID, let content, let movedTag)):
            let commit = resolved.commit ?? ""
            let finding: EvidenceVerdict.Finding
            if let movedTag {
                finding = .contradicted(movedTag)
            } else if let placeholder = resolved.commitPlaceholder, let content {
                finding = body.bytes == replacing(Array(placeholder.utf8), with: Array(commit.utf8), in: content)
                    ? .confirmed("the file at commit \(commit) is the served body, with the commit id in place of \(placeholder)")
                    : .contradicted("the file at commit \(commit) differs from the served body by more than the commit id in place of \(placeholder)")
            } else if let bodyID = body.gitBlobID, bodyID == blobID {
                finding = .confirmed("the file at commit \(commit) is the served body (git blob \(blobID))")
            } else {
                finding = .contradicted("the file at commit \(commit) (git blob \(blobID)) differs from the served body (git blob \(body.gitBlobID ?? "unknown"))")
            }
            return EvidenceVerdict(evidence: .source(resolved), finding: finding)
        case (.sums(let sums), .sums(let file, _)):
            return EvidenceVerdict(evidence: evidence, finding: judgeSums(sums, file, body: body, pinURL: pinURL))
        default:
            return EvidenceVerdict(evidence: evidence, finding: .contradicted("the answer was not of the kind this line asks for"))
        }
    }

    private static func judgeSums(_ sums: SumsEvidence, _ file: SumsFile, body: BodyFacts, pinURL: String) -> EvidenceVerdict.Finding {
        let name = sums.name(forPinURL: pinURL)
        let listed = file.entries.filter { $0.name == name || $0.name == "./" + name }
        guard !listed.isEmpty else {
            let names = file.entries.map(\.name)
            let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", …" : "")
            return .contradicted(names.isEmpty
                ? "holds no checksum lines"
                : "lists no file named \(name) (it lists \(shown)); name the script's entry on the line: sums URL NAME")
        }
        for entry in listed {
            guard let actual = body.digest(entry.digest.algorithm) else {
                return .contradicted("its \(entry.digest.algorithm.rawValue) line for \(name) could not be compared: the body could not be hashed")
            }
            guard actual == entry.digest else {
                return .contradicted("lists \(name) with \(entry.digest.algorithm.rawValue) \(entry.digest.hex) on line \(entry.line), and the body's is \(actual.hex)")
            }
        }
        return .confirmed("lists \(name) with the body's \(listed[0].digest.algorithm.rawValue)")
    }

    private static func finding(for error: ScriptPinError, url: String, notFound: String) -> EvidenceVerdict.Finding {
        guard case .fetch(let failure) = error else { return .unreachable(FetchError(url: url, reason: .other(error.description))) }
        if case .httpStatus(404) = failure.reason { return .contradicted(notFound) }
        return .unreachable(failure)
    }

    private func githubFinding(_ failure: GitHubAPI.Failure, notFound: String) -> EvidenceVerdict.Finding {
        switch failure {
        case .notFound: .contradicted(notFound)
        case .unreachable(let fetchFailure): .unreachable(fetchFailure)
        case .malformed(let url): .unreachable(FetchError(url: url, reason: .other("the answer is not the JSON GitHub's API gives")))
        }
    }

    static func replacing(_ target: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard !target.isEmpty else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes.count - index >= target.count, bytes[index..<index + target.count].elementsEqual(target) {
                result += replacement
                index += target.count
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }
}

extension EvidenceChecker {
    /// The approved body as one of the pin's GitHub sources holds it at the
    /// recorded commit (with its declared substitution), so that a review can
    /// show a diff on a machine whose store lacks the approved copy; nil when
    /// no source gives bytes the pin's digests accept.
    func approvedBody(for pin: Pin) -> (origin: String, digest: Digest, bytes: [UInt8])? {
        let github = self.github.inSession()
        for case .source(let source) in pin.evidence {
            guard case .github(let file) = source.location, let commit = source.commit,
                  let id = try? github.blobID(of: file, at: commit), var bytes = try? github.blob(id, of: file, limit: sizeLimit)
            else { continue }
            if let placeholder = source.commitPlaceholder { bytes = Self.replacing(Array(placeholder.utf8), with: Array(commit.utf8), in: bytes) }
            guard let digest = BodyFacts.sha256(of: bytes), pin.accepts(digest) else { continue }
            return ("\(file) at commit \(commit)", digest, bytes)
        }
        return nil
    }

    /// Asks every second channel at once while `download` fetches the body on
    /// this thread, then compares: one round trip's time, not one per line.
    func check<Body>(
        _ evidence: [Evidence], purpose: Purpose, pinURL: String,
        beside download: () throws(ScriptPinError) -> Body, facts: (Body) throws(ScriptPinError) -> BodyFacts
    ) throws(ScriptPinError) -> (body: Body, verdicts: [EvidenceVerdict]) {
        let jobs = evidence.map { line in { @Sendable in gather(line, purpose: purpose) } }
        let (body, gathered) = try runConcurrently(jobs, width: jobs.count, beside: download)
        let bodyFacts = try facts(body)
        var verdicts = zip(evidence, gathered).map { Self.judge($0, $1, body: bodyFacts, pinURL: pinURL) }
        for (index, line) in evidence.enumerated() {
            guard case .signature(let signature) = line else { continue }
            verdicts[index] = judgeSignature(signature, gathered[index], body: bodyFacts, purpose: purpose, lines: evidence, gathered: gathered, verdicts: verdicts)
        }
        return (body, verdicts)
    }

    /// A signature line, judged after the lines it may cover: the checksum
    /// file it signs is the one the sums line read (not a second download,
    /// which a server could answer differently), and a signed tag must point at
    /// the commit the source line found the file in. Approving a signature
    /// that does not cover the body tries the pin's checksum files, and records the one it covers.
    private func judgeSignature(
        _ line: SignatureEvidence, _ gathered: Gathered, body: BodyFacts, purpose: Purpose,
        lines: [Evidence], gathered all: [Gathered], verdicts: [EvidenceVerdict]
    ) -> EvidenceVerdict {
        func verdict(_ finding: EvidenceVerdict.Finding, _ line: SignatureEvidence = line) -> EvidenceVerdict {
            EvidenceVerdict(evidence: .signature(line), finding: finding)
        }
        func checked(_ signature: [UInt8], over message: [UInt8], _ subject: String) -> Result<String, SignatureProblem> {
            keys.verify(signature, over: message, as: line, temporaryDirectory: temporaryDirectory).map { "\($0), over \(subject)" }
        }
        let sumsFiles: [(url: String, bytes: [UInt8]?, finding: EvidenceVerdict.Finding?)] = zip(lines, all).compactMap { line, gathered in
            guard case .sums(let sums) = line else { return nil }
            switch gathered {
            case .sums(_, let bytes): return (sums.url, bytes, nil)
            case .settled(let finding, _): return (sums.url, nil, finding)
            default: return nil
            }
        }
        switch gathered {
        case .settled(let finding, _):
            return verdict(finding)
        case .signatureFile(let signature):
            if let signedSums = line.signedSums {
                guard let file = sumsFiles.first(where: { $0.url == signedSums }), let bytes = file.bytes else {
                    let cause = sumsFiles.first(where: { $0.url == signedSums })?.finding
                    if case .unreachable(let failure) = cause { return verdict(.unreachable(failure)) }
                    return verdict(.contradicted("the checksum file it covers, \(signedSums), could not be read"))
                }
                return verdict(Self.finding(checked(signature, over: bytes, signedSums)))
            }
            let overBody = checked(signature, over: body.bytes, "the body")
            if purpose == .approving, case .failure(let problem) = overBody, case .invalid = problem {
                for file in sumsFiles {
                    guard let bytes = file.bytes, case .success(let text) = checked(signature, over: bytes, file.url) else { continue }
                    var resolved = line
                    resolved.signedSums = file.url
                    return verdict(.confirmed(text), resolved)
                }
            }
            return verdict(Self.finding(overBody))
        case .signedTag(let tag):
            let result = checked(tag.signature ?? [], over: tag.payload, "the tag object")
            guard case .success = result, case .tag(let location) = line.location else { return verdict(Self.finding(result)) }
            let commits = verdicts.compactMap { verdict -> String? in
                guard case .source(let source) = verdict.evidence, case .github(let file) = source.location, location.names(file) else { return nil }
                return source.commit
            }
            if let commit = commits.first(where: { $0 != tag.commit }) {
                return verdict(.contradicted("the signed tag \(location.tag) points at commit \(tag.commit), and the source line's file is at commit \(commit)"))
            }
            return verdict(Self.finding(result.map { "\($0), which tags commit \(tag.commit)" }))
        default:
            return verdict(.contradicted("the answer was not of the kind this line asks for"))
        }
    }

    private static func finding(_ result: Result<String, SignatureProblem>) -> EvidenceVerdict.Finding {
        switch result {
        case .success(let text): .confirmed(visible(text))
        case .failure(let problem): .contradicted(visible(problem.message))
        }
    }

    /// The signer's own text (a trusted comment, a key's name) with control characters shown as `?`, never sent to a terminal as they are.
    private static func visible(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
    }
}

extension ScriptPinError {
    /// The refusal `verdicts` call for, or nil when every one confirmed the body:
    /// a contradiction outranks a channel that could not be asked.
    static func refusal(_ verdicts: [EvidenceVerdict], subject: String, consequence: String) -> ScriptPinError? {
        let contradicted = verdicts.filter(\.isContradicted)
        if !contradicted.isEmpty { return .evidenceContradicts(subject: subject, findings: contradicted.map(\.summary), consequence: consequence) }
        let unreachable = verdicts.filter { !$0.isConfirmed }
        if !unreachable.isEmpty { return .evidenceUnreachable(subject: subject, findings: unreachable.map(\.summary), consequence: consequence) }
        return nil
    }
}

/// A body as the evidence needs it: its bytes, its SHA-256, and the other
/// names checksum files and git give it, made once.
struct BodyFacts: Sendable {
    let bytes: [UInt8]
    let sha256: Digest
    let gitBlobID: String?

    init(bytes: [UInt8], sha256: Digest) {
        self.bytes = bytes
        self.sha256 = sha256
        gitBlobID = try? ScriptPinKit.gitBlobID(of: bytes)
    }

    func digest(_ algorithm: DigestAlgorithm) -> Digest? {
        algorithm == .sha256 ? sha256 : Self.digest(algorithm, of: bytes)
    }

    static func sha256(of bytes: [UInt8]) -> Digest? {
        digest(.sha256, of: bytes)
    }

    static func digest(_ algorithm: DigestAlgorithm, of bytes: [UInt8]) -> Digest? {
        guard let hasher = try? StreamingHasher(algorithm) else { return nil }
        return (try? hasher.update(bytes)).flatMap { try? hasher.finalize() }
    }
}
