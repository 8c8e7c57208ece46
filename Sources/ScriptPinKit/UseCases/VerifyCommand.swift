/// `scriptpin verify`, the offline check for pre-commit hooks: the pins are
/// valid, local files match a pin, or files match a vendor's checksum file.
public struct VerifyCommand: Sendable {
    public var manifest: String?
    public var pinName: String?
    public var sumsFile: String?
    public var files: [String] = []
    /// Also check every pin's evidence against its body, online.
    public var online = false
    public var fetchOptions = FetchOptions()
    /// Check the references of the staged files against git's index (the pre-commit hook).
    public var staged = false
    /// Reads the pin a `scriptpin run|fetch …` command line names; nil skips the check of references.
    public var pinTarget: PinTargetReader?

    public init() {}

    public func run(reporter: any Reporter, context: ProcessContext) -> Outcome {
        do {
            if let sumsFile { return try verifySums(sumsFile, workingDirectory: context.workingDirectory, reporter: reporter) }
            let location = try Manifest.locate(explicit: manifest, context: context)
            if files.isEmpty {
                var validity = validateManifest(location, reporter: reporter)
                // References are resolved against valid pins; an invalid one is reported above already.
                if let pinTarget, validity == .succeeded {
                    validity = validity.including(try checkReferences(in: try Manifest.load(location), target: pinTarget, reporter: reporter, context: context))
                }
                guard online, validity == .succeeded else { return validity }
                return checkEvidence(of: try Manifest.load(location), reporter: reporter, context: context)
            }
            return try verifyFiles(against: Manifest.load(location), reporter: reporter)
        } catch {
            reporter.error(reporter.explain(error))
            return .failed(error.category)
        }
    }

    /// Validates every pin file and reports every problem.
    private func validateManifest(_ location: ManifestLocation, reporter: any Reporter) -> Outcome {
        let directory = location.directory
        let (entries, problems) = Manifest.validate(location)
        for entry in entries {
            reporter.line("\(joinPath(directory, entry.pin.name + PinRules.fileExtension)): \(reporter.styled("OK", .green))")
        }
        for problem in problems {
            reporter.note(problem.description)
        }
        let invalidFiles = Set(problems.map(\.path)).count
        if invalidFiles > 0 {
            reporter.note("scriptpin: \(invalidFiles) of \(invalidFiles + entries.count) pin files in \(directory) are invalid; fix the lines above")
            return .failed(.invalidInput)
        }
        reporter.note("scriptpin: \(entries.count) pins in \(directory) are valid")
        return .succeeded
    }

    /// Every `scriptpin run|fetch NAME` in the repository's code (the staged
    /// files' with `staged`) names a pin that exists and that git tracks.
    private func checkReferences(
        in manifest: Manifest, target: @escaping PinTargetReader, reporter: any Reporter, context: ProcessContext
    ) throws(ScriptPinError) -> Outcome {
        let (problems, count) = try PinReferenceCheck(target: target, staged: staged).problems(for: manifest, reporter: reporter, context: context)
        // On stderr, which the hook shows while it discards the pins' OK lines.
        for problem in problems { reporter.note("scriptpin: \(problem.location): \(VisibleText.escape(problem.message))") }
        let scope = staged ? "the staged files" : "the repository"
        guard problems.isEmpty else {
            reporter.note("scriptpin: \(plural(problems.count, "reference")) to pins in \(scope) \(problems.count == 1 ? "does" : "do") not resolve to a committed pin; fix the lines above")
            return .failed(.verificationFailed)
        }
        if count > 0 { reporter.note("scriptpin: \(plural(count, "reference")) to pins in \(scope) \(count == 1 ? "resolves to a committed pin" : "resolve to committed pins")") }
        return .succeeded
    }

    /// Each pin's evidence against the body its URL serves now: `NAME: OK`
    /// when every line confirms it, `FAILED` with what disagreed, the body
    /// fetched beside the evidence as `check` does it.
    private func checkEvidence(of manifest: Manifest, reporter: any Reporter, context: ProcessContext) -> Outcome {
        let entries = manifest.entries.filter { !$0.pin.evidence.isEmpty }
        let bare = manifest.entries.count - entries.count
        if bare > 0 {
            reporter.note("scriptpin: \(plural(bare, "pin")) without evidence, not checked online\(reporter.hint(.addEvidence))")
        }
        let results = CheckCommand.check(
            entries, manifest: manifest, jobs: CheckCommand.defaultJobs, fetchOptions: fetchOptions,
            store: ContentStore(context: context), reporter: reporter, context: context)
        let report = DriftReport(results: results)
        var outcome = Outcome.succeeded
        for result in results {
            let label = "\(result.path) evidence"
            switch result.status {
            case .ok:
                reporter.line("\(label): \(reporter.styled("OK", .green))")
            case .changed, .contradicted:
                reporter.line("\(label): \(reporter.styled("FAILED", .red))")
                reporter.note("scriptpin: \(VisibleText.escape(report.message(for: result)))")
                outcome = outcome.including(.verificationFailed)
            case .unreachable:
                reporter.line("\(label): \(reporter.styled("UNCHECKED", .yellow))")
                reporter.note("scriptpin: \(VisibleText.escape(report.message(for: result)))")
                outcome = outcome.including(.unavailable)
            }
        }
        reporter.note("scriptpin: evidence of \(report.ok) of \(plural(results.count, "pin")) confirmed online")
        return outcome
    }

    private func verifyFiles(against manifest: Manifest, reporter: any Reporter) throws(ScriptPinError) -> Outcome {
        let candidates: [Pin]
        if let pinName {
            guard let entry = manifest.entry(named: pinName) else {
                throw .unknownPin(name: pinName, manifest: manifest.directory)
            }
            candidates = [entry.pin]
        } else {
            candidates = manifest.pins
        }
        let results = concurrentMap(files) { path in
            Result { () throws(ScriptPinError) in try digest(ofFile: path, algorithm: .sha256) }
        }
        var tally = Tally()
        for (path, result) in zip(files, results) {
            switch result {
            case .success(let digest):
                if let pin = candidates.first(where: { $0.accepts(digest) }) {
                    tally.passed(path, detail: "pin \(pin.name)", reporter: reporter)
                } else {
                    tally.failed(path, reporter: reporter)
                }
            case .failure(let error):
                tally.error(error, reporter: reporter)
            }
        }
        return tally.finish(expectation: pinName.map { "pin \($0)" } ?? "any pin", reporter: reporter)
    }

    /// Like `sha256sum -c --ignore-missing`: listed files that are absent are
    /// skipped, but at least one must be present.
    private func verifySums(_ sumsPath: String, workingDirectory: String, reporter: any Reporter) throws(ScriptPinError) -> Outcome {
        let bytes: [UInt8]?
        do { bytes = try readFile(sumsPath, limit: SumsFile.maximumFileSize) } catch { throw .readFailed(path: sumsPath, error) }
        guard let bytes else {
            throw .invalidSumsFile(path: sumsPath, problem: "is over \(SumsFile.maximumFileSize) bytes, larger than any checksum file")
        }
        let sums = SumsFile(bytes: bytes)
        for line in sums.malformedLines {
            reporter.warning("\(sumsPath):\(line): not a checksum line (expected '<hex>  NAME' or '<hex> *NAME'); skipped")
        }
        guard !sums.entries.isEmpty else {
            throw .invalidSumsFile(path: sumsPath, problem: "has no checksum lines")
        }
        var tally = Tally()
        var selected = sums.entries
        if !files.isEmpty {
            for file in files where !sums.entries.contains(where: { $0.name == file }) {
                tally.failed(file, reporter: reporter, reason: "not listed in \(sumsPath)")
            }
            selected = selected.filter { files.contains($0.name) }
        }
        let present = selected.filter { fileKind($0.name) != .missing }
        guard !present.isEmpty || tally.failures > 0 else {
            reporter.error("none of the files listed in \(sumsPath) is present in \(workingDirectory); nothing was verified. Run verify where the files are")
            return .failed(.verificationFailed)
        }
        let results = concurrentMap(present) { entry in
            Result { () throws(ScriptPinError) in try digest(ofFile: entry.name, algorithm: entry.digest.algorithm) }
        }
        for (entry, result) in zip(present, results) {
            switch result {
            case .success(let digest) where digest == entry.digest:
                tally.passed(entry.name, detail: nil, reporter: reporter)
            case .success:
                tally.failed(entry.name, reporter: reporter)
            case .failure(let error):
                tally.error(error, reporter: reporter)
            }
        }
        return tally.finish(expectation: sumsPath, reporter: reporter)
    }
}

/// Counts outcomes, prints the `name: OK` / `name: FAILED` lines and the
/// summary, and picks the exit code of the most serious outcome.
struct Tally {
    private(set) var passes = 0
    private(set) var failures = 0
    private var errors = Outcome.succeeded

    mutating func passed(_ name: String, detail: String?, reporter: any Reporter) {
        passes += 1
        let suffix = detail.map { " (\($0))" } ?? ""
        reporter.line("\(name): \(reporter.styled("OK", .green))\(suffix)")
    }

    mutating func failed(_ name: String, reporter: any Reporter, reason: String? = nil) {
        failures += 1
        let suffix = reason.map { " (\($0))" } ?? ""
        reporter.line("\(name): \(reporter.styled("FAILED", .red))\(suffix)")
    }

    mutating func error(_ error: ScriptPinError, reporter: any Reporter) {
        reporter.error(reporter.explain(error))
        errors = errors.including(error.category)
    }

    func finish(expectation: String, reporter: any Reporter) -> Outcome {
        if failures > 0 {
            let total = passes + failures
            reporter.note("scriptpin: WARNING: \(failures) of \(total) files did NOT match \(expectation)")
            return .failed(.verificationFailed)
        }
        guard errors == .succeeded else { return errors }
        reporter.note("scriptpin: \(plural(passes, "file")) verified")
        return .succeeded
    }
}
