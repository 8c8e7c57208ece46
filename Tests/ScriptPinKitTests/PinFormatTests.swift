import Foundation
import Testing
@testable import ScriptPinKit

@Suite("The pin format")
struct PinFormatTests {
    static let digest = "f0e7a3ee76a787c37aa400cf44aee0c9b473b2fa79092edfb36d1faa853bbe23"
    static let other = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    private func parse(_ text: String, name: String = "tool") -> Result<ParsedPin, PinFailure> {
        PinDocument.parse(Array(text.utf8), name: name, path: "known-hashes/\(name).pin")
    }

    private func problems(_ text: String, name: String = "tool") -> [String] {
        switch parse(text, name: name) {
        case .success: return []
        case .failure(let failure): return failure.problems.map(\.description)
        }
    }

    @Test("The example from the issue parses with every field")
    func fullExample() throws {
        let text = """
            # Codecov bash uploader, last release
            url https://raw.githubusercontent.com/codecov/codecov-bash/1.0.6/codecov
            sha256 \(Self.digest)
            interpreter bash
            env CODECOV_TOKEN CODECOV_* GITHUB_*
            max-size 1048576
            approved 2026-11-29

            """
        let parsed = try parse(text, name: "codecov-bash").get()
        #expect(parsed.pin.url == "https://raw.githubusercontent.com/codecov/codecov-bash/1.0.6/codecov")
        #expect(parsed.pin.sha256.map(\.hex) == [Self.digest])
        #expect(parsed.pin.interpreter == "bash")
        #expect(parsed.pin.environment == ["CODECOV_TOKEN", "CODECOV_*", "GITHUB_*"])
        #expect(parsed.pin.maxSize == 1_048_576)
        #expect(parsed.pin.approved == "2026-11-29")
        #expect(parsed.digestLine == 3)
        #expect(parsed.document.render() == text)
    }

    @Test("Confinement lines: egress (repeatable, port 443 by default), hide, expose and confine")
    func confinementLines() throws {
        let text = "url https://e.com/a\nsha256 \(Self.digest)\nconfine required\negress uploader.codecov.io\negress *.storage.example.com:8443\nhide ~/.config/tool\nexpose ~/.netrc\n"
        let parsed = try parse(text).get()
        #expect(parsed.pin.egress.map(\.description) == ["uploader.codecov.io", "*.storage.example.com:8443"])
        #expect(parsed.pin.hide == ["~/.config/tool"])
        #expect(parsed.pin.expose == ["~/.netrc"])
        #expect(parsed.pin.confine == .required)
        #expect(parsed.document.render() == text)
        #expect(try parse("url https://e.com/a\nsha256 \(Self.digest)\negress none\n").get().pin.egress == [.none])
    }

    @Test("CRLF endings, blank lines, comments and several digests are accepted")
    func lenientShapes() throws {
        let text = "# rotation\r\n\r\nurl https://example.com/i.sh\r\nsha256 \(Self.digest)\r\nsha256   \(Self.other.uppercased())  \r\n"
        let pin = try parse(text).get().pin
        #expect(pin.sha256.map(\.hex) == [Self.digest, Self.other])
        #expect(pin.accepts(Digest(parsing: Self.other)!))
    }

    @Test("Every error is reported with its exact line", arguments: [
        ("url https://e.com/a\nsha256 \(digest)\ncolour red\n", "known-hashes/tool.pin:3: error: unknown key 'colour'; a pin has only url, sha256, source, sums, signature, provenance, interpreter, env, max-size, approved, confine, egress, write, hide, expose"),
        ("sha256 \(digest)\n", "known-hashes/tool.pin: error: no 'url' line; a pin needs the https URL it pins"),
        ("url https://e.com/a\n# c\nurl https://e.com/b\nsha256 \(digest)\n", "known-hashes/tool.pin:3: error: a second 'url' line; the first is on line 1, and a pin has exactly one"),
        ("url https://e.com/a\nsha256 abc123\n", "known-hashes/tool.pin:2: error: 'abc123' is not a SHA-256 digest; write 64 hex digits, as `sha256sum` prints them"),
        ("url https://e.com/a\n", "known-hashes/tool.pin: error: no 'sha256' line; add the digest `scriptpin hash URL` prints"),
        ("url http://e.com/a\nsha256 \(digest)\n", "known-hashes/tool.pin:1: error: 'http://e.com/a' uses http; only https URLs are accepted, so the body cannot be changed in transit"),
        ("url https://user:pw@e.com/a\nsha256 \(digest)\n", "known-hashes/tool.pin:1: error: the URL contains a user or password; pins are committed, so keep credentials out of them"),
        ("url https://e.com/a\nsha256 \(digest)\nmax-size 0\n", "known-hashes/tool.pin:3: error: '0' is not a valid size; give a whole number of bytes from 1 to 1073741824"),
        ("url https://e.com/a\nsha256 \(digest)\nmax-size 12kb\n", "known-hashes/tool.pin:3: error: '12kb' is not a valid size; give a whole number of bytes from 1 to 1073741824"),
        ("url https://e.com/a\nsha256 \(digest)\napproved 2026-02-30\n", "known-hashes/tool.pin:3: error: '2026-02-30' is not a date; write it as YYYY-MM-DD"),
        ("url https://e.com/a\nsha256 \(digest)\nenv GOOD 9BAD\n", "known-hashes/tool.pin:3: error: '9BAD' is not a variable name or PREFIX* pattern"),
        ("url https://e.com/a\nsha256 \(digest)\ninterpreter\n", "known-hashes/tool.pin:3: error: 'interpreter' needs a value"),
        ("url https://e.com/a\nsha256 \(digest)\nsha256 \(digest)\n", "known-hashes/tool.pin:3: error: digest \(digest) is listed twice"),
        ("url https://e.com/a\nsha256 \(digest)\n\u{0}\n", "known-hashes/tool.pin:3: error: the file contains a NUL byte; a pin is plain text"),
        ("url https://e.com/a b\nsha256 \(digest)\n", "known-hashes/tool.pin:1: error: the URL contains a space, a control character or a character that is not ASCII; percent-encode it"),
        ("url https:///a\nsha256 \(digest)\n", "known-hashes/tool.pin:1: error: 'https:///a' has no host"),
        ("url https://e.com/a\nsha256 \(digest)\negress exa mple.com\n", "known-hashes/tool.pin:3: error: 'exa mple.com' is not an egress destination; write HOST, HOST:PORT, *.DOMAIN[:PORT] or none (port 443 when omitted; an IPv4 address as a dotted quad such as 192.0.2.1)"),
        ("url https://e.com/a\nsha256 \(digest)\negress e.com\negress E.com:443\n", "known-hashes/tool.pin:4: error: egress e.com is listed twice"),
        ("url https://e.com/a\nsha256 \(digest)\negress none\negress e.com\n", "known-hashes/tool.pin: error: `egress none` and egress hosts contradict each other; keep one or the other"),
        ("url https://e.com/a\nsha256 \(digest)\nconfine off\negress e.com\n", "known-hashes/tool.pin:3: error: `confine off` with egress lines: egress lines are enforced by confinement; remove one or the other"),
        ("url https://e.com/a\nsha256 \(digest)\nconfine sometimes\n", "known-hashes/tool.pin:3: error: 'sometimes' is not a confinement mode; write auto, required or off"),
        ("url https://e.com/a\nsha256 \(digest)\nsource github:o/r:install.sh\n", "known-hashes/tool.pin:3: error: 'github:o/r:install.sh' is not a source line: 'github:o/r:install.sh' is not a GitHub file; write github:OWNER/REPO@REF:PATH"),
        ("url https://e.com/a\nsha256 \(digest)\nsource github:o/r@v1:../install.sh\n", "known-hashes/tool.pin:3: error: 'github:o/r@v1:../install.sh' is not a source line: 'github:o/r@v1:../install.sh' is not a GitHub file; write github:OWNER/REPO@REF:PATH"),
        ("url https://e.com/a\nsha256 \(digest)\nsource github:o/r@v1:i.sh commit 123\n", "known-hashes/tool.pin:3: error: 'github:o/r@v1:i.sh commit 123' is not a source line: '123' is not a commit id; write the 40 hex digits git prints"),
        ("url https://e.com/a\nsha256 \(digest)\nsource github:o/r@v1:i.sh tag v1\n", "known-hashes/tool.pin:3: error: 'github:o/r@v1:i.sh tag v1' is not a source line: 'tag' is not understood here; after the source come `commit SHA` and `commit-in-place-of TEXT`, each once"),
        ("url https://e.com/a\nsha256 \(digest)\nsource https://e.com/b commit-in-place-of X\n", "known-hashes/tool.pin:3: error: 'https://e.com/b commit-in-place-of X' is not a source line: `commit-in-place-of` needs a GitHub source with its commit"),
        ("url https://e.com/a\nsha256 \(digest)\nsource http://e.com/b\n", "known-hashes/tool.pin:3: error: 'http://e.com/b' is not a source line: 'http://e.com/b' uses http; only https URLs are accepted, so the body cannot be changed in transit"),
        ("url https://e.com/a\nsha256 \(digest)\nsums https://e.com/SUMS a b\n", "known-hashes/tool.pin:3: error: 'https://e.com/SUMS a b' is not a sums line: a sums line is URL and at most one file name; a name with spaces cannot be written"),
        ("url https://e.com/a\nsha256 \(digest)\nsums https://e.com/SUMS\nsums https://e.com/SUMS\n", "known-hashes/tool.pin:4: error: sums https://e.com/SUMS is listed twice"),
        ("url https://e.com/a\nsha256 \(digest)\nsignature gpg https://e.com/a.asc KEY\n", "known-hashes/tool.pin:3: error: 'gpg https://e.com/a.asc KEY' is not a signature line: 'gpg' is not a signature kind; write minisign, ssh or pgp"),
        ("url https://e.com/a\nsha256 \(digest)\nsignature pgp https://e.com/a.asc 1234\n", "known-hashes/tool.pin:3: error: 'pgp https://e.com/a.asc 1234' is not a signature line: '1234' is not an OpenPGP fingerprint; write the primary key's 40 hex digits, without spaces"),
        ("url https://e.com/a\nsha256 \(digest)\nsignature ssh https://e.com/a.sig MD5:1\n", "known-hashes/tool.pin:3: error: 'ssh https://e.com/a.sig MD5:1' is not a signature line: 'MD5:1' is not an SSH key fingerprint; write the SHA256:… that `ssh-keygen -lf KEY.pub` prints"),
        ("url https://e.com/a\nsha256 \(digest)\nsignature minisign github:o/r@v1 ABCD\n", "known-hashes/tool.pin:3: error: 'minisign github:o/r@v1 ABCD' is not a signature line: git signs tags with pgp or ssh, not minisign"),
        ("url https://e.com/a\nsha256 \(digest)\nsignature pgp https://e.com/S.asc ABCDEF0123456789ABCDEF0123456789ABCDEF01 over https://e.com/S\n", "known-hashes/tool.pin:3: error: the signature is over https://e.com/S, which no sums line of the pin checks; add `sums https://e.com/S`"),
        ("url https://e.com/a\nsha256 \(digest)\nsignature pgp github:o/r@v1 ABCDEF0123456789ABCDEF0123456789ABCDEF01\n", "known-hashes/tool.pin:3: error: the signature is over tag v1 of o/r, and no source line of the pin is a file at that tag; add `source github:o/r@v1:PATH`"),
        ("url https://e.com/a\nsha256 \(digest)\nsource github:o/r@v1:i.sh\nsignature ssh github:o/r@v1 SHA256:\(String(repeating: "A", count: 43)) namespace file\n", "known-hashes/tool.pin:4: error: 'ssh github:o/r@v1 SHA256:\(String(repeating: "A", count: 43)) namespace file' is not a signature line: git signs tags in the namespace `git`, not `file`"),
        ("url https://e.com/a\nsha256 \(digest)\nprovenance required\n", "known-hashes/tool.pin:3: error: `provenance required` without evidence: add a source, sums or signature line, or remove it"),
        ("url https://e.com/a\nsha256 \(digest)\nprovenance always\n", "known-hashes/tool.pin:3: error: 'always' is not a provenance mode; write optional or required"),
        ("url https://e.com/a\nsha256 \(digest)\nhide .aws\n", "known-hashes/tool.pin:3: error: '.aws' is not an absolute path; write /PATH, or ~/PATH for one under the home directory"),
    ])
    func errors(text: String, expected: String) {
        #expect(problems(text) == [expected])
    }

    @Test("Several problems in one file are all reported")
    func allProblems() {
        let found = problems("colour red\nurl ftp://e.com/a\nsha256 nope\n")
        #expect(found.count == 3)
        #expect(found[0].hasPrefix("known-hashes/tool.pin:1:"))
        #expect(found[1].hasPrefix("known-hashes/tool.pin:2:"))
        #expect(found[2].hasPrefix("known-hashes/tool.pin:3:"))
    }

    @Test("Invalid UTF-8, oversized files and bad names are refused")
    func fileLevelErrors() {
        let invalidUTF8 = PinDocument.parse([0x75, 0x72, 0x6c, 0x20, 0xff, 0xfe], name: "tool", path: "p.pin")
        #expect(problemTexts(invalidUTF8) == ["p.pin: error: the file is not valid UTF-8; save it as UTF-8 text"])
        let huge = PinDocument.parse([UInt8](repeating: UInt8(ascii: "#"), count: 70_000), name: "tool", path: "p.pin")
        #expect(problemTexts(huge) == ["p.pin: error: the file is 70000 bytes, over the 65536-byte limit for a pin; a pin is a few lines"])
        for name in ["Tool", "-tool", ".tool", "to ol", String(repeating: "a", count: 65), ""] {
            #expect(!PinRules.isValidName(name), "\(name) should be invalid")
        }
        for name in ["tool", "0tool", "a.b_c-d", String(repeating: "a", count: 64)] {
            #expect(PinRules.isValidName(name), "\(name) should be valid")
        }
    }

    private func problemTexts(_ result: Result<ParsedPin, PinFailure>) -> [String] {
        if case .failure(let failure) = result { return failure.problems.map(\.description) }
        return []
    }

    @Test("Serialize then parse gives back the same pin, for random valid pins")
    func roundTrip() throws {
        var generator = SeededGenerator(seed: 2026)
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        for iteration in 0..<500 {
            let name = String((0..<Int.random(in: 1...20, using: &generator)).map { _ in letters.randomElement(using: &generator)! })
            let path = (0..<Int.random(in: 1...4, using: &generator)).map { _ in String(letters.shuffled(using: &generator).prefix(5)) }.joined(separator: "/")
            let digests = (0..<Int.random(in: 1...3, using: &generator)).map { _ in
                Digest(algorithm: .sha256, bytes: generator.bytes(32))
            }
            var pin = Pin(
                name: name,
                url: "https://host\(iteration).example/\(path)",
                sha256: Array(Set(digests)).sorted { $0.hex < $1.hex },
                interpreter: Bool.random(using: &generator) ? ["sh", "bash", "python3 -u"].randomElement(using: &generator) : nil,
                environment: Bool.random(using: &generator) ? ["CODECOV_TOKEN", "GITHUB_*", "A_B"].shuffled(using: &generator) : [],
                maxSize: Bool.random(using: &generator) ? Int64.random(in: 1...PinRules.maximumDeclaredSize, using: &generator) : nil,
                approved: Bool.random(using: &generator) ? "20\(Int.random(in: 10...40, using: &generator))-0\(Int.random(in: 1...9, using: &generator))-1\(Int.random(in: 0...9, using: &generator))" : nil,
                egress: Bool.random(using: &generator)
                    ? Array(Set(["example.com", "*.cdn.example.net", "127.0.0.1:8443", "[::1]:80"].shuffled(using: &generator).prefix(2))).compactMap(EgressRule.init(parsing:))
                    : [],
                hide: Bool.random(using: &generator) ? ["~/.config/\(name)", "/etc/\(name)"] : [],
                expose: Bool.random(using: &generator) ? ["~/.netrc"] : [],
                confine: Bool.random(using: &generator) ? [.auto, .required].randomElement(using: &generator) : nil,
                evidence: Bool.random(using: &generator) ? Self.evidence(name: name, generator: &generator) : [])
            let provenanceRequired = !pin.evidence.isEmpty && Bool.random(using: &generator)
            if provenanceRequired { pin.provenance = .required }
            let comments = Bool.random(using: &generator) ? ["generated \(iteration)", "second comment"] : []
            let text = PinDocument(pin: pin, comments: comments).render()
            let parsed = try PinDocument.parse(Array(text.utf8), name: name, path: "p").get()
            #expect(parsed.pin == pin, "round trip \(iteration)")
            #expect(parsed.document.render() == text, "canonical text is stable \(iteration)")
        }
    }

    /// One to three evidence lines of each form a pin may hold.
    static func evidence(name: String, generator: inout SeededGenerator) -> [Evidence] {
        let commit = generator.bytes(20).map { String(format: "%02x", $0) }.joined()
        let candidates: [Evidence] = [
            .source(SourceEvidence(location: .url("https://mirror.example/\(name).sh"))),
            .source(SourceEvidence(location: .github(GitHubFile(owner: "Vendor-1", repository: "tool.sh", ref: "v1.2.3", path: "scripts/\(name).sh")!), commit: commit)),
            .source(SourceEvidence(location: .github(GitHubFile(owner: "o", repository: "r", ref: "main", path: "install.sh")!), commit: commit, commitPlaceholder: "${LOAD_SCRIPT_COMMIT_SHA}")),
            .sums(SumsEvidence(url: "https://e.example/SHA256SUMS", fileName: nil)),
            .sums(SumsEvidence(url: "https://e.example/v1/SHA512SUM", fileName: name)),
            .signature(SignatureEvidence(kind: .minisign, location: .url("https://e.example/\(name).minisig"), key: "E42A00CD71104F6", namespace: nil, signedSums: nil)),
            .signature(SignatureEvidence(
                kind: .ssh, location: .url("https://e.example/\(name).sig"), key: "SHA256:" + String(repeating: "A", count: 43), namespace: "file", signedSums: nil)),
            .signature(SignatureEvidence(kind: .pgp, location: .url("https://e.example/\(name).asc"), key: String(repeating: "AB", count: 20), namespace: nil, signedSums: nil)),
        ]
        return Array(candidates.shuffled(using: &generator).prefix(Int.random(in: 1...3, using: &generator)))
    }

    @Test("Edits keep comments and order, so diffs stay minimal")
    func minimalEdits() throws {
        let text = "# keep me\nurl https://e.com/a\n# about the digest\nsha256 \(Self.digest)\nsha256 \(Self.other)\ninterpreter sh\n"
        var document = try parse(text).get().document
        document.replaceDigests(with: [Digest(parsing: Self.other)!])
        document.set(.approved, to: "2026-12-01")
        #expect(document.render() == "# keep me\nurl https://e.com/a\n# about the digest\nsha256 \(Self.other)\ninterpreter sh\napproved 2026-12-01\n")
        document.set(.approved, to: "2026-12-02")
        document.set(.maxSize, to: "100")
        #expect(document.render() == "# keep me\nurl https://e.com/a\n# about the digest\nsha256 \(Self.other)\ninterpreter sh\nmax-size 100\napproved 2026-12-02\n")
    }
}
