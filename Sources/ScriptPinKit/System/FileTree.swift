internal import CSystemShims
internal import Glibc

/// A file as `lstat` sees it, links not followed: what the write layers'
/// walk compares between a layer and the host.
struct LinkStatus: Equatable {
    enum Kind: Equatable {
        case regular
        case directory
        case symbolicLink
        /// overlayfs's record of a deletion: a character device numbered 0, 0.
        case whiteout
        case other
    }

    let kind: Kind
    /// The permission bits with set-id and sticky bits (`07777`).
    let permissions: UInt32
    let owner: UInt32
    let group: UInt32
    let size: Int64
}

/// The status of `path` without following a final link; nil when nothing is there.
func linkStatus(_ path: String) throws(Errno) -> LinkStatus? {
    var status = stat()
    guard lstat(path, &status) == 0 else {
        let failure = Errno.current
        if failure == .noSuchFile || failure == Errno(ENOTDIR) { return nil }
        throw failure
    }
    let kind: LinkStatus.Kind = switch status.st_mode & S_IFMT {
    case S_IFREG: .regular
    case S_IFDIR: .directory
    case S_IFLNK: .symbolicLink
    case S_IFCHR where status.st_rdev == 0: .whiteout
    default: .other
    }
    return LinkStatus(
        kind: kind, permissions: UInt32(status.st_mode) & 0o7777, owner: status.st_uid, group: status.st_gid, size: Int64(status.st_size))
}

/// Where the symbolic link at `path` points, as written.
func readSymbolicLink(_ path: String) throws(Errno) -> String {
    var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
    let count = buffer.withUnsafeMutableBytes { readlink(path, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
    guard count >= 0 else { throw Errno.current }
    guard count < buffer.count else { throw Errno(ENAMETOOLONG) }
    return String(decoding: buffer[..<count], as: UTF8.self)
}

/// Whether `path` (not followed) carries the extended attribute `name` with the value `expected`.
func hasExtendedAttribute(_ name: String, value expected: String, at path: String) -> Bool {
    var buffer = [UInt8](repeating: 0, count: 16)
    let count = buffer.withUnsafeMutableBytes { scriptpin_link_attribute(path, name, $0.baseAddress, UInt($0.count)) }
    return count >= 0 && Array(buffer[..<count]) == Array(expected.utf8)
}

/// Sets the permission bits of `path` (which is no symbolic link).
func setPermissions(_ path: String, _ permissions: UInt32) throws(Errno) {
    guard chmod(path, mode_t(permissions)) == 0 else { throw Errno.current }
}

/// Sets the owner and group of `path`, not following a final link.
func setOwner(_ path: String, owner: UInt32, group: UInt32) throws(Errno) {
    guard lchown(path, owner, group) == 0 else { throw Errno.current }
}

func makeSymbolicLink(_ path: String, to target: String) throws(Errno) {
    guard symlink(target, path) == 0 else { throw Errno.current }
}

func makeDirectory(_ path: String, permissions: UInt32) throws(Errno) {
    guard mkdir(path, mode_t(permissions)) == 0 else { throw Errno.current }
}

/// Removes the file, link or empty directory at `path`; one already gone is fine.
func removeEntry(_ path: String) throws(Errno) {
    guard remove(path) == 0 || errno == ENOENT else { throw Errno.current }
}

/// Removes `path` and, when it is a directory, everything under it; links are removed, never followed.
func removeTree(_ path: String) throws(Errno) {
    if try linkStatus(path)?.kind == .directory {
        for entry in try directoryListing(path) { try removeTree(joinPath(path, entry.name)) }
    }
    try removeEntry(path)
}

/// The mount points of this process's mount namespace, from `/proc/self/mountinfo` (field 5, octal escapes decoded).
func mountPoints() throws(Errno) -> [String] {
    guard let bytes = try readFile("/proc/self/mountinfo", limit: mountTableLimit) else { throw Errno(E2BIG) }
    return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        return fields.count > 4 ? decodeMountInfoEscapes(fields[4]) : nil
    }
}

/// The sandbox's C side reads at most this much of the table too; a host with more mounts is refused, not half protected.
private let mountTableLimit = 1 << 20

/// mountinfo writes space, tab, newline and backslash as `\ooo`.
private func decodeMountInfoEscapes(_ field: Substring) -> String {
    var bytes: [UInt8] = []
    var utf8 = Array(field.utf8)[...]
    while let byte = utf8.popFirst() {
        if byte == UInt8(ascii: "\\"), utf8.count >= 3, let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8) {
            bytes.append(value)
            utf8 = utf8.dropFirst(3)
        } else {
            bytes.append(byte)
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Bytes moved per call when copying or comparing files: one fixed buffer whatever a file's size.
let fileCopyChunkSize = 1 << 20

/// Copies the regular file `source` to the new file `destination` (which must not exist; a link there is refused).
func copyFileBytes(from source: String, to destination: String, permissions: UInt32) throws(Errno) {
    let input = try FileDescriptor.openForReading(source)
    let output = FileDescriptor(owning: try retryingInterrupts { open(destination, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(permissions & 0o777)) })
    // In-kernel first (no copy through user space); read and write where the file systems do not support it.
    while true {
        let moved = scriptpin_copy_file_range(input.rawValue, output.rawValue, UInt(fileCopyChunkSize))
        if moved == 0 { return }
        if moved > 0 { continue }
        let failure = Errno.current
        if failure == Errno(EINTR) { continue }
        guard [Errno(EXDEV), Errno(ENOSYS), Errno(EINVAL), Errno(EOPNOTSUPP)].contains(failure) else { throw failure }
        break
    }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: fileCopyChunkSize, alignment: 16)
    defer { buffer.deallocate() }
    while true {
        let count = try input.read(into: buffer)
        if count == 0 { return }
        try writeAll(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), to: output.rawValue)
    }
}

/// Whether two regular files hold the same bytes, read side by side in fixed-size chunks.
func filesHaveSameBytes(_ first: String, _ second: String) throws(Errno) -> Bool {
    let left = try FileDescriptor.openForReading(first)
    let right = try FileDescriptor.openForReading(second)
    let leftBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: fileCopyChunkSize, alignment: 16)
    let rightBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: fileCopyChunkSize, alignment: 16)
    defer {
        leftBuffer.deallocate()
        rightBuffer.deallocate()
    }
    while true {
        let count = try left.readFully(into: leftBuffer)
        guard try right.readFully(into: rightBuffer) == count else { return false }
        if count == 0 { return true }
        if memcmp(leftBuffer.baseAddress!, rightBuffer.baseAddress!, count) != 0 { return false }
    }
}

extension FileDescriptor {
    /// Reads until `buffer` is full or the file ends, so that two files read side by side stay aligned.
    fileprivate func readFully(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        var total = 0
        while total < buffer.count {
            let count = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[total...]))
            if count == 0 { break }
            total += count
        }
        return total
    }
}
