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

    public init() {}

    /// What `run` did with the verified bytes.
    public enum Outcome: Sendable, Equatable {
        case ran(Termination)
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
        return .ran(try launch(
            program + [image.executionPath] + arguments, environment: passed, image: image, plan: plan, reportFile: reportFile, context: context, reporter: reporter,
            beforeRunningUnconfined: { warnIfParentHolds(secrets, reporter: reporter) }))
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
            let spec = try plan.sandboxSpec()
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
