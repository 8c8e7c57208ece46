/// The verified bytes of a script, held where nobody can change them between
/// verification and execution. Normally a sealed memfd: the body never
/// touches the disk, and the seals forbid any write, grow or shrink, even
/// through other descriptors. Where memfd is unavailable (old kernels,
/// seccomp profiles), an unnamed `O_TMPFILE` file, which no other process
/// can open by name and which vanishes with its last descriptor; where the
/// file system lacks that too, a 0600 file in a private 0700 directory,
/// removed on every exit path, signals included. Both files are re-hashed
/// after writing.
public final class ScriptImage: BodySink {
    /// The descriptor number the script's interpreter sees the body on (`/dev/fd/3`).
    public static let childDescriptor = scriptDescriptorNumber
    /// Descriptors below this are kept free so that moving the image to
    /// `childDescriptor` in the child never collides with the image itself.
    private static let minimumImageDescriptor: Int32 = 10

    private enum Backing {
        case memory
        case unnamedFile
        case privateFile(directory: String, path: String, removal: RemovalOnFatalSignal)
    }

    private let backing: Backing
    private let descriptor: FileDescriptor
    public private(set) var size: Int64 = 0
    public private(set) var isSealed = false

    private init(backing: Backing, descriptor: consuming FileDescriptor) {
        self.backing = backing
        self.descriptor = descriptor
    }

    /// A sealed-memfd image, else an unnamed file, else a private named
    /// file, the files in `temporaryDirectory` (the context's `$TMPDIR`).
    public static func make(temporaryDirectory: String = "/tmp") throws(ScriptPinError) -> ScriptImage {
        guard let memory = try? FileDescriptor.memoryFile(name: "scriptpin") else { return try makeFile(in: temporaryDirectory) }
        return ScriptImage(backing: .memory, descriptor: try moved(memory, shownAs: "memfd"))
    }

    /// The file fallbacks: an unnamed file where the file system supports it, else a named one.
    static func makeFile(in base: String) throws(ScriptPinError) -> ScriptImage {
        guard let unnamed = try? FileDescriptor.unnamedFile(in: base, mode: 0o600) else { return try makePrivateFile(in: base) }
        return ScriptImage(backing: .unnamedFile, descriptor: try moved(unnamed, shownAs: base))
    }

    /// The last fallback: a 0600 file in a fresh 0700 directory under
    /// `base`, removed by deinit or by a fatal signal.
    public static func makePrivateFile(in base: String = "/tmp") throws(ScriptPinError) -> ScriptImage {
        // The directory and its removal on a fatal signal are made as one step.
        let hold = try StoppingSignalsHold(making: base)
        let directory: String
        do { directory = try makeTemporaryDirectory(template: joinPath(base, "scriptpin.XXXXXX")) } catch {
            throw .writeFailed(path: base, error)
        }
        let path = joinPath(directory, "script")
        let removal: RemovalOnFatalSignal
        do {
            removal = try RemovalOnFatalSignal(file: path, directory: directory)
        } catch {
            removeDirectory(directory)
            throw .writeFailed(path: path, error)
        }
        _ = consume hold
        do {
            let file = try FileDescriptor.createExclusive(path, readable: true).duplicate(atLeast: minimumImageDescriptor)
            // From here on, deinit removes the file and its directory.
            return ScriptImage(backing: .privateFile(directory: directory, path: path, removal: removal), descriptor: file)
        } catch {
            removeFile(path)
            removeDirectory(directory)
            removal.cancel()
            throw .writeFailed(path: path, error)
        }
    }

    /// The descriptor moved to `minimumImageDescriptor` or above.
    private static func moved(_ descriptor: borrowing FileDescriptor, shownAs name: String) throws(ScriptPinError) -> FileDescriptor {
        do { return try descriptor.duplicate(atLeast: minimumImageDescriptor) } catch { throw .writeFailed(path: name, error) }
    }

    public var isMemoryBacked: Bool {
        if case .memory = backing { return true }
        return false
    }

    /// The path the interpreter is given.
    public var executionPath: String {
        switch backing {
        case .memory, .unnamedFile: "/dev/fd/\(Self.childDescriptor)"
        case .privateFile(_, let path, _): path
        }
    }

    /// The descriptor to hand to the child as `childDescriptor`, or nil when the child opens a path.
    var descriptorForChild: Int32? {
        if case .privateFile = backing { return nil }
        return descriptor.rawValue
    }

    public func restart() throws(ScriptPinError) {
        precondition(!isSealed, "a sealed image cannot be rewritten")
        do {
            try descriptor.truncate()
            try descriptor.seekToStart()
        } catch {
            throw .writeFailed(path: executionPath, error)
        }
        size = 0
    }

    public func append(_ bytes: UnsafeRawBufferPointer) throws(ScriptPinError) {
        do { try descriptor.writeAll(bytes) } catch { throw .writeFailed(path: executionPath, error) }
        size += Int64(bytes.count)
    }

    /// Freezes the content and proves it is still `expected`. A memfd gets
    /// every seal, so not even this process can change it; a private file is
    /// re-read from disk and re-hashed.
    public func seal(expecting expected: Digest) throws(ScriptPinError) {
        switch backing {
        case .memory:
            do { try descriptor.sealCompletely() } catch { throw .writeFailed(path: "memfd", error) }
        case .unnamedFile, .privateFile:
            do {
                try descriptor.synchronize()
                try descriptor.changeMode(0o400)
            } catch {
                throw .writeFailed(path: executionPath, error)
            }
        }
        isSealed = true
        let hasher: StreamingHasher
        do { hasher = try StreamingHasher(expected.algorithm) } catch { throw .crypto(error) }
        try forEachChunk { (chunk) throws(ScriptPinError) in
            do throws(OpenSSLError) { try hasher.update(chunk) } catch { throw .crypto(error) }
        }
        let actual: Digest
        do { actual = try hasher.finalize() } catch { throw .crypto(error) }
        guard actual == expected else { throw .mismatch(what: "the script written to \(executionPath)", expected: [expected], actual: actual) }
    }

    /// Whether the kernel reports every seal on the memfd.
    public var hasAllSeals: Bool {
        isMemoryBacked && descriptor.isCompletelySealed
    }

    /// Streams the content from the start with `pread`, leaving the file position alone.
    public func forEachChunk(_ body: (UnsafeRawBufferPointer) throws(ScriptPinError) -> Void) throws(ScriptPinError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: hashingChunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var offset: Int64 = 0
        while true {
            let count: Int
            do { count = try descriptor.read(into: buffer, at: offset) } catch { throw .readFailed(path: executionPath, error) }
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            offset += Int64(count)
        }
    }

    /// Up to `count` bytes from the start of the body; fewer when it is shorter or cannot be read.
    public func prefix(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { buffer in (try? descriptor.read(into: buffer, at: 0)) ?? 0 }
        return Array(bytes[0..<read])
    }

    deinit {
        if case .privateFile(let directory, let path, let removal) = backing {
            removeFile(path)
            removeDirectory(directory)
            removal.cancel()
        }
    }
}
