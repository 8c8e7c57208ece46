/// `scriptpin run`, the replacement for `curl | bash`: fetch once, verify,
/// then execute exactly the verified bytes with secrets withheld.
public struct RunCommand: Sendable {
    /// A pin name, an https URL, or a path to a local script.
    public var target = ""
    public var arguments: [String] = []
    public var manifest: String?
    /// Ad hoc pins: the body must match one of these; no manifest is needed.
    public var adHocDigests: [Digest] = []
    public var interpreter: String?
    public var environment = EnvironmentPolicy()
    public var offline = false
    public var printInsteadOfRunning = false
    public var fetchOptions = FetchOptions()

    public init() {}

    /// What `run` did with the verified bytes.
    public enum Outcome: Sendable, Equatable {
        case ran(Termination)
        case printed
    }

    /// What the target resolved to: where the body comes from and what it must match.
    private struct Resolved {
        enum Source {
            case remote(String)
            case local(String)
        }

        let source: Source
        let digests: [Digest]
        /// The pin named or found by URL; for a local file, nil until its digest picks one of `candidates`.
        let pin: Pin?
        var candidates: [Pin] = []
        /// How messages name the script.
        let label: String
    }

    /// Fetches, verifies, and runs (or prints) exactly the verified bytes.
    public func run(reporter: any Reporter, context: ProcessContext) throws(ScriptPinError) -> Outcome {
        // First, before any byte is fetched: the script runs as our user and
        // could otherwise read every withheld value from /proc/<our pid>/environ or /mem.
        do { try makeNonDumpable() } catch { throw .processProtectionFailed(error) }
        let resolved = try resolve(context: context)
        let store = ContentStore(context: context)
        let image = try ScriptImage.make(temporaryDirectory: context.temporaryDirectory)
        let digest = try obtain(resolved, into: image, store: store, reporter: reporter)
        try image.seal(expecting: digest)
        keep(image, as: digest, in: store, reporter: reporter)
        if printInsteadOfRunning {
            try image.forEachChunk { (chunk) throws(ScriptPinError) in
                reporter.result(bytes: chunk)
            }
            return .printed
        }
        let pin = resolved.pin ?? resolved.candidates.first { $0.accepts(digest) }
        let program = try interpreterCommand(for: pin, image: image)
        var policy = environment
        policy.allowed += pin?.environment ?? []
        let (passed, withheld) = policy.apply(to: context.environment)
        reportWithheld(withheld, policy: policy, reporter: reporter)
        scrubEnvironmentValues(named: Set(withheld))
        // With --clean-env nearly everything is withheld; only the secrets are worth a warning.
        let secrets = policy.mode == .clean ? withheld.filter(EnvironmentPolicy.looksSecret) : withheld
        warnIfParentHolds(Set(secrets), reporter: reporter)
        return .ran(try spawnAndWait(program + [image.executionPath] + arguments, environment: passed, image: image))
    }

    private func resolve(context: ProcessContext) throws(ScriptPinError) -> Resolved {
        guard !target.isEmpty else { throw .usage("run needs a pin name, an https URL or a script path") }
        let remote = isRemote(target)
        if remote, let problem = ScriptURL.problem(with: target) { throw .usage(problem) }
        if !adHocDigests.isEmpty {
            if !remote && fileKind(context.resolve(target)) != .regular {
                throw .usage("with an ad hoc digest, the target must be an https URL or a script file, and it is neither")
            }
            return Resolved(source: remote ? .remote(target) : .local(context.resolve(target)), digests: adHocDigests, pin: nil, label: remote ? ScriptURL.redact(target) : target)
        }
        if remote {
            let manifest: Manifest?
            do {
                manifest = try Manifest.discover(explicit: self.manifest, context: context)
            } catch .manifestNotFound {
                manifest = nil
            }
            guard let entry = manifest?.entry(forURL: target) else {
                // Not pinned: fetched only to show its digest, never run.
                return Resolved(source: .remote(target), digests: [], pin: nil, label: ScriptURL.redact(target))
            }
            return Resolved(source: .remote(target), digests: entry.pin.sha256, pin: entry.pin, label: "pin '\(entry.pin.name)'")
        }
        let manifest = try Manifest.discover(explicit: self.manifest, context: context)
        if let entry = manifest.entry(named: target) {
            return Resolved(source: .remote(entry.pin.url), digests: entry.pin.sha256, pin: entry.pin, label: "pin '\(entry.pin.name)'")
        }
        if fileKind(context.resolve(target)) == .regular {
            return Resolved(source: .local(context.resolve(target)), digests: manifest.pins.flatMap(\.sha256), pin: nil, candidates: manifest.pins, label: target)
        }
        guard PinRules.isValidName(target) else {
            throw .usage("the target is not a pin name, an https URL or a script file; `scriptpin verify` lists the pins")
        }
        throw .unknownPin(name: target, manifest: manifest.directory)
    }

    /// Fills `image` from the network, a local file or the store, and returns
    /// the digest it was verified against.
    private func obtain(
        _ resolved: Resolved, into image: ScriptImage, store: ContentStore, reporter: any Reporter
    ) throws(ScriptPinError) -> Digest {
        switch resolved.source {
        case .local(let path):
            try image.restart()
            let actual = try digest(ofFile: path, algorithm: .sha256, forwardingTo: image)
            guard resolved.digests.contains(actual) else {
                throw .mismatch(what: resolved.label, expected: resolved.digests, actual: actual)
            }
            return actual
        case .remote(let url):
            if offline { return try loadStored(resolved, into: image, store: store) }
            let body: FetchedBody
            do {
                body = try Fetcher(options: fetchOptions).fetch(url, sizeLimit: fetchOptions.sizeLimit(for: resolved.pin), into: image)
            } catch .fetch(let failure) {
                guard !resolved.digests.isEmpty else { throw .fetch(failure) }
                let digest: Digest
                do {
                    digest = try loadStored(resolved, into: image, store: store)
                } catch .storeEntryMissing {
                    throw .fetch(failure)
                } catch {
                    // A modified or unreadable stored copy is reported, never used.
                    reporter.warning(reporter.explain(error))
                    throw .fetch(failure)
                }
                reporter.warning("\(reporter.explain(.fetch(failure)))\nscriptpin: running the stored copy of \(resolved.label) (\(digest.hex)) instead")
                return digest
            }
            guard !resolved.digests.isEmpty else {
                let suggested = PinRules.suggestedName(forURL: url)
                throw .notPinned(url: ScriptURL.redact(url), actual: body.digest, suggestedName: suggested)
            }
            guard resolved.digests.contains(body.digest) else {
                throw .mismatch(what: "\(ScriptURL.redact(url)) (\(resolved.label))", expected: resolved.digests, actual: body.digest)
            }
            return body.digest
        }
    }

    private func loadStored(_ resolved: Resolved, into image: ScriptImage, store: ContentStore) throws(ScriptPinError) -> Digest {
        let limit = fetchOptions.sizeLimit(for: resolved.pin)
        for digest in resolved.digests where try store.load(digest, into: image, limit: limit) != nil {
            return digest
        }
        throw .storeEntryMissing(name: resolved.label, digests: resolved.digests, store: store.root)
    }

    /// `--interpreter`, else the pin's, else the `#!` line, else `sh`.
    private func interpreterCommand(for pin: Pin?, image: ScriptImage) throws(ScriptPinError) -> [String] {
        if let chosen = interpreter ?? pin?.interpreter {
            let words = chosen.split(separator: " ").map(String.init)
            guard !words.isEmpty else { throw .usage("the interpreter is empty; give a program name") }
            return words
        }
        guard let shebang = image.shebang() else { return ["sh"] }
        guard shebang.isPrintable else {
            throw .unusableShebang
        }
        return shebang.command
    }

    /// The parent (usually the CI step's shell) is not protected by our
    /// non-dumpable flag: the script can read its `/proc/<pid>/environ`.
    /// Only `exec scriptpin run` removes that copy, by replacing the shell.
    private func warnIfParentHolds(_ withheld: Set<String>, reporter: any Reporter) {
        guard !withheld.isEmpty else { return }
        let parent = parentProcessID()
        guard let held = environmentNames(ofProcess: parent)?.intersection(withheld), !held.isEmpty else { return }
        let names = held.sorted().joined(separator: ", ")
        reporter.warning("the parent process (pid \(parent)) still holds \(names) in its environment, where the script can read \(held.count == 1 ? "it" : "them") (/proc/\(parent)/environ); start scriptpin with `exec scriptpin run …` so that the shell holding them is replaced")
    }

    private func reportWithheld(_ withheld: [String], policy: EnvironmentPolicy, reporter: any Reporter) {
        guard !withheld.isEmpty else { return }
        switch policy.mode {
        case .keepAll:
            return
        case .withholdSecrets:
            reporter.note("scriptpin: withheld \(withheld.count) secret-looking variable\(withheld.count == 1 ? "" : "s") from the script: \(withheld.joined(separator: ", ")). Let one through\(reporter.hint(.allowVariable))")
        case .clean:
            let secrets = withheld.filter(EnvironmentPolicy.looksSecret)
            let named = secrets.isEmpty ? "" : ", among them \(secrets.joined(separator: ", "))"
            reporter.note("scriptpin: clean environment: withheld \(withheld.count) variable\(withheld.count == 1 ? "" : "s")\(named)")
        }
    }
}
