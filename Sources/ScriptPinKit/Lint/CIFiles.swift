/// GitHub Actions workflows and composite actions, GitLab CI pipelines.
enum CIFiles {
    static func lintGitHub(_ bytes: [UInt8], into collector: inout LintEngine.Collector) {
        guard let root = read(bytes, into: &collector) else { return }
        let defaultShell = root["defaults"]?["run"]?["shell"]?.scalar?.string
        if let runs = root["runs"] {
            job(runs, defaultShell: defaultShell, into: &collector)
        }
        for entry in root["jobs"]?.entries ?? [] {
            let jobShell = entry.value["defaults"]?["run"]?["shell"]?.scalar?.string ?? defaultShell
            job(entry.value, defaultShell: jobShell, into: &collector)
        }
    }

    /// Steps of one job share a workspace: a file downloaded in one step and run in a later one is found.
    private static func job(_ job: YAMLNode, defaultShell: String?, into collector: inout LintEngine.Collector) {
        var state = DownloadFlowState()
        for step in job["steps"]?.items ?? [] {
            // A flow mapping over several lines is not modeled: said, not skipped in silence.
            if let text = step.scalar, text.string.hasPrefix("{") {
                let position = text.text.position(of: 0)
                collector.notChecked(line: position.line, column: position.column, "this step is a flow mapping over several lines, which lint does not read; write it as a block mapping to have it checked")
                continue
            }
            guard let run = step["run"]?.scalar else { continue }
            // The runner's default `bash -e {0}` stops a step at its first failing command.
            runStep(run, shell: step["shell"]?.scalar?.string ?? defaultShell, defaultErrexit: true, label: "the step's shell", state: &state, into: &collector)
        }
    }

    /// One step's code, read as its shell reads it: a POSIX shell, or one
    /// that a wrapper starts (`sudo bash -e {0}`), as shell; PowerShell as
    /// PowerShell; any other shell gets a not-checked note. Each step is a new process.
    static func runStep(
        _ code: YAMLScalar, shell: String?, defaultErrexit: Bool, label: String, state: inout DownloadFlowState,
        into collector: inout LintEngine.Collector
    ) {
        let words = (shell ?? "bash").lowercased().split(separator: " ").map { baseName(String($0)) }
        // GitHub's `bash` and `sh` keywords add `-e`; a custom shell line stops only when it says so.
        let keyword = shell.map { $0 == "bash" || $0 == "sh" } ?? true
        state.startProcess(errexit: keyword ? defaultErrexit : words.contains { $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("e") })
        if words.first.map({ $0.hasPrefix("pwsh") || $0.hasPrefix("powershell") }) == true {
            collector.powershell(code.text, state: &state)
        } else if let posix = words.first(where: { ShellCommands.isShellFamily($0) }) {
            state.dialect = LintEngine.dialect(ofShell: posix)
            collector.shell(code.text, state: &state, failsClosed: true)
        } else {
            let position = code.text.position(of: 0)
            collector.notChecked(line: position.line, column: position.column, "\(label) is \(shell ?? "?"), which lint does not read; this code was not checked")
        }
    }

    private static let gitlabReserved: Set<String> = ["stages", "variables", "include", "workflow", "image", "services", "cache", "default"]
    /// How many `extends:` levels GitLab itself follows.
    private static let maximumExtendsDepth = 11

    /// Each job with the scripts it runs: its own, else those it inherits
    /// through `extends:` (hidden `.template` jobs included), else `default:`'s.
    /// Hidden jobs are read as well, so that a finding in a template is
    /// reported even where no job uses it.
    static func lintGitLab(_ bytes: [UInt8], into collector: inout LintEngine.Collector) {
        guard let root = read(bytes, into: &collector) else { return }
        let defaults = root["default"]
        let jobs = Dictionary(root.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        for entry in root.entries where !gitlabReserved.contains(entry.key) {
            guard case .mapping = entry.value else { continue }
            var scripts: [String: YAMLNode] = [:]
            for key in ["before_script", "script", "after_script"] {
                if let node = inherited(key, of: entry.value, jobs: jobs, depth: 0) ?? (key == "script" ? nil : defaults?[key] ?? root[key]) {
                    scripts[key] = node
                }
            }
            guard scripts["script"] != nil else { continue }
            // GitLab stops a job at the first failing script line.
            var state = DownloadFlowState(errexit: true)
            for key in ["before_script", "script", "after_script"] {
                guard let node = scripts[key] else { continue }
                for line in node.items.isEmpty ? [node] : node.items {
                    guard let scalar = line.scalar else { continue }
                    collector.shell(scalar.text, state: &state, failsClosed: true)
                }
            }
        }
    }

    /// `key` of a job, or of the jobs it extends (the last one named wins, as in GitLab).
    private static func inherited(_ key: String, of job: YAMLNode, jobs: [String: YAMLNode], depth: Int) -> YAMLNode? {
        if let own = job[key] { return own }
        guard depth < maximumExtendsDepth, let extends = job["extends"] else { return nil }
        // `extends: .a`, a block list, or a flow list `[.a, .b]`.
        var names = extends.items.compactMap { $0.scalar?.string }
        if names.isEmpty, let text = extends.scalar?.string {
            names = text.trimmingCharacters(in: "[] ").split(separator: ",").map { String($0).trimmingCharacters(in: " \"'") }
        }
        for name in names.reversed() {
            guard let template = jobs[name],
                  let found = inherited(key, of: template, jobs: jobs, depth: depth + 1) else { continue }
            return found
        }
        return nil
    }

    static func read(_ bytes: [UInt8], into collector: inout LintEngine.Collector) -> YAMLNode? {
        switch YAMLReader.read(bytes) {
        case .success(let node):
            return node
        case .failure(let error):
            collector.problem(line: error.line, column: error.column, "cannot read this YAML: \(error.message); it was not checked")
            return nil
        }
    }
}

