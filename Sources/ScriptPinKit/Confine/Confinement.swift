/// `run`'s confinement settings from the command line; the pin adds its own.
public struct ConfinementOptions: Sendable {
    /// `--confine`; nil leaves it to the pin, else `auto`.
    public var mode: ConfinementMode?
    /// `--egress`, added to the pin's lines.
    public var egress: [EgressRule] = []
    /// `--egress-audit`: confine the network but let every host through, and list them.
    public var audit = false
    /// `--write`, added to the pin's lines.
    public var write: [WriteRule] = []
    /// `--write-audit`: let every change through, and list them.
    public var writeAudit = false
    /// `--audit`: both audits.
    public var auditsEverything = false

    public var auditsNetwork: Bool { audit || auditsEverything }
    public var auditsWrites: Bool { writeAudit || auditsEverything }
    /// `--hide` and `--expose`, as given (relative paths are relative to the working directory).
    public var hide: [String] = []
    public var expose: [String] = []

    public init() {}
}

/// What one run gets: the options and the pin, combined and checked.
struct ConfinementPlan {
    enum Network: Equatable {
        /// The host's network, as unconfined.
        case host
        /// Loopback only: `egress none`.
        case none
        /// Loopback and the proxy, which allows these (or, auditing, everything).
        case proxied(allowed: [EgressDestination], audit: Bool)
    }

    enum Writes: Equatable {
        /// The host's file system, as unconfined.
        case host
        /// Copy-on-write layers over the host: changes under `writable`
        /// (absolute, the protected paths carved out) reach the host, the
        /// rest are discarded and listed; auditing, all of them reach it.
        case layered(writable: [String], audit: Bool)
    }

    /// Credential stores under `$HOME` that no installer needs to read.
    static let credentialLocations = [
        ".ssh", ".aws", ".azure", ".config/gcloud", ".docker/config.json", ".kube", ".netrc", ".git-credentials", ".npmrc",
        ".pypirc", ".gnupg",
    ]

    /// Agents and daemons that act with the keys the credential masks
    /// protect, or with the machine itself: the ssh agent (whose socket a
    /// script could find in /tmp/ssh-* even with `SSH_AUTH_SOCK` withheld),
    /// the gpg agent, the desktop keyrings, and Docker's socket.
    static func agentLocations(user: UInt32, sshAgent: String?) -> [String] {
        let runtime = "/run/user/\(user)"
        let sockets = [joinPath(runtime, "gnupg"), joinPath(runtime, "keyring"), joinPath(runtime, "gcr"), "/var/run/docker.sock", "/run/docker.sock"]
        guard let sshAgent, sshAgent.hasPrefix("/") else { return sockets }
        return [sshAgent] + sockets
    }

    /// The files a GitHub Actions runner reads after the step to change
    /// later steps (variables, `PATH`, outputs, state, the summary): a
    /// script that appends `BASH_ENV=…` to one runs in every step after it.
    /// GitLab has no such files; its dotenv reports are paths the job names.
    static let laterStepFiles = ["GITHUB_ENV", "GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_STATE", "GITHUB_STEP_SUMMARY"]

    /// What later code runs or trusts in the script's place, read-only
    /// whatever the pin says: scriptpin's own directory (a replaced binary
    /// would run the next `scriptpin run` with its secrets), the manifest
    /// directory, and the runner's files for later steps.
    static func protectedLocations(manifestDirectory: String?, context: ProcessContext) -> [String] {
        let executableDirectory = context.executablePath.map(parentDirectory(of:))
        let runnerFiles = laterStepFiles.compactMap { context.nonEmptyValue($0) }.filter { $0.hasPrefix("/") }
        return [executableDirectory, manifestDirectory].compactMap { $0 } + runnerFiles
    }

    let mode: ConfinementMode
    /// What chose `mode`.
    let modeSource: ConfinementModeSource
    let network: Network
    let writes: Writes
    /// The directories whose changes are private to the run and never listed: `/tmp`, `$TMPDIR`, `/var/tmp`.
    let temporaryDirectories: [String]
    /// Absolute paths to mask, defaults and `hide` lines, without the exposed ones.
    let maskedPaths: [String]
    /// Absolute paths the script may read but not change.
    let protectedPaths: [String]
    let workingDirectory: String
    /// `$HOME`, else the account's: what `~` in write lines and messages stands for.
    let home: String?

    /// Combines `options` with `pin` (nil for an ad hoc run); the manifest
    /// directory, when there is one, is protected.
    init(options: ConfinementOptions, pin: Pin?, manifestDirectory: String?, context: ProcessContext) throws(ScriptPinError) {
        var rules: [EgressRule] = []
        for rule in (pin?.egress ?? []) + options.egress where !rules.contains(rule) { rules.append(rule) }
        let destinations = rules.compactMap { rule -> EgressDestination? in
            if case .destination(let destination) = rule { return destination }
            return nil
        }
        if rules.contains(.none) && !destinations.isEmpty {
            throw .conflictingSettings("`egress none` cannot be combined with egress hosts (\(destinations.map(\.description).joined(separator: ", "))); keep one or the other")
        }
        if options.auditsNetwork {
            network = .proxied(allowed: destinations, audit: true)
        } else if rules == [.none] {
            network = .none
        } else if !destinations.isEmpty {
            network = .proxied(allowed: destinations, audit: false)
        } else {
            network = .host
        }
        var writeRules: [WriteRule] = []
        for rule in (pin?.write ?? []) + options.write where !writeRules.contains(rule) { writeRules.append(rule) }
        if writeRules.contains(.none) && writeRules.count > 1 {
            throw .conflictingSettings("`write none` cannot be combined with write paths (\(writeRules.filter { $0 != .none }.map(\.description).joined(separator: ", "))); keep one or the other")
        }
        let home = context.nonEmptyValue("HOME") ?? homeDirectoryOfCurrentUser()
        let protected = Self.protectedLocations(manifestDirectory: manifestDirectory, context: context).map(normalizedPath)
        let writable = writeRules.compactMap { $0.absolutePath(home: home, workingDirectory: context.workingDirectory) }
        for path in writable {
            // A link on the way would grant its target while the line, and every check on it, names the link.
            if let resolved = resolvingLinks(path), resolved != path {
                throw .conflictingSettings("write \(path): it leads to \(resolved) through a symbolic link, and a write line allows only what it names; write the real path (write \(resolved)) if the script may change that")
            }
            if let named = protected.first(where: { isInside(path, $0) }) {
                throw .conflictingSettings("write \(path): it is inside \(named), which stays read-only for every script (scriptpin's own directory, the manifest, or the runner's files for later steps); remove the line")
            }
        }
        if options.auditsWrites {
            writes = .layered(writable: writable, audit: true)
        } else if !writeRules.isEmpty {
            writes = .layered(writable: writable, audit: false)
        } else {
            writes = .host
        }
        temporaryDirectories = ["/tmp", "/var/tmp", context.nonEmptyValue("TMPDIR")].compactMap { $0 }.filter { $0.hasPrefix("/") }.map(normalizedPath)

        let requested: (mode: ConfinementMode, source: ConfinementModeSource)? =
            options.mode.map { ($0, .options) } ?? pin?.confine.map { ($0, .pin) }
        if network != .host || writes != .host {
            let rules = network != .host ? "egress rules are" : "write rules are"
            if let requested, requested.mode == .off {
                throw .conflictingSettings("\(rules) enforced by confinement, so they cannot run with confinement off (\(requested.source.reason)); drop one or the other")
            }
            (mode, modeSource) = (.required, network != .host ? .egressRules : .writeRules)
        } else {
            (mode, modeSource) = requested ?? (.auto, .defaultMode)
        }

        func absolute(_ path: String, relativeTo base: String) -> String {
            if path == "~" || path.hasPrefix("~/") { return normalizedPath(joinPath(home ?? "/", String(path.dropFirst(2)))) }
            return normalizedPath(path.hasPrefix("/") ? path : joinPath(base, path))
        }
        // `$HOME` and the account's home differ in container jobs and under `sudo -E`: both are masked (once, as below).
        let homes = [home, homeDirectoryOfCurrentUser()].compactMap { $0 }
        let defaults = homes.flatMap { home in Self.credentialLocations.map { joinPath(home, $0) } }
            + Self.agentLocations(user: effectiveUserID(), sshAgent: context.nonEmptyValue("SSH_AUTH_SOCK"))
        let hidden = defaults + (pin?.hide ?? []).map { absolute($0, relativeTo: "/") }
            + options.hide.map { absolute($0, relativeTo: context.workingDirectory) }
        let exposed = (pin?.expose ?? []).map { absolute($0, relativeTo: "/") }
            + options.expose.map { absolute($0, relativeTo: context.workingDirectory) }
        var masked: [String] = []
        for path in hidden.map(normalizedPath) where !masked.contains(path) {
            if !exposed.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) { masked.append(path) }
        }
        maskedPaths = masked
        workingDirectory = context.workingDirectory
        self.home = home
        protectedPaths = protected
    }

    /// The sandbox for this plan: the protected paths that exist, read-only;
    /// masks for the masked paths that exist (a path inside another masked
    /// directory is hidden with it); the network. A path that cannot be
    /// examined is an error, never taken for missing: that would leave it unmasked.
    /// `layingOutRoot: false` leaves the write-confined root out: a probe
    /// asks only whether the kernel gives the namespaces, and a root whose
    /// layers fall back to read-only where refused is laid out once, for the run.
    func sandboxSpec(layingOutRoot: Bool = true) throws(ScriptPinError) -> SandboxSpec {
        func kind(_ path: String) throws(ScriptPinError) -> FileKind {
            do { return try existingFileKind(path) } catch { throw .confinementPathUnreadable(path: path, error) }
        }
        var spec = SandboxSpec()
        spec.workingDirectory = workingDirectory
        for path in protectedPaths where try kind(path) != .missing && !spec.readOnlyPaths.contains(path) {
            spec.readOnlyPaths.append(path)
        }
        var existing: [SandboxSpec.Mask] = []
        for path in maskedPaths {
            switch try kind(path) {
            case .missing: continue
            case .directory: existing.append(SandboxSpec.Mask(path: path, isDirectory: true))
            case .regular, .other: existing.append(SandboxSpec.Mask(path: path, isDirectory: false))
            }
        }
        spec.masks = existing.filter { mask in
            !existing.contains { $0.isDirectory && $0.path != mask.path && mask.path.hasPrefix($0.path + "/") }
        }
        if layingOutRoot, case .layered(let writable, let audit) = writes {
            // Existing directories the script may change are bound as they are; the rest goes through the layers.
            var live: [String] = []
            for path in writable where !audit {
                if try kind(path) == .directory { live.append(path) }
            }
            let own = temporaryDirectories + [workingDirectory] + (home.map { [normalizedPath($0)] } ?? [])
            do { spec.rootSteps = try RootLayout(liveDirectories: live, ownLayers: own).steps } catch {
                throw .confinementPathUnreadable(path: error.path, error.errno)
            }
        }
        switch network {
        case .host:
            break
        case .none:
            spec.isolatesNetwork = true
        case .proxied:
            spec.isolatesNetwork = true
            spec.listenerPort = EgressProxy.portInsideSandbox
        }
        return spec
    }

    /// What becomes of a change the script made under a layer.
    enum WriteDisposition: Equatable {
        /// Made on the host: the path is in the write list (or this is an audit).
        case kept
        /// In a private temporary directory: gone with the run, not listed.
        case temporary
        /// Not in the write list, or protected: never reaches the host, and listed.
        case discarded
    }

    func disposition(of change: FileChange) -> WriteDisposition {
        guard case .layered(let writable, let audit) = writes else { return .kept }
        let paths = change.touchedPaths
        if paths.contains(where: { path in protectedPaths.contains { isInside(path, $0) } }) { return .discarded }
        if paths.allSatisfy({ path in writable.contains { isInside(path, $0) } }) { return .kept }
        // A workspace or a home directory under /tmp (a CI job's, a test's) is no temporary directory.
        let temporary = paths.allSatisfy { path in
            temporaryDirectories.contains { isInside(path, $0) } && !isInside(path, workingDirectory) && !(home.map { isInside(path, $0) } ?? false)
        }
        return temporary ? .temporary : audit ? .kept : .discarded
    }

    /// The variables that point the script at the proxy, replacing any it had.
    static let proxyVariables = ["https_proxy", "http_proxy", "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"]
    /// Removed: with the proxy as the only way out, nothing may bypass it.
    static let bypassVariables = ["NO_PROXY", "no_proxy", "all_proxy"]

    /// The script's environment with the proxy variables set (proxied network) or removed (no network).
    func environment(_ passed: [EnvironmentVariable]) -> [EnvironmentVariable] {
        guard network != .host else { return passed }
        let replaced = Set(Self.proxyVariables + Self.bypassVariables)
        var result = passed.filter { !replaced.contains($0.name) }
        if case .proxied = network {
            let address = "http://127.0.0.1:\(EgressProxy.portInsideSandbox)"
            result += Self.proxyVariables.map { EnvironmentVariable(name: $0, value: address) }
        }
        return result
    }
}
