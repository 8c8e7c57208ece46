import Foundation
import Testing
@testable import ScriptPinKit

/// Pins on URLs that move: `add` and `lint --fix` propose the versioned URL
/// a redirect (or the catalogue, in CatalogueTests) leads to, use it with
/// `--yes` only when it serves the very same bytes, and say why.
@Suite("Stable URLs in place of moving ones")
struct StableURLTests {
    let server: HTTPSFixture
    let work: Workspace
    /// The repository: the workspace's directory.
    var repository: TemporaryDirectory { work.directory }
    let tool = "#!/bin/sh\necho tool \"$@\"\n"

    init() throws {
        server = try HTTPSFixture()
        work = Workspace(server: server)
        server.root.write("files/v9.9.9/tool.sh", tool)
        #expect(git(["init", "-q", "."], in: repository.path).status == 0)
        try FileManager.default.createDirectory(atPath: repository.url("known-hashes"), withIntermediateDirectories: true)
    }

    private func scriptpin(_ arguments: [String]) -> ProcessResult {
        work.scriptpin(arguments)
    }

    @Test("Versioned paths are told from moving ones", arguments: [
        ("https://example.com/releases/download/v1.2.3/tool.sh", true),
        ("https://example.com/1.29.0/rustup-init.sh", true),
        ("https://raw.githubusercontent.com/o/r/\(String(repeating: "a", count: 40))/install.sh", true),
        ("https://example.com/releases/latest/download/tool.sh", false),
        ("https://raw.githubusercontent.com/o/r/main/install.sh", false),
        ("https://example.com/tool-1.2.sh", false),
        ("https://sh.rustup.rs", false),
    ])
    func versioned(url: String, expected: Bool) {
        #expect(AddCommand.isVersioned(url) == expected)
    }

    @Test("add with --yes pins the versioned URL a 'latest' link redirects to, saying why")
    func redirectToVersioned() {
        let latest = server.url("latest/tool.sh")
        let versioned = server.url("v9.9.9/tool.sh")
        let added = scriptpin(["add", "tool", latest, "--yes"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("\nstable url   \(versioned)\n"), "\(added.stdout)")
        #expect(added.stderr.contains("scriptpin: \(latest) moves (it redirects to a versioned URL), so its pin breaks at the next upstream change; \(versioned) serves the same bytes and does not move\n"), "\(added.stderr)")
        #expect(repository.read("known-hashes/tool.pin")?.contains("\nurl \(versioned)\nsha256 \(sha256Hex(tool))\n") == true, "\(repository.read("known-hashes/tool.pin") ?? "")")
    }

    @Test("A versioned URL that serves other bytes is not used; the pin keeps the URL given")
    func differentBytesKeepTheURL() {
        let latest = server.url("latest/random")
        let added = scriptpin(["add", "moving", latest, "--yes"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stderr.contains("scriptpin: \(latest) moves (it redirects to a versioned URL), but \(server.url("v9.9.9/random")) serves other bytes; the pin keeps the URL given\n"), "\(added.stderr)")
        #expect(repository.read("known-hashes/moving.pin")?.contains("\nurl \(latest)\n") == true)
    }

    @Test("lint --fix pins the stable URL, and the checksum form downloads from it")
    func lintFixUsesTheStableURL() {
        let latest = server.url("latest/tool.sh")
        let versioned = server.url("v9.9.9/tool.sh")
        repository.write("a.sh", "#!/bin/sh\ncurl -fsSL \(latest) | sh\n")
        repository.write("b.sh", "#!/bin/sh\ncurl -fsSL \(latest) | sh -s -- x\n")
        let fixed = scriptpin(["lint", "--fix", "--yes", "--name", "\(latest)=tool", "a.sh"])
        #expect(fixed.status == 0, "\(fixed.stdout)\(fixed.stderr)")
        #expect(repository.read("a.sh") == "#!/bin/sh\nscriptpin run tool\n")
        #expect(repository.read("known-hashes/tool.pin")?.contains("\nurl \(versioned)\n") == true)
        let checked = scriptpin(["lint", "--fix", "--yes", "--fix-style", "checksum", "b.sh"])
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
        // The stable URL is pinned already, for these bytes: that pin serves, and no second one is written.
        #expect(repository.read("b.sh") == "#!/bin/sh\nscriptpin_file=$(mktemp) && curl -fsSLo \"$scriptpin_file\" \(versioned) && echo \"\(sha256Hex(tool))  $scriptpin_file\" | sha256sum -c - && sh \"$scriptpin_file\" x\n", "\(repository.read("b.sh") ?? "")")
        #expect(checked.stderr.contains("scriptpin: the stable URL is pinned already, as tool, for these bytes; this pin keeps the URL given\n"), "\(checked.stderr)")
        #expect(!repository.exists("known-hashes/tool-2.pin"))
    }
}
