internal import Synchronization

/// The outcome of re-fetching one pin.
public struct DriftResult: Sendable {
    public enum Status: String, Sendable, Codable {
        case ok
        case changed
        /// The body still matches the pin, and its evidence no longer confirms it.
        case contradicted
        /// The body, or the evidence for it, could not be fetched.
        case unreachable
    }

    public let name: String
    public let url: String
    public let path: String
    public let digestLine: Int
    public let status: Status
    public let expected: [Digest]
    public let actual: Digest?
    public let size: Int64?
    /// The body's own fetch failure, for an unreachable pin whose body could not be had.
    public let error: FetchError?
    public let review: Review?
    /// What each evidence line said, when the body matched the pin.
    public let evidence: [EvidenceVerdict]
    /// The pin file's line of the first evidence that did not confirm the body.
    public let evidenceLine: Int?
    /// With `--keep`, for a changed pin: the new body and the approved one, when either could be had.
    var kept: (new: [UInt8]?, approved: [UInt8]?) = (nil, nil)

    /// The line a report points at: the evidence that failed, else the first digest.
    public var line: Int { evidenceLine ?? digestLine }
}

/// `scriptpin check`, the nightly drift check: re-fetch every pinned URL
/// (never from the store) and report what changed.
public struct CheckCommand: Sendable {
    public static let defaultJobs = 8
    /// The most transfers `--jobs` may ask for at once: more only hammers the hosts.
    public static let maximumJobs = 64

    public typealias Format = ReportFormat

    public var names: [String] = []
    public var format = Format.text
    public var jobs = defaultJobs
    public var manifest: String?
    public var fetchOptions = FetchOptions()
    /// `--keep DIR`: each changed pin's new body and approved body are
    /// written there (NAME.new, NAME.approved), for a CI artifact that a
    /// reviewer downloads and gives to `update --against`.
    public var keepDirectory: String?

    public init() {}

    public func run(reporter: any Reporter, context: ProcessContext) throws(ScriptPinError) -> Outcome {
        let loaded = try Manifest.discover(explicit: manifest, context: context)
        let entries = try loaded.entries(named: names)
        let store = ContentStore(context: context)
        let results = Self.check(
            entries, manifest: loaded, jobs: jobs, fetchOptions: fetchOptions, store: store, keeps: keepDirectory != nil, reporter: reporter, context: context)
        if let keepDirectory { try keep(results, in: context.resolve(keepDirectory), shown: keepDirectory, reporter: reporter) }
        for problem in results.compactMap(\.review).flatMap(\.storeProblems) { reporter.warning(problem.description) }
        let report = DriftReport(results: results)
        reporter.result(report.render(format, reporter: reporter))
        if report.changed > 0 || report.contradicted > 0 { return .failed(.verificationFailed) }
        if report.unreachable > 0 { return .failed(.unavailable) }
        return .succeeded
    }

    /// At most `jobs` transfers at once; each body streams through the
    /// hasher and is kept (up to its cap) only when a diff can be shown.
    /// `check`'s work, for `verify --online` too.
    static func check(
        _ entries: [ParsedPin], manifest: Manifest, jobs: Int, fetchOptions: FetchOptions, store: ContentStore, keeps: Bool = false,
        reporter: any Reporter, context: ProcessContext
    ) -> [DriftResult] {
        let next = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        let results = Mutex([DriftResult?](repeating: nil, count: entries.count))
        let fetcher = Fetcher(options: fetchOptions)
        let options = fetchOptions
        let keys = SigningKeys(beside: manifest)
        runWorkers(max(1, min(jobs, entries.count))) { _ in
            // A worker's requests follow one another: each kind keeps its connection from pin to pin.
            let sessions = (body: FetchSession(), evidence: FetchSession())
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < entries.count else { return }
                let entry = entries[index]
                let result = Self.checkOne(
                    entry, path: manifest.path(forPinNamed: entry.pin.name), fetcher: fetcher, options: options, keys: keys, store: store,
                    keeps: keeps, sessions: sessions, context: context)
                results.withLock { $0[index] = result }
                let finished = done.wrappingAdd(1, ordering: .relaxed).newValue
                reporter.progress("checking pins: \(finished)/\(entries.count)")
            }
        }
        reporter.progress(nil)
        return results.withLock { $0.map { $0! } }
    }

    /// Writes `NAME.new` and `NAME.approved` for each changed pin into `directory`, creating it.
    private func keep(_ results: [DriftResult], in directory: String, shown: String, reporter: any Reporter) throws(ScriptPinError) {
        let changed = results.filter { $0.status == .changed }
        do { try createDirectories(directory, mode: 0o755) } catch { throw .writeFailed(path: shown, error) }
        for result in changed {
            for (suffix, bytes) in [("new", result.kept.new), ("approved", result.kept.approved)] {
                guard let bytes else {
                    reporter.note("scriptpin: \(result.name): the \(suffix == "new" ? "new" : "approved") body could not be kept (\(suffix == "new" ? "it was larger than the size limit" : "not in the store, and no source line gives it"))")
                    continue
                }
                let path = joinPath(directory, "\(result.name).\(suffix)")
                try writeAtomically(path) { (descriptor) throws(ScriptPinError) in
                    do throws(Errno) { try descriptor.writeAll(bytes) } catch { throw .writeFailed(path: path, error) }
                }
            }
        }
        reporter.note("scriptpin: kept the bodies of \(plural(changed.count, "changed pin")) in \(shown) (NAME.new, NAME.approved); `scriptpin update NAME --against \(joinPath(shown, "NAME.approved"))` reviews one anywhere")
    }

    /// The body and, beside it, the pin's evidence: one pin's round trips overlap as the pins' do.
    private static func checkOne(
        _ entry: ParsedPin, path: String, fetcher: Fetcher, options: FetchOptions, keys: SigningKeys, store: ContentStore, keeps: Bool,
        sessions: (body: FetchSession, evidence: FetchSession), context: ProcessContext
    ) -> DriftResult {
        let pin = entry.pin
        let limit = options.sizeLimit(declared: pin.maxSize)
        let approvedStored = pin.sha256.contains(where: store.contains)
        let collector = approvedStored || keeps || !pin.evidence.isEmpty ? ByteCollector(limit: Int(limit), source: pin.url) : nil
        func result(
            _ status: DriftResult.Status, actual: Digest? = nil, size: Int64? = nil, error: FetchError? = nil, review: Review? = nil,
            evidence: [EvidenceVerdict] = []
        ) -> DriftResult {
            let failed = evidence.firstIndex { !$0.isConfirmed }
            return DriftResult(
                name: pin.name, url: pin.url, path: path, digestLine: entry.digestLine, status: status,
                expected: pin.sha256, actual: actual, size: size, error: error, review: review,
                evidence: evidence, evidenceLine: failed.map { entry.evidenceLines[$0] })
        }
        do {
            var checker = EvidenceChecker(fetchOptions: options, sizeLimit: limit, keys: keys, context: context)
            checker.github.session = sessions.evidence
            let (body, verdicts) = try checker.check(
                pin.evidence, purpose: .checking, pinURL: pin.url,
                beside: { () throws(ScriptPinError) in try fetcher.fetch(pin.url, sizeLimit: limit, into: collector, session: sessions.body) },
                facts: { BodyFacts(bytes: collector?.bytes ?? [], sha256: $0.digest) })
            if pin.accepts(body.digest) {
                if verdicts.contains(where: \.isContradicted) {
                    return result(.contradicted, actual: body.digest, size: body.size, evidence: verdicts)
                }
                if verdicts.contains(where: { !$0.isConfirmed }) {
                    return result(.unreachable, actual: body.digest, size: body.size, evidence: verdicts)
                }
                return result(.ok, actual: body.digest, size: body.size, evidence: verdicts)
            }
            // Without the approved copy here, the pin's source line may give it, for the kept pair and its diff.
            let elsewhere = keeps && !approvedStored ? checker.approvedBody(for: pin) : nil
            let review = collector.map {
                Review(approved: pin.sha256, store: store, new: $0.bytes, newDigest: body.digest, sizeLimit: Int(limit),
                       elsewhere: elsewhere.map { ($0.digest, $0.bytes) })
            }
            var changed = result(.changed, actual: body.digest, size: body.size, review: review)
            if keeps { changed.kept = (collector?.bytes, review?.approvedBody) }
            return changed
        } catch .fetch(let failure) {
            return result(.unreachable, error: failure)
        } catch {
            return result(.unreachable, error: FetchError(url: pin.url, reason: .other(error.description)))
        }
    }
}
