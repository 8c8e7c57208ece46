import Foundation
import Testing
@testable import ScriptPinKit

/// Pin names: the catalogue's for a known installer, else made from the
/// URL's host and path, never a bare interpreter word; one name per URL in
/// a run; `lint --fix --name` and `scriptpin rename` in real repositories.
@Suite("Pin names: proposed, unique, chosen and changed")
struct PinNamingTests {
    @Test("A name comes from the catalogue, else from the host and path", arguments: [
        ("https://codecov.io/bash", "codecov-bash"),
        ("https://sh.rustup.rs", "rustup-init"),
        ("https://raw.githubusercontent.com/nvm-sh/nvm/v0.40.1/install.sh", "nvm-install"),
    ])
    func catalogueNames(url: String, expected: String) {
        #expect(PinNaming.proposedName(forURL: url) == expected)
    }

    @Test("Without the catalogue: the path's stem, joined to its project when it names nothing on its own", arguments: [
        ("https://sh.rustup.rs", "rustup"),
        ("https://get.docker.com", "get-docker"),
        ("https://get.docker.com/", "get-docker"),
        ("https://codecov.io/bash", "codecov-bash"),
        ("https://example.com/tools/rustup-init.sh", "rustup-init"),
        ("https://raw.githubusercontent.com/acme/widget/main/install.sh", "widget-install"),
        ("https://raw.githubusercontent.com/acme/widget/main/scripts/widget.sh", "widget"),
        ("https://github.com/acme/widget/releases/download/v2/widget-installer.sh", "widget-installer"),
        ("https://www.example.com/i.sh", "example-i"),
        ("https://static.example.net/dl/setup.sh?v=2", "example-setup"),
        ("https://deb.nodesource.com/setup_20.x", "setup_20.x"),
        ("https://127.0.0.1:8443/files/install.sh", "install"),
        ("https://127.0.0.1:8443/files/bash", "installer-script"),
        ("https://127.0.0.1:8443/", "installer-script"),
        ("https://example.com/Tool%20Setup.SH", "tool-20setup"),
    ])
    func urlNames(url: String, expected: String) {
        let name = PinRules.suggestedName(forURL: url)
        #expect(name == expected)
        #expect(PinRules.isValidName(name))
        #expect(!PinRules.runnerWords.contains(name))
    }

    @Test("One naming gives each URL one name and two URLs two names, the manifest's taken into account")
    func uniqueness() throws {
        let directory = TemporaryDirectory()
        directory.write("known-hashes/example-install.pin", "url https://example.com/install.sh\nsha256 \(String(repeating: "a", count: 64))\n")
        let manifest = try Manifest.load(ManifestLocation(directory: directory.url("known-hashes"), path: directory.url("known-hashes"), isDiscovered: false))
        var naming = PinNaming(manifest: manifest)
        #expect(naming.name(for: "https://example.com/install.sh") == "example-install")
        #expect(naming.isPinned("https://example.com/install.sh"))
        #expect(naming.name(for: "https://example.com/v2/install.sh") == "example-install-2")
        #expect(naming.name(for: "https://example.com/v3/install.sh") == "example-install-3")
        #expect(naming.name(for: "https://example.com/v2/install.sh") == "example-install-2")
        let takenChoice = naming.choose("example-install", for: "https://example.com/v4/install.sh")
        #expect(!takenChoice)
        let freeChoice = naming.choose("tool-v4", for: "https://example.com/v4/install.sh")
        #expect(freeChoice)
        #expect(naming.name(for: "https://example.com/v4/install.sh") == "tool-v4")
    }
}

@Suite("lint names, --fix --name and rename in a repository")
struct PinRenameTests {
    let server: HTTPSFixture
    let work: Workspace
    /// The repository: the workspace's directory.
    var repository: TemporaryDirectory { work.directory }

    init() throws {
        server = try HTTPSFixture()
        work = Workspace(server: server)
        server.serve("v1/install.sh", "#!/bin/sh\necho one \"$@\"\n")
        server.serve("v2/install.sh", "#!/bin/sh\necho two \"$@\"\n")
        #expect(git(["init", "-q", "."], in: repository.path).status == 0)
    }

    private func makeManifest() throws {
        try FileManager.default.createDirectory(atPath: repository.url("known-hashes"), withIntermediateDirectories: true)
    }

    private func scriptpin(_ arguments: [String]) -> ProcessResult {
        work.scriptpin(arguments)
    }

    @Test("Plain lint and --fix give two URLs with the same file name two names, the same ones; --name chooses one")
    func lintNames() {
        let one = server.url("files/v1/install.sh")
        let two = server.url("files/v2/install.sh")
        repository.write("a.sh", "#!/bin/sh\ncurl -fsSL \(one) | sh\n")
        repository.write("b.sh", "#!/bin/sh\ncurl -fsSL \(two) | sh\ncurl -fsSL \(one) | sh\n")
        let plain = scriptpin(["lint"])
        #expect(plain.status == 1)
        #expect(plain.stdout.contains("a.sh:2:1: error: \(one) (downloaded by curl) is piped into sh [download-exec]\n  fix: scriptpin add install \(one), then scriptpin run install\n"), "\(plain.stdout)")
        #expect(plain.stdout.contains("b.sh:2:1: error: \(two) (downloaded by curl) is piped into sh [download-exec]\n  fix: scriptpin add install-2 \(two), then scriptpin run install-2\n"))
        #expect(plain.stdout.contains("b.sh:3:1: error: \(one) (downloaded by curl) is piped into sh [download-exec]\n  fix: scriptpin add install \(one), then scriptpin run install\n"))

        let fixed = scriptpin(["lint", "--fix", "--yes", "--name", "\(two)=tool-two"])
        #expect(fixed.status == 0, "\(fixed.stdout)\(fixed.stderr)")
        #expect(repository.read("a.sh") == "#!/bin/sh\nscriptpin run install\n")
        #expect(repository.read("b.sh") == "#!/bin/sh\nscriptpin run tool-two\nscriptpin run install\n")
        #expect(repository.exists("known-hashes/install.pin") && repository.exists("known-hashes/tool-two.pin"))

        // Once pinned, plain lint names the pin it has.
        repository.write("c.sh", "#!/bin/sh\ncurl -fsSL \(one) | sh\n")
        let again = scriptpin(["lint", "c.sh"])
        #expect(again.stdout.contains("  fix: it is pinned as install: scriptpin run install\n"), "\(again.stdout)")
    }

    @Test("--name is refused for a name another URL has, a URL no finding downloads, or an already pinned URL")
    func chosenNameRefusals() throws {
        try makeManifest()
        let one = server.url("files/v1/install.sh")
        let two = server.url("files/v2/install.sh")
        repository.write("a.sh", "#!/bin/sh\ncurl -fsSL \(one) | sh\ncurl -fsSL \(two) | sh\n")
        let unused = scriptpin(["lint", "--fix", "--yes", "--name", "https://example.com/x.sh=x"])
        #expect(unused.status == 2)
        #expect(unused.stderr.hasPrefix("Error: --name names https://example.com/x.sh, which no finding downloads; give the URL exactly as the code writes it\n"), "\(unused.stderr)")
        let invalid = scriptpin(["lint", "--fix", "--yes", "--name", "\(one)=Bad Name"])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.hasPrefix("Error: --name value 1 is not an https URL, '=', and a valid pin name\n"), "\(invalid.stderr)")
        #expect(scriptpin(["add", "first", one, "--yes"]).status == 0)
        let taken = scriptpin(["lint", "--fix", "--yes", "--name", "\(two)=first"])
        #expect(taken.status == 2)
        #expect(taken.stderr.hasPrefix("Error: the name first (given with --name) is the pin of another URL already; choose another\n"), "\(taken.stderr)")
        let pinned = scriptpin(["lint", "--fix", "--yes", "--name", "\(one)=other"])
        #expect(pinned.status == 2)
        #expect(pinned.stderr.hasPrefix("Error: \(one) is pinned already, as first; to change its name run `scriptpin rename first other`\n"), "\(pinned.stderr)")
        #expect(repository.read("a.sh") == "#!/bin/sh\ncurl -fsSL \(one) | sh\ncurl -fsSL \(two) | sh\n")
    }

    @Test("rename moves the pin and rewrites every reference lint finds, listing each; option values and other pins are left alone")
    func rename() throws {
        try makeManifest()
        let one = server.url("files/v1/install.sh")
        let added = scriptpin(["add", "install.sh", one, "--yes"])
        #expect(added.status == 0, "\(added.stderr)")
        let original = repository.read("known-hashes/install.sh.pin")!
        repository.write("ci.sh", "#!/bin/sh\nscriptpin run install.sh -- a\nscriptpin fetch --output install.sh install.sh\necho scriptpin run install.sh\nscriptpin run \"$tool\"\nscriptpin run 'install.sh' -- b\n")
        repository.write(".github/workflows/ci.yml", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: scriptpin run --interpreter bash install.sh\n      - run: \"scriptpin run \\\"install.sh\\\"\"\n")
        repository.write("Makefile", "all:\n\tscriptpin run install.sh\n\tscriptpin run installer\n")
        let renamed = scriptpin(["rename", "install.sh", "nvm-install", "--yes"])
        #expect(renamed.status == 0, "\(renamed.stdout)\(renamed.stderr)")
        #expect(renamed.stdout == """
            .github/workflows/ci.yml:6:14: scriptpin run install.sh → nvm-install
            Makefile:2:2: scriptpin run install.sh → nvm-install
            ci.sh:2:1: scriptpin run install.sh → nvm-install
            ci.sh:3:1: scriptpin fetch install.sh → nvm-install
            ci.sh:6:1: scriptpin run install.sh → nvm-install
            names the pin in a form that cannot be rewritten in place (change by hand):
              .github/workflows/ci.yml:7:15
            known-hashes/install.sh.pin → known-hashes/nvm-install.pin

            """)
        #expect(repository.read("ci.sh") == "#!/bin/sh\nscriptpin run nvm-install -- a\nscriptpin fetch --output install.sh nvm-install\necho scriptpin run install.sh\nscriptpin run \"$tool\"\nscriptpin run 'nvm-install' -- b\n")
        #expect(repository.read(".github/workflows/ci.yml")?.contains("      - run: scriptpin run --interpreter bash nvm-install\n") == true)
        #expect(repository.read("Makefile") == "all:\n\tscriptpin run nvm-install\n\tscriptpin run installer\n")
        #expect(!repository.exists("known-hashes/install.sh.pin"))
        #expect(repository.read("known-hashes/nvm-install.pin") == original.replacingOccurrences(of: "# install.sh: added", with: "# nvm-install: added"))
        #expect(scriptpin(["verify"]).status == 1, "the hand-written reference still names the old pin")
    }

    @Test("rename refuses an unknown pin, a taken name and an invalid one, and changes nothing")
    func renameRefusals() throws {
        try makeManifest()
        let one = server.url("files/v1/install.sh")
        let two = server.url("files/v2/install.sh")
        #expect(scriptpin(["add", "one", one, "--yes"]).status == 0)
        #expect(scriptpin(["add", "two", two, "--yes"]).status == 0)
        repository.write("ci.sh", "#!/bin/sh\nscriptpin run one\n")
        let taken = scriptpin(["rename", "one", "two", "--yes"])
        #expect(taken.status == 2, "\(taken.stderr)")
        #expect(taken.stderr.contains("two"), "\(taken.stderr)")
        let unknown = scriptpin(["rename", "three", "four", "--yes"])
        #expect(unknown.status == 2, "\(unknown.stderr)")
        let invalid = scriptpin(["rename", "one", "Bad", "--yes"])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.hasPrefix("Error: 'Bad' is not a pin name; use lowercase letters, digits, '.', '_' and '-', at most 64 characters\n"), "\(invalid.stderr)")
        let unconfirmed = scriptpin(["rename", "one", "uno"])
        #expect(unconfirmed.status != 0)
        #expect(repository.read("ci.sh") == "#!/bin/sh\nscriptpin run one\n")
        #expect(repository.exists("known-hashes/one.pin") && !repository.exists("known-hashes/uno.pin"))
    }

    @Test("As nobody, a rename whose write fails puts back every file it wrote and keeps the old pin")
    func renameUndoesAFailedWrite() throws {
        let sandbox = try UnprivilegedSandbox()
        let pin = "# old\nurl https://example.com/x.sh\nsha256 \(String(repeating: "b", count: 64))\n"
        sandbox.directory.write("known-hashes/old.pin", pin)
        sandbox.directory.write("a.sh", "#!/bin/sh\nscriptpin run old\n")
        sandbox.directory.write("locked/b.sh", "#!/bin/sh\nscriptpin run old\n")
        sandbox.handOver()
        chmod(sandbox.directory.url("locked"), 0o555)
        defer { chmod(sandbox.directory.url("locked"), 0o755) }
        let result = sandbox.run("./scriptpin rename old new --yes", environment: ProcessRunner.baseEnvironment(home: sandbox.path))
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("a.sh:2:1: scriptpin run old → new\nlocked/b.sh:2:1: scriptpin run old → new\n"), "\(result.stdout)")
        #expect(result.stderr.hasPrefix("Error: cannot write locked/b.sh: Permission denied"), "\(result.stderr)")
        #expect(sandbox.directory.read("a.sh") == "#!/bin/sh\nscriptpin run old\n")
        #expect(sandbox.directory.read("known-hashes/old.pin") == pin)
        #expect(!sandbox.directory.exists("known-hashes/new.pin"))
    }
}
