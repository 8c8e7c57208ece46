/// The root a write-confined script sees, as the steps the sandbox builds
/// it from: every host directory that no mount lies under gets a
/// copy-on-write layer of its own, because the kernel lets a user
/// namespace layer only a directory with no locked mounts below it; the
/// directories above mounts (`/` always, `/etc` in a container) become
/// read-only skeleton directories holding their entries one by one; the
/// kernel's trees and the live write paths are bound as they are.
struct RootLayout {
    /// In order; a layer's directory among the layers is named by its step's index.
    private(set) var steps: [RootStep] = []
    /// The host's mount points: a file that is one (`/etc/hosts` in a container) is bound, never copied.
    private var mounts: Set<String> = []

    /// Never layered: `/sys` is bound as it is (and made read-only with the
    /// rest of the kernel's interfaces later), `/dev` is built anew.
    static let kernelTrees = [devices, "/sys"]
    static let devices = "/dev"
    /// What a write-confined script finds in `/dev`, as container runtimes
    /// give it: the host's nodes for these, and no disk (root could write a
    /// disk's blocks under every layer), no other device.
    static let deviceNodes = ["null", "zero", "full", "random", "urandom", "tty", "ptmx"]
    static let deviceLinks = [("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")]
    /// Mounted there later: the sandbox's own terminals.
    static let terminalDirectory = "pts"
    /// The host's shared memory outlives the run: the script gets its own.
    static let privateSharedMemory = "shm"
    /// Mounted fresh in the new root, never layered.
    static let freshProc = "/proc"
    /// Files in skeleton directories up to this size are copied, so that
    /// changes to them are read back (`/etc/passwd` in a container); a
    /// larger one is bound read-only, as is one whose owner the namespace
    /// does not map (the script could not write it, and a copy would be the script's).
    static let copiedFileLimit: Int64 = 1 << 20

    /// A directory above mounts with more entries than this is bound
    /// read-only as it is: each entry of a skeleton directory is a mount of
    /// its own, and thousands of them (a `/tmp` that holds a mount) would
    /// cost more than the run.
    static let skeletonEntryLimit = 512

    /// Whether the sandbox's user namespace maps `owner`: every id when scriptpin runs as root, else only its own.
    static func mapsOwner(_ owner: UInt32) -> Bool {
        effectiveUserID() == 0 || owner == effectiveUserID()
    }

    /// The layout for this mount namespace; `liveDirectories` (existing
    /// directories the script may change) are bound writable over the
    /// layers last, so that their neighbours keep theirs. Each of
    /// `ownLayers` (the home, the working directory, the temporary
    /// directories) gets a layer of its own over its parent's where it
    /// needs one: a layer copies a file's directories up before changing
    /// it, and an unprivileged namespace cannot copy a directory whose
    /// owner it does not map (root's `/var/tmp` below `/var`'s layer,
    /// root's `/home/ci` above a user's workspace).
    init(liveDirectories: [String], ownLayers: [String]) throws(Failure) {
        let mounts = try Self.examining("/proc/self/mountinfo") { () throws(Errno) in try mountPoints() }
            .map(normalizedPath).filter { !isInside($0, Self.freshProc) }
        let boundaries = Set(mounts + Self.kernelTrees)
        /// Whether a mount (or kernel tree) lies strictly under `directory`, so that it cannot be layered whole.
        func holdsMounts(_ directory: String) -> Bool {
            boundaries.contains { $0 != directory && isInside($0, directory) }
        }
        self.mounts = Set(mounts)
        try visit("/", holdsMounts: holdsMounts)
        let layered = Set(steps.filter { $0.kind == .layer }.map(\.path))
        let skeleton = Set(steps.filter { $0.kind == .directory }.map(\.path))
        for directory in Set(ownLayers).sorted() where !layered.contains(directory) && !skeleton.contains(directory) {
            let underTree = (Self.kernelTrees + liveDirectories).contains { isInside(directory, $0) }
            guard !underTree, !holdsMounts(directory),
                  try Self.examining(directory, { () throws(Errno) in try linkStatus(directory) })?.kind == .directory,
                  let enclosing = layered.filter({ isInside(directory, $0) }).max(by: { $0.count < $1.count }),
                  try Self.copyUpNeedsUnmappedOwner(from: directory, below: enclosing)
            else { continue }
            steps.append(RootStep(kind: .layer, path: directory, status: nil))
        }
        for directory in liveDirectories.sorted() {
            steps.append(RootStep(kind: .tree, path: directory, status: nil))
        }
    }

    /// Whether a write under `directory`, in the layer over `root`, would
    /// copy up a directory (`directory` or one between it and `root`) whose
    /// owner the namespace does not map: only then does it need a layer of its own.
    private static func copyUpNeedsUnmappedOwner(from directory: String, below root: String) throws(Failure) -> Bool {
        var path = directory
        while path != root && path != "/" {
            let current = path
            guard let status = try examining(current, { () throws(Errno) in try linkStatus(current) }) else { return false }
            if !mapsOwner(status.owner) { return true }
            path = parentDirectory(of: path)
        }
        return false
    }

    /// `/dev` as a private file system holding the host's harmless nodes,
    /// the links to this process's descriptors (`/dev/fd/3` is how the
    /// interpreter reads the verified script), and empty `pts` and `shm`.
    private mutating func layOutDevices(status: LinkStatus?) throws(Failure) {
        let directoryMode = LinkStatus(kind: .directory, permissions: status?.permissions ?? 0o755, owner: 0, group: 0, size: 0)
        steps.append(RootStep(kind: .privateFileSystem, path: Self.devices, status: directoryMode))
        for name in Self.deviceNodes {
            let path = joinPath(Self.devices, name)
            guard let node = try Self.examining(path, { () throws(Errno) in try linkStatus(path) }), node.kind == .other else { continue }
            steps.append(RootStep(kind: .device, path: path, status: node))
        }
        for (name, target) in Self.deviceLinks {
            steps.append(RootStep(kind: .symbolicLink(target), path: joinPath(Self.devices, name), status: nil))
        }
        steps.append(RootStep(kind: .directory, path: joinPath(Self.devices, Self.terminalDirectory), status: directoryMode))
        let sharedMemory = joinPath(Self.devices, Self.privateSharedMemory)
        steps.append(RootStep(kind: .privateFileSystem, path: sharedMemory, status: LinkStatus(kind: .directory, permissions: 0o1777, owner: 0, group: 0, size: 0)))
    }

    /// Why a layout could not be made: the path that could not be examined, and why.
    struct Failure: Error {
        let path: String
        let errno: Errno
    }

    private static func examining<Value>(_ path: String, _ body: () throws(Errno) -> Value) throws(Failure) -> Value {
        do { return try body() } catch { throw Failure(path: path, errno: error) }
    }

    private mutating func visit(_ directory: String, holdsMounts: (String) -> Bool) throws(Failure) {
        let status = try Self.examining(directory) { () throws(Errno) in try linkStatus(directory) }
        if directory == Self.freshProc {
            steps.append(RootStep(kind: .directory, path: directory, status: status))
        } else if directory == Self.devices {
            try layOutDevices(status: status)
        } else if Self.kernelTrees.contains(directory) {
            steps.append(RootStep(kind: .tree, path: directory, status: nil))
        } else if !holdsMounts(directory) {
            steps.append(RootStep(kind: .layer, path: directory, status: nil))
        } else {
            let entries: [DirectoryEntry]
            do { entries = try directoryListing(directory) } catch {
                // One this user may not list (root's 0700 directory above a mount) it cannot change either: it stays as it is, read-only.
                guard error == .permissionDenied else { throw Failure(path: directory, errno: error) }
                steps.append(RootStep(kind: .readOnlyTree, path: directory, status: nil))
                return
            }
            guard entries.count <= Self.skeletonEntryLimit else {
                steps.append(RootStep(kind: .readOnlyTree, path: directory, status: nil))
                return
            }
            steps.append(RootStep(kind: .directory, path: directory, status: status))
            for entry in entries {
                let path = joinPath(directory, entry.name)
                guard let status = try Self.examining(path, { () throws(Errno) in try linkStatus(path) }) else { continue }
                switch status.kind {
                case .directory:
                    try visit(path, holdsMounts: holdsMounts)
                case .symbolicLink:
                    let target = try Self.examining(path) { () throws(Errno) in try readSymbolicLink(path) }
                    steps.append(RootStep(kind: .symbolicLink(target), path: path, status: status))
                case .regular where status.size <= Self.copiedFileLimit && Self.mapsOwner(status.owner) && !mounts.contains(path):
                    steps.append(RootStep(kind: .copiedFile, path: path, status: status))
                case .regular, .whiteout, .other:
                    steps.append(RootStep(kind: .hostFile, path: path, status: status))
                }
            }
        }
    }
}
