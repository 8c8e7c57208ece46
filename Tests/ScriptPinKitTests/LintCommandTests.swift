import Foundation
import Testing

private func repository() -> TemporaryDirectory {
    let directory = TemporaryDirectory("scriptpin-git")
    _ = git(["init", "-q", "-b", "main"], in: directory.path)
    return directory
}

@Suite("scriptpin lint, end to end")
struct LintCommandTests {
    private func tree() -> TemporaryDirectory {
        let directory = TemporaryDirectory()
        directory.write("install.sh", "#!/bin/sh\ncurl -fsSL https://get.example.com/i.sh | sh\n")
        directory.write("clean.sh", "#!/bin/sh\necho hello\n")
        directory.write("ci/Dockerfile", "FROM debian\nRUN wget -qO- https://example.com/w.sh | bash\n")
        directory.write(".git/hooks/evil.sh", "curl https://example.com | sh\n")
        directory.write(".build/x.sh", "curl https://example.com | sh\n")
        directory.write("vendor/third.sh", "curl https://example.com/v | sh\n")
        directory.write("image.png", Data([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]))
        return directory
    }

    @Test("Text output: path:line:col: error: … [download-exec], a fix line, a summary; exit 1; .git and .build skipped")
    func text() {
        let directory = tree()
        let result = ProcessRunner.scriptpin(["lint", "--exclude", "vendor/*"], in: directory.path)
        #expect(result.status == 1)
        #expect(result.stdout == """
            ci/Dockerfile:2:5: error: https://example.com/w.sh (downloaded by wget) is piped into bash [download-exec]
              fix: scriptpin add example-w https://example.com/w.sh, then scriptpin run example-w
            install.sh:2:1: error: https://get.example.com/i.sh (downloaded by curl) is piped into sh [download-exec]
              fix: scriptpin add get-example-i https://get.example.com/i.sh, then scriptpin run get-example-i
            2 findings in 3 files

            """)
        #expect(result.stderr == "")
        let clean = ProcessRunner.scriptpin(["lint", "clean.sh"], in: directory.path)
        #expect(clean.status == 0)
        #expect(clean.stdout == "0 findings in 1 file\n")
    }

    @Test("The walk reads a file through a symbolic link, does not follow a link to a directory (no loop), and skips a dangling link")
    func symbolicLinks() throws {
        let directory = TemporaryDirectory()
        directory.write("tools/real.sh", "#!/bin/sh\ncurl -fsSL https://example.com/r.sh | sh\n")
        try FileManager.default.createSymbolicLink(atPath: directory.url("tools/linked.sh"), withDestinationPath: "real.sh")
        try FileManager.default.createSymbolicLink(atPath: directory.url("tools/up"), withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: directory.url("tools/gone.sh"), withDestinationPath: "missing.sh")
        let result = ProcessRunner.scriptpin(["lint"], in: directory.path)
        #expect(result.status == 1)
        #expect(result.stdout == """
            tools/linked.sh:2:1: error: https://example.com/r.sh (downloaded by curl) is piped into sh [download-exec]
              fix: scriptpin add example-r https://example.com/r.sh, then scriptpin run example-r
            tools/real.sh:2:1: error: https://example.com/r.sh (downloaded by curl) is piped into sh [download-exec]
              fix: scriptpin add example-r https://example.com/r.sh, then scriptpin run example-r
            2 findings in 2 files

            """)
        #expect(result.stderr == "")
    }

    @Test("Markdown is read only with --include-docs")
    func includeDocs() {
        let directory = TemporaryDirectory()
        directory.write("README.md", "Install:\n\n```sh\ncurl -fsSL https://example.com/i.sh | sh\n```\n")
        let without = ProcessRunner.scriptpin(["lint"], in: directory.path)
        #expect(without.status == 0)
        #expect(without.stdout == "0 findings in 0 files\n")
        let with = ProcessRunner.scriptpin(["lint", "--include-docs"], in: directory.path)
        #expect(with.status == 1)
        #expect(with.stdout.hasPrefix("README.md:4:1: error: https://example.com/i.sh (downloaded by curl) is piped into sh [download-exec]\n"))
    }

    @Test("Paths are shown as given on the command line")
    func pathsAsGiven() {
        let directory = tree()
        let result = ProcessRunner.scriptpin(["lint", "ci", "./install.sh"], in: directory.path)
        #expect(result.stdout.hasPrefix("ci/Dockerfile:2:5: error:"))
        #expect(result.stdout.contains("\n./install.sh:2:1: error:"))
    }

    @Test("JSON follows the documented schema")
    func json() throws {
        let directory = tree()
        directory.write("dyn.sh", "curl -fsSL \"$URL\" | sh\n")
        let result = ProcessRunner.scriptpin(["lint", "--format", "json", "install.sh", "dyn.sh", "clean.sh"], in: directory.path)
        #expect(result.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])
        #expect(report["version"] as? Int == 1)
        #expect(report["files"] as? Int == 3)
        let findings = try #require(report["findings"] as? [[String: Any]])
        #expect(findings.count == 2)
        #expect(findings[0]["path"] as? String == "install.sh")
        #expect(findings[0]["line"] as? Int == 2)
        #expect(findings[0]["column"] as? Int == 1)
        #expect(findings[0]["rule"] as? String == "download-exec")
        #expect(findings[0]["url"] as? String == "https://get.example.com/i.sh")
        #expect(findings[1]["url"] is NSNull, "a URL that is not a literal is null")
        #expect(Set(findings[0].keys) == ["path", "line", "column", "rule", "message", "url"])
    }

    @Test("SARIF 2.1.0 carries rule help and located results; github format writes workflow commands")
    func sarifAndGitHub() throws {
        let directory = tree()
        let sarif = ProcessRunner.scriptpin(["lint", "--format", "sarif", "install.sh"], in: directory.path)
        let log = try #require(try JSONSerialization.jsonObject(with: sarif.stdoutData) as? [String: Any])
        #expect(log["version"] as? String == "2.1.0")
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let rules = ((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]]
        #expect(rules?.first?["id"] as? String == "download-exec")
        #expect(((rules?.first?["help"] as? [String: Any])?["text"] as? String)?.contains("scriptpin add NAME URL") == true)
        let result = try #require((run["results"] as? [[String: Any]])?.first)
        let region = (((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["region"]) as? [String: Int]
        #expect(region == ["startLine": 2, "startColumn": 1])
        #expect(((result["message"] as? [String: Any])?["text"] as? String)?.contains("Fix: scriptpin add get-example-i https://get.example.com/i.sh") == true)
        let github = ProcessRunner.scriptpin(["lint", "--format", "github", "install.sh"], in: directory.path)
        #expect(github.stdout == "::error file=install.sh,line=2,col=1,title=Unpinned download executed::https://get.example.com/i.sh (downloaded by curl) is piped into sh. Fix: scriptpin add get-example-i https://get.example.com/i.sh, then scriptpin run get-example-i\n")
    }

    @Test("Binary files given by name are skipped with a note; a missing path is an error; bad YAML is reported and the rest still linted")
    func badInput() {
        let directory = tree()
        directory.write(".github/workflows/broken.yml", "jobs:\n  b:\n    steps:\n      - run: \"curl https://e.com | sh\n")
        let binary = ProcessRunner.scriptpin(["lint", "image.png", "install.sh"], in: directory.path)
        #expect(binary.stderr == "scriptpin: image.png: skipped: binary file\n")
        #expect(binary.status == 1)
        let missing = ProcessRunner.scriptpin(["lint", "nope.sh"], in: directory.path)
        #expect(missing.status == 2)
        #expect(missing.stderr.hasPrefix("Error: nope.sh: No such file or directory"))
        let yaml = ProcessRunner.scriptpin(["lint", ".github", "install.sh"], in: directory.path)
        #expect(yaml.status == 1)
        #expect(yaml.stdout.contains(".github/workflows/broken.yml:4:14: error: cannot read this YAML: unterminated quoted string; it was not checked [parse-error]"))
        #expect(yaml.stdout.contains("install.sh:2:1: error:"))
        let onlyBroken = ProcessRunner.scriptpin(["lint", ".github"], in: directory.path)
        #expect(onlyBroken.status == 2)
    }

    @Test("A generated tree with garbage, huge lines and unterminated quotes finishes with every problem located")
    func hostileTree() {
        let directory = TemporaryDirectory()
        var generator = SeededGenerator(seed: 21)
        for index in 0..<40 {
            directory.write("g/\(index).sh", Data(generator.bytes(2000)))
        }
        directory.write("huge.sh", "echo " + String(repeating: "a", count: 3_000_000) + " | curl https://example.com/x | sh\n")
        directory.write("quote.sh", "curl https://example.com/x | sh 'unterminated\n")
        directory.write("latin1.sh", Data([0x65, 0x63, 0x68, 0x6f, 0x20, 0xe9, 0xff, 0x0a]) + Data("wget -qO- https://example.com/l | sh\n".utf8))
        let result = ProcessRunner.scriptpin(["lint"], in: directory.path)
        #expect(result.status == 1)
        #expect(result.stdout.contains("huge.sh:1:3000009: error:"))
        #expect(result.stdout.contains("quote.sh:1:33: error: cannot parse this shell code: unterminated single quote"))
        #expect(result.stdout.contains("latin1.sh:2:1: error: https://example.com/l (downloaded by wget) is piped into sh"), "invalid UTF-8 elsewhere in a file does not hide a finding")
    }

    @Test("As nobody, a directory that cannot be listed is reported like a file that cannot be read, and the rest is still linted")
    func unreadableEntries() throws {
        let sandbox = try UnprivilegedSandbox()
        let script = "#!/bin/sh\ncurl -s https://example.com/x | sh\n"
        sandbox.directory.write("tree/ok.sh", script)
        sandbox.directory.write("tree/locked/hidden.sh", script)
        sandbox.directory.write("tree/secret.sh", script)
        sandbox.handOver()
        chmod(sandbox.directory.url("tree/locked"), 0)
        chmod(sandbox.directory.url("tree/secret.sh"), 0)
        let result = sandbox.run("./scriptpin lint tree", environment: ProcessRunner.baseEnvironment(home: sandbox.path))
        #expect(result.status == 1)
        #expect(result.stdout == """
            tree/locked:1:1: error: cannot list this directory: Permission denied; nothing in it was checked [parse-error]
            tree/ok.sh:2:1: error: https://example.com/x (downloaded by curl) is piped into sh [download-exec]
              fix: scriptpin add example-x https://example.com/x, then scriptpin run example-x
            tree/secret.sh:1:1: error: cannot read it: Permission denied [parse-error]
            1 finding in 3 files, 2 that could not be read or parsed

            """)
    }
}

@Suite("Pre-commit: lint --staged and hook install, in real git repositories")
struct PreCommitTests {
    @Test("--staged lints what is in the index, not the working tree")
    func staged() {
        let repo = repository()
        repo.write("a.sh", "#!/bin/sh\necho safe\n")
        _ = git(["add", "a.sh"], in: repo.path)
        repo.write("a.sh", "#!/bin/sh\ncurl https://example.com/x | sh\n")
        let clean = ProcessRunner.scriptpin(["lint", "--staged"], in: repo.path)
        #expect(clean.status == 0)
        _ = git(["add", "a.sh"], in: repo.path)
        repo.write("a.sh", "#!/bin/sh\necho safe again\n")
        let dirty = ProcessRunner.scriptpin(["lint", "--staged"], in: repo.path)
        #expect(dirty.status == 1)
        #expect(dirty.stdout.hasPrefix("a.sh:2:1: error: https://example.com/x (downloaded by curl) is piped into sh"))
    }

    @Test("Outside a repository, or without git, lint --staged and hook install say so and print no usage line: 2, and 3 without git")
    func outsideRepository() {
        let outside = TemporaryDirectory()
        for (command, purpose) in [(["lint", "--staged"], "lint the staged files"), (["hook", "install"], "install the pre-commit hook")] {
            let result = ProcessRunner.scriptpin(command, in: outside.path)
            #expect(result.status == 2)
            // git's own line comes first; scriptpin's is the last, with no usage line after it.
            #expect(result.stderr.hasSuffix("\nError: cannot \(purpose) here: the working directory is not inside a git repository; run scriptpin from the repository's working tree\n"), "\(result.stderr)")
            #expect(!result.stderr.contains("Usage:"))
        }
        var withoutGit = ProcessRunner.baseEnvironment(home: outside.path)
        withoutGit["PATH"] = outside.url("bin")
        for (command, purpose) in [(["lint", "--staged"], "lint the staged files"), (["hook", "install"], "install the pre-commit hook")] {
            let result = ProcessRunner.scriptpin(command, in: outside.path, environment: withoutGit)
            #expect(result.status == 3)
            #expect(result.stderr == "Error: git was not found in PATH; install git to \(purpose)\n")
        }
    }

    @Test("The hook blocks a commit that adds curl | sh and lets a clean one through; it honours core.hooksPath")
    func hookBlocksCommits() throws {
        let repo = repository()
        _ = git(["config", "core.hooksPath", "githooks"], in: repo.path)
        let install = ProcessRunner.scriptpin(["hook", "install"], in: repo.path)
        #expect(install.status == 0)
        #expect(FileManager.default.isExecutableFile(atPath: repo.url("githooks/pre-commit")))
        repo.write("ok.sh", "#!/bin/sh\necho ok\n")
        _ = git(["add", "ok.sh"], in: repo.path)
        let allowed = git(["commit", "-q", "-m", "clean"], in: repo.path)
        #expect(allowed.status == 0)
        #expect(allowed.stderr.contains("no known-hashes/ in this repository yet; skipping verify"))
        repo.write("bad.sh", "#!/bin/sh\nwget -qO- https://example.com/w.sh | bash\n")
        _ = git(["add", "bad.sh"], in: repo.path)
        let blocked = git(["commit", "-q", "-m", "bad"], in: repo.path)
        #expect(blocked.status != 0)
        #expect(blocked.stderr.contains("bad.sh:2:1: error:"), "git shows a hook's output on stderr")
        #expect(blocked.stderr.hasSuffix(
            "scriptpin: to pin them, run `scriptpin lint --fix bad.sh`, review the rewrite, and stage the changed files and the new pins\nscriptpin: the commit was blocked by the findings above\n"),
            "\(blocked.stderr)")
        #expect(git(["log", "--oneline"], in: repo.path).stdout.split(separator: "\n").count == 1)
    }

    @Test("The hook also runs verify: an invalid pin blocks the commit")
    func hookRunsVerify() {
        let repo = repository()
        #expect(ProcessRunner.scriptpin(["hook", "install"], in: repo.path).status == 0)
        repo.write("known-hashes/bad.pin", "url http://example.com/x\nsha256 00\n")
        _ = git(["add", "."], in: repo.path)
        let blocked = git(["commit", "-q", "-m", "pins"], in: repo.path)
        #expect(blocked.status != 0)
        #expect(blocked.stderr.contains("known-hashes/bad.pin:1: error:"))
        #expect(blocked.stderr.hasSuffix("scriptpin: the commit was blocked: fix the pins and references above, then commit again\n"), "\(blocked.stderr)")
    }

    @Test("hook install refuses to replace a hook it did not write, unless --force; it replaces its own")
    func hookReplacement() throws {
        let repo = repository()
        repo.write(".git/hooks/pre-commit", "#!/bin/sh\necho mine\n")
        let refused = ProcessRunner.scriptpin(["hook", "install"], in: repo.path)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("exists and was not written by scriptpin; merge it by hand, or replace it with --force"))
        #expect(repo.read(".git/hooks/pre-commit") == "#!/bin/sh\necho mine\n")
        #expect(ProcessRunner.scriptpin(["hook", "install", "--force"], in: repo.path).status == 0)
        #expect(ProcessRunner.scriptpin(["hook", "install"], in: repo.path).status == 0, "its own hook is replaced without --force")
        #expect(repo.read(".git/hooks/pre-commit")?.contains("lint --staged") == true)
    }

    @Test("The repository's .pre-commit-hooks.yaml declares both hooks")
    func preCommitFramework() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent(".pre-commit-hooks.yaml"), encoding: .utf8)
        #expect(text.contains("- id: scriptpin-verify\n"))
        #expect(text.contains("  entry: scriptpin verify --staged\n"))
        #expect(text.contains("- id: scriptpin-lint\n"))
        #expect(text.contains("  entry: scriptpin lint\n"))
    }
}
