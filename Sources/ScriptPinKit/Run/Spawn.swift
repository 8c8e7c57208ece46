import CSystemShims
import Glibc

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
}

/// Starts `arguments[0]` (searched in PATH) with exactly the standard streams
/// and, when given, `image` as descriptor 3; every other descriptor is closed
/// in the child. SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to scriptpin are
/// forwarded to the child while it runs.
public func spawnAndWait(
    _ arguments: [String], environment: [(name: String, value: String)], image: ScriptImage?
) throws(ScriptPinError) -> Termination {
    let program = arguments[0]
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }

    var lowestToClose = STDERR_FILENO + 1
    if let image, let source = image.descriptorForChild {
        posix_spawn_file_actions_adddup2(&actions, source, ScriptImage.childDescriptor)
        lowestToClose = ScriptImage.childDescriptor + 1
    }
    scriptpin_spawn_file_actions_addclosefrom(&actions, lowestToClose)

    // The child starts with default dispositions and nothing blocked, whatever scriptpin had.
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&defaults, signal) }
    var unblocked = sigset_t()
    sigemptyset(&unblocked)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setsigmask(&attributes, &unblocked)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.name)=\($0.value)") } + [nil]
    defer {
        for pointer in argv { free(pointer) }
        for pointer in envp { free(pointer) }
    }

    guard scriptpin_forward_signals_begin() == 0 else { throw .spawnFailed(program, Errno.current) }
    defer { scriptpin_forward_signals_end() }
    var child: pid_t = 0
    let status = posix_spawnp(&child, program, &actions, &attributes, argv, envp)
    guard status == 0 else {
        switch Errno(status) {
        case .noSuchFile: throw .interpreterNotFound(program)
        case .permissionDenied, Errno(ENOEXEC), .isDirectory: throw .interpreterNotExecutable(program, Errno(status))
        default: throw .spawnFailed(program, Errno(status))
        }
    }
    scriptpin_forward_signals_to(child)
    var waitStatus: Int32 = 0
    while waitpid(child, &waitStatus, 0) == -1 {
        guard errno == EINTR else { throw .spawnFailed(program, Errno.current) }
    }
    let signal = waitStatus & 0x7f
    return signal == 0 ? .exited((waitStatus >> 8) & 0xff) : .signalled(signal)
}
