/// `scriptpin add`: fetch a script, show it, and write its pin.
public struct AddCommand: Sendable {
    /// Lines of the new script shown before asking for confirmation.
    public static let previewLines = 15

    public var name = ""
    public var url = ""
    public var interpreter: String?
    public var environment: [String] = []
    public var maxSize: Int64?
    public var assumeYes = false
    public var manifest: String?
    public var fetchOptions = FetchOptions()

    public init() {}

    public func run(console: Console, context: ProcessContext) throws(ScriptPinError) -> Int32 {
        guard PinRules.isValidName(name) else {
            throw .usage("the pin name (the first argument) is not valid; use lowercase letters, digits, '.', '_' and '-', at most \(PinRules.maximumNameLength) characters")
        }
        if let problem = ScriptURL.problem(with: url) { throw .usage(problem) }
        if let interpreter, let problem = PinRules.valueProblem(interpreter) {
            throw .usage("the interpreter given cannot be written into a pin: \(problem); give a program name and at most one argument")
        }
        if ScriptURL(url)?.hasCredentials == true {
            throw .usage("the URL contains a user or password; pins are committed, so keep credentials out of them")
        }
        let existing = try Manifest.discover(explicit: manifest, context: context)
        let directory = existing.directory
        let path = existing.path(forPinNamed: name)
        if existing.entry(named: name) != nil { throw .pinExists(name: name, path: path) }
        if let other = existing.entry(forURL: url) {
            throw .usage("\(ScriptURL.redact(url)) is already pinned as '\(other.pin.name)'; use `scriptpin update \(other.pin.name)`")
        }

        let image = try ScriptImage.make(temporaryDirectory: context.temporaryDirectory)
        let pinForLimit = Pin(name: name, url: url, sha256: [], maxSize: maxSize)
        let body = try Fetcher(options: fetchOptions).fetch(url, sizeLimit: fetchOptions.sizeLimit(for: pinForLimit), into: image)
        try image.seal(expecting: body.digest)
        let bytes = try contents(of: image)
        let shebang = Shebang(bytes)
        let chosenInterpreter = interpreter ?? shebang?.pinInterpreter
        console.line("url          \(ScriptURL.redact(url))")
        console.line("size         \(body.size) bytes")
        console.line("sha256       \(body.digest.hex)")
        console.line("interpreter  \(VisibleText.escape(chosenInterpreter ?? (shebang == nil ? "sh (no #! line)" : "none recorded")))")
        if interpreter == nil, shebang != nil, chosenInterpreter == nil {
            console.note("scriptpin: the #! line is not a plain program path with at most one argument, so the pin records no interpreter; `run` reads the #! line itself, or give one with --interpreter")
        }
        console.line("first lines:")
        for line in UnifiedDiff.lines(String(decoding: bytes, as: UTF8.self)).prefix(Self.previewLines) {
            console.line("  | \(VisibleText.escape(line))")
        }
        let risks = RiskScanner.scanAll(String(decoding: bytes, as: UTF8.self))
        if !risks.isEmpty {
            console.line("lines to read before approving:")
            for risk in risks { console.line("  line \(risk.line): \(risk.reason): \(VisibleText.escape(risk.text.trimmingBlanksString()))") }
        }
        guard assumeYes || console.confirm("Pin \(name) to this digest?") else { throw .notConfirmed("pin '\(name)'") }

        let pin = Pin(
            name: name, url: url, sha256: [body.digest], interpreter: chosenInterpreter,
            environment: environment, maxSize: maxSize, approved: todayUTC())
        let document = PinDocument(pin: pin, comments: ["\(name): added by scriptpin add on \(todayUTC())"])
        let lock = try ManifestLock(directory: directory)
        // Another add may have landed while this one fetched.
        guard fileKind(path) == .missing else { throw .pinExists(name: name, path: path) }
        try writeAtomically(path, text: document.renderVerified(as: pin, path: path))
        _ = consume lock
        keep(image, as: body.digest, in: ContentStore(context: context), console: console)
        console.note("scriptpin: wrote \(path); review and commit it")
        return 0
    }
}

/// `scriptpin update`: re-fetch, review the change, and move the pin.
public struct UpdateCommand: Sendable {
    public var names: [String] = []
    public var all = false
    public var assumeYes = false
    public var manifest: String?
    public var fetchOptions = FetchOptions()

    public init() {}

    public func run(console: Console, context: ProcessContext) throws(ScriptPinError) -> Int32 {
        let loaded = try Manifest.discover(explicit: manifest, context: context)
        if names.isEmpty && !all { throw .usage("name the pins to update, or pass --all") }
        let entries = try loaded.entries(named: all ? [] : names)
        let store = ContentStore(context: context)
        var worst: ScriptPinError.Category?
        for entry in entries {
            do {
                try update(entry, path: loaded.path(forPinNamed: entry.pin.name), location: loaded.location, store: store, context: context, console: console)
            } catch {
                console.error(error.description)
                worst = max(worst ?? error.category, error.category)
            }
        }
        return worst.map { Int32($0.rawValue) } ?? 0
    }

    private func update(
        _ entry: ParsedPin, path: String, location: ManifestLocation, store: ContentStore, context: ProcessContext, console: Console
    ) throws(ScriptPinError) {
        let pin = entry.pin
        let image = try ScriptImage.make(temporaryDirectory: context.temporaryDirectory)
        let limit = fetchOptions.sizeLimit(for: pin)
        let body = try Fetcher(options: fetchOptions).fetch(pin.url, sizeLimit: limit, into: image)
        try image.seal(expecting: body.digest)
        if pin.accepts(body.digest) {
            console.line("\(pin.name): unchanged (\(body.digest.hex))")
            keep(image, as: body.digest, in: store, console: console)
            return
        }
        let review = Review(approved: pin.sha256, store: store, new: try contents(of: image), newDigest: body.digest, sizeLimit: Int(limit))
        for problem in review.storeProblems { console.warning(problem.description) }
        console.line("\(pin.name): changed: \(ScriptURL.redact(pin.url)) now serves \(body.digest.hex) (\(body.size) bytes)")
        if let diff = review.diff {
            console.write(colouredDiff(diff, console: console), to: .output)
        } else {
            console.line("the approved copy is not in the store (\(store.root)), so there is no diff; summary of the new body:")
        }
        console.write(review.renderRisks(console: console), to: .output)
        guard assumeYes || console.confirm("Approve the new digest for \(pin.name)?") else {
            throw .notConfirmed("the new digest of '\(pin.name)'")
        }
        let directory = location.directory
        let lock = try ManifestLock(directory: directory)
        // Re-read under the lock, so that a concurrent edit is not overwritten with stale lines.
        let current = try Manifest.load(location)
        guard let latest = current.entry(named: pin.name) else { throw .unknownPin(name: pin.name, manifest: directory) }
        var document = latest.document
        var approved = latest.pin
        approved.sha256 = [body.digest]
        approved.approved = todayUTC()
        document.replaceDigests(with: approved.sha256)
        document.set(.approved, to: todayUTC())
        try writeAtomically(path, text: document.renderVerified(as: approved, path: path))
        _ = consume lock
        keep(image, as: body.digest, in: store, console: console)
        console.note("scriptpin: updated \(path); review and commit it")
    }
}

/// Keeps a verified body in the store, saying when that replaced a modified
/// entry; a store that cannot be written costs the offline copy, nothing else.
func keep(_ image: ScriptImage, as digest: Digest, in store: ContentStore, console: Console) {
    do {
        if try store.save(image, as: digest) == .replacedModified {
            console.note("scriptpin: replaced the modified stored copy \(store.path(for: digest)) with the verified body")
        }
    } catch {
        console.warning("could not keep a copy in the store: \(error.description)")
    }
}

/// A unified diff for people: hiding controls escaped on every line, added
/// lines green and removed lines red on a terminal.
func colouredDiff(_ diff: String, console: Console) -> String {
    UnifiedDiff.lines(diff).map { line -> String in
        let shown = VisibleText.escape(line)
        if line.hasPrefix("+") && !line.hasPrefix("+++") { return console.styled(shown, .green, on: .output) }
        if line.hasPrefix("-") && !line.hasPrefix("---") { return console.styled(shown, .red, on: .output) }
        if line.hasPrefix("@@") { return console.styled(shown, .cyan, on: .output) }
        return shown
    }.joined(separator: "\n") + "\n"
}
