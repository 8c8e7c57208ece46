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

    public init() {}

    public func run(reporter: any Reporter, context: ProcessContext) throws(ScriptPinError) -> Outcome {
        let loaded = try Manifest.discover(explicit: manifest, context: context)
        let entries = try loaded.entries(named: names)
        let store = ContentStore(context: context)
        let results = Self.check(entries, manifest: loaded, jobs: jobs, fetchOptions: fetchOptions, store: store, reporter: reporter, context: context)
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
        _ entries: [ParsedPin], manifest: Manifest, jobs: Int, fetchOptions: FetchOptions, store: ContentStore, reporter: any Reporter,
        context: ProcessContext
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
                    sessions: sessions, context: context)
                results.withLock { $0[index] = result }
                let finished = done.wrappingAdd(1, ordering: .relaxed).newValue
                reporter.progress("checking pins: \(finished)/\(entries.count)")
            }
        }
        reporter.progress(nil)
        return results.withLock { $0.map { $0! } }
    }

    /// The body and, beside it, the pin's evidence: one pin's round trips overlap as the pins' do.
    private static func checkOne(
        _ entry: ParsedPin, path: String, fetcher: Fetcher, options: FetchOptions, keys: SigningKeys, store: ContentStore,
        sessions: (body: FetchSession, evidence: FetchSession), context: ProcessContext
    ) -> DriftResult {
        let pin = entry.pin
        let limit = options.sizeLimit(declared: pin.maxSize)
        let approvedStored = pin.sha256.contains(where: store.contains)
        let collector = approvedStored || !pin.evidence.isEmpty ? ByteCollector(limit: Int(limit), source: pin.url) : nil
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
            let review = collector.map {
                Review(approved: pin.sha256, store: store, new: $0.bytes, newDigest: body.digest, sizeLimit: Int(limit))
            }
            return result(.changed, actual: body.digest, size: body.size, review: review)
        } catch .fetch(let failure) {
            return result(.unreachable, error: failure)
        } catch {
            return result(.unreachable, error: FetchError(url: pin.url, reason: .other(error.description)))
        }
    }
}
