import CSystemShims
import Glibc

/// The verified bytes of a script, held where nobody can change them between
/// verification and execution. Normally a sealed memfd: the body never
/// touches the disk, and the seals forbid any write, grow or shrink, even
/// through other descriptors. Where memfd is unavailable, a file in a private
/// 0700 directory, re-hashed after writing and removed afterwards.
public final class ScriptImage: BodySink {
    /// The descriptor number the script's interpreter sees the body on (`/dev/fd/3`).
    public static let childDescriptor: Int32 = 3
    /// Descriptors below this are kept free so that moving the image to
    /// `childDescriptor` in the child never collides with the image itself.
    private static let minimumImageDescriptor: Int32 = 10

    private enum Backing {
        case memory
        case privateFile(directory: String, path: String)
    }

    private let backing: Backing
    private let descriptor: FileDescriptor
    public private(set) var size: Int64 = 0
    public private(set) var isSealed = false

    private init(backing: Backing, descriptor: consuming FileDescriptor) {
        self.backing = backing
        self.descriptor = descriptor
    }

    /// A sealed-memfd image, or the private-file fallback when the kernel
    /// (or a seccomp filter) does not offer `memfd_create`.
    public static func make() throws(ScriptPinError) -> ScriptImage {
        let raw = scriptpin_memfd_create("scriptpin", scriptpin_mfd_cloexec | scriptpin_mfd_allow_sealing)
        guard raw >= 0 else { return try makePrivateFile() }
        let memory = FileDescriptor(owning: raw)
        let moved = fcntl(memory.rawValue, F_DUPFD_CLOEXEC, minimumImageDescriptor)
        guard moved >= 0 else { throw .writeFailed(path: "memfd", Errno.current) }
        return ScriptImage(backing: .memory, descriptor: FileDescriptor(owning: moved))
    }

    /// The fallback image: a 0600 file in a fresh 0700 directory under `$TMPDIR`.
    public static func makePrivateFile() throws(ScriptPinError) -> ScriptImage {
        let base = environmentValue("TMPDIR").flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let directory: String
        do { directory = try makeTemporaryDirectory(template: joinPath(base, "scriptpin.XXXXXX")) } catch {
            throw .writeFailed(path: base, error)
        }
        let path = joinPath(directory, "script")
        let raw = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard raw >= 0 else {
            let failure = Errno.current
            removeDirectory(directory)
            throw .writeFailed(path: path, failure)
        }
        let moved = fcntl(raw, F_DUPFD_CLOEXEC, minimumImageDescriptor)
        close(raw)
        guard moved >= 0 else { throw .writeFailed(path: path, Errno.current) }
        return ScriptImage(backing: .privateFile(directory: directory, path: path), descriptor: FileDescriptor(owning: moved))
    }

    public var isMemoryBacked: Bool {
        if case .memory = backing { return true }
        return false
    }

    /// The path the interpreter is given.
    public var executionPath: String {
        switch backing {
        case .memory: "/dev/fd/\(Self.childDescriptor)"
        case .privateFile(_, let path): path
        }
    }

    /// The descriptor to hand to the child as `childDescriptor`, or nil when the child opens a path.
    var descriptorForChild: Int32? {
        isMemoryBacked ? descriptor.rawValue : nil
    }

    public func restart() throws(ScriptPinError) {
        precondition(!isSealed, "a sealed image cannot be rewritten")
        guard ftruncate(descriptor.rawValue, 0) == 0 else { throw .writeFailed(path: executionPath, Errno.current) }
        do { try descriptor.seekToStart() } catch { throw .writeFailed(path: executionPath, error) }
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
            guard scriptpin_add_seals(descriptor.rawValue, scriptpin_all_seals) == 0 else {
                throw .writeFailed(path: "memfd", Errno.current)
            }
        case .privateFile(_, let path):
            do { try descriptor.synchronize() } catch { throw .writeFailed(path: path, error) }
            guard fchmod(descriptor.rawValue, 0o400) == 0 else { throw .writeFailed(path: path, Errno.current) }
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
        isMemoryBacked && (scriptpin_get_seals(descriptor.rawValue) & scriptpin_all_seals) == scriptpin_all_seals
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

    /// The `#!` line, if the script starts with one.
    public func shebang() -> Shebang? {
        var bytes = [UInt8](repeating: 0, count: Shebang.maximumLineLength)
        let count = bytes.withUnsafeMutableBytes { buffer in (try? descriptor.read(into: buffer, at: 0)) ?? 0 }
        return Shebang(bytes[0..<count])
    }

    deinit {
        if case .privateFile(let directory, let path) = backing {
            removeFile(path)
            removeDirectory(directory)
        }
    }
}
