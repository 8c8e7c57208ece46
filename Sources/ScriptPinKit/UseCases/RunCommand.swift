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
    /// Checks the pin's evidence before anything runs, as the pin's `provenance required` line does.
    public var requiresProvenance = false
    public var printInsteadOfRunning = false
    public var fetchOptions = FetchOptions()
    public var confinement = ConfinementOptions()
    /// `--report FILE`: the network report as JSON, written after the script.
    public var reportFile: String?

    /// `--save`: after an egress audit, offer to write the lines it suggests into the pin.
    public var savesAudit = false

    public init() {}

    /// What `run` did with the verified bytes.
    public enum Outcome: Sendable, Equatable {
        /// With `--save`, the egress lines to write once the caller has asked.
        case ran(Termination, save: EgressSave?)
        case printed
    }

    /// Fetches, verifies, and runs (or prints) exactly the verified bytes.
    public func run(reporter: any Reporter, context: ProcessContext) throws(ScriptPinError) -> Outcome {
        // First, before any byte is fetched: the script runs as our user and
        // could otherwise read every withheld value from /proc/<our pid>/environ or /mem.
        do { try makeNonDumpable() } catch { throw .processProtectionFailed(error) }
        let resolved = try PinnedBody.resolve(
            target: target, manifest: manifest, adHocDigests: adHocDigests, acceptsLocalFile: true, context: context)
        // Protected from the script, when there is one.
        let manifestDirectory = try? Manifest.locate(explicit: manifest, context: context).path
        if !printInsteadOfRunning { try ensureConfinementIfRequired(for: resolved, manifestDirectory: manifestDirectory, context: context) }
        let source = PinnedBody(offline: offline, fetchOptions: fetchOptions, use: "running", consequence: "the script was not run", requiresProvenance: requiresProvenance)
        let (image, digest) = try source.obtain(resolved, context: context, reporter: reporter)
        if printInsteadOfRunning {
            try image.forEachChunk { (chunk) throws(ScriptPinError) in
                reporter.result(bytes: chunk)
            }
            return .printed
        }
        let pin = resolved.pin(for: digest)
        if savesAudit && pin == nil {
            throw .usage("--save writes the audit's egress lines into the pin, and this script matched no pin of the manifest; pin it with `scriptpin add`, then audit it by name")
        }
        let plan = try ConfinementPlan(options: confinement, pin: pin, manifestDirectory: manifestDirectory, context: context)
        let program = try interpreterCommand(for: pin, image: image)
        var policy = environment
        policy.allowed += pin?.environment ?? []
        let (passed, withheld) = policy.apply(to: context.environment)
        reportWithheld(withheld, policy: policy, reporter: reporter)
        scrubEnvironmentValues(named: Set(withheld))
        scrubCommandLine()
        // With --clean-env nearly everything is withheld; only the secrets are worth a warning.
        let secrets = Set(policy.mode == .clean ? withheld.filter(EnvironmentPolicy.looksSecret) : withheld)
        let (termination, ledger) = try launch(
            program + [image.executionPath] + arguments, environment: passed, image: image, plan: plan, reportFile: reportFile, context: context, reporter: reporter,
            beforeRunningUnconfined: { warnIfParentHolds(secrets, reporter: reporter) })
        guard savesAudit, let pin else { return .ran(termination, save: nil) }
        return .ran(termination, save: try egressSave(for: pin, digest: digest, termination: termination, ledger: ledger, context: context, reporter: reporter))
    }

    /// The audit's lines for the pin, or nil (said why) when there is nothing to save.
    private func egressSave(
        for pin: Pin, digest: Digest, termination: Termination, ledger: EgressLedger?, context: ProcessContext, reporter: any Reporter
    ) throws(ScriptPinError) -> EgressSave? {
        guard let ledger else {
            reporter.note("scriptpin: nothing to save: the script's network was not confined, so no host it reached was listed")
            return nil
        }
        guard termination == .exited(0) else {
            reporter.note("scriptpin: the egress lines were not saved: the script \(termination.sentence), so the audit may be missing hosts; audit it again once it succeeds")
            return nil
        }
        let manifest = try Manifest.discover(explicit: manifest, context: context)
        guard manifest.entry(named: pin.name) != nil else { throw .unknownPin(name: pin.name, manifest: manifest.directory) }
        let suggested = ledger.contacted.map { EgressRule.destination($0) }
        return EgressSave(location: manifest.location, path: manifest.path(forPinNamed: pin.name), pinName: pin.name, digest: digest, suggested: suggested)
    }

    /// Where confinement is required (by the options or any pin the body
    /// may match), finds out before anything is fetched whether the kernel
    /// provides it, and refuses if not.
    private func ensureConfinementIfRequired(
        for resolved: PinnedBody.Resolved, manifestDirectory: String?, context: ProcessContext
    ) throws(ScriptPinError) {
        let pins: [Pin?] = resolved.pin.map { [$0] } ?? (resolved.candidates.isEmpty ? [nil] : resolved.candidates.map { $0 })
        for pin in pins {
            let plan = try ConfinementPlan(options: confinement, pin: pin, manifestDirectory: manifestDirectory, context: context)
            guard plan.mode == .required else { continue }
            let spec = try plan.sandboxSpec(layingOutRoot: false)
            do { try RunningSandbox.probe(spec) } catch {
                throw .confinementUnavailable(ConfinementDiagnosis(error), requiredBy: plan.modeSource)
            }
            return
        }
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
    /// non-dumpable flag: an unconfined script can read its `/proc/<pid>/environ`.
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
            reporter.note("scriptpin: withheld \(plural(withheld.count, "secret-looking variable")) from the script: \(withheld.joined(separator: ", ")). Let one through\(reporter.hint(.allowVariable))")
        case .clean:
            let secrets = withheld.filter(EnvironmentPolicy.looksSecret)
            let named = secrets.isEmpty ? "" : ", among them \(secrets.joined(separator: ", "))"
            reporter.note("scriptpin: clean environment: withheld \(plural(withheld.count, "variable"))\(named)")
        }
    }
}

/// Egress lines an audit suggests, to be written into the pin it ran: the
/// pin's own lines are kept and the new ones added (`egress none` when the
/// script reached nothing and the pin lists nothing).
public struct EgressSave: Sendable, Equatable {
    let location: ManifestLocation
    /// The pin file as messages name it.
    public let path: String
    let pinName: String
    /// The body the audit ran: the pin must still approve it when the lines are written.
    let digest: Digest
    let suggested: [EgressRule]

    public var question: String { "Write these egress lines into \(path)?" }

    /// Writes the lines under the manifest lock, re-reading the pin first; returns the lines added.
    @discardableResult
    public func commit(reporter: any Reporter) throws(ScriptPinError) -> [EgressRule] {
        let lock = try ManifestLock(directory: location.path)
        let manifest = try Manifest.load(location)
        guard let entry = manifest.entry(named: pinName) else { throw .unknownPin(name: pinName, manifest: location.directory) }
        guard entry.pin.accepts(digest) else {
            throw .conflictingSettings("\(path) changed while the script ran and no longer approves the body audited; nothing was written; audit it again")
        }
        let kept = entry.pin.egress.filter { $0 != .none }
        let added = suggested.filter { !kept.contains($0) }
        let rules = kept + added
        var pin = entry.pin
        pin.egress = rules.isEmpty ? [.none] : rules
        var document = entry.document
        document.replaceEgress(with: pin.egress)
        try writeAtomically(manifest.filePath(forPinNamed: pinName), text: document.renderVerified(as: pin, path: path))
        _ = consume lock
        reporter.note("scriptpin: wrote \(plural(added.count, "egress line")) into \(path)\(added.isEmpty ? " (it listed every host already)" : ""); review and commit it")
        return added
    }
}
