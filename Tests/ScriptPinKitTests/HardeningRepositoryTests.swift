import Foundation
import Testing

private let validPin = "url https://example.com/tool.sh\nsha256 \(String(repeating: "ab", count: 32))\n"

@Suite("Hardening: a manifest someone else planted is refused; --staged lints exactly what is committed")
struct HardeningRepositoryTests {
    /// `top/known-hashes/` with one valid pin, and `top/sub/` to run from.
    private func plantedManifest() -> TemporaryDirectory {
        let top = TemporaryDirectory()
        top.write("known-hashes/tool.pin", validPin)
        try! FileManager.default.createDirectory(atPath: top.url("sub"), withIntermediateDirectories: true)
        return top
    }

    @Test("A discovered known-hashes/ owned by another user is refused, with its owner and mode and the way out",
          .enabled(if: geteuid() == 0, "needs root to give the directory to another user"))
    func foreignOwner() throws {
        let top = plantedManifest()
        chown(top.url("known-hashes"), 65534, 65534)
        let result = ProcessRunner.scriptpin(["run", "tool"], in: top.url("sub"))
        #expect(result.status == 125)
        #expect(result.stderr == "Error: refusing the manifest \(top.url("known-hashes")): it is owned by uid 65534, not by you (uid 0) or root (mode 0755), so someone else could plant or change a pin in it. Fix its owner or mode, or, if you trust it, name it explicitly with --manifest DIR or SCRIPTPIN_MANIFEST\n")
        #expect(ProcessRunner.scriptpin(["verify"], in: top.url("sub")).status == 2)
        let explicit = ProcessRunner.scriptpin(["verify", "--manifest", top.url("known-hashes")], in: top.url("sub"))
        #expect(explicit.status == 0, "a manifest the user names is used as given")
        var environment = ProcessRunner.baseEnvironment(home: top.path)
        environment["SCRIPTPIN_MANIFEST"] = top.url("known-hashes")
        #expect(ProcessRunner.scriptpin(["verify"], in: top.url("sub"), environment: environment).status == 0)
    }

    @Test("A discovered known-hashes/ writable by others is refused unless sticky", arguments: [
        (0o777 as mode_t, "it is writable by every user (mode 0777, owner uid \(geteuid()))"),
        (0o775 as mode_t, "it is writable by its group (mode 0775, owner uid \(geteuid()))"),
        (0o1777 as mode_t, nil),
    ] as [(mode_t, String?)])
    func writableByOthers(mode: mode_t, problem: String?) {
        let top = plantedManifest()
        chmod(top.url("known-hashes"), mode)
        let result = ProcessRunner.scriptpin(["verify"], in: top.url("sub"))
        if let problem {
            #expect(result.status == 2)
            #expect(result.stderr.hasPrefix("Error: refusing the manifest \(top.url("known-hashes")): \(problem), so someone else"))
        } else {
            #expect(result.status == 0, "\(result.stderr)")
        }
    }

    @Test("A pin file owned by another user or writable by others is not used",
          .enabled(if: geteuid() == 0, "needs root to give the file to another user"))
    func foreignPinFile() throws {
        let top = plantedManifest()
        top.write("known-hashes/other.pin", "url https://example.com/other.sh\nsha256 \(String(repeating: "cd", count: 32))\n")
        chown(top.url("known-hashes/other.pin"), 65534, 65534)
        top.write("known-hashes/loose.pin", "url https://example.com/loose.sh\nsha256 \(String(repeating: "ef", count: 32))\n")
        chmod(top.url("known-hashes/loose.pin"), 0o666)
        let result = ProcessRunner.scriptpin(["verify"], in: top.url("sub"))
        #expect(result.status == 2)
        #expect(result.stderr.contains("../known-hashes/other.pin: error: not used: it is owned by uid 65534, not by you (uid 0) or root (mode 0644); anyone who can write it can change what runs."))
        #expect(result.stderr.contains("../known-hashes/loose.pin: error: not used: it is writable by every user (mode 0666, owner uid 0)"))
    }

    @Test("Discovery stops at the repository root")
    func stopsAtRepositoryRoot() {
        let top = plantedManifest()
        _ = git(["init", "-q", top.url("sub/repo")], in: top.path)
        try! FileManager.default.createDirectory(atPath: top.url("sub/repo/deep"), withIntermediateDirectories: true)
        let result = ProcessRunner.scriptpin(["verify"], in: top.url("sub/repo/deep"))
        #expect(result.status == 2)
        #expect(result.stderr == "Error: no known-hashes/ directory in \(top.url("sub/repo/deep")) or any parent up to the repository root \(top.url("sub/repo")); create one there, or name it with --manifest DIR or SCRIPTPIN_MANIFEST\n")
        #expect(ProcessRunner.scriptpin(["verify"], in: top.url("sub")).status == 0, "outside the repository the search goes on")
    }

    @Test("--staged reads each blob by its object id: odd names, non-UTF-8 names and a symlink turned file are all linted, and the hook blocks them")
    func stagedByObjectID() throws {
        let repo = TemporaryDirectory("scriptpin-git")
        _ = git(["init", "-q", "-b", "main"], in: repo.path)
        repo.write("target.txt", "plain text\n")
        try FileManager.default.createSymbolicLink(atPath: repo.url("link.sh"), withDestinationPath: "target.txt")
        _ = git(["add", "-A"], in: repo.path)
        #expect(git(["commit", "-q", "-m", "base"], in: repo.path).status == 0)

        let download = "#!/bin/sh\ncurl -fsSL https://get.example.com/i.sh | sh\n"
        repo.write("1:install.sh", download)
        repo.write("good.sh", "#!/bin/sh\necho good\n")
        repo.write("0:good.sh", download)
        try FileManager.default.removeItem(atPath: repo.url("link.sh"))
        repo.write("link.sh", download)
        let named = ProcessRunner.run("/bin/sh", ["-c", "printf '%s' \"$0\" > \"$(printf 'bad\\377.sh')\"", download], in: repo.path)
        #expect(named.status == 0)
        _ = git(["add", "-A"], in: repo.path)

        let result = ProcessRunner.scriptpin(["lint", "--staged"], in: repo.path)
        #expect(result.status == 1)
        let finding = ":2:1: error: https://get.example.com/i.sh (downloaded by curl) is piped into sh [download-exec]"
        for path in ["0:good.sh", "1:install.sh", "bad\\xff.sh", "link.sh"] {
            #expect(result.stdout.contains("\(path)\(finding)\n"), "\(path) in \(result.stdout)")
        }
        #expect(!result.stdout.contains("\ngood.sh:") && !result.stdout.hasPrefix("good.sh:"))
        #expect(result.stdout.hasSuffix("4 findings in 5 files\n"))

        #expect(ProcessRunner.scriptpin(["hook", "install"], in: repo.path).status == 0)
        let blocked = git(["commit", "-q", "-m", "sneak"], in: repo.path)
        #expect(blocked.status != 0)
        #expect(blocked.stderr.contains("link.sh\(finding)"))
        #expect(git(["log", "--oneline"], in: repo.path).stdout.split(separator: "\n").count == 1)
    }
}
