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

    public func run(console: Console, environment variables: [String: String]) throws(ScriptPinError) -> Int32 {
        guard PinRules.isValidName(name) else {
            throw .usage("'\(name)' is not a valid pin name; use lowercase letters, digits, '.', '_' and '-', at most \(PinRules.maximumNameLength) characters")
        }
        if let problem = ScriptURL.problem(with: url) { throw .usage(problem) }
        if ScriptURL(url)?.hasCredentials == true {
            throw .usage("the URL contains a user or password; pins are committed, so keep credentials out of them")
        }
        let existing = try Manifest.discover(explicit: manifest, environment: variables)
        let directory = existing.directory
        let path = existing.path(forPinNamed: name)
        if existing.entry(named: name) != nil { throw .pinExists(name: name, path: path) }
        if let other = existing.entry(forURL: url) {
            throw .usage("\(url) is already pinned as '\(other.pin.name)'; use `scriptpin update \(other.pin.name)`")
        }

        let image = try ScriptImage.make()
        let pinForLimit = Pin(name: name, url: url, sha256: [], maxSize: maxSize)
        let body = try Fetcher(options: fetchOptions).fetch(url, sizeLimit: fetchOptions.sizeLimit(for: pinForLimit), into: image)
        try image.seal(expecting: body.digest)
        let bytes = try contents(of: image)
        let chosenInterpreter = interpreter ?? shebangInterpreter(bytes)
        console.line("url          \(ScriptURL.redact(url))")
        console.line("size         \(body.size) bytes")
        console.line("sha256       \(body.digest.hex)")
        console.line("interpreter  \(chosenInterpreter ?? "sh (no #! line)")")
        console.line("first lines:")
        for line in UnifiedDiff.lines(String(decoding: bytes, as: UTF8.self)).prefix(Self.previewLines) {
            console.line("  | \(line)")
        }
        let risks = RiskScanner.scanAll(String(decoding: bytes, as: UTF8.self))
        if !risks.isEmpty {
            console.line("lines to read before approving:")
            for risk in risks { console.line("  line \(risk.line): \(risk.reason): \(risk.text.trimmingBlanksString())") }
        }
        guard assumeYes || console.confirm("Pin \(name) to this digest?") else { throw .notConfirmed("pin '\(name)'") }

        let pin = Pin(
            name: name, url: url, sha256: [body.digest], interpreter: chosenInterpreter,
            environment: environment, maxSize: maxSize, approved: todayUTC())
        let document = PinDocument(pin: pin, comments: ["\(name): added by scriptpin add on \(todayUTC())"])
        let lock = try ManifestLock(directory: directory)
        // Another add may have landed while this one fetched.
        guard fileKind(path) == .missing else { throw .pinExists(name: name, path: path) }
        try writeAtomically(path, text: document.render())
        _ = consume lock
        do { try ContentStore(environment: variables).save(image, as: body.digest) } catch {
            console.warning("the pin was written, but the body could not be stored: \(error.description)")
        }
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

    public func run(console: Console, environment variables: [String: String]) throws(ScriptPinError) -> Int32 {
        let loaded = try Manifest.discover(explicit: manifest, environment: variables)
        let directory = loaded.directory
        if names.isEmpty && !all { throw .usage("name the pins to update, or pass --all") }
        let entries = try loaded.entries(named: all ? [] : names)
        let store = ContentStore(environment: variables)
        var worst: ScriptPinError.Category?
        for entry in entries {
            do {
                try update(entry, path: loaded.path(forPinNamed: entry.pin.name), directory: directory, store: store, console: console)
            } catch {
                console.error(error.description)
                worst = max(worst ?? error.category, error.category)
            }
        }
        return worst.map { Int32($0.rawValue) } ?? 0
    }

    private func update(
        _ entry: ParsedPin, path: String, directory: String, store: ContentStore, console: Console
    ) throws(ScriptPinError) {
        let pin = entry.pin
        let image = try ScriptImage.make()
        let limit = fetchOptions.sizeLimit(for: pin)
        let body = try Fetcher(options: fetchOptions).fetch(pin.url, sizeLimit: limit, into: image)
        try image.seal(expecting: body.digest)
        if pin.accepts(body.digest) {
            console.line("\(pin.name): unchanged (\(body.digest.hex))")
            try? store.save(image, as: body.digest)
            return
        }
        let review = Review(approved: pin.sha256, store: store, new: try contents(of: image), newDigest: body.digest, sizeLimit: Int(limit))
        console.line("\(pin.name): changed: \(pin.url) now serves \(body.digest.hex) (\(body.size) bytes)")
        if let diff = review.diff {
            console.write(colouredDiff(diff, console: console), to: .output)
        } else {
            console.line("the approved copy is not in the store (\(store.root)), so there is no diff; summary of the new body:")
        }
        console.write(review.renderRisks(console: console), to: .output)
        guard assumeYes || console.confirm("Approve the new digest for \(pin.name)?") else {
            throw .notConfirmed("the new digest of '\(pin.name)'")
        }
        let lock = try ManifestLock(directory: directory)
        // Re-read under the lock, so that a concurrent edit is not overwritten with stale lines.
        let current = try Manifest.load(directory: directory)
        guard var document = current.entry(named: pin.name)?.document else { throw .unknownPin(name: pin.name, manifest: directory) }
        document.replaceDigests(with: [body.digest])
        document.set(.approved, to: todayUTC())
        try writeAtomically(path, text: document.render())
        _ = consume lock
        try? store.save(image, as: body.digest)
        console.note("scriptpin: updated \(path); review and commit it")
    }
}

/// The interpreter named by a `#!` line, as a pin writes it ("bash" for `#!/usr/bin/env bash`).
func shebangInterpreter(_ bytes: [UInt8]) -> String? {
    let line = String(decoding: bytes.prefix(256).prefix(while: { $0 != UInt8(ascii: "\n") }), as: UTF8.self)
    guard line.hasPrefix("#!") else { return nil }
    let words = line.dropFirst(2).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
    guard let program = words.first else { return nil }
    if program.hasSuffix("/env"), let target = words.dropFirst().first(where: { !$0.hasPrefix("-") }) { return String(target) }
    return String(program.split(separator: "/").last ?? program)
}

/// A unified diff with added lines green and removed lines red on a terminal.
func colouredDiff(_ diff: String, console: Console) -> String {
    guard console.colouredOutput else { return diff }
    return UnifiedDiff.lines(diff).map { line -> String in
        if line.hasPrefix("+") && !line.hasPrefix("+++") { return console.styled(String(line), .green, on: .output) }
        if line.hasPrefix("-") && !line.hasPrefix("---") { return console.styled(String(line), .red, on: .output) }
        if line.hasPrefix("@@") { return console.styled(String(line), .cyan, on: .output) }
        return String(line)
    }.joined(separator: "\n") + "\n"
}
