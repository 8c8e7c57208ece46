import Foundation
import ScriptPinKit

/// What a finished process left behind, each stream kept apart.
struct ProcessResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
    let stdoutData: Data
}

/// Runs real processes: the built `scriptpin` binary and tools such as
/// `sha256sum`, `git` and `python3`.
enum ProcessRunner {
    /// The `scriptpin` executable that `swift build` put beside the test bundle.
    static let scriptpinPath: String = {
        let bundle = URL(fileURLWithPath: try! FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        return bundle.deletingLastPathComponent().appendingPathComponent("scriptpin").path
    }()

    /// Directory of the test sources, where fixtures live.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path

    /// Variables of the caller's shell that would change what scriptpin does.
    static let scrubbedNames: Set<String> = [
        "SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE", "NO_COLOR", "https_proxy", "HTTPS_PROXY", "http_proxy",
        "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY", "TMPDIR", "LD_PRELOAD", "GITHUB_TOKEN",
    ]

    /// Families of variables that would change it too: scriptpin's own, XDG
    /// directories, cloud credentials (withheld or passed by name), GitLab's CI_*.
    static let scrubbedPrefixes = ["SCRIPTPIN_", "XDG_", "AWS_", "CLOUDSDK_", "GOOGLE_", "AZURE_", "CI_"]

    /// An environment without the developer's own manifest, cache, proxies, CA or colour settings.
    static func baseEnvironment(home: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { name, _ in
            !scrubbedNames.contains(name) && !scrubbedPrefixes.contains(where: name.hasPrefix)
        }
        environment["HOME"] = home
        // Retries wait milliseconds, not the half second and second a real network gets.
        environment[FetchOptions.retryDelayVariable] = "5"
        return environment
    }

    static func scriptpin(
        _ arguments: [String], in directory: String, environment: [String: String]? = nil, input: Data? = nil
    ) -> ProcessResult {
        run(scriptpinPath, arguments, in: directory, environment: environment ?? baseEnvironment(home: directory), input: input)
    }

    static func run(
        _ executable: String, _ arguments: [String], in directory: String, environment: [String: String]? = nil,
        input: Data? = nil
    ) -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        if let environment { process.environment = environment }
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        let inputPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        process.standardInput = inputPipe
        try! process.run()
        let writer = Thread {
            if let input { inputPipe.fileHandleForWriting.write(input) }
            try? inputPipe.fileHandleForWriting.close()
        }
        writer.start()
        // Drain both pipes concurrently so that neither fills and blocks the child.
        let errorData = LockedData()
        let errorReader = Thread { errorData.set(errorPipe.fileHandleForReading.readDataToEndOfFile()) }
        errorReader.start()
        let outputData = outputPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1000) }
        return ProcessResult(
            status: process.terminationStatus,
            stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorData.value, as: UTF8.self),
            stdoutData: outputData)
    }
}

/// Runs git in `directory` as a test author, with the built scriptpin first
/// in PATH so that hooks find it.
func git(_ arguments: [String], in directory: String) -> ProcessResult {
    var environment = ProcessRunner.baseEnvironment(home: directory)
    environment["GIT_AUTHOR_NAME"] = "Test"
    environment["GIT_AUTHOR_EMAIL"] = "test@example.com"
    environment["GIT_COMMITTER_NAME"] = "Test"
    environment["GIT_COMMITTER_EMAIL"] = "test@example.com"
    environment["PATH"] = ((ProcessRunner.scriptpinPath as NSString).deletingLastPathComponent) + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    return ProcessRunner.run("git", arguments, in: directory, environment: environment)
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?

    func set(_ value: Data) { lock.withLock { data = value } }
    var isSet: Bool { lock.withLock { data != nil } }
    var value: Data { lock.withLock { data ?? Data() } }
}
