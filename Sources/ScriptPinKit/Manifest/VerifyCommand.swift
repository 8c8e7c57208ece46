/// `scriptpin verify`, the offline check for pre-commit hooks: the pins are
/// valid, local files match a pin, or files match a vendor's checksum file.
public struct VerifyCommand: Sendable {
    public var manifest: String?
    public var pinName: String?
    public var sumsFile: String?
    public var files: [String] = []

    public init() {}

    public func run(console: Console, context: ProcessContext) -> Int32 {
        do {
            if let sumsFile { return try verifySums(sumsFile, workingDirectory: context.workingDirectory, console: console) }
            let location = try Manifest.locate(explicit: manifest, context: context)
            if files.isEmpty { return validateManifest(location, console: console) }
            return try verifyFiles(against: Manifest.load(location), console: console)
        } catch {
            console.error(error.description)
            return Int32(error.category.rawValue)
        }
    }

    /// Validates every pin file and reports every problem.
    private func validateManifest(_ location: ManifestLocation, console: Console) -> Int32 {
        let directory = location.directory
        let (entries, problems) = Manifest.validate(location)
        for entry in entries {
            console.line("\(joinPath(directory, entry.pin.name + PinRules.fileExtension)): \(console.styled("OK", .green, on: .output))")
        }
        for problem in problems {
            console.note(problem.description)
        }
        let invalidFiles = Set(problems.map(\.path)).count
        if invalidFiles > 0 {
            console.note("scriptpin: \(invalidFiles) of \(invalidFiles + entries.count) pin files in \(directory) are invalid; fix the lines above")
            return Int32(ScriptPinError.Category.invalidInput.rawValue)
        }
        console.note("scriptpin: \(entries.count) pins in \(directory) are valid")
        return 0
    }

    private func verifyFiles(against manifest: Manifest, console: Console) throws(ScriptPinError) -> Int32 {
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
                    tally.passed(path, detail: "pin \(pin.name)", console: console)
                } else {
                    tally.failed(path, console: console)
                }
            case .failure(let error):
                tally.error(error, console: console)
            }
        }
        return tally.finish(expectation: pinName.map { "pin \($0)" } ?? "any pin", console: console)
    }

    /// Like `sha256sum -c --ignore-missing`: listed files that are absent are
    /// skipped, but at least one must be present.
    private func verifySums(_ sumsPath: String, workingDirectory: String, console: Console) throws(ScriptPinError) -> Int32 {
        let bytes: [UInt8]?
        do { bytes = try readFile(sumsPath, limit: SumsFile.maximumFileSize) } catch { throw .readFailed(path: sumsPath, error) }
        guard let bytes else {
            throw .usage("\(sumsPath) is over \(SumsFile.maximumFileSize) bytes; that is not a checksum file")
        }
        let sums = SumsFile(bytes: bytes)
        for line in sums.malformedLines {
            console.warning("\(sumsPath):\(line): not a checksum line (expected '<hex>  NAME' or '<hex> *NAME'); skipped")
        }
        guard !sums.entries.isEmpty else {
            throw .usage("\(sumsPath) has no checksum lines; it should hold lines like '<hex>  NAME' as sha256sum prints them")
        }
        var tally = Tally()
        var selected = sums.entries
        if !files.isEmpty {
            for file in files where !sums.entries.contains(where: { $0.name == file }) {
                tally.failed(file, console: console, reason: "not listed in \(sumsPath)")
            }
            selected = selected.filter { files.contains($0.name) }
        }
        let present = selected.filter { fileKind($0.name) != .missing }
        guard !present.isEmpty || tally.failures > 0 else {
            console.error("none of the files listed in \(sumsPath) is present in \(workingDirectory); nothing was verified. Run verify where the files are")
            return Int32(ScriptPinError.Category.verificationFailed.rawValue)
        }
        let results = concurrentMap(present) { entry in
            Result { () throws(ScriptPinError) in try digest(ofFile: entry.name, algorithm: entry.digest.algorithm) }
        }
        for (entry, result) in zip(present, results) {
            switch result {
            case .success(let digest) where digest == entry.digest:
                tally.passed(entry.name, detail: nil, console: console)
            case .success:
                tally.failed(entry.name, console: console)
            case .failure(let error):
                tally.error(error, console: console)
            }
        }
        return tally.finish(expectation: sumsPath, console: console)
    }
}

/// Counts outcomes, prints the `name: OK` / `name: FAILED` lines and the
/// summary, and picks the exit code of the most serious outcome.
struct Tally {
    private(set) var passes = 0
    private(set) var failures = 0
    private var worstError: ScriptPinError.Category?

    mutating func passed(_ name: String, detail: String?, console: Console) {
        passes += 1
        let suffix = detail.map { " (\($0))" } ?? ""
        console.line("\(name): \(console.styled("OK", .green, on: .output))\(suffix)")
    }

    mutating func failed(_ name: String, console: Console, reason: String? = nil) {
        failures += 1
        let suffix = reason.map { " (\($0))" } ?? ""
        console.line("\(name): \(console.styled("FAILED", .red, on: .output))\(suffix)")
    }

    mutating func error(_ error: ScriptPinError, console: Console) {
        console.error(error.description)
        worstError = max(worstError ?? error.category, error.category)
    }

    func finish(expectation: String, console: Console) -> Int32 {
        if failures > 0 {
            let total = passes + failures
            console.note("scriptpin: WARNING: \(failures) of \(total) files did NOT match \(expectation)")
            return Int32(ScriptPinError.Category.verificationFailed.rawValue)
        }
        if let worstError { return Int32(worstError.rawValue) }
        console.note("scriptpin: \(passes) file\(passes == 1 ? "" : "s") verified")
        return 0
    }
}
