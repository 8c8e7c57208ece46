internal import Glibc

/// What kind of file a path names, following symbolic links.
public enum FileKind: Sendable {
    case missing
    case regular
    case directory
    case other
}

func fileKind(_ path: String) -> FileKind {
    kind(of: path, followingLinks: true)
}

/// Like `fileKind`, but only a path that is not there (ENOENT, ENOTDIR)
/// is `.missing`; any other failure to examine it is thrown.
func existingFileKind(_ path: String) throws(Errno) -> FileKind {
    var status = stat()
    guard stat(path, &status) == 0 else {
        let failure = Errno.current
        if failure == .noSuchFile || failure == Errno(ENOTDIR) { return .missing }
        throw failure
    }
    return FileKind(mode: status.st_mode)
}

/// Like `fileKind`, but a symbolic link is `.other` unless it names a
/// regular file, so that a link to a parent directory cannot make a walk loop.
func fileKindWithoutFollowing(_ path: String) -> FileKind {
    kind(of: path, followingLinks: false)
}

private func kind(of path: String, followingLinks: Bool) -> FileKind {
    var status = stat()
    guard (followingLinks ? stat(path, &status) : lstat(path, &status)) == 0 else { return .missing }
    if status.st_mode & S_IFMT == S_IFLNK { return fileKind(path) == .regular ? .regular : .other }
    return FileKind(mode: status.st_mode)
}

extension FileKind {
    fileprivate init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        default: self = .other
        }
    }
}

/// What a path to write to names, as `fetch -o` treats it.
enum OutputTarget: Equatable {
    /// `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`: that descriptor of ours.
    case descriptor(Int32)
    /// A character device or FIFO that exists: written through, never replaced.
    case stream
    case directory
    /// A regular file, a symbolic link (replaced, not followed) or nothing yet: written atomically.
    case file

    init(_ path: String) {
        let named: [String: Int32] = ["/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2]
        if let descriptor = named[path] {
            self = .descriptor(descriptor)
            return
        }
        for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
            let number = path.dropFirst(prefix.count)
            if !number.isEmpty, number.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), let value = Int32(number) {
                self = .descriptor(value)
                return
            }
        }
        var status = stat()
        guard lstat(path, &status) == 0 else {
            self = .file
            return
        }
        switch status.st_mode & S_IFMT {
        case S_IFCHR, S_IFIFO: self = .stream
        case S_IFDIR: self = .directory
        default: self = .file
        }
    }
}

/// Whether `text` matches the shell glob `pattern`, as `fnmatch(3)` decides.
func globMatches(_ pattern: String, _ text: String) -> Bool {
    fnmatch(pattern, text, 0) == 0
}

/// The names in a directory, without "." and "..", sorted bytewise so that
/// every listing (and every report built from one) is reproducible.
func directoryEntries(_ path: String) throws(Errno) -> [String] {
    try directoryListing(path).map(\.name)
}

/// An entry of a directory listing, with its kind when the listing tells it.
struct DirectoryEntry {
    let name: String
    /// From the entry's type, which saves a `stat` per file in a tree walk;
    /// nil for a symbolic link and where the file system does not say.
    let kind: FileKind?
}

/// `directoryEntries` with each entry's kind.
func directoryListing(_ path: String) throws(Errno) -> [DirectoryEntry] {
    guard let stream = opendir(path) else { throw Errno.current }
    defer { closedir(stream) }
    var entries: [DirectoryEntry] = []
    while true {
        errno = 0
        guard let entry = readdir(stream) else {
            if errno != 0 { throw Errno.current }
            break
        }
        let name = withUnsafePointer(to: entry.pointee.d_name) { tuple in
            tuple.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        guard name != "." && name != ".." else { continue }
        let kind: FileKind? = switch Int32(entry.pointee.d_type) {
        case Int32(DT_REG): .regular
        case Int32(DT_DIR): .directory
        case Int32(DT_LNK), Int32(DT_UNKNOWN): nil
        default: .other
        }
        entries.append(DirectoryEntry(name: name, kind: kind))
    }
    return entries.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
}

/// Creates `path` and its parents with `mode`, like `mkdir -p`; an existing directory is fine.
func createDirectories(_ path: String, mode: UInt32) throws(Errno) {
    if fileKind(path) == .directory { return }
    let parent = parentDirectory(of: path)
    if parent != path && !parent.isEmpty { try createDirectories(parent, mode: mode) }
    if mkdir(path, mode) != 0 && errno != EEXIST { throw Errno.current }
}

/// The directory part of a path ("." for a bare name).
func parentDirectory(of path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    guard let slash = trimmed.lastIndex(of: "/") else { return "." }
    if slash == trimmed.startIndex { return "/" }
    return String(trimmed[..<slash])
}

/// The last path component of a path or command name (`/usr/bin/curl` → `curl`).
func baseName(_ text: String) -> String {
    let utf8 = text.utf8
    guard let slash = utf8.lastIndex(of: UInt8(ascii: "/")) else { return text }
    return String(text[utf8.index(after: slash)...])
}

/// Whether `path` is `directory` or lies under it (both normalized); false for nil.
func isInside(_ path: String?, _ directory: String) -> Bool {
    guard let path else { return false }
    return directory == "/" || path == directory || path.hasPrefix(directory + "/")
}

/// `path` with doubled slashes, `.` components and a trailing slash removed.
func normalizedPath(_ path: String) -> String {
    let components = path.split(separator: "/").filter { $0 != "." }
    return "/" + components.joined(separator: "/")
}

func joinPath(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

/// Renames atomically within one file system, as `rename(2)` does.
func renameFile(_ source: String, to destination: String) throws(Errno) {
    try retryingInterrupts { rename(source, destination) }
}

/// Removes a file; a file that is already gone is not an error.
func removeFile(_ path: String) {
    _ = unlink(path)
}

func removeDirectory(_ path: String) {
    _ = rmdir(path)
}

/// Makes a fresh private directory from a `mkdtemp` template ending in XXXXXX.
func makeTemporaryDirectory(template: String) throws(Errno) -> String {
    var bytes = Array(template.utf8CString)
    guard mkdtemp(&bytes) != nil else { throw Errno.current }
    return String(decoding: bytes.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}


/// Who owns a file and who may write it, for the manifest's ownership checks.
public struct FileStatus: Sendable {
    public let owner: UInt32
    public let mode: UInt32

    public var isDirectory: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFDIR) }
    public var isSticky: Bool { mode & UInt32(S_ISVTX) != 0 }
    public var isWorldWritable: Bool { mode & UInt32(S_IWOTH) != 0 }
    public var isWritableByOthers: Bool { mode & UInt32(S_IWGRP | S_IWOTH) != 0 }
    /// The permission bits as `ls -l`'s numbers show them: `0755`, `1777`.
    public var modeText: String { permissionText(mode) }
}

/// `path` with every symbolic link in its existing part resolved (the
/// missing rest appended as written); nil when the existing part cannot be examined.
func resolvingLinks(_ path: String) -> String? {
    var existing = normalizedPath(path)
    var missing: [String] = []
    while true {
        if let resolved = realpath(existing, nil) {
            defer { free(resolved) }
            return missing.reversed().reduce(String(cString: resolved)) { joinPath($0, $1) }
        }
        guard errno == ENOENT, existing != "/" else { return nil }
        missing.append(baseName(existing))
        existing = parentDirectory(of: existing)
    }
}

/// Permission bits (with set-id and sticky) as `ls -l`'s numbers show them: `0755`, `1777`.
func permissionText(_ mode: UInt32) -> String {
    let text = String(mode & 0o7777, radix: 8)
    return String(repeating: "0", count: max(0, 4 - text.count)) + text
}

/// The owner and mode of `path`, following symbolic links; nil when it does not exist.
func fileStatus(_ path: String) -> FileStatus? {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    return FileStatus(owner: status.st_uid, mode: status.st_mode)
}

func effectiveUserID() -> UInt32 {
    geteuid()
}

/// Waits `milliseconds`, resuming after a signal until the time is up.
func pause(milliseconds: Int) {
    var remaining = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
    while true {
        var request = remaining
        guard nanosleep(&request, &remaining) == -1 && errno == EINTR else { return }
    }
}


/// The home directory the password database gives the effective user, for when `$HOME` is unset.
func homeDirectoryOfCurrentUser() -> String? {
    var entry = passwd()
    var result: UnsafeMutablePointer<passwd>?
    var buffer = [CChar](repeating: 0, count: 16 * 1024)
    guard getpwuid_r(geteuid(), &entry, &buffer, buffer.count, &result) == 0, result != nil, let directory = entry.pw_dir else { return nil }
    return String(cString: directory)
}

/// Where `program` is found, as `execvp` would search `searchPath`
/// (a program with a slash is taken as it is); nil when nowhere.
func findExecutable(_ program: String, searchPath: String) -> String? {
    if program.contains("/") { return program }
    for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
        let candidate = joinPath(directory.isEmpty ? "." : String(directory), program)
        if fileKind(candidate) == .regular && access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
}
