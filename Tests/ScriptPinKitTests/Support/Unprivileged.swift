import Foundation

/// Runs commands as `nobody` when the tests run as root (as CI does), so that
/// what scriptpin promises about other users of the same uid is tested
/// without root's power to read any process. The files such a command needs
/// live in a directory that `nobody` owns.
final class UnprivilegedSandbox: @unchecked Sendable {
    static let nobody: UInt32 = 65534
    static var isRoot: Bool { geteuid() == 0 }

    let directory = TemporaryDirectory("scriptpin-nobody")
    /// A copy of the binary the unprivileged user can reach whatever the
    /// checkout's permissions, in `bin/` (confinement makes the binary's
    /// directory read-only); `./scriptpin` links to it.
    let scriptpin: String

    init() throws {
        scriptpin = directory.url("bin/scriptpin")
        try FileManager.default.createDirectory(atPath: directory.url("bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ProcessRunner.scriptpinPath, toPath: scriptpin)
        try FileManager.default.createSymbolicLink(atPath: directory.url("scriptpin"), withDestinationPath: "bin/scriptpin")
        chmod(directory.path, 0o755)
        chmod(directory.url("bin"), 0o755)
    }

    var path: String { directory.path }

    /// Hands every file in the sandbox to `nobody`, once the test has written them.
    func handOver() {
        guard Self.isRoot else { return }
        _ = ProcessRunner.run("chown", ["-R", "\(Self.nobody):\(Self.nobody)", directory.path], in: "/")
    }

    /// `sh -c script` as nobody (or as the current user when that is not
    /// root) with exactly `environment`, in the sandbox.
    func run(_ script: String, environment: [String: String]) -> ProcessResult {
        let shell = ["/bin/sh", "-c", script]
        guard Self.isRoot else { return ProcessRunner.run(shell[0], Array(shell.dropFirst()), in: path, environment: environment) }
        return ProcessRunner.run(
            "/usr/bin/setpriv", ["--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--clear-groups", "--"] + shell,
            in: path, environment: environment)
    }
}
