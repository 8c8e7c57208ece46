/// `scriptpin update`: re-fetch, review the change, and move the pin, one
/// pin at a time in two steps: `review` fetches and shows the change,
/// `approve` writes it.
public struct UpdateCommand: Sendable {
    public var names: [String] = []
    public var all = false
    public var manifest: String?
    public var fetchOptions = FetchOptions()
    /// Evidence for the new bodies; when given, it replaces the pins' own
    /// lines (a new release has a new tag or checksum file), else those are checked.
    public var evidence = EvidenceOptions()
    /// `--against FILE|URL`: the approved body, for a machine whose store
    /// lacks it and whose pin has no source line to get it from.
    public var against: String?

    public init() {}

    /// The pins to update, from the manifest.
    public func pins(context: ProcessContext) throws(ScriptPinError) -> (manifest: Manifest, entries: [ParsedPin]) {
        let loaded = try Manifest.discover(explicit: manifest, context: context)
        return (loaded, try loaded.entries(named: all ? [] : names))
    }

    /// A changed body, shown and waiting for approval.
    public struct Prepared {
        public let pin: Pin
        let newDigest: Digest
        let path: String
        let filePath: String
        let location: ManifestLocation
        let image: ScriptImage
        let store: ContentStore
        /// The evidence lines to write, each confirmed for the new body (a GitHub source at its new commit).
        let evidence: [Evidence]
        /// The change as `update --format` reports it.
        public let entry: UpdateReport.Entry
        public var question: String { "Approve the new digest for \(pin.name)?" }
    }

    /// Re-fetches one pin; reports it unchanged (and returns nil), or shows
    /// the diff against the approved copy and the risk summary.
    public func review(_ entry: ParsedPin, in manifest: Manifest, reporter: any Reporter, context: ProcessContext) throws(ScriptPinError) -> Prepared? {
        let pin = entry.pin
        let store = ContentStore(context: context)
        let image = try ScriptImage.make(temporaryDirectory: context.temporaryDirectory)
        let limit = fetchOptions.sizeLimit(declared: pin.maxSize)
        let body = try Fetcher(options: fetchOptions).fetch(pin.url, sizeLimit: limit, into: image)
        try image.seal(expecting: body.digest)
        if pin.accepts(body.digest) {
            reporter.line("\(pin.name): unchanged (\(body.digest.hex))")
            store.keep(image, as: body.digest, reporter: reporter)
            return nil
        }
        let newBody = try contents(of: image)
        let given = try evidence.lines()
        let checker = EvidenceChecker(fetchOptions: fetchOptions, sizeLimit: limit, keys: SigningKeys(beside: manifest), context: context)
        // Without the approved copy here (a CI runner, a fresh clone), the pin's source at its recorded commit has it.
        let elsewhere = pin.sha256.contains(where: store.contains) ? nil : try against.map { (given) throws(ScriptPinError) in
            try approvedCopy(given, of: pin, limit: limit, context: context)
        } ?? checker.approvedBody(for: pin)
        let review = Review(
            approved: pin.sha256, store: store, new: newBody, newDigest: body.digest, sizeLimit: Int(limit),
            elsewhere: elsewhere.map { ($0.digest, $0.bytes) })
        for problem in review.storeProblems { reporter.warning(problem.description) }
        reporter.line("\(pin.name): changed: \(ScriptURL.redact(pin.url)) now serves \(body.digest.hex) (\(body.size) bytes)")
        // What is new comes first, so that it is on the screen when the question is asked: the risky added lines, the new hosts, then the diff.
        reporter.result(review.renderRisks(reporter: reporter))
        let approvedHosts = Set(review.approvedBody.map { EgressGuess.destinations(in: String(decoding: $0, as: UTF8.self)) } ?? [])
        let newHosts = EgressGuess.destinations(in: String(decoding: newBody, as: UTF8.self)).filter { guess in
            !approvedHosts.contains(guess) && !pin.egress.contains { rule in
                if case .destination(let allowed) = rule { return allowed.allows(host: guess.host, port: guess.port) }
                return false
            }
        }
        renderConfinementLines(egress: pin.egress, write: pin.write, name: pin.name, reporter: reporter)
        EgressGuess.render(newHosts, reporter: reporter, comparedWithApproved: review.hasApprovedCopy)
        if let diff = review.diff {
            if let elsewhere { reporter.line("the approved copy is not in the store; the diff is against \(elsewhere.origin), which the pin's digest confirms") }
            reporter.result(colouredDiff(diff, reporter: reporter))
        } else {
            reporter.line("the approved copy is not in the store (\(store.root)) and the pin has no source line that gives it, so there is no diff; the risk summary above covers the whole new body. For a diff, give the approved body with --against FILE|URL (the NAME.approved that `scriptpin check --keep DIR` writes, or a colleague's copy)")
        }
        let lines = given.isEmpty ? pin.evidence : given
        let verdicts = try checker.check(
            lines, purpose: .approving, pinURL: pin.url, beside: { () throws(ScriptPinError) in },
            facts: { BodyFacts(bytes: newBody, sha256: body.digest) }).verdicts
        for verdict in verdicts { reporter.line("evidence     \(VisibleText.escape(verdict.summary))") }
        if let refusal = ScriptPinError.refusal(verdicts, subject: "the new body of pin '\(pin.name)'", consequence: "the pin was not changed") {
            if given.isEmpty {
                reporter.note("scriptpin: the pin's evidence is for the approved body; a new release usually comes with a new tag or checksum file\(reporter.hint(.addEvidence))")
            }
            throw refusal
        }
        if lines.isEmpty {
            reporter.note("scriptpin: the pin has no evidence from a second channel, so it approves whatever the host serves today\(reporter.hint(.addEvidence))")
        }
        let entry = UpdateReport.Entry(
            name: pin.name, url: pin.url, status: .approved, previous: pin.sha256.map(\.hex), new: body.digest.hex, size: body.size,
            evidence: verdicts.map(\.summary), risks: review.risks, newHosts: newHosts.map(\.description), diff: review.diff,
            diffAgainst: review.diff == nil ? nil : elsewhere?.origin ?? "the approved copy in the store")
        return Prepared(
            pin: pin, newDigest: body.digest, path: manifest.path(forPinNamed: pin.name),
            filePath: manifest.filePath(forPinNamed: pin.name), location: manifest.location,
            image: image, store: store, evidence: verdicts.map(\.evidence), entry: entry)
    }

    /// The body `--against` names, provided the pin approves it.
    private func approvedCopy(_ given: String, of pin: Pin, limit: Int64, context: ProcessContext) throws(ScriptPinError) -> (origin: String, digest: Digest, bytes: [UInt8]) {
        let bytes: [UInt8]
        if isRemote(given) {
            let collector = ByteCollector(limit: Int(limit), source: given)
            _ = try Fetcher(options: fetchOptions).fetch(given, sizeLimit: limit, into: collector)
            bytes = collector.bytes
        } else {
            let read: [UInt8]?
            do { read = try readFile(context.resolve(given), limit: Int(limit)) } catch { throw .readFailed(path: given, error) }
            guard let read else {
                throw .conflictingSettings("\(VisibleText.escape(given)) (--against) is larger than the pin's \(limit)-byte size limit, so it cannot be the approved body of pin '\(pin.name)'")
            }
            bytes = read
        }
        guard let digest = BodyFacts.sha256(of: bytes), pin.accepts(digest) else {
            let actual = BodyFacts.sha256(of: bytes).map { " it hashes to \($0.hex), and" } ?? ""
            throw .conflictingSettings("\(VisibleText.escape(ScriptURL.redact(given))) (--against) is not the approved body of pin '\(pin.name)':\(actual) the pin approves \(pin.sha256.map(\.hex).joined(separator: " or ")); give the body the pin approves, such as the \(pin.name).approved that `scriptpin check --keep DIR` writes")
        }
        return ("\(VisibleText.escape(ScriptURL.redact(given))) (--against)", digest, bytes)
    }

    /// Replaces the pin's digests by the new one and sets its approval date.
    public static func approve(_ prepared: Prepared, reporter: any Reporter) throws(ScriptPinError) {
        let directory = prepared.location.directory
        let lock = try ManifestLock(directory: prepared.location.path)
        // Re-read under the lock, so that a concurrent edit is not overwritten with stale lines.
        let current = try Manifest.load(prepared.location)
        guard let latest = current.entry(named: prepared.pin.name) else {
            throw .unknownPin(name: prepared.pin.name, manifest: directory)
        }
        var document = latest.document
        var approved = latest.pin
        approved.sha256 = [prepared.newDigest]
        approved.approved = todayUTC()
        approved.evidence = prepared.evidence
        document.replaceDigests(with: approved.sha256)
        document.replaceEvidence(with: approved.evidence)
        document.set(.approved, to: todayUTC())
        try writeAtomically(prepared.filePath, text: document.renderVerified(as: approved, path: prepared.path))
        _ = consume lock
        prepared.store.keep(prepared.image, as: prepared.newDigest, reporter: reporter)
        reporter.note("scriptpin: updated \(prepared.path); review and commit it")
    }
}

/// The pin's egress and write lines, beside the review: what the approved
/// body ran within, and what the new one will run within.
func renderConfinementLines(egress: [EgressRule], write: [WriteRule], name: String, reporter: any Reporter) {
    let hosts = egress.isEmpty ? "none (the network is unrestricted)" : egress.map(\.description).joined(separator: ", ")
    let paths = write.isEmpty
        ? "none (writes are unrestricted; `scriptpin run \(name) --write-audit` lists what it changes)" : write.map(\.description).joined(separator: ", ")
    reporter.line("egress lines: \(hosts)")
    reporter.line("write lines: \(VisibleText.escape(paths))")
}
