/// Writes a file so that readers, and a crash at any instant, see either the
/// old content or the new, never a mix: a dot-named temporary in the same
/// directory, fsync, rename over the target, fsync the directory. Until the
/// rename, SIGINT, SIGTERM, SIGHUP and SIGQUIT remove the temporary.
public func writeAtomically(
    _ path: String, mode: UInt32 = 0o644, _ produce: (borrowing FileDescriptor) throws(ScriptPinError) -> Void
) throws(ScriptPinError) {
    let directory = parentDirectory(of: path)
    let name = path.split(separator: "/").last.map(String.init) ?? path
    var temporary = ""
    // The temporary and its removal on a fatal signal are made as one step.
    let hold = try StoppingSignalsHold(making: path)
    let descriptor: FileDescriptor
    do { descriptor = try FileDescriptor.createUnique(template: joinPath(directory, ".\(name).tmp-XXXXXX"), path: &temporary) } catch {
        throw .writeFailed(path: path, error)
    }
    let removal: RemovalOnFatalSignal
    do { removal = try RemovalOnFatalSignal(file: temporary, directory: nil) } catch {
        removeFile(temporary)
        throw .writeFailed(path: path, error)
    }
    _ = consume hold
    defer { removal.cancel() }
    do throws(ScriptPinError) {
        try produce(descriptor)
        do {
            try descriptor.changeMode(mode)
            try descriptor.synchronize()
        } catch {
            throw .writeFailed(path: path, error)
        }
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
public func writeAtomically(_ path: String, text: String, mode: UInt32 = 0o644) throws(ScriptPinError) {
    try writeAtomically(path, mode: mode) { (descriptor) throws(ScriptPinError) in
        do throws(Errno) { try descriptor.writeAll(Array(text.utf8)) } catch { throw .writeFailed(path: path, error) }
    }
}
