/// `scriptpin fetch`: a verifying `curl -fsSL` for any pinned artifact
/// (a script, a tarball, a `.deb`). The body is downloaded under `run`'s
/// policy and verified before a single byte is written, so that
/// `scriptpin fetch tool-tgz | tar xz` never feeds `tar` anything unverified.
public struct FetchCommand: Sendable {
    /// The mode a written file gets unless told otherwise: readable by all, as `curl -o` leaves it under umask 022.
    public static let defaultMode: UInt32 = 0o644

    /// A pin name, or an https URL pinned in the manifest or by `adHocDigests`.
    public var target = ""
    /// Where the verified bytes go; nil writes them to the reporter's results (stdout).
    public var outputPath: String?
    public var mode = defaultMode
    public var manifest: String?
    public var adHocDigests: [Digest] = []
    public var offline = false
    /// Checks the pin's evidence before the body is written, as the pin's `provenance required` line does.
    public var requiresProvenance = false
    public var fetchOptions = FetchOptions()

    public init() {}

    /// Downloads and verifies, then writes: atomically to `outputPath` (a
    /// temporary file in its directory renamed into place, replacing a
    /// symbolic link there rather than following it); through an existing
    /// device or FIFO, or a descriptor named as `/dev/stdout` or `/dev/fd/N`,
    /// which are never replaced; else to the results.
    public func run(reporter: any Reporter, context: ProcessContext) throws(ScriptPinError) {
        let resolved = try PinnedBody.resolve(
            target: target, manifest: manifest, adHocDigests: adHocDigests, acceptsLocalFile: false, context: context)
        let source = PinnedBody(offline: offline, fetchOptions: fetchOptions, use: "writing", consequence: "nothing was written", requiresProvenance: requiresProvenance)
        let (image, _) = try source.obtain(resolved, context: context, reporter: reporter)
        guard let outputPath else {
            try image.forEachChunk { (chunk) throws(ScriptPinError) in reporter.result(bytes: chunk) }
            return
        }
        let path = context.resolve(outputPath)
        func writeThrough(_ descriptor: borrowing FileDescriptor) throws(ScriptPinError) {
            try image.forEachChunk { (chunk) throws(ScriptPinError) in
                do throws(Errno) { try descriptor.writeAll(chunk) } catch { throw .writeFailed(path: outputPath, error) }
            }
        }
        switch OutputTarget(path) {
        case .descriptor(let number):
            let descriptor: FileDescriptor
            do { descriptor = try FileDescriptor.duplicate(number) } catch { throw .writeFailed(path: outputPath, error) }
            try writeThrough(descriptor)
        case .stream:
            let descriptor: FileDescriptor
            do { descriptor = try FileDescriptor.openExistingForWriting(path) } catch { throw .writeFailed(path: outputPath, error) }
            try writeThrough(descriptor)
        case .directory:
            throw .usage("\(outputPath) is a directory, and nothing was written; name the file to write, as in -o \(joinPath(outputPath, "NAME"))")
        case .file:
            try writeAtomically(path, mode: mode) { (descriptor) throws(ScriptPinError) in try writeThrough(descriptor) }
        }
    }
}
