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

@Suite("Release: a self-contained, reproducible build, and the setup action's script")
struct ReleaseTests {
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
        #expect(built.stdout.contains(".tar.gz)\nscriptpin 0.1.0\ncommit \(commit)\nOpenSSL 3."))
        #expect(directory.read("github-path") == "\(runnerTemp)/scriptpin-bin\n")
        let installed = "\(runnerTemp)/scriptpin-bin/scriptpin"

        let cached = ProcessRunner.run("\(action)/scripts/setup-scriptpin.sh", ["install"], in: action, environment: environment)
        #expect(cached.status == 0)
        #expect(cached.stdout.hasPrefix("setup-scriptpin: using the cached build of \(commit)\n"))

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

        // A cached binary of this commit: no build, and the profile for exactly that binary.
        let binDirectory = directory.url("scriptpin-bin")
        try FileManager.default.createDirectory(atPath: binDirectory, withIntermediateDirectories: true)
        directory.write("scriptpin-bin/scriptpin", "#!/bin/sh\necho 'scriptpin 0.1.0'\necho 'commit \(String(repeating: "ab", count: 20))'\n")
        chmod(directory.url("scriptpin-bin/scriptpin"), 0o755)
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
        let profile = try #require(directory.read("apparmor.d/scriptpin"))
        #expect(profile.contains("profile scriptpin \(binDirectory)/scriptpin flags=(unconfined) {\n  userns,\n}\n"))
        #expect(directory.read("parsed") == "-r \(directory.url("apparmor.d/scriptpin"))\n")
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
        let setup = gitlab[".scriptpin"]?["before_script"]?.items.compactMap { $0.scalar?.string } ?? []
        #expect(setup.contains("\"$CI_PROJECT_DIR/.scriptpin-src/scripts/setup-scriptpin.sh\" install"))
        #expect(setup.contains { $0.contains("rev-parse HEAD") && $0.contains("$SCRIPTPIN_COMMIT") }, "the fetched source is checked against the pinned commit")

        let lint = ProcessRunner.scriptpin(["lint", "action.yml", "ci", "scripts"], in: repositoryRoot)
        #expect(lint.status == 0, "\(lint.stdout)")
    }
}
