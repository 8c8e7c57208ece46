/// What `run` and `fetch` share: finding what a target is pinned to, and
/// getting bytes that match it, from the network, a local file or the store,
/// into a sealed image, before anything uses them.
struct PinnedBody {
    /// Where the body comes from and what it must match.
    struct Resolved {
        enum Source {
            case remote(String)
            case local(String)
        }

        let source: Source
        let digests: [Digest]
        /// The pin named or found by URL; for a local file, nil until its digest picks one of `candidates`.
        let pin: Pin?
        var candidates: [Pin] = []
        /// How messages name the body.
        let label: String
        /// The keys beside the manifest the pin came from, for its signature lines.
        var keys = SigningKeys.none

        /// The pin the verified digest belongs to.
        func pin(for digest: Digest) -> Pin? {
            pin ?? candidates.first { $0.accepts(digest) }
        }
    }

    let offline: Bool
    let fetchOptions: FetchOptions
    /// What the fallback note says is done with a stored copy ("running").
    let use: String
    /// What a refusal says was therefore not done ("the script was not run").
    let consequence: String
    /// The caller's demand to check the pin's evidence too, besides the pin's own `provenance` line.
    let requiresProvenance: Bool

    /// A pin name, an https URL (pinned in the manifest, or by `adHocDigests`),
    /// or, where `acceptsLocalFile`, a local file that must match a pin.
    static func resolve(
        target: String, manifest explicitManifest: String?, adHocDigests: [Digest], acceptsLocalFile: Bool, context: ProcessContext
    ) throws(ScriptPinError) -> Resolved {
        let kinds = acceptsLocalFile ? "a pin name, an https URL or a script path" : "a pin name or an https URL"
        guard !target.isEmpty else { throw .usage("the target is empty; give \(kinds)") }
        let remote = isRemote(target)
        if remote, let problem = ScriptURL.problem(with: target) { throw .usage(problem) }
        let isLocalFile = acceptsLocalFile && !remote && fileKind(context.resolve(target)) == .regular
        if !adHocDigests.isEmpty {
            guard remote || isLocalFile else {
                throw .usage("with an ad hoc digest, the target must be \(acceptsLocalFile ? "an https URL or a script file" : "an https URL"), and it is neither")
            }
            return Resolved(source: remote ? .remote(target) : .local(context.resolve(target)), digests: adHocDigests, pin: nil, label: remote ? ScriptURL.redact(target) : target)
        }
        if remote {
            let manifest: Manifest?
            do {
                manifest = try Manifest.discover(explicit: explicitManifest, context: context)
            } catch .manifestNotFound {
                manifest = nil
            }
            guard let manifest, let entry = manifest.entry(forURL: target) else {
                // Not pinned: fetched only to show its digest, never used.
                return Resolved(source: .remote(target), digests: [], pin: nil, label: ScriptURL.redact(target))
            }
            return Resolved(
                source: .remote(target), digests: entry.pin.sha256, pin: entry.pin, label: "pin '\(entry.pin.name)'", keys: SigningKeys(beside: manifest))
        }
        let manifest = try Manifest.discover(explicit: explicitManifest, context: context)
        if let entry = manifest.entry(named: target) {
            return Resolved(
                source: .remote(entry.pin.url), digests: entry.pin.sha256, pin: entry.pin, label: "pin '\(entry.pin.name)'", keys: SigningKeys(beside: manifest))
        }
        if isLocalFile {
            return Resolved(source: .local(context.resolve(target)), digests: manifest.pins.flatMap(\.sha256), pin: nil, candidates: manifest.pins, label: target,
                keys: SigningKeys(beside: manifest))
        }
        guard PinRules.isValidName(target) else {
            throw .usage("the target is not \(acceptsLocalFile ? "a pin name, an https URL or a script file" : "a pin name or an https URL"); `scriptpin verify` lists the pins")
        }
        throw .unknownPin(name: target, manifest: manifest.directory)
    }

    /// A sealed image holding bytes that match the pin, and their digest;
    /// the body is kept in the store (a modified entry healed) on the way.
    /// Where provenance is required, the pin's evidence must confirm the
    /// body too: fetched beside it when the pin is known beforehand, after it
    /// when a local file's digest picks the pin.
    func obtain(_ resolved: Resolved, context: ProcessContext, reporter: any Reporter) throws(ScriptPinError) -> (ScriptImage, Digest) {
        if let pin = resolved.pin, try requiresProvenance(pin) {
            let checker = EvidenceChecker(fetchOptions: fetchOptions, sizeLimit: fetchOptions.sizeLimit(declared: pin.maxSize), keys: resolved.keys, context: context)
            let (obtained, verdicts) = try checker.check(
                pin.evidence, purpose: .checking, pinURL: pin.url,
                beside: { () throws(ScriptPinError) in try obtainVerifiedDigest(resolved, context: context, reporter: reporter) },
                facts: { (body) throws(ScriptPinError) in BodyFacts(bytes: try contents(of: body.0), sha256: body.1) })
            try accept(verdicts, of: pin, reporter: reporter)
            return obtained
        }
        let obtained = try obtainVerifiedDigest(resolved, context: context, reporter: reporter)
        if resolved.pin == nil, let pin = resolved.pin(for: obtained.1), try requiresProvenance(pin) {
            let checker = EvidenceChecker(fetchOptions: fetchOptions, sizeLimit: fetchOptions.sizeLimit(declared: pin.maxSize), keys: resolved.keys, context: context)
            let (_, verdicts) = try checker.check(
                pin.evidence, purpose: .checking, pinURL: pin.url, beside: { () throws(ScriptPinError) in },
                facts: { () throws(ScriptPinError) in BodyFacts(bytes: try contents(of: obtained.0), sha256: obtained.1) })
            try accept(verdicts, of: pin, reporter: reporter)
        }
        return obtained
    }

    /// Whether `pin`'s evidence must confirm the body: the caller's demand, else the pin's line.
    private func requiresProvenance(_ pin: Pin) throws(ScriptPinError) -> Bool {
        let source: String
        if requiresProvenance {
            source = "the run's options ask for it"
        } else if pin.provenance == .required {
            source = "the pin's `provenance` line asks for it"
        } else {
            return false
        }
        guard !pin.evidence.isEmpty else {
            throw .conflictingSettings("provenance is required (\(source)), and pin '\(pin.name)' has no evidence lines to check; add a source, sums or signature line to its pin file, or drop the requirement")
        }
        guard !offline else {
            throw .conflictingSettings("provenance is required (\(source)), and the evidence of pin '\(pin.name)' can only be checked online, while this run is offline; drop one or the other")
        }
        return true
    }

    private func accept(_ verdicts: [EvidenceVerdict], of pin: Pin, reporter: any Reporter) throws(ScriptPinError) {
        if let refusal = ScriptPinError.refusal(verdicts, subject: "pin '\(pin.name)'", consequence: consequence) { throw refusal }
        for verdict in verdicts { reporter.note("scriptpin: evidence: \(VisibleText.escape(verdict.summary))") }
    }

    private func obtainVerifiedDigest(_ resolved: Resolved, context: ProcessContext, reporter: any Reporter) throws(ScriptPinError) -> (ScriptImage, Digest) {
        let store = ContentStore(context: context)
        let image = try ScriptImage.make(temporaryDirectory: context.temporaryDirectory)
        let digest = try fill(image, from: resolved, store: store, reporter: reporter)
        try image.seal(expecting: digest)
        store.keep(image, as: digest, reporter: reporter)
        return (image, digest)
    }

    /// Fills `image` from the network, a local file or the store, and returns
    /// the digest it was verified against.
    private func fill(_ image: ScriptImage, from resolved: Resolved, store: ContentStore, reporter: any Reporter) throws(ScriptPinError) -> Digest {
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
                body = try Fetcher(options: fetchOptions).fetch(url, sizeLimit: fetchOptions.sizeLimit(declared: resolved.pin?.maxSize), into: image)
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
                reporter.warning("\(reporter.explain(.fetch(failure)))\nscriptpin: \(use) the stored copy of \(resolved.label) (\(digest.hex)) instead")
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
        let limit = fetchOptions.sizeLimit(declared: resolved.pin?.maxSize)
        for digest in resolved.digests where try store.load(digest, into: image, limit: limit) != nil {
            return digest
        }
        throw .storeEntryMissing(name: resolved.label, digests: resolved.digests, store: store.root)
    }
}
