/// An exclusive `flock` on `<manifest>/.scriptpin.lock` that serializes
/// `add` and `update`. The kernel releases it when the holder exits, even by
/// `kill -9`, so a lock left by a killed process never blocks the next run.
public struct ManifestLock: ~Copyable {
    public static let fileName = ".scriptpin.lock"
    private let descriptor: FileDescriptor

    public init(directory: String) throws(ScriptPinError) {
        let path = joinPath(directory, Self.fileName)
        let opened: FileDescriptor
        do { opened = try FileDescriptor.openOrCreate(path) } catch { throw .writeFailed(path: path, error) }
        do { try opened.lockExclusively() } catch { throw .writeFailed(path: path, error) }
        descriptor = opened
    }
}
