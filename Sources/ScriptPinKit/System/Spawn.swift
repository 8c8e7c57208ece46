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
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }

    var reader: FileDescriptor?
    var writer: Int32 = -1
    defer { if writer >= 0 { close(writer) } }
    if request.capturesOutput {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw .failed(Errno.current) }
        reader = FileDescriptor(owning: ends[0])
        writer = ends[1]
        // Close-on-exec, so that only the dup2 onto stdout reaches the child.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        posix_spawn_file_actions_adddup2(&actions, writer, STDOUT_FILENO)
    }
    var lowestToClose = STDERR_FILENO + 1
    if let passed = request.passedDescriptor {
        posix_spawn_file_actions_adddup2(&actions, passed.descriptor, passed.childDescriptor)
        lowestToClose = passed.childDescriptor + 1
    }
    scriptpin_spawn_file_actions_addclosefrom(&actions, lowestToClose)

    if request.forwardsSignals {
        // The child starts with default dispositions and nothing blocked, whatever scriptpin had.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&defaults, signal) }
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
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
    defer { if request.forwardsSignals { scriptpin_forward_signals_end() } }
    var child: pid_t = 0
    let status = posix_spawnp(&child, request.arguments[0], &actions, &attributes, argv, envp)
    guard status == 0 else {
        switch Errno(status) {
        case .noSuchFile: throw .notFound
        case .permissionDenied, Errno(ENOEXEC), .isDirectory: throw .notExecutable(Errno(status))
        default: throw .failed(Errno(status))
        }
    }
    if request.forwardsSignals { scriptpin_forward_signals_to(child) }
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
