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
        // The runner's default `bash -e {0}` stops a step at its first failing command.
        let state = DownloadFlowState(errexit: true)
        for step in job["steps"]?.items ?? [] {
            guard let run = step["run"]?.scalar else { continue }
            let shell = (step["shell"]?.scalar?.string ?? defaultShell ?? "bash").lowercased()
            if shell.hasPrefix("pwsh") || shell.hasPrefix("powershell") {
                collector.powershell(run.text)
            } else if shell.hasPrefix("bash") || shell.hasPrefix("sh") {
                state.dialect = shell.hasPrefix("bash") ? .bash : .posix
                collector.shell(run.text, state: state, failsClosed: true)
            }
        }
    }

    private static let gitlabReserved: Set<String> = ["stages", "variables", "include", "workflow", "image", "services", "cache", "default"]

    static func lintGitLab(_ bytes: [UInt8], into collector: inout LintEngine.Collector) {
        guard let root = read(bytes, into: &collector) else { return }
        let defaults = root["default"]
        let globalBefore = defaults?["before_script"] ?? root["before_script"]
        let globalAfter = defaults?["after_script"] ?? root["after_script"]
        for entry in root.entries where !gitlabReserved.contains(entry.key) {
            guard entry.value["script"] != nil else { continue }
            // GitLab stops a job at the first failing script line.
            let state = DownloadFlowState(errexit: true)
            for key in ["before_script", "script", "after_script"] {
                let node = entry.value[key] ?? (key == "before_script" ? globalBefore : key == "after_script" ? globalAfter : nil)
                guard let node else { continue }
                let lines = node.items.isEmpty ? [node] : node.items
                for line in lines {
                    guard let scalar = line.scalar else { continue }
                    collector.shell(scalar.text, state: state, failsClosed: true)
                }
            }
        }
    }

    private static func read(_ bytes: [UInt8], into collector: inout LintEngine.Collector) -> YAMLNode? {
        switch YAMLReader.read(bytes) {
        case .success(let node):
            return node
        case .failure(let error):
            collector.problem(line: error.line, column: error.column, "cannot read this YAML: \(error.message); it was not checked")
            return nil
        }
    }
}
