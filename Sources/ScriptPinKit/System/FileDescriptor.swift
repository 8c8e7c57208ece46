internal import Glibc

/// An open file descriptor with exactly one owner, closed when the owner goes
/// away, on every path, so that no descriptor leaks into a script `run` starts.
public struct FileDescriptor: ~Copyable {
    public let rawValue: Int32

    /// Takes ownership of a descriptor some other call opened.
    public init(owning rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Opens `path` read-only; a directory is refused with `EISDIR`, so that
    /// `hash dir` fails like `sha256sum dir` instead of reading nothing.
    public static func openForReading(_ path: String) throws(Errno) -> FileDescriptor {
        let fd = try retryingInterrupts { open(path, O_RDONLY | O_CLOEXEC) }
        let descriptor = FileDescriptor(owning: fd)
        var status = stat()
        try retryingInterrupts { fstat(fd, &status) }
        if (status.st_mode & S_IFMT) == S_IFDIR { throw .isDirectory }
        return descriptor
    }

    /// A private copy of standard input, so that closing it leaves descriptor 0 alone.
    public static func duplicateStandardInput() throws(Errno) -> FileDescriptor {
        try duplicate(STDIN_FILENO)
    }

    /// A private copy of `descriptor`, so that closing it leaves the original alone.
    static func duplicate(_ descriptor: Int32) throws(Errno) -> FileDescriptor {
        FileDescriptor(owning: try retryingInterrupts { fcntl(descriptor, F_DUPFD_CLOEXEC, 3) })
    }

    /// Opens something that exists for writing, without creating, truncating
    /// or following a symbolic link: a device or a FIFO is written through.
    static func openExistingForWriting(_ path: String) throws(Errno) -> FileDescriptor {
        FileDescriptor(owning: try retryingInterrupts { open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC) })
    }

    /// Creates a new file that must not exist yet (nor be a symbolic link),
    /// readable and writable by its owner only; `readable` opens it for reading too.
    public static func createExclusive(_ path: String, mode: UInt32 = 0o600, readable: Bool = false) throws(Errno) -> FileDescriptor {
        let access = readable ? O_RDWR : O_WRONLY
        let fd = try retryingInterrupts { open(path, access | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode) }
        return FileDescriptor(owning: fd)
    }

    /// A new 0600 file made from a `mkstemp` template ending in XXXXXX; `path` receives its name.
    static func createUnique(template: String, path: inout String) throws(Errno) -> FileDescriptor {
        var bytes = Array(template.utf8CString)
        let descriptor = FileDescriptor(owning: try retryingInterrupts { mkstemp(&bytes) })
        try retryingInterrupts { fcntl(descriptor.rawValue, F_SETFD, FD_CLOEXEC) }
        path = String(decoding: bytes.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return descriptor
    }

    /// Opens (creating if needed) a file for reading and writing, as lock files need.
    public static func openOrCreate(_ path: String, mode: UInt32 = 0o600) throws(Errno) -> FileDescriptor {
        let fd = try retryingInterrupts { open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode) }
        return FileDescriptor(owning: fd)
    }

    /// Opens a directory so that it can be fsynced after a rename inside it.
    public static func openDirectory(_ path: String) throws(Errno) -> FileDescriptor {
        let fd = try retryingInterrupts { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        return FileDescriptor(owning: fd)
    }

    /// Reads up to `buffer.count` bytes; 0 means end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try retryingInterrupts { Glibc.read(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Reads up to `buffer.count` bytes at `offset` without moving the file position.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        try retryingInterrupts { pread(rawValue, buffer.baseAddress, buffer.count, off_t(offset)) }
    }

    /// Writes every byte, looping over short writes.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws(Errno) {
        try ScriptPinKit.writeAll(bytes, to: rawValue)
    }

    public func writeAll(_ bytes: [UInt8]) throws(Errno) {
        let failure: Errno? = bytes.withUnsafeBytes { buffer in
            do throws(Errno) { try writeAll(buffer) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    public func synchronize() throws(Errno) {
        try retryingInterrupts { fsync(rawValue) }
    }

    public func truncate() throws(Errno) {
        try retryingInterrupts { ftruncate(rawValue, 0) }
    }

    public func changeMode(_ mode: UInt32) throws(Errno) {
        try retryingInterrupts { fchmod(rawValue, mode) }
    }

    public func seekToStart() throws(Errno) {
        try retryingInterrupts { lseek(rawValue, 0, SEEK_SET) }
    }

    /// Size of the open file in bytes.
    public func size() throws(Errno) -> Int64 {
        var status = stat()
        try retryingInterrupts { fstat(rawValue, &status) }
        return Int64(status.st_size)
    }

    /// Takes an exclusive `flock`. The kernel drops it when the process dies,
    /// so a lock left by a killed process never blocks the next run.
    public func lockExclusively() throws(Errno) {
        try retryingInterrupts { flock(rawValue, LOCK_EX) }
    }

    /// Hints the kernel to read ahead aggressively; failures are harmless.
    public func adviseSequentialReading() {
        _ = posix_fadvise(rawValue, 0, 0, POSIX_FADV_SEQUENTIAL)
    }

    deinit {
        _ = Glibc.close(rawValue)
    }
}

/// Writes every byte to `descriptor`, which the caller does not own (a
/// standard stream), looping over short and interrupted writes.
func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) throws(Errno) {
    var offset = 0
    while offset < bytes.count {
        offset += try retryingInterrupts { Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset) }
    }
}

/// A pipe, both ends close-on-exec (and non-blocking when asked): the read end first.
func makePipe(nonBlocking: Bool = false) throws(Errno) -> (read: Int32, write: Int32) {
    var ends: [Int32] = [0, 0]
    try retryingInterrupts { pipe(&ends) }
    for end in ends {
        guard fcntl(end, F_SETFD, FD_CLOEXEC) == 0, !nonBlocking || fcntl(end, F_SETFL, O_NONBLOCK) == 0 else {
            let failure = Errno.current
            _ = close(ends[0])
            _ = close(ends[1])
            throw failure
        }
    }
    return (ends[0], ends[1])
}

/// Reads a whole file, refusing one larger than `limit` bytes without reading it all.
func readFile(_ path: String, limit: Int) throws(Errno) -> [UInt8]? {
    let descriptor = try FileDescriptor.openForReading(path)
    // The size is a hint: the file may change while it is read, so the loop decides.
    let expected = Int(min(max(try descriptor.size(), 0), Int64(limit)))
    var bytes = [UInt8](repeating: 0, count: expected + 1)
    var filled = 0
    while true {
        if filled == bytes.count {
            guard bytes.count <= limit else { return nil }
            bytes += [UInt8](repeating: 0, count: max(bytes.count, 16 * 1024))
        }
        let count = try bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(Errno) in try descriptor.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...])) }
        }.get()
        if count == 0 { break }
        filled += count
    }
    guard filled <= limit else { return nil }
    bytes.removeLast(bytes.count - filled)
    return bytes
}

/// The first `count` bytes of a file (fewer when it is shorter).
func readPrefix(_ path: String, count: Int) throws(Errno) -> [UInt8]? {
    let descriptor = try FileDescriptor.openForReading(path)
    var bytes = [UInt8](repeating: 0, count: count)
    let read = try bytes.withUnsafeMutableBytes { buffer in Result { () throws(Errno) in try descriptor.read(into: buffer) } }.get()
    return Array(bytes.prefix(read))
}

/// A buffer a worker reads files into one after another: it grows to the
/// largest file met and is kept, so that a walk over thousands of files
/// allocates once per worker.
final class ReadBuffer {
    private var storage: UnsafeMutableRawBufferPointer

    /// Room for most source files at once.
    static let initialCapacity = 64 * 1024

    init() {
        storage = .allocate(byteCount: Self.initialCapacity, alignment: 16)
    }

    deinit {
        storage.deallocate()
    }

    /// Reads the whole file at `path` and gives its bytes to `body`, valid
    /// only there; nil when the file is larger than `limit` bytes.
    func withContents<Result>(of path: String, limit: Int, _ body: (UnsafeRawBufferPointer) -> Result) throws(Errno) -> Result? {
        let descriptor = try FileDescriptor.openForReading(path)
        var filled = 0
        while true {
            if filled == storage.count {
                guard storage.count <= limit else { return nil }
                let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: storage.count * 2, alignment: 16)
                grown.copyMemory(from: UnsafeRawBufferPointer(storage))
                storage.deallocate()
                storage = grown
            }
            let count = try descriptor.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[filled...]))
            if count == 0 { break }
            filled += count
        }
        guard filled <= limit else { return nil }
        return body(UnsafeRawBufferPointer(rebasing: storage[..<filled]))
    }
}
