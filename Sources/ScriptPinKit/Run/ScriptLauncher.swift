/// Starts the interpreter on a verified image and waits for it: `image`
/// becomes descriptor 3 (`/dev/fd/3`) when it is not a named file, signals
/// are forwarded, and failures to start keep `run`'s exit codes (127 not
/// found, 126 not executable).
public func spawnAndWait(
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
/// only an unconfined script could see is worth a warning then.
func launch(
    _ arguments: [String], environment: [EnvironmentVariable], image: ScriptImage?, plan: ConfinementPlan,
    context: ProcessContext, reporter: any Reporter, beforeRunningUnconfined: () -> Void
) throws(ScriptPinError) -> Termination {
    if plan.network == .host {
        reporter.note("scriptpin: the script's network is unrestricted; list the hosts it may reach as `egress HOST[:PORT]` lines in its pin (`scriptpin run --egress-audit` shows the ones it contacts)")
    }
    guard plan.mode != .off else {
        beforeRunningUnconfined()
        return try spawnAndWait(arguments, environment: environment, image: image)
    }
    // Found here: the sandbox's PID 1 searches nothing.
    guard let executable = findExecutable(arguments[0], searchPath: context.value("PATH") ?? defaultSearchPath) else {
        throw .interpreterNotFound(arguments[0])
    }
    let sandbox: RunningSandbox
    do {
        sandbox = try RunningSandbox.launch(
            plan.sandboxSpec, executable: executable, arguments: arguments, environment: plan.environment(environment).map(\.entry),
            passedDescriptor: passedDescriptor(of: image))
    } catch {
        switch error {
        case .refused(let refusal):
            let diagnosis = ConfinementDiagnosis(refusal)
            guard plan.mode == .auto else { throw .confinementUnavailable(diagnosis) }
            reporter.warning("the script runs unconfined: \(diagnosis)")
            beforeRunningUnconfined()
            return try spawnAndWait(arguments, environment: environment, image: image)
        case .spawn(let failure):
            throw launchError(failure, program: arguments[0])
        }
    }
    var proxy: EgressProxy?
    if let listener = sandbox.listener, case .proxied(let allowed, let audit) = plan.network {
        do {
            proxy = try EgressProxy(listener: listener, policy: audit ? .audit : .allow(allowed))
        } catch {
            // The script is already waiting in the sandbox: it ends with PID 1.
            _ = try? sandbox.wait()
            throw .egressProxyFailed(error)
        }
        proxy?.start()
    }
    let termination: Termination
    do {
        termination = try sandbox.wait()
    } catch {
        _ = proxy?.stop()
        throw launchError(error, program: arguments[0])
    }
    if let ledger = proxy?.stop(), case .proxied(_, let audit) = plan.network {
        reportEgress(ledger, audit: audit, reporter: reporter)
    }
    return termination
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
private func reportEgress(_ ledger: EgressLedger, audit: Bool, reporter: any Reporter) {
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
        let contacted = ledger.contacted
        if contacted.isEmpty {
            reporter.note("scriptpin: egress audit: the script contacted no host; `egress none` in its pin allows exactly that")
        } else {
            reporter.note("scriptpin: egress audit: the script contacted \(plural(contacted.count, "destination")); these lines in its pin allow exactly them:")
            for destination in contacted { reporter.note("egress \(destination)") }
        }
    }
}
