import Foundation
import Testing

@Suite("scriptpin verify, end to end")
struct VerifyCommandTests {
    static let abcDigest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    private func repository() -> TemporaryDirectory {
        let directory = TemporaryDirectory()
        directory.write("known-hashes/abc.pin", "url https://e.com/abc\nsha256 \(Self.abcDigest)\n")
        directory.write("known-hashes/other.pin", "url https://e.com/other\nsha256 \(String(repeating: "0", count: 64))\n")
        directory.write("abc.sh", "abc")
        directory.write("evil.sh", "abd")
        return directory
    }

    @Test("With no file, every pin is validated")
    func validatesManifest() {
        let directory = repository()
        let result = ProcessRunner.scriptpin(["verify"], in: directory.path)
        #expect(result.status == 0)
        #expect(result.stdout == "known-hashes/abc.pin: OK\nknown-hashes/other.pin: OK\n")
        #expect(result.stderr == "scriptpin: 2 pins in known-hashes are valid\n")
    }

    @Test("Every problem in every pin is reported, exit 2")
    func reportsEveryProblem() {
        let directory = repository()
        directory.write("known-hashes/bad.pin", "url http://e.com/x\nsha256 zz\n")
        directory.write("known-hashes/dup.pin", "url https://e.com/abc\nsha256 \(Self.abcDigest)\n")
        directory.write("known-hashes/Upper.pin", "url https://e.com/u\nsha256 \(Self.abcDigest)\n")
        directory.write("known-hashes/notes.txt", "hello")
        directory.write("known-hashes/.scriptpin.lock", "")
        let result = ProcessRunner.scriptpin(["verify"], in: directory.path)
        #expect(result.status == 2)
        #expect(result.stdout == "known-hashes/abc.pin: OK\nknown-hashes/other.pin: OK\n")
        let expected = """
            known-hashes/Upper.pin: error: 'Upper' is not a valid pin name; use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters
            known-hashes/bad.pin:1: error: 'http://e.com/x' uses http; only https URLs are accepted, so the body cannot be changed in transit
            known-hashes/bad.pin:2: error: 'zz' is not a SHA-256 digest; write 64 hex digits, as `sha256sum` prints them
            known-hashes/dup.pin:1: error: pin 'abc' already pins this URL; keep one pin per URL, with several sha256 lines if needed
            known-hashes/notes.txt: error: not a pin file; every file in the manifest is NAME.pin, so rename or move it
            scriptpin: 4 of 6 pin files in known-hashes are invalid; fix the lines above

            """
        #expect(result.stderr == expected)
    }

    @Test("Files must match a pin, which is named; mismatches fail with exit 1")
    func filesAgainstPins() {
        let directory = repository()
        let good = ProcessRunner.scriptpin(["verify", "abc.sh"], in: directory.path)
        #expect(good.status == 0)
        #expect(good.stdout == "abc.sh: OK (pin abc)\n")
        let mixed = ProcessRunner.scriptpin(["verify", "evil.sh", "abc.sh", "missing.sh"], in: directory.path)
        #expect(mixed.status == 1)
        #expect(mixed.stdout == "evil.sh: FAILED\nabc.sh: OK (pin abc)\n")
        #expect(mixed.stderr == "Error: missing.sh: No such file or directory\nscriptpin: WARNING: 1 of 2 files did NOT match any pin\n")
        let namedPin = ProcessRunner.scriptpin(["verify", "--pin", "other", "abc.sh"], in: directory.path)
        #expect(namedPin.status == 1)
        #expect(namedPin.stdout == "abc.sh: FAILED\n")
        let unknown = ProcessRunner.scriptpin(["verify", "abc.sh", "--pin", "nope"], in: directory.path)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.hasPrefix("Error: no pin named 'nope' in known-hashes;"))
        let onlyMissing = ProcessRunner.scriptpin(["verify", "missing.sh"], in: directory.path)
        #expect(onlyMissing.status == 2)
    }

    @Test("The manifest is found in a parent, or named by SCRIPTPIN_MANIFEST or --manifest")
    func manifestDiscovery() throws {
        let directory = repository()
        try FileManager.default.createDirectory(atPath: directory.url("sub/deeper"), withIntermediateDirectories: true)
        let nested = ProcessRunner.scriptpin(["verify"], in: directory.url("sub/deeper"))
        #expect(nested.stdout == "../../known-hashes/abc.pin: OK\n../../known-hashes/other.pin: OK\n")
        let elsewhere = TemporaryDirectory()
        elsewhere.write("pins/one.pin", "url https://e.com/one\nsha256 \(Self.abcDigest)\n")
        var environment = ProcessRunner.baseEnvironment(home: elsewhere.path)
        environment["SCRIPTPIN_MANIFEST"] = elsewhere.url("pins")
        let byEnvironment = ProcessRunner.scriptpin(["verify"], in: directory.path, environment: environment)
        #expect(byEnvironment.stdout == "\(elsewhere.url("pins"))/one.pin: OK\n")
        let byOption = ProcessRunner.scriptpin(["verify", "--manifest", elsewhere.url("pins")], in: directory.path, environment: environment)
        #expect(byOption.stdout == byEnvironment.stdout)
        let none = ProcessRunner.scriptpin(["verify"], in: elsewhere.path)
        #expect(none.status == 2)
        #expect(none.stderr.hasPrefix("Error: no known-hashes/ directory in \(elsewhere.path) or any parent;"))
    }

    @Test("--sums checks a vendor's checksum file like sha256sum -c --ignore-missing")
    func sumsFile() {
        let directory = repository()
        let sha512 = ProcessRunner.run("sha512sum", ["abc.sh"], in: directory.path).stdout
        directory.write("SHA256SUMS", "\(Self.abcDigest)  abc.sh\n\(Self.abcDigest) *evil.sh\n\(Self.abcDigest)  absent.sh\n")
        directory.write("SHA512SUMS", sha512 + "garbage line\n")
        let result = ProcessRunner.scriptpin(["verify", "--sums", "SHA256SUMS"], in: directory.path)
        #expect(result.status == 1)
        #expect(result.stdout == "abc.sh: OK\nevil.sh: FAILED\n")
        #expect(result.stderr == "scriptpin: WARNING: 1 of 2 files did NOT match SHA256SUMS\n")
        let only = ProcessRunner.scriptpin(["verify", "abc.sh", "--sums", "SHA256SUMS"], in: directory.path)
        #expect(only.status == 0)
        #expect(only.stdout == "abc.sh: OK\n")
        let longer = ProcessRunner.scriptpin(["verify", "--sums", "SHA512SUMS"], in: directory.path)
        #expect(longer.status == 0)
        #expect(longer.stdout == "abc.sh: OK\n")
        #expect(longer.stderr.hasPrefix("Warning: SHA512SUMS:2: not a checksum line"))
        directory.write("NONE", "\(Self.abcDigest)  absent.sh\n")
        let nonePresent = ProcessRunner.scriptpin(["verify", "--sums", "NONE"], in: directory.path)
        #expect(nonePresent.status == 1)
        #expect(nonePresent.stderr.hasPrefix("Error: none of the files listed in NONE is present"))
        directory.write("EMPTY", "just text\n")
        let empty = ProcessRunner.scriptpin(["verify", "--sums", "EMPTY"], in: directory.path)
        #expect(empty.status == 2)
        #expect(empty.stderr.hasSuffix("\nError: EMPTY has no checksum lines; nothing was verified. Give the checksum file the vendor publishes, with lines like '<hex>  NAME' as sha256sum prints them\n"), "no usage line: \(empty.stderr)")
        let missing = ProcessRunner.scriptpin(["verify", "--manifest", "no-such-dir"], in: directory.path)
        #expect(missing.status == 2)
        #expect(missing.stderr == "Error: manifest directory no-such-dir does not exist; create it with `mkdir -p no-such-dir` or correct the path\n")
    }
}

@Suite("The command line")
struct CommandLineTests {
    @Test("--help, help CMD, CMD --help and --version")
    func help() {
        let directory = TemporaryDirectory()
        let top = ProcessRunner.scriptpin(["--help"], in: directory.path)
        #expect(top.status == 0)
        #expect(top.stdout.hasPrefix("OVERVIEW: Run third-party shell scripts only when they match a SHA-256 pin"))
        #expect(top.stdout.contains("\nUSAGE: scriptpin <command> [options]\n"))
        #expect(top.stdout.contains("\nOPTIONS:\n"))
        let viaHelp = ProcessRunner.scriptpin(["help", "verify"], in: directory.path)
        let viaFlag = ProcessRunner.scriptpin(["verify", "--help"], in: directory.path)
        #expect(viaHelp.status == 0)
        #expect(viaHelp.stdout == viaFlag.stdout)
        #expect(viaHelp.stdout.hasPrefix("OVERVIEW: Check pins: the pin files are valid"))
        let version = ProcessRunner.scriptpin(["--version"], in: directory.path)
        let openSSL = ProcessRunner.run("openssl", ["version"], in: directory.path).stdout
        let lines = version.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5 && lines[4].isEmpty)
        #expect(lines[0] == "scriptpin 0.1.0")
        #expect(lines[1] == "commit unknown", "a plain swift build records no commit")
        #expect(openSSL.hasPrefix(lines[2] + " ") || openSSL == lines[2] + "\n", "the OpenSSL linked at run time: \(lines[2]) vs \(openSSL)")
        #expect(lines[3].hasPrefix("libcurl 7.") || lines[3].hasPrefix("libcurl 8."))
        let unknown = ProcessRunner.scriptpin(["frobnicate"], in: directory.path)
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "Error: unknown command (argument 1); `scriptpin --help` lists the commands\nUsage: scriptpin <command> [options]\n")
        let bare = ProcessRunner.scriptpin([], in: directory.path)
        #expect(bare.status == 2)
        #expect(bare.stdout == "")
    }

    @Test("Everything after -- is an operand, even when it looks like an option")
    func doubleDash() {
        let directory = TemporaryDirectory()
        directory.write("--sri", "abc")
        let result = ProcessRunner.scriptpin(["hash", "--", "--sri"], in: directory.path)
        #expect(result.stdout == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  --sri\n")
    }
}

@Suite("verify: every scriptpin run|fetch NAME in the repository names a committed pin")
struct PinReferenceTests {
    let repository = TemporaryDirectory("scriptpin-references")

    init() {
        #expect(git(["init", "-q", "."], in: repository.path).status == 0)
        for name in ["tool", "other", "hidden", "wf"] {
            repository.write("known-hashes/\(name).pin", "url https://e.com/\(name)\nsha256 \(VerifyCommandTests.abcDigest)\n")
        }
        repository.write(".gitignore", "known-hashes/hidden.pin\n")
        // Options before the name, and an option value that is a valid pin name, are read by run's and fetch's own declarations.
        repository.write("ci.sh", """
            #!/bin/sh
            # scriptpin run commented-out is text, not code
            scriptpin run --clean-env --egress example.com tool -- -y
            scriptpin fetch --timeout 30 other -o other.sh
            sudo scriptpin run missing
            scriptpin run "$dynamic"
            echo "scriptpin run quoted"

            """)
        repository.write(".github/workflows/ci.yml", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: scriptpin run wf\n")
        _ = git(["add", ".gitignore", "known-hashes/tool.pin", "known-hashes/wf.pin", "ci.sh"], in: repository.path)
    }

    @Test("Missing, untracked and ignored pins are named with the file, line and column of each reference; exit 1")
    func reportsEachReference() {
        let result = ProcessRunner.scriptpin(["verify"], in: repository.path)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("known-hashes/tool.pin: OK\n"))
        let problems = result.stderr.split(separator: "\n").filter { $0.hasPrefix("scriptpin: ci.sh") }.map(String.init)
        #expect(problems == [
            "scriptpin: ci.sh:4:1: pin other is not tracked by git; run `git add known-hashes/other.pin` so that CI gets it",
            "scriptpin: ci.sh:5:6: `scriptpin run missing` names no pin: known-hashes/missing.pin does not exist; pin it with `scriptpin add missing URL`",
        ], "\(result.stderr)")
        #expect(result.stderr.hasSuffix("scriptpin: 2 references to pins in the repository do not resolve to a committed pin; fix the lines above\n"), "\(result.stderr)")

        repository.write("ci.sh", "#!/bin/sh\nscriptpin run hidden\n")
        let ignored = ProcessRunner.scriptpin(["verify"], in: repository.path)
        #expect(ignored.stderr.contains(
            "scriptpin: ci.sh:2:1: pin hidden is not tracked by git: it is ignored by .gitignore:1 (`known-hashes/hidden.pin`), so `git add` skips it; add `!hidden.pin` to a .gitignore or fix that rule; run `git add known-hashes/hidden.pin` so that CI gets it"),
            "\(ignored.stderr)")
    }

    @Test("--staged reads the staged files only, against the index; the hook blocks a commit whose pin is not staged")
    func stagedAndHook() {
        let staged = ProcessRunner.scriptpin(["verify", "--staged"], in: repository.path)
        #expect(staged.status == 1)
        // The workflow is not staged, so its reference is not read; ci.sh's are, as staged.
        #expect(!staged.stderr.contains("ci.yml"), "\(staged.stderr)")
        #expect(staged.stderr.contains("scriptpin: ci.sh:4:1: pin other is not staged; run `git add known-hashes/other.pin` so that CI gets it"), "\(staged.stderr)")

        #expect(ProcessRunner.scriptpin(["hook", "install"], in: repository.path).status == 0)
        let blocked = git(["commit", "-q", "-m", "uses an unstaged pin"], in: repository.path)
        #expect(blocked.status != 0)
        #expect(blocked.stderr.contains("pin other is not staged"), "\(blocked.stderr)")
        _ = git(["add", "known-hashes/other.pin"], in: repository.path)
        repository.write("ci.sh", "#!/bin/sh\nscriptpin run tool\nscriptpin fetch other -o o.sh\n")
        _ = git(["add", "ci.sh"], in: repository.path)
        let allowed = git(["commit", "-q", "-m", "pins staged"], in: repository.path)
        #expect(allowed.status == 0, "\(allowed.stderr)")
    }
}
