/// The other CI systems' shell steps, read through the same YAML reader:
/// Travis CI, CircleCI, Azure Pipelines, Bitbucket Pipelines and Ansible
/// task files and playbooks. Each job's steps share one workspace, so a file
/// downloaded in one step and run in a later one is found; what each runner
/// does on a failing command decides `errexit`.
enum MoreCIFiles {
    /// Travis runs a job's phases in one bash session; a failing command
    /// fails the phase without stopping it.
    static let travisPhases = ["before_install", "install", "before_script", "script", "after_success", "after_failure", "before_deploy", "after_deploy", "after_script"]

    static func lintTravis(_ bytes: [UInt8], into collector: inout LintEngine.Collector) {
        guard let root = CIFiles.read(bytes, into: &collector) else { return }
        func job(_ node: YAMLNode) {
            var state = DownloadFlowState(errexit: false)
            for phase in travisPhases {
                for scalar in scalars(node[phase]) { collector.shell(scalar.text, state: &state, failsClosed: false) }
            }
        }
        job(root)
        for key in ["jobs", "matrix"] {
            for entry in root[key]?["include"]?.items ?? [] { job(entry) }
        }
    }

    /// CircleCI runs each `run` step in `/bin/bash -eo pipefail` unless the step names another shell.
    static func lintCircleCI(_ bytes: [UInt8], into collector: inout LintEngine.Collector) {
        guard let root = CIFiles.read(bytes, into: &collector) else { return }
        for section in ["jobs", "commands"] {
            for entry in root[section]?.entries ?? [] {
                var state = DownloadFlowState(errexit: true)
                for step in entry.value["steps"]?.items ?? [] {
                    guard let run = step["run"] else { continue }
                    let command = run.scalar ?? run["command"]?.scalar
                    guard let command else { continue }
                    let shell = run["shell"]?.scalar?.string
                    CIFiles.runStep(command, shell: shell, defaultErrexit: shell == nil, label: "the run step's shell", state: &state, into: &collector)
                }
            }
        }
    }

    /// Azure runs `bash:` and, on Linux and macOS, `script:` with bash (no
    /// `set -e`), `pwsh:` and `powershell:` with PowerShell, and a `Bash@3`
    /// task's inline script; steps stand under `steps`, `jobs[].steps` and `stages[].jobs[].steps`.
    static func lintAzure(_ bytes: [UInt8], into collector: inout LintEngine.Collector) {
        guard let root = CIFiles.read(bytes, into: &collector) else { return }
        var jobs: [YAMLNode] = [root]
        jobs += root["jobs"]?.items ?? []
        for stage in root["stages"]?.items ?? [] { jobs += stage["jobs"]?.items ?? [] }
        for job in jobs {
            var state = DownloadFlowState(errexit: false)
            for step in job["steps"]?.items ?? [] {
                state.startProcess(errexit: false)
                if let code = step["bash"]?.scalar ?? step["script"]?.scalar {
                    collector.shell(code.text, state: &state, failsClosed: false)
                } else if let code = step["pwsh"]?.scalar ?? step["powershell"]?.scalar {
                    collector.powershell(code.text, state: &state)
                } else if let task = step["task"]?.scalar?.string, task.hasPrefix("Bash@"), let code = step["inputs"]?["script"]?.scalar {
                    collector.shell(code.text, state: &state, failsClosed: false)
                }
            }
        }
    }

    /// Bitbucket runs a step's `script:` lines in one shell and stops at the first that fails;
    /// steps stand under `pipelines` (default, branches, tags, pull requests, custom, in `parallel` groups) and `definitions`.
    static func lintBitbucket(_ bytes: [UInt8], into collector: inout LintEngine.Collector) {
        guard let root = CIFiles.read(bytes, into: &collector) else { return }
        var steps: [YAMLNode] = []
        func collect(_ node: YAMLNode, depth: Int) {
            guard depth < maximumDepth else { return }
            if let step = node["step"] { steps.append(step) }
            for entry in node.entries where entry.key != "step" { collect(entry.value, depth: depth + 1) }
            for item in node.items { collect(item, depth: depth + 1) }
        }
        for key in ["pipelines", "definitions"] { if let node = root[key] { collect(node, depth: 0) } }
        for step in steps {
            var state = DownloadFlowState(errexit: true)
            for key in ["script", "after-script"] {
                for scalar in scalars(step[key]) { collector.shell(scalar.text, state: &state, failsClosed: true) }
            }
        }
    }

    /// How deep the pipelines' nesting is followed: a handful of levels in practice.
    private static let maximumDepth = 16

    /// The modules whose value is a command line: `shell` runs it with `/bin/sh -c`; `command` and `raw` run words, so a `sh -c` in them is code.
    static let ansibleCommandModules: Set<String> = [
        "shell", "ansible.builtin.shell", "ansible.legacy.shell", "command", "ansible.builtin.command", "ansible.legacy.command",
        "raw", "ansible.builtin.raw",
    ]

    /// A task file (a list of tasks) or a playbook (a list of plays with
    /// `tasks`, `pre_tasks`, `post_tasks`, `handlers`); blocks nest tasks.
    static func lintAnsible(_ bytes: [UInt8], into collector: inout LintEngine.Collector) {
        guard let root = CIFiles.read(bytes, into: &collector) else { return }
        var state = DownloadFlowState(errexit: false)
        func tasks(_ list: YAMLNode?, depth: Int) {
            guard depth < maximumDepth else { return }
            for task in list?.items ?? [] {
                for key in ["tasks", "pre_tasks", "post_tasks", "handlers", "block", "rescue", "always"] { tasks(task[key], depth: depth + 1) }
                for entry in task.entries where ansibleCommandModules.contains(entry.key) {
                    guard let command = entry.value.scalar ?? entry.value["cmd"]?.scalar else { continue }
                    // Each task is a new process on the managed host, whose files stay for the next.
                    state.startProcess(errexit: false)
                    collector.shell(command.text, state: &state, failsClosed: false)
                }
            }
        }
        tasks(root, depth: 0)
    }

    /// Whether a YAML file is an Ansible playbook: a top-level list whose first item is a play (`hosts:` or `import_playbook:`).
    static func isPlaybook(_ bytes: some Collection<UInt8>) -> Bool {
        var sawList = false
        for line in SourceLines(Array(bytes.prefix(playbookProbeSize))).lines {
            let text = String(decoding: line.bytes, as: UTF8.self)
            let trimmed = text.drop { $0 == " " }
            if trimmed.isEmpty || trimmed.hasPrefix("#") || text == "---" { continue }
            if text.hasPrefix("- ") {
                if sawList { return false }
                sawList = true
                if text.dropFirst(2).hasPrefix("hosts:") || text.dropFirst(2).hasPrefix("import_playbook:") { return true }
                continue
            }
            guard sawList, text.hasPrefix("  ") else { return false }
            if trimmed.hasPrefix("hosts:") || trimmed.hasPrefix("import_playbook:") { return true }
        }
        return false
    }

    /// Bytes of a YAML file read to tell a playbook: its first play's keys come early.
    static let playbookProbeSize = 4096

    /// A scalar, or the scalars of a list (`script: cmd`, `script: [a, b]` as a block list).
    private static func scalars(_ node: YAMLNode?) -> [YAMLScalar] {
        guard let node else { return [] }
        if let scalar = node.scalar { return [scalar] }
        return node.items.compactMap(\.scalar)
    }
}
