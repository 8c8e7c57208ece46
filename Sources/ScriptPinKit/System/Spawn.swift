internal import CSystemShims
internal import Glibc

/// How a child process ended.
public enum Termination: Sendable, Equatable {
    case exited(Int32)
    case signalled(Int32)

    /// The shell convention: the exit status, or 128+N for signal N.
    public var exitCode: Int32 {
        switch self {
        case .exited(let status): status
        case .signalled(let signal): 128 + signal
        }
    }

    /// "exited with status 3", "was killed by signal 9": after "the script".
    var sentence: String {
        switch self {
        case .exited(let status): "exited with status \(status)"
        case .signalled(let signal): "was killed by signal \(signal)"
        }
    }

    init(waitStatus: Int32) {
        let signal = waitStatus & 0x7f
        self = signal == 0 ? .exited((waitStatus >> 8) & 0xff) : .signalled(signal)
    }
}

/// Why a child could not be started or followed.
enum SpawnFailure: Error {
    case notFound
    case notExecutable(Errno)
    case failed(Errno)
}

/// What to start, and with which descriptors and environment. The one way
/// scriptpin starts a process: the script `run` executes and the git calls
/// of `lint --staged` and `hook install`.
struct SpawnRequest {
    /// The program (searched in PATH) and its arguments.
    var arguments: [String]
    /// The child's whole environment, entries as bytes (`NAME=value`).
    var environment: [[UInt8]]
    /// A descriptor of ours the child gets as `childDescriptor`.
    var passedDescriptor: (descriptor: Int32, childDescriptor: Int32)?
    /// Collects the child's stdout instead of letting it inherit ours.
    var capturesOutput = false
    /// Passes SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to scriptpin on to the
    /// child while it runs, and starts it with default dispositions.
    var forwardsSignals = false
}

/// What a finished child left: how it ended and, when captured, its stdout.
struct SpawnResult {
    let termination: Termination
    let output: [UInt8]
}

/// Starts the request's program with exactly the standard streams (stdout
/// replaced by a pipe when captured) and the passed descriptor; every other
/// descriptor is closed in the child. Waits for it, retrying interrupted
/// waits and reads.
func spawnAndWait(_ request: SpawnRequest) throws(SpawnFailure) -> SpawnResult {
    var actions = posix_spawn_file_actions_t()
    try checked(posix_spawn_file_actions_init(&actions))
    defer { posix_spawn_file_actions_destroy(&actions) }
    var attributes = posix_spawnattr_t()
    try checked(posix_spawnattr_init(&attributes))
    defer { posix_spawnattr_destroy(&attributes) }

    var reader: FileDescriptor?
    var writer: Int32 = -1
    defer { if writer >= 0 { close(writer) } }
    if request.capturesOutput {
        // Close-on-exec, so that only the dup2 onto stdout reaches the child.
        let ends: (read: Int32, write: Int32)
        do { ends = try makePipe() } catch { throw .failed(error) }
        reader = FileDescriptor(owning: ends.read)
        writer = ends.write
        try checked(posix_spawn_file_actions_adddup2(&actions, writer, STDOUT_FILENO))
    }
    var lowestToClose = STDERR_FILENO + 1
    if let passed = request.passedDescriptor {
        try checked(posix_spawn_file_actions_adddup2(&actions, passed.descriptor, passed.childDescriptor))
        lowestToClose = passed.childDescriptor + 1
    }
    try checked(scriptpin_spawn_file_actions_addclosefrom(&actions, lowestToClose))

    if request.forwardsSignals {
        // The child starts with default dispositions and nothing blocked, whatever scriptpin had.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&defaults, signal) }
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        try checked(posix_spawnattr_setsigdefault(&attributes, &defaults))
        try checked(posix_spawnattr_setsigmask(&attributes, &unblocked))
        try checked(posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)))
    }

    let argv = request.arguments.map { strdup($0) } + [nil]
    // Each entry copied with the terminating NUL the C array needs.
    let envp: [UnsafeMutablePointer<CChar>?] = request.environment.map { entry -> UnsafeMutablePointer<CChar>? in
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: entry.count + 1)
        for (offset, byte) in entry.enumerated() { copy[offset] = CChar(bitPattern: byte) }
        copy[entry.count] = 0
        return copy
    } + [nil]
    defer {
        for pointer in argv { free(pointer) }
        for pointer in envp { pointer?.deallocate() }
    }

    if request.forwardsSignals {
        guard scriptpin_forward_signals_begin() == 0 else { throw .failed(Errno.current) }
    }
    defer { if request.forwardsSignals { _ = scriptpin_forward_signals_end() } }
    var child: pid_t = 0
    let status = posix_spawnp(&child, request.arguments[0], &actions, &attributes, argv, envp)
    guard status == 0 else {
        switch Errno(status) {
        case .noSuchFile: throw .notFound
        case .permissionDenied, Errno(ENOEXEC), .isDirectory: throw .notExecutable(Errno(status))
        default: throw .failed(Errno(status))
        }
    }
    if request.forwardsSignals && scriptpin_forward_signals_to(child) != 0 {
        // Signals sent to scriptpin would not reach the child: it must not run on unattended.
        let failure = Errno.current
        _ = kill(child, SIGKILL)
        var ignored: Int32 = 0
        _ = try? retryingInterrupts { waitpid(child, &ignored, 0) }
        throw .failed(failure)
    }
    close(writer)
    writer = -1

    var output: [UInt8] = []
    var readFailure: Errno?
    if let reader {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count: Int
            do { count = try reader.read(into: buffer) } catch {
                readFailure = error
                break
            }
            if count == 0 { break }
            output.append(contentsOf: buffer[0..<count])
        }
    }
    // Waited for even after a failed read, so that no zombie is left.
    var waitStatus: Int32 = 0
    do { try retryingInterrupts { waitpid(child, &waitStatus, 0) } } catch { throw .failed(error) }
    if let readFailure { throw .failed(readFailure) }
    return SpawnResult(termination: Termination(waitStatus: waitStatus), output: output)
}

/// posix_spawn's set-up calls return their error number instead of setting errno.
private func checked(_ status: Int32) throws(SpawnFailure) {
    guard status == 0 else { throw .failed(Errno(status)) }
}
