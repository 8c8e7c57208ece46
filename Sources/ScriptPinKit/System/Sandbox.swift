internal import CSystemShims
internal import Glibc

/// The descriptor number on which a launched script's interpreter finds
/// the verified body (`/dev/fd/3`); the sandbox keeps its own descriptors above it.
let scriptDescriptorNumber: Int32 = 3

/// The namespaces a confined script runs in, as scriptpin asks the kernel
/// for them (sandbox.c does the asking).
struct SandboxSpec {
    /// A path to mask: an empty read-only directory or an empty read-only file takes its place.
    struct Mask {
        let path: String
        let isDirectory: Bool
    }

    /// Paths the script may read but not change (files or directories), whatever else allows it.
    var readOnlyPaths: [String] = []
    var masks: [Mask] = []
    /// The script's working directory, entered again through the sandbox's mounts.
    var workingDirectory = "/"
    /// A pseudo-terminal's slave and the standard descriptors (0, 1, 2) it replaces; it becomes the script's controlling terminal.
    var terminal: (descriptor: Int32, streams: [Int32])?
    /// A network namespace with only loopback, instead of the host's network.
    var isolatesNetwork = false
    /// With `isolatesNetwork`: the loopback port inside on which scriptpin's proxy listens.
    var listenerPort: Int?
    /// When not empty, the root the script sees is built from these (write confinement).
    var rootSteps: [RootStep] = []
}

/// One step of a write-confined root (sandbox.c's `scriptpin_root_step`).
struct RootStep {
    enum Kind: Equatable {
        /// A read-only skeleton directory with the host's permissions and owner.
        case directory
        case symbolicLink(String)
        /// The host's file, bound read-only.
        case hostFile
        /// A copy of the host's file in the skeleton, read back after the script.
        case copiedFile
        /// The host's directory under a copy-on-write layer (read-only where the kernel refuses one).
        case layer
        /// The host's directory with the mounts below it, bound as it is.
        case tree
        /// The same, read-only.
        case readOnlyTree
        /// An empty file system of the script's own, with the status's permissions.
        case privateFileSystem
        /// The host's device node, bound (writable: `/dev/null`).
        case device
    }

    let kind: Kind
    let path: String
    /// The host's, for skeleton entries.
    let status: LinkStatus?
}

/// The layers' directory of a write-confined run, which outlives its
/// namespace: `N/upper` holds what the script changed under step N's directory.
final class WriteLayerDirectory {
    private let descriptor: FileDescriptor

    init(owning descriptor: consuming FileDescriptor) {
        self.descriptor = descriptor
    }

    /// A path to the upper directory of step `index`'s layer, through this process's descriptor.
    func upperPath(ofStep index: Int) -> String {
        "/proc/self/fd/\(descriptor.rawValue)/\(index)/upper"
    }

    /// Where the skeleton entry for the host's `path` is, as the script left it.
    func skeletonPath(of path: String) -> String {
        "/proc/self/fd/\(descriptor.rawValue)/root" + (path == "/" ? "" : path)
    }
}

/// The step at which the kernel refused a sandbox, and why.
struct SandboxRefusal: Error, Sendable {
    enum Step: Sendable, Equatable {
        case createNamespaces
        case mapIdentity
        case mount(String)
        case readOnly(String)
        case workingDirectory(String)
        case network
        case terminal
        case nestedNamespaces
        /// Building the write-confined root, at this path.
        case writeRoot(String)
        case other
    }

    let step: Step
    let errno: Errno
}

/// Why a sandboxed script did not run or was not followed to its end.
enum SandboxFailure: Error {
    case refused(SandboxRefusal)
    case spawn(SpawnFailure)
}

/// A sandbox that is set up and running its script.
final class RunningSandbox {
    private let pid: pid_t
    private let control: FileDescriptor
    /// The proxy's listening socket inside the sandbox's network, when one was asked for.
    private(set) var listener: Socket?
    /// With root steps: where the layers are read after the script.
    let layers: WriteLayerDirectory?

    private init(pid: pid_t, control: consuming FileDescriptor, listener: Socket?, layers: WriteLayerDirectory?) {
        self.pid = pid
        self.control = control
        self.listener = listener
        self.layers = layers
    }

    /// Whether the kernel lets this process create the sandbox `spec`
    /// describes: it is set up once, without a script, and taken down.
    static func probe(_ spec: SandboxSpec) throws(SandboxRefusal) {
        let started = try start(spec, executable: "/bin/true", arguments: ["true"], environment: [], passedDescriptor: nil, probing: true)
        var status: Int32 = 0
        _ = try? retryingInterrupts { waitpid(started.pid, &status, 0) }
    }

    /// Sets up the sandbox and starts `executable` (an absolute path) with
    /// `arguments` (its name first) in it; signals sent to scriptpin are
    /// forwarded from here on until `wait` returns.
    static func launch(
        _ spec: SandboxSpec, executable: String, arguments: [String], environment: [[UInt8]],
        passedDescriptor: (descriptor: Int32, childDescriptor: Int32)?
    ) throws(SandboxFailure) -> RunningSandbox {
        guard scriptpin_forward_signals_begin() == 0 else { throw .spawn(.failed(Errno.current)) }
        let sandbox: RunningSandbox
        do {
            sandbox = try start(
                spec, executable: executable, arguments: arguments, environment: environment, passedDescriptor: passedDescriptor, probing: false)
        } catch {
            _ = scriptpin_forward_signals_end()
            throw .refused(error)
        }
        guard scriptpin_forward_signals_to(sandbox.pid) == 0 else {
            let failure = Errno.current
            sandbox.abandon()
            throw .spawn(.failed(failure))
        }
        return sandbox
    }

    /// Lets the script, set up and waiting, go on to its `execve`.
    func release() throws(SpawnFailure) {
        guard scriptpin_sandbox_release(control.rawValue) == 0 else { throw .failed(Errno.current) }
    }

    /// Ends a sandbox that was never released: its script has not run, and now never will.
    func abandon() {
        _ = kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = try? retryingInterrupts { waitpid(pid, &status, 0) }
        _ = scriptpin_forward_signals_end()
    }

    /// Waits for the sandbox's PID 1, which ends with the script, and
    /// returns how the script ended.
    func wait() throws(SpawnFailure) -> Termination {
        defer { _ = scriptpin_forward_signals_end() }
        var status: Int32 = 0
        do { try retryingInterrupts { waitpid(pid, &status, 0) } } catch { throw .failed(error) }
        var scriptStatus: Int32 = 0
        var failedStep: Int32 = 0
        var failedErrno: Int32 = 0
        guard scriptpin_sandbox_finish(control.rawValue, &scriptStatus, &failedStep, &failedErrno) == 0 else {
            // PID 1 said nothing: it was killed, and the script with it.
            return Termination(waitStatus: status)
        }
        if failedStep == 0 { return Termination(waitStatus: scriptStatus) }
        let failure = Errno(failedErrno)
        guard failedStep == Int32(scriptpin_sandbox_step_exec.rawValue) else { throw .failed(failure) }
        switch failure {
        case .noSuchFile: throw .notFound
        case .permissionDenied, Errno(ENOEXEC), .isDirectory: throw .notExecutable(failure)
        default: throw .failed(failure)
        }
    }

    private static func start(
        _ spec: SandboxSpec, executable: String, arguments: [String], environment: [[UInt8]],
        passedDescriptor: (descriptor: Int32, childDescriptor: Int32)?, probing: Bool
    ) throws(SandboxRefusal) -> RunningSandbox {
        let identity = IdentityMaps.current
        let strings = CStringArena()
        let readOnlyPaths = spec.readOnlyPaths.map { Optional(UnsafePointer(strings.copy($0))) }
        let maskPaths = spec.masks.map { strings.copy($0.path) }
        let terminalStreams = spec.terminal?.streams.reduce(Int32(0)) { $0 | (1 << $1) } ?? 0
        let maskKinds = spec.masks.map { Int32($0.isDirectory ? 1 : 0) }
        let argv = arguments.map { Optional(strings.copy($0)) } + [nil]
        let envp = environment.map { Optional(strings.copy(bytes: $0)) } + [nil]
        let rootSteps = spec.rootSteps.map { step in
            let kind: Int32 = switch step.kind {
            case .directory: Int32(scriptpin_root_directory.rawValue)
            case .symbolicLink: Int32(scriptpin_root_symlink.rawValue)
            case .hostFile: Int32(scriptpin_root_file.rawValue)
            case .copiedFile: Int32(scriptpin_root_copy.rawValue)
            case .layer: Int32(scriptpin_root_layer.rawValue)
            case .tree: Int32(scriptpin_root_tree.rawValue)
            case .readOnlyTree: Int32(scriptpin_root_read_only_tree.rawValue)
            case .privateFileSystem: Int32(scriptpin_root_private_tmpfs.rawValue)
            case .device: Int32(scriptpin_root_device.rawValue)
            }
            let target: UnsafeMutablePointer<CChar>? = if case .symbolicLink(let target) = step.kind { strings.copy(target) } else { nil }
            return scriptpin_root_step(
                kind: kind, path: strings.copy(step.path), target: target, mode: step.status?.permissions ?? 0o755,
                owner: step.status?.owner ?? 0, group: step.status?.group ?? 0)
        }
        var result = scriptpin_sandbox_result()
        let status = rootSteps.withUnsafeBufferPointer { steps in maskPaths.map { Optional(UnsafePointer($0)) }.withUnsafeBufferPointer { paths in
            readOnlyPaths.withUnsafeBufferPointer { readOnly in
                maskKinds.withUnsafeBufferPointer { kinds in
                    argv.withUnsafeBufferPointer { argvBuffer in
                        envp.withUnsafeBufferPointer { envpBuffer in
                            var sandbox = scriptpin_sandbox(
                                uid_map: strings.copy(identity.userMap), gid_map: strings.copy(identity.groupMap),
                                deny_setgroups: identity.deniesSetgroups ? 1 : 0,
                                isolates_network: spec.isolatesNetwork ? 1 : 0,
                                listener_port: Int32(spec.listenerPort ?? 0),
                                read_only_paths: readOnly.baseAddress, read_only_count: Int32(readOnly.count),
                                mask_paths: paths.baseAddress, mask_is_directory: kinds.baseAddress, mask_count: Int32(paths.count),
                                terminal_descriptor: spec.terminal?.descriptor ?? -1, terminal_streams: terminalStreams,
                                probe_only: probing ? 1 : 0,
                                working_directory: strings.copy(spec.workingDirectory),
                                path: strings.copy(executable),
                                argv: argvBuffer.baseAddress, envp: envpBuffer.baseAddress,
                                image_descriptor: passedDescriptor?.descriptor ?? -1,
                                child_image_descriptor: passedDescriptor?.childDescriptor ?? scriptDescriptorNumber,
                                root_steps: steps.baseAddress, root_step_count: Int32(steps.count))
                            return scriptpin_sandbox_start(&sandbox, &result)
                        }
                    }
                }
            }
        } }
        guard status == 0 else {
            throw SandboxRefusal(step: Self.step(result.failed_step, index: Int(result.failed_index), spec: spec), errno: Errno(result.failed_errno))
        }
        return RunningSandbox(
            pid: result.pid, control: FileDescriptor(owning: result.control),
            listener: result.listener >= 0 ? Socket(owning: result.listener) : nil,
            layers: result.layers >= 0 ? WriteLayerDirectory(owning: FileDescriptor(owning: result.layers)) : nil)
    }

    private static func step(_ raw: Int32, index: Int, spec: SandboxSpec) -> SandboxRefusal.Step {
        switch UInt32(bitPattern: raw) {
        case scriptpin_sandbox_step_clone.rawValue: .createNamespaces
        case scriptpin_sandbox_step_setgroups.rawValue, scriptpin_sandbox_step_uid_map.rawValue, scriptpin_sandbox_step_gid_map.rawValue: .mapIdentity
        case scriptpin_sandbox_step_private_mounts.rawValue: .mount("/")
        case scriptpin_sandbox_step_staging.rawValue: .mount("a private file system for the masks")
        case scriptpin_sandbox_step_read_only.rawValue: .readOnly(spec.readOnlyPaths.indices.contains(index) ? spec.readOnlyPaths[index] : "a read-only path")
        case scriptpin_sandbox_step_mask.rawValue: .mount(spec.masks.indices.contains(index) ? spec.masks[index].path : "a masked path")
        case scriptpin_sandbox_step_proc.rawValue: .mount("/proc")
        case scriptpin_sandbox_step_kernel_interfaces.rawValue: .mount("/proc/sys, /sys and the kernel files containers mask (read-only)")
        case scriptpin_sandbox_step_loopback.rawValue, scriptpin_sandbox_step_listener.rawValue: .network
        case scriptpin_sandbox_step_working_directory.rawValue: .workingDirectory(spec.workingDirectory)
        case scriptpin_sandbox_step_nested.rawValue: .nestedNamespaces
        case scriptpin_sandbox_step_terminal.rawValue: .terminal
        case scriptpin_sandbox_step_write_root.rawValue:
            .writeRoot(spec.rootSteps.indices.contains(index) ? spec.rootSteps[index].path : "the private file systems it is built on")
        default: .other
        }
    }
}

/// How the sandbox's user namespaces map users: scriptpin's own user and
/// group to themselves, only them, and no `setgroups`; when scriptpin runs
/// as root, every id that scriptpin's own namespace has to itself (all of
/// them on a host, fewer inside a container), so that a script installing
/// packages can still switch to their service users.
private struct IdentityMaps {
    let userMap: String
    let groupMap: String
    let deniesSetgroups: Bool

    static var current: IdentityMaps {
        let user = geteuid()
        let group = getegid()
        if user == 0, let users = identity(of: "/proc/self/uid_map"), let groups = identity(of: "/proc/self/gid_map") {
            return IdentityMaps(userMap: users, groupMap: groups, deniesSetgroups: false)
        }
        return IdentityMaps(userMap: "\(user) \(user) 1", groupMap: "\(group) \(group) 1", deniesSetgroups: true)
    }

    /// Each range of our own map (`inside outside count`) as an identity range of the child's.
    private static func identity(of path: String) -> String? {
        guard let bytes = try? readFile(path, limit: 64 * 1024) else { return nil }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 3 else { return nil }
            return "\(fields[0]) \(fields[0]) \(fields[2])"
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }
}

/// C strings that live as long as the arena, for the one call that needs them.
private final class CStringArena {
    private var allocations: [UnsafeMutablePointer<CChar>] = []

    func copy(_ text: String) -> UnsafeMutablePointer<CChar> {
        copy(bytes: Array(text.utf8))
    }

    func copy(bytes: [UInt8]) -> UnsafeMutablePointer<CChar> {
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
        for (offset, byte) in bytes.enumerated() { pointer[offset] = CChar(bitPattern: byte) }
        pointer[bytes.count] = 0
        allocations.append(pointer)
        return pointer
    }

    deinit {
        for pointer in allocations { pointer.deallocate() }
    }
}
