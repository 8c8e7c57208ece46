import Glibc

/// Writes a file so that readers, and a crash at any instant, see either the
/// old content or the new, never a mix: a dot-named temporary in the same
/// directory, fsync, rename over the target, fsync the directory.
public func writeAtomically(
    _ path: String, mode: mode_t = 0o644, _ produce: (borrowing FileDescriptor) throws(ScriptPinError) -> Void
) throws(ScriptPinError) {
    let directory = parentDirectory(of: path)
    let name = path.split(separator: "/").last.map(String.init) ?? path
    var template = Array(joinPath(directory, ".\(name).tmp-XXXXXX").utf8CString)
    let raw = mkstemp(&template)
    guard raw >= 0 else { throw .writeFailed(path: path, Errno.current) }
    _ = fcntl(raw, F_SETFD, FD_CLOEXEC)
    let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let descriptor = FileDescriptor(owning: raw)
    do throws(ScriptPinError) {
        try produce(descriptor)
        guard fchmod(descriptor.rawValue, mode) == 0 else { throw .writeFailed(path: path, Errno.current) }
        do { try descriptor.synchronize() } catch { throw .writeFailed(path: path, error) }
        do { try renameFile(temporary, to: path) } catch { throw .writeFailed(path: path, error) }
    } catch {
        removeFile(temporary)
        throw error
    }
    // The rename is durable only once the directory entry is on disk.
    if let directoryDescriptor = try? FileDescriptor.openDirectory(directory) {
        try? directoryDescriptor.synchronize()
    }
}

/// Writes `text` atomically.
public func writeAtomically(_ path: String, text: String, mode: mode_t = 0o644) throws(ScriptPinError) {
    try writeAtomically(path, mode: mode) { (descriptor) throws(ScriptPinError) in
        do throws(Errno) { try descriptor.writeAll(Array(text.utf8)) } catch { throw .writeFailed(path: path, error) }
    }
}
