import Foundation
import Testing
@testable import ScriptPinKit

/// The CI systems and task runners lint reads besides GitHub and GitLab,
/// recognised by their conventional names (an Ansible playbook by its
/// content), end to end through the `scriptpin` binary with exact output;
/// code lint recognises and cannot read gets a `not-checked` note in every format.
@Suite("lint: Jenkins, Travis, CircleCI, Azure, Bitbucket and Ansible, and not-checked notes")
struct LintCIKindsTests {
    let directory = TemporaryDirectory("scriptpin-ci-kinds")

    init() {
        directory.write("Jenkinsfile", """
            pipeline {
              agent any
              stages {
                stage('build') {
                  steps {
                    // sh 'curl -fsSL https://example.com/comment.sh | sh'
                    sh 'curl -fsSL https://example.com/j1.sh | sh'
                    sh(script: "wget -qO- https://example.com/j2.sh | bash", label: 'get')
                    sh label: 'more', script: '''
                      set -e
                      curl -fsSL https://example.com/j3.sh | sh
                    '''
                    sh script: installCommand
                    echo 'curl -fsSL https://example.com/text.sh | sh'
                  }
                }
              }
            }

            """)
        directory.write(".travis.yml", "language: c\nbefore_install:\n  - curl -fsSL https://example.com/t1.sh | sh\njobs:\n  include:\n    - script: wget -qO- https://example.com/t2.sh | bash\n")
        directory.write(".circleci/config.yml", """
            version: 2.1
            jobs:
              build:
                steps:
                  - checkout
                  - run: curl -fsSL https://example.com/c1.sh | sh
                  - run:
                      shell: python3
                      command: print("curl https://example.com/c2.sh | sh")

            """)
        directory.write("azure-pipelines.yml", "steps:\n  - script: curl -fsSL https://example.com/a1.sh | sh\n  - task: Bash@3\n    inputs:\n      script: wget -qO- https://example.com/a2.sh | bash\n")
        directory.write("bitbucket-pipelines.yml", "pipelines:\n  default:\n    - parallel:\n        - step:\n            script:\n              - curl -fsSL https://example.com/b1.sh | sh\n")
        directory.write("roles/web/tasks/main.yml", "- name: get\n  ansible.builtin.shell: curl -fsSL https://example.com/r1.sh | sh\n- block:\n    - shell:\n        cmd: wget -qO- https://example.com/r2.sh | bash\n")
        directory.write("site.yml", "---\n- hosts: all\n  tasks:\n    - command: bash -c \"curl -fsSL https://example.com/p1.sh | sh\"\n")
        directory.write("config.yml", "hosts: all\nrun: curl -fsSL https://example.com/not-a-playbook.sh | sh\n")
        directory.write(".github/workflows/ci.yml", """
            on: push
            jobs:
              a:
                runs-on: ubuntu-latest
                steps:
                  - run: curl -fsSL https://example.com/g1.sh | sh
                    shell: sudo bash -e {0}
                  - run: print("curl https://example.com/g2.sh | sh")
                    shell: python

            """)
    }

    @Test("Each file kind's shell code is found at its exact position; what lint cannot read is a note, counted in the summary")
    func text() {
        let result = ProcessRunner.scriptpin(["lint"], in: directory.path)
        #expect(result.status == 1, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").filter { !$0.hasPrefix("  fix:") }.map { String($0.prefix { $0 != "(" }) }
        #expect(lines == [
            ".circleci/config.yml:6:14: error: https://example.com/c1.sh ",
            ".circleci/config.yml:9:20: note: the run step's shell is python3, which lint does not read; this code was not checked [not-checked]",
            ".github/workflows/ci.yml:6:14: error: https://example.com/g1.sh ",
            ".github/workflows/ci.yml:8:14: note: the step's shell is python, which lint does not read; this code was not checked [not-checked]",
            ".travis.yml:3:5: error: https://example.com/t1.sh ",
            ".travis.yml:6:15: error: https://example.com/t2.sh ",
            "Jenkinsfile:7:13: error: https://example.com/j1.sh ",
            "Jenkinsfile:8:21: error: https://example.com/j2.sh ",
            "Jenkinsfile:11:11: error: https://example.com/j3.sh ",
            "Jenkinsfile:13:9: note: this sh step's script is not a string literal lint can read; it was not checked [not-checked]",
            "azure-pipelines.yml:2:13: error: https://example.com/a1.sh ",
            "azure-pipelines.yml:5:15: error: https://example.com/a2.sh ",
            "bitbucket-pipelines.yml:6:17: error: https://example.com/b1.sh ",
            "roles/web/tasks/main.yml:2:26: error: https://example.com/r1.sh ",
            "roles/web/tasks/main.yml:5:14: error: https://example.com/r2.sh ",
            "site.yml:4:25: error: https://example.com/p1.sh ",
            "13 findings in 8 files, 3 places not checked",
        ], "\(result.stdout)")
    }

    @Test("not-checked is a note in JSON, SARIF (level note, with its rule) and GitHub (::notice) and fails nothing by itself")
    func formats() throws {
        let only = ".circleci/config.yml"
        directory.write(only, "version: 2.1\njobs:\n  build:\n    steps:\n      - run:\n          shell: python3\n          command: print('curl https://example.com/x.sh')\n")
        let json = ProcessRunner.scriptpin(["lint", "--format", "json", only], in: directory.path)
        #expect(json.status == 0, "a note alone fails nothing: \(json.stdout)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["findings"] as? [[String: Any]])?.first?["rule"] as? String == "not-checked")
        let sarif = ProcessRunner.scriptpin(["lint", "--format", "sarif", only], in: directory.path)
        let log = try #require(try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let result = try #require((run["results"] as? [[String: Any]])?.first)
        #expect(result["level"] as? String == "note")
        #expect(result["ruleId"] as? String == "not-checked")
        let rules = ((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]]
        #expect(rules?.contains { $0["id"] as? String == "not-checked" } == true)
        let github = ProcessRunner.scriptpin(["lint", "--format", "github", only], in: directory.path)
        #expect(github.stdout.hasPrefix("::notice file=.circleci/config.yml,line=7,col=20,title=scriptpin did not check this::"), "\(github.stdout)")
    }

    @Test("Shell templates are read as shell with their directives stepped over; one that never closes is a note")
    func templates() {
        directory.write("deploy/install.sh.j2", """
            #!/bin/bash
            {% if install_tool %}
            curl -fsSL {{ tool_url }} | bash -s -- --version {{ version }}
            curl -fsSL https://example.com/t.sh | sh
            {% endif %}
            echo "<%= @name %> done"

            """)
        directory.write("deploy/broken.sh.tmpl", "#!/bin/sh\necho {{ name\ncurl -fsSL https://example.com/u.sh | sh\n")
        let result = ProcessRunner.scriptpin(["lint", "deploy"], in: directory.path)
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").filter { !$0.hasPrefix("  fix:") }
        #expect(lines == [
            "deploy/broken.sh.tmpl:2:6: note: this template directive is never closed, so lint cannot step over it; the file was not checked [not-checked]",
            "deploy/install.sh.j2:3:1: error: the output of curl is piped into bash [download-exec]",
            "deploy/install.sh.j2:4:1: error: https://example.com/t.sh (downloaded by curl) is piped into sh [download-exec]",
            "2 findings in 2 files, 1 place not checked",
        ], "\(result.stdout)")
    }

    @Test("Flow-style steps on one line are read with their positions; a quoted value keeps its commas; one over several lines is a note")
    func flowSteps() {
        directory.write("flow/.github/workflows/flow.yml", """
            on: push
            jobs:
              a:
                runs-on: ubuntu-latest
                steps:
                  - {name: get, run: curl -fsSL https://example.com/f1.sh | bash}
                  - {name: "two, words", run: "wget -qO- https://example.com/f2.sh | sh", shell: bash}
                  - {name: text, run: echo curl https://example.com/f3.sh}
                  - {name: long,
                     run: curl -fsSL https://example.com/f4.sh | sh}

            """)
        let result = ProcessRunner.scriptpin(["lint", "flow"], in: directory.path)
        let lines = result.stdout.split(separator: "\n").filter { !$0.hasPrefix("  fix:") }
        #expect(lines == [
            "flow/.github/workflows/flow.yml:6:26: error: https://example.com/f1.sh (downloaded by curl) is piped into bash [download-exec]",
            "flow/.github/workflows/flow.yml:7:36: error: https://example.com/f2.sh (downloaded by wget) is piped into sh [download-exec]",
            "flow/.github/workflows/flow.yml:9:9: note: this step is a flow mapping over several lines, which lint does not read; write it as a block mapping to have it checked [not-checked]",
            "2 findings in 1 file, 1 place not checked",
        ], "\(result.stdout)")
    }
}

/// `lint --fix` in the new file kinds, against the loopback server: the
/// finding's bytes are rewritten in place, the rest of the file kept.
@Suite("lint --fix in Travis CI and Jenkinsfiles")
struct LintCIKindsFixTests {
    let server: HTTPSFixture
    let work: Workspace

    init() throws {
        server = try HTTPSFixture()
        work = Workspace(server: server)
        server.serve("tool.sh", "#!/bin/sh\necho tool \"$@\"\n")
        #expect(git(["init", "-q", "."], in: work.path).status == 0)
    }

    @Test("A Travis phase and a Jenkins sh step become scriptpin run, quoting and everything else as it was; lint then finds nothing")
    func fixes() {
        let url = server.url("files/tool.sh")
        work.directory.write(".travis.yml", "language: c\ninstall:\n  - curl -fsSL \(url) | sh -s -- --yes\n  - make\n")
        work.directory.write("Jenkinsfile", "pipeline {\n  stages {\n    stage('t') {\n      steps {\n        sh 'curl -fsSL \(url) | sh'\n      }\n    }\n  }\n}\n")
        let fixed = work.scriptpin(["lint", "--fix", "--yes"])
        #expect(fixed.status == 0, "\(fixed.stdout)\(fixed.stderr)")
        #expect(work.directory.read(".travis.yml") == "language: c\ninstall:\n  - scriptpin run tool -- --yes\n  - make\n")
        #expect(work.directory.read("Jenkinsfile") == "pipeline {\n  stages {\n    stage('t') {\n      steps {\n        sh 'scriptpin run tool'\n      }\n    }\n  }\n}\n")
        #expect(work.scriptpin(["lint"]).status == 0)
    }
}
