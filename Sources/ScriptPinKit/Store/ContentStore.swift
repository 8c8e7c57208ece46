/// Every body that matched a pin, kept by digest as `sha256/<hex>`, so that
/// `run --offline` works and a pinned script keeps working while its host is
/// down. Entries are re-hashed on every read: the store is a cache, not a
/// source of trust.
public struct ContentStore: Sendable {
    public static let environmentVariable = "SCRIPTPIN_CACHE"

    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// `$SCRIPTPIN_CACHE`, else `$XDG_CACHE_HOME/scriptpin`, else `~/.cache/scriptpin`.
    public init(context: ProcessContext) {
        if let explicit = context.nonEmptyValue(Self.environmentVariable) {
            root = explicit
        } else if let cache = context.nonEmptyValue("XDG_CACHE_HOME") {
            root = joinPath(cache, "scriptpin")
        } else {
            root = joinPath(joinPath(context.value("HOME") ?? "/", ".cache"), "scriptpin")
        }
    }

    public func path(for digest: Digest) -> String {
        joinPath(joinPath(root, digest.algorithm.rawValue), digest.hex)
    }

    public func contains(_ digest: Digest) -> Bool {
        fileKind(path(for: digest)) == .regular
    }

    /// What `save` found and did.
    public enum SaveOutcome: Sendable, Equatable {
        case written
        case alreadyStored
        /// The entry did not match its name and was replaced by the verified body.
        case replacedModified
    }

    /// Keeps the verified bytes of `image` under `digest`, atomically, 0600
    /// in a 0700 directory. An existing entry is re-hashed first, so that a
    /// modified one heals on the next successful fetch instead of staying poisoned.
    @discardableResult
    public func save(_ image: ScriptImage, as digest: Digest) throws(ScriptPinError) -> SaveOutcome {
        let target = path(for: digest)
        var outcome = SaveOutcome.written
        if contains(digest) {
            do {
                if try load(digest, into: nil, limit: image.size) != nil { return .alreadyStored }
            } catch {
                outcome = .replacedModified
            }
        }
        do { try createDirectories(parentDirectory(of: target), mode: 0o700) } catch { throw .writeFailed(path: target, error) }
        try writeAtomically(target, mode: 0o600) { (descriptor) throws(ScriptPinError) in
            try image.forEachChunk { (chunk) throws(ScriptPinError) in
                do throws(Errno) { try descriptor.writeAll(chunk) } catch { throw .writeFailed(path: target, error) }
            }
        }
        return outcome
    }

    /// Keeps a verified body, saying when that replaced a modified entry; a
    /// store that cannot be written costs the offline copy, nothing else.
    func keep(_ image: ScriptImage, as digest: Digest, reporter: any Reporter) {
        do {
            if try save(image, as: digest) == .replacedModified {
                reporter.note("scriptpin: replaced the modified stored copy \(path(for: digest)) with the verified body")
            }
        } catch {
            reporter.warning("could not keep a copy in the store: \(reporter.explain(error))")
        }
    }

    /// Copies the stored body for `digest` into `sink` (or only through the
    /// hasher when nil), hashing as it goes; nil when there is no such entry.
    /// A modified entry, or one larger than `limit` (the pin's size limit,
    /// which the approved body met), is refused and never read past the limit.
    public func load(_ digest: Digest, into sink: BodySink?, limit: Int64) throws(ScriptPinError) -> Int64? {
        let source = path(for: digest)
        guard contains(digest) else { return nil }
        let descriptor: FileDescriptor
        do { descriptor = try FileDescriptor.openForReading(source) } catch { throw .readFailed(path: source, error) }
        let stored: Int64
        do { stored = try descriptor.size() } catch { throw .readFailed(path: source, error) }
        guard stored <= limit else { throw .storeEntryTooLarge(path: source, limit: limit) }
        let hasher: StreamingHasher
        do { hasher = try StreamingHasher(digest.algorithm) } catch { throw .crypto(error) }
        try sink?.restart()
        let cap = CappedSink(sink, limit: limit, path: source)
        let size = try hasher.consume(descriptor, path: source, forwardingTo: cap)
        let actual: Digest
        do { actual = try hasher.finalize() } catch { throw .crypto(error) }
        guard actual == digest else { throw .storeEntryModified(path: source, expected: digest, actual: actual) }
        return size
    }

    /// Reads the stored body for `digest` fully into memory, verified; for diffs of small scripts.
    public func loadBytes(_ digest: Digest, limit: Int) throws(ScriptPinError) -> [UInt8]? {
        let collector = ByteCollector(limit: limit, source: path(for: digest))
        guard try load(digest, into: collector, limit: Int64(limit)) != nil else { return nil }
        return collector.bytes
    }
}

/// Passes bytes on until `limit`: a store entry that grows while it is read
/// is refused at the limit instead of being read to its end.
private final class CappedSink: BodySink {
    private let next: BodySink?
    private let limit: Int64
    private let path: String
    private var count: Int64 = 0

    init(_ next: BodySink?, limit: Int64, path: String) {
        self.next = next
        self.limit = limit
        self.path = path
    }

    func restart() throws(ScriptPinError) {
        count = 0
        try next?.restart()
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws(ScriptPinError) {
        count += Int64(bytes.count)
        guard count <= limit else { throw .storeEntryTooLarge(path: path, limit: limit) }
        try next?.append(bytes)
    }
}

/// Keeps a body in memory up to a limit, for the diff of `update` and `check`.
public final class ByteCollector: BodySink {
    public private(set) var bytes: [UInt8] = []
    private let limit: Int
    /// The URL or path the bytes come from, for the error when they exceed `limit`.
    private let source: String

    public init(limit: Int, source: String) {
        self.limit = limit
        self.source = source
    }

    public func restart() throws(ScriptPinError) {
        bytes.removeAll(keepingCapacity: true)
    }

    public func append(_ chunk: UnsafeRawBufferPointer) throws(ScriptPinError) {
        guard bytes.count + chunk.count <= limit else {
            throw .fetch(FetchError(url: source, reason: .tooLarge(limit: Int64(limit))))
        }
        bytes.append(contentsOf: chunk)
    }
}
