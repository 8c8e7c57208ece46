/// Starts the interpreter on a verified image and waits for it: `image`
/// becomes descriptor 3 (`/dev/fd/3`) when it is not a named file, signals
/// are forwarded, and failures to start keep `run`'s exit codes (127 not
/// found, 126 not executable).
public func launchScript(
    _ arguments: [String], environment: [EnvironmentVariable], image: ScriptImage?
) throws(ScriptPinError) -> Termination {
    var request = SpawnRequest(arguments: arguments, environment: environment.map(\.entry), forwardsSignals: true)
    request.passedDescriptor = passedDescriptor(of: image)
    do {
        return try spawnAndWait(request).termination
    } catch {
        throw launchError(error, program: arguments[0])
    }
}

/// Starts the script as `plan` says: in the sandbox, with the egress proxy
/// when its network is confined, or unconfined when confinement is off (or
/// `auto` and the kernel refuses it, after a warning saying why).
/// `beforeRunningUnconfined` runs just before an unconfined start: what
/// only an unconfined script could see is worth a warning then. With
/// `reportFile`, the network report is written there as JSON at the end.
/// Returns how the script ended and, when its network went through the
/// proxy, what went through.
func launch(
    _ arguments: [String], environment: [EnvironmentVariable], image: ScriptImage?, plan: ConfinementPlan, reportFile: String?,
    context: ProcessContext, reporter: any Reporter, beforeRunningUnconfined: () -> Void
) throws(ScriptPinError) -> (Termination, EgressLedger?) {
    if plan.network == .host {
        reporter.note("scriptpin: the script's network is unrestricted; list the hosts it may reach as `egress HOST[:PORT]` lines in its pin\(reporter.hint(.auditEgress))")
    }
    if plan.writes == .host {
        reporter.note("scriptpin: the script's writes are unrestricted; list the paths it may change as `write PATH` lines in its pin\(reporter.hint(.auditWrites))")
    }
    let (termination, confined, ledger, writes) = try launchAsPlanned(
        arguments, environment: environment, image: image, plan: plan, context: context, reporter: reporter,
        beforeRunningUnconfined: beforeRunningUnconfined)
    if let reportFile {
        try RunReport(termination: termination, confined: confined, plan: plan, ledger: ledger, writes: writes)
            .write(to: context.resolve(reportFile))
    }
    return (termination, ledger)
}

/// `launch` without the report file: how the script ended, whether it was
/// confined, what went through the proxy, and what it changed.
private func launchAsPlanned(
    _ arguments: [String], environment: [EnvironmentVariable], image: ScriptImage?, plan: ConfinementPlan,
    context: ProcessContext, reporter: any Reporter, beforeRunningUnconfined: () -> Void
) throws(ScriptPinError) -> (Termination, confined: Bool, EgressLedger?, WriteOutcome?) {
    guard plan.mode != .off else {
        beforeRunningUnconfined()
        return (try launchScript(arguments, environment: environment, image: image), false, nil, nil)
    }
    // Found here: the sandbox's PID 1 searches nothing.
    guard let executable = findExecutable(arguments[0], searchPath: context.value("PATH") ?? defaultSearchPath) else {
        throw .interpreterNotFound(arguments[0])
    }
    var spec = try plan.sandboxSpec()
    let terminal: TerminalRelay?
    do { terminal = try TerminalRelay.open(for: context.terminal) } catch { throw .terminalRelayFailed(error) }
    spec.terminal = terminal.map { ($0.slaveDescriptor, $0.streams) }
    let sandbox: RunningSandbox
    do {
        sandbox = try RunningSandbox.launch(
            spec, executable: executable, arguments: arguments, environment: plan.environment(environment).map(\.entry),
            passedDescriptor: passedDescriptor(of: image))
    } catch {
        switch error {
        case .refused(let refusal):
            let diagnosis = ConfinementDiagnosis(refusal)
            guard plan.mode == .auto else { throw .confinementUnavailable(diagnosis, requiredBy: plan.modeSource) }
            reporter.warning("the script runs unconfined: \(diagnosis)")
            beforeRunningUnconfined()
            return (try launchScript(arguments, environment: environment, image: image), false, nil, nil)
        case .spawn(let failure):
            throw launchError(failure, program: arguments[0])
        }
    }
    terminal?.closeSlave()
    // Everything the script relies on outside runs before it is released; until then it is set up and waiting.
    var proxy: EgressProxy?
    do throws(ScriptPinError) {
        if let listener = sandbox.listener, case .proxied(let allowed, let audit) = plan.network {
            do { proxy = try EgressProxy(listener: listener, policy: audit ? .audit : .allow(allowed)) } catch { throw ScriptPinError.egressProxyFailed(error) }
            guard proxy?.start() == true else { throw ScriptPinError.egressProxyFailed(.resourceUnavailable) }
        }
        do { try terminal?.start() } catch { throw ScriptPinError.terminalRelayFailed(error) }
        do { try sandbox.release() } catch { throw launchError(error, program: arguments[0]) }
    } catch {
        sandbox.abandon()
        _ = proxy?.stop()
        _ = terminal?.finish()
        throw error
    }
    let termination: Termination
    do {
        termination = try sandbox.wait()
    } catch {
        _ = proxy?.stop()
        _ = terminal?.finish()
        throw launchError(error, program: arguments[0])
    }
    let endedMidLine = terminal?.finish() ?? true
    if context.terminal.errorIsTerminal { reporter.reclaimTerminal(startingLine: endedMidLine) }
    let ledger = proxy?.stop()
    if let ledger, case .proxied(_, let audit) = plan.network {
        reportEgress(ledger, audit: audit, termination: termination, reporter: reporter)
    }
    var writes: WriteOutcome?
    if let layers = sandbox.layers {
        let outcome = try WriteOutcome(plan: plan, steps: spec.rootSteps, layers: layers)
        outcome.report(to: reporter, home: plan.home, workingDirectory: plan.workingDirectory, termination: termination)
        writes = outcome
    }
    return (termination, true, ledger, writes)
}

/// The search path `execvp` uses when `PATH` is unset.
private let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

private func passedDescriptor(of image: ScriptImage?) -> (descriptor: Int32, childDescriptor: Int32)? {
    guard let descriptor = image?.descriptorForChild else { return nil }
    return (descriptor, ScriptImage.childDescriptor)
}

private func launchError(_ failure: SpawnFailure, program: String) -> ScriptPinError {
    switch failure {
    case .notFound: .interpreterNotFound(program)
    case .notExecutable(let errno): .interpreterNotExecutable(program, errno)
    case .failed(let errno): .spawnFailed(program, errno)
    }
}

/// After the script: each refused destination, each allowed one with its
/// traffic, the totals, and in audit mode the lines that allow exactly what it contacted.
private func reportEgress(_ ledger: EgressLedger, audit: Bool, termination: Termination, reporter: any Reporter) {
    for (destination, count) in ledger.blocked.sorted(by: { $0.key < $1.key }) {
        let attempts = count == 1 ? "" : "; \(count) attempts"
        reporter.note("scriptpin: blocked \(destination.address) (not in the pin's egress list\(attempts))")
    }
    for (destination, count) in ledger.unreachable.sorted(by: { $0.key < $1.key }) {
        reporter.note("scriptpin: could not reach \(destination.address), which the list allows (\(plural(count, "attempt")))")
    }
    for (destination, count) in ledger.internalOnly.sorted(by: { $0.key < $1.key }) {
        reporter.note("scriptpin: refused \(destination.address): the name resolves only to loopback, private or link-local addresses (\(plural(count, "attempt"))); name the address itself in an egress line if the script must reach it")
    }
    for (summary, count) in ledger.malformed.sorted(by: { $0.key < $1.key }) {
        reporter.note("scriptpin: refused \(plural(count, "request")) the egress proxy does not serve: \(summary)")
    }
    var sent = 0
    var received = 0
    var connections = 0
    for (destination, traffic) in ledger.allowed.sorted(by: { $0.key < $1.key }) {
        reporter.note("scriptpin: egress \(destination.address): \(plural(traffic.connections, "connection")), \(plural(traffic.bytesSent, "byte")) sent, \(plural(traffic.bytesReceived, "byte")) received")
        sent += traffic.bytesSent
        received += traffic.bytesReceived
        connections += traffic.connections
    }
    let blocked = ledger.blocked.values.reduce(0, +)
    reporter.note("scriptpin: network: \(plural(connections, "connection")) allowed (\(plural(sent, "byte")) sent, \(plural(received, "byte")) received), \(blocked) blocked")
    if let failure = ledger.proxyFailure { reporter.warning(failure) }
    if audit {
        let lines = ledger.suggestedEgressLines
        if lines.isEmpty {
            reporter.note("scriptpin: egress audit: the script contacted no host; `egress none` in its pin allows exactly that")
        } else {
            reporter.note("scriptpin: egress audit: the script contacted \(plural(lines.count, "destination")); these lines in its pin allow exactly them:")
            for line in lines { reporter.note(line) }
        }
        if termination != .exited(0) {
            reporter.warning("the egress audit may be incomplete: the script \(termination.sentence), perhaps before it reached every host it needs; audit it again once it succeeds")
        }
    }
}
