import Glibc

/// What a helper process (git) printed and how it ended.
public struct SubprocessOutput: Sendable {
    public let status: Int32
    public let output: [UInt8]
}

/// Runs `arguments` (searched in PATH) with stdout captured and stdin and
/// stderr inherited, and waits for it. Used for `git`, whose output is small.
public func runSubprocess(_ arguments: [String]) throws(ScriptPinError) -> SubprocessOutput {
    var pipeDescriptors: [Int32] = [0, 0]
    guard pipe(&pipeDescriptors) == 0 else { throw .spawnFailed(arguments[0], Errno.current) }
    for descriptor in pipeDescriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
    let reader = FileDescriptor(owning: pipeDescriptors[0])
    var writer: Int32 = pipeDescriptors[1]
    defer { if writer >= 0 { close(writer) } }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, writer, STDOUT_FILENO)
    let argv = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var child: pid_t = 0
    let status = posix_spawnp(&child, arguments[0], &actions, nil, argv, environ)
    guard status == 0 else { throw .spawnFailed(arguments[0], Errno(status)) }
    close(writer)
    writer = -1

    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let count = buffer.withUnsafeMutableBytes { (try? reader.read(into: $0)) ?? 0 }
        if count == 0 { break }
        output += buffer[0..<count]
    }
    var waitStatus: Int32 = 0
    while waitpid(child, &waitStatus, 0) == -1 && errno == EINTR {}
    let exitStatus = (waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f)
    return SubprocessOutput(status: exitStatus, output: output)
}
