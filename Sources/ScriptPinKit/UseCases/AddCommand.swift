/// `scriptpin add`: fetch a script, show it, and write its pin. In two
/// steps, so that whoever calls it can ask for approval in between:
/// `prepare` fetches, verifies and shows; `commit` writes.
public struct AddCommand: Sendable {
    /// Lines of the new script shown before asking for confirmation.
    public static let previewLines = 15

    /// Empty: the catalogue's name for a known installer, else one made from the URL.
    public var name = ""
    public var url = ""
    public var interpreter: String?
    public var environment: [String] = []
    public var maxSize: Int64?
    public var manifest: String?
    public var fetchOptions = FetchOptions()
    /// Evidence from second channels, written as the pin's lines once it confirms the body.
    public var evidence = EvidenceOptions()

    public init() {}

    /// A fetched, sealed body and the pin that would be written for it.
    public struct Prepared {
        public let pin: Pin
        /// The pin file as messages name it.
        public let path: String
        let filePath: String
        let text: String
        let location: ManifestLocation
        let image: ScriptImage
        let store: ContentStore
        let comments: [String]
        /// A URL that does not move and served the same bytes, when the pin's URL moves.
        public let stableURL: String?
        /// The existing pin of that stable URL, when it approves these very bytes.
        let pinnedAs: ParsedPin?
        /// The question to put to the user before `commit`.
        public var question: String { "Pin \(pin.name) to this digest?" }
        public var stableQuestion: String? { stableURL.map { "Pin \($0) instead, which serves the same bytes and does not move?" } }

        /// The same pin on `stableURL`.
        public func onStableURL() throws(ScriptPinError) -> Prepared {
            guard let stableURL else { return self }
            var pin = self.pin
            pin.url = stableURL
            let text = try PinDocument(pin: pin, comments: comments).renderVerified(as: pin, path: path)
            return Prepared(
                pin: pin, path: path, filePath: filePath, text: text, location: location, image: image, store: store, comments: comments,
                stableURL: nil, pinnedAs: nil)
        }
    }

    /// Fetches the script, reports its size, digest, interpreter, first
    /// lines and risky lines, and returns what `commit` would write.
    public func prepare(reporter: any Reporter, context: ProcessContext) throws(ScriptPinError) -> Prepared {
        guard name.isEmpty || PinRules.isValidName(name) else {
            throw .usage("the pin name (the first argument) is not valid; use lowercase letters, digits, '.', '_' and '-', at most \(PinRules.maximumNameLength) characters")
        }
        if let problem = ScriptURL.problem(with: url) { throw .usage(problem) }
        if let interpreter, let problem = PinRules.valueProblem(interpreter) {
            throw .usage("the interpreter given cannot be written into a pin: \(problem); give a program name and at most one argument")
        }
        if ScriptURL(url)?.hasCredentials == true {
            throw .usage("the URL contains a user or password; pins are committed, so keep credentials out of them")
        }
        _ = try evidence.lines()
        return try prepare(in: try Manifest.discover(explicit: manifest, context: context), reporter: reporter, context: context)
    }

    /// `prepare` for the manifest `existing` (which `lint --fix` may be about to create).
    func prepare(in existing: Manifest, reporter: any Reporter, context: ProcessContext) throws(ScriptPinError) -> Prepared {
        if let other = existing.entry(forURL: url) {
            throw .usage("\(ScriptURL.redact(url)) is already pinned as '\(other.pin.name)'; use `scriptpin update \(other.pin.name)`")
        }
        var naming = PinNaming(manifest: existing)
        let name = self.name.isEmpty ? naming.name(for: url) : self.name
        if self.name.isEmpty {
            reporter.note("scriptpin: naming the pin \(name); to choose another name, give it before the URL: scriptpin add NAME URL")
        }
        let path = existing.path(forPinNamed: name)
        if existing.entry(named: name) != nil { throw .pinExists(name: name, path: path) }

        let image = try ScriptImage.make(temporaryDirectory: context.temporaryDirectory)
        let limit = fetchOptions.sizeLimit(declared: maxSize)
        let checker = EvidenceChecker(fetchOptions: fetchOptions, sizeLimit: limit, keys: SigningKeys(beside: existing), context: context)
        let (fetched, givenVerdicts) = try checker.check(
            try evidence.lines(), purpose: .approving, pinURL: url,
            beside: { () throws(ScriptPinError) in
                let body = try Fetcher(options: fetchOptions).fetch(url, sizeLimit: limit, into: image)
                try image.seal(expecting: body.digest)
                return (body, try contents(of: image))
            },
            facts: { BodyFacts(bytes: $0.1, sha256: $0.0.digest) })
        let (body, bytes) = fetched
        let shebang = Shebang(bytes)
        let chosenInterpreter = interpreter ?? shebang?.pinInterpreter
        reporter.line("url          \(ScriptURL.redact(url))")
        reporter.line("size         \(body.size) bytes")
        reporter.line("sha256       \(body.digest.hex)")
        var verdicts = givenVerdicts
        var stable: (url: String, moves: String)?
        if let target = body.redirectedTo, Self.isVersioned(target), !Self.isVersioned(url) {
            stable = (target, "it redirects to a versioned URL")
        }
        if evidence.isEmpty, let proposal = checker.propose(for: url, body: BodyFacts(bytes: bytes, sha256: body.digest)) {
            for note in proposal.notes { reporter.line("catalogue    \(VisibleText.escape(note))") }
            if let contradiction = proposal.contradiction {
                throw .evidenceContradicts(
                    subject: "the body of \(ScriptURL.redact(url))", findings: ["the catalogue: \(contradiction)"], consequence: "nothing was written")
            }
            if let (versioned, moves) = proposal.versionedURL {
                stable = (versioned, moves)
            }
            verdicts = try checker.check(
                proposal.lines, purpose: .approving, pinURL: url, beside: { () throws(ScriptPinError) in },
                facts: { BodyFacts(bytes: bytes, sha256: body.digest) }).verdicts
        }
        for verdict in verdicts { reporter.line("evidence     \(VisibleText.escape(verdict.summary))") }
        if let refusal = ScriptPinError.refusal(verdicts, subject: "the body of \(ScriptURL.redact(url))", consequence: "nothing was written") {
            throw refusal
        }
        if verdicts.isEmpty {
            reporter.note("scriptpin: the pin has no evidence from a second channel, so it approves whatever the host serves today\(reporter.hint(.addEvidence))")
        }
        reporter.line("interpreter  \(VisibleText.escape(chosenInterpreter ?? (shebang == nil ? "sh (no #! line)" : "none recorded")))")
        if interpreter == nil, shebang != nil, chosenInterpreter == nil {
            reporter.note("scriptpin: the #! line is not a plain program path with at most one argument, so the pin records no interpreter; `run` reads the #! line itself\(reporter.hint(.recordInterpreter))")
        }
        reporter.line("first lines:")
        for line in UnifiedDiff.lines(String(decoding: bytes, as: UTF8.self)).prefix(Self.previewLines) {
            reporter.line("  | \(VisibleText.escape(line))")
        }
        let risks = RiskScanner.scanAll(String(decoding: bytes, as: UTF8.self))
        if !risks.isEmpty {
            reporter.line("lines to read before approving:")
            for risk in risks { reporter.line("  line \(risk.line): \(risk.reason): \(VisibleText.escape(risk.text.trimmingBlanksString()))") }
        }
        renderConfinementLines(egress: [], write: [], name: name, reporter: reporter)
        EgressGuess.render(EgressGuess.destinations(in: String(decoding: bytes, as: UTF8.self)), reporter: reporter)
        var stableURL = stable.flatMap { confirmStable($0, of: body, limit: limit, reporter: reporter) }
        let pinnedAs = stableURL.flatMap(existing.entry(forURL:))
        if let pinnedAs {
            let approves = pinnedAs.pin.sha256.contains(body.digest)
            reporter.note("scriptpin: the stable URL is pinned already, as \(pinnedAs.pin.name)\(approves ? ", for these bytes" : " for other bytes: `scriptpin update \(pinnedAs.pin.name)` reviews the change"); this pin keeps the URL given")
            stableURL = nil
        }
        let pin = Pin(
            name: name, url: url, sha256: [body.digest], interpreter: chosenInterpreter,
            environment: environment, maxSize: maxSize, approved: todayUTC(), evidence: verdicts.map(\.evidence))
        let comments = ["\(name): added by scriptpin add on \(todayUTC())"]
        let document = PinDocument(pin: pin, comments: comments)
        return Prepared(
            pin: pin, path: path, filePath: existing.filePath(forPinNamed: name),
            text: try document.renderVerified(as: pin, path: path), location: existing.location,
            image: image, store: ContentStore(context: context), comments: comments, stableURL: stableURL,
            pinnedAs: pinnedAs.flatMap { $0.pin.sha256.contains(body.digest) ? $0 : nil })
    }

    /// The stable URL, when it serves the very bytes the pin's URL served; said either way.
    private func confirmStable(
        _ stable: (url: String, moves: String), of body: FetchedBody, limit: Int64, reporter: any Reporter
    ) -> String? {
        let shown = VisibleText.escape(ScriptURL.redact(stable.url))
        var options = fetchOptions
        options.maximumSize = limit
        guard ScriptURL.problem(with: stable.url) == nil, let digest = try? Fetcher(options: options).digest(of: stable.url, algorithm: .sha256) else {
            reporter.note("scriptpin: \(ScriptURL.redact(url)) moves (\(stable.moves)), and \(shown) could not be fetched to compare; the pin keeps the URL given")
            return nil
        }
        guard digest == body.digest else {
            reporter.note("scriptpin: \(ScriptURL.redact(url)) moves (\(stable.moves)), but \(shown) serves other bytes; the pin keeps the URL given")
            return nil
        }
        reporter.line("stable url   \(shown)")
        reporter.note("scriptpin: \(ScriptURL.redact(url)) moves (\(stable.moves)), so its pin breaks at the next upstream change; \(shown) serves the same bytes and does not move")
        return stable.url
    }

    /// Whether a URL's path names a release or a commit: a segment like `v1.2.3`, `1.29.0` or a full commit id.
    static func isVersioned(_ url: String) -> Bool {
        guard let parsed = ScriptURL(url) else { return false }
        return parsed.pathSegments.dropLast().contains { segment in
            let isCommit = segment.count == 40 && segment.allSatisfy(\.isHexDigit)
            let version = segment.drop { !$0.isNumber }
            let isVersion = segment.count - version.count <= 8 && version.first?.isNumber == true && version.contains(".")
                && version.allSatisfy { $0.isNumber || $0 == "." || $0 == "-" || $0.isLetter }
            return isCommit || isVersion
        }
    }

    /// Writes the prepared pin, unless another one took its name meanwhile, and keeps the body in the store.
    public static func commit(_ prepared: Prepared, reporter: any Reporter) throws(ScriptPinError) {
        let lock = try ManifestLock(directory: prepared.location.path)
        try write(prepared, reporter: reporter, holding: lock)
    }

    /// `commit`'s work, for a caller that holds the manifest lock already.
    static func write(_ prepared: Prepared, reporter: any Reporter, holding lock: borrowing ManifestLock) throws(ScriptPinError) {
        // Another add may have landed while this one fetched.
        guard fileKind(prepared.filePath) == .missing else { throw .pinExists(name: prepared.pin.name, path: prepared.path) }
        try writeAtomically(prepared.filePath, text: prepared.text)
        prepared.store.keep(prepared.image, as: prepared.pin.sha256[0], reporter: reporter)
        reporter.note("scriptpin: wrote \(prepared.path); review and commit it")
    }
}
