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
        /// The question to put to the user before `commit`.
        public var question: String { "Pin \(pin.name) to this digest?" }
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
        if evidence.isEmpty, let proposal = checker.propose(for: url, body: BodyFacts(bytes: bytes, sha256: body.digest)) {
            for note in proposal.notes { reporter.line("catalogue    \(VisibleText.escape(note))") }
            if let contradiction = proposal.contradiction {
                throw .evidenceContradicts(
                    subject: "the body of \(ScriptURL.redact(url))", findings: ["the catalogue: \(contradiction)"], consequence: "nothing was written")
            }
            if let versioned = proposal.versionedURL {
                reporter.line("catalogue    \(VisibleText.escape("the URL follows a branch; \(versioned) does not move and serves these bytes: pin it instead so the pin does not break at the vendor's next release"))")
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
        EgressGuess.render(EgressGuess.destinations(in: String(decoding: bytes, as: UTF8.self)), reporter: reporter)
        let pin = Pin(
            name: name, url: url, sha256: [body.digest], interpreter: chosenInterpreter,
            environment: environment, maxSize: maxSize, approved: todayUTC(), evidence: verdicts.map(\.evidence))
        let document = PinDocument(pin: pin, comments: ["\(name): added by scriptpin add on \(todayUTC())"])
        return Prepared(
            pin: pin, path: path, filePath: existing.filePath(forPinNamed: name),
            text: try document.renderVerified(as: pin, path: path), location: existing.location,
            image: image, store: ContentStore(context: context))
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
