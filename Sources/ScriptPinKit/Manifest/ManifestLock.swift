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
        Self.keepOutOfCommits(directory: directory)
    }

    static let ignoreFileText = "# scriptpin's lock file: never committed\n/\(fileName)\n"

    /// Writes `<manifest>/.gitignore` naming the lock file when there is
    /// none, so that `git add known-hashes` stages the pins and not the lock;
    /// a `.gitignore` the team wrote is left as it is.
    private static func keepOutOfCommits(directory: String) {
        let path = joinPath(directory, ".gitignore")
        guard let file = try? FileDescriptor.createExclusive(path, mode: 0o644) else { return }
        try? file.writeAll(Array(ignoreFileText.utf8))
    }
}
