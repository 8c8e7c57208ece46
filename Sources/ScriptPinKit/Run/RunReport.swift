/// `run --report FILE`: what the script did on the network and to files, written by
/// scriptpin after the script has ended, so that CI reads it from a file the
/// script never held instead of from stderr, where the script's own output
/// can imitate or hide scriptpin's lines.
struct RunReport: Encodable {
    struct Destination: Encodable {
        let destination: String
        let attempts: Int
    }

    struct Allowed: Encodable {
        let destination: String
        let connections: Int
        let bytesSent: Int
        let bytesReceived: Int
    }

    struct Change: Encodable {
        /// Absolute, as on the host.
        let path: String
        /// `created`, `modified`, `deleted`, `renamed`, or `metadata` (only the mode or owner).
        let change: String
        let from: String?
        let isDirectory: Bool
        /// `mode 0644 -> 0755`, `owner 0:0 -> 1000:1000`.
        let metadata: [String]
        /// Why a change the list allows could not be made on the host.
        let failure: String?

        init(_ entry: WriteOutcome.Entry) {
            let change = entry.change
            path = change.path
            (self.change, from) = switch change.kind {
            case .created: ("created", nil)
            case .modified: ("modified", nil)
            case .deleted: ("deleted", nil)
            case .renamed(let from): ("renamed", from)
            case .metadata: ("metadata", nil)
            }
            isDirectory = change.isDirectory
            metadata = change.metadata
            failure = entry.failure
        }
    }

    struct Writes: Encodable {
        /// `host` (unrestricted), `confined` (only the write list reaches the host) or `audit` (everything does, listed).
        let mode: String
        /// Made on the host.
        let kept: [Change]
        /// Never reached the host.
        let discarded: [Change]
        /// Read-only because the kernel gave no layer there: writes refused and not listed.
        let notListed: [String]
        let suggestedWriteLines: [String]?
    }

    struct Script: Encodable {
        let exitStatus: Int32?
        let signal: Int32?
    }

    /// The report's format; raised when a field changes meaning.
    let version = 1
    let script: Script
    /// False when the script ran unconfined (`--confine off`, or `auto` where the kernel refused).
    let confined: Bool
    /// `host` (unrestricted), `none` (loopback only) or `proxied` (only through scriptpin's proxy).
    let network: String
    let audit: Bool
    let allowed: [Allowed]
    let blocked: [Destination]
    let unreachable: [Destination]
    /// Allowed names that resolved only to internal addresses, refused.
    let refusedInternal: [Destination]
    let malformed: [Destination]
    /// In audit mode: the egress lines that allow exactly what the script contacted.
    let suggestedEgressLines: [String]?
    let proxyFailure: String?
    let writes: Writes

    init(
        termination: Termination, confined: Bool, plan: ConfinementPlan, ledger: EgressLedger?, writes outcome: WriteOutcome?
    ) {
        switch termination {
        case .exited(let status): script = Script(exitStatus: status, signal: nil)
        case .signalled(let signal): script = Script(exitStatus: nil, signal: signal)
        }
        self.confined = confined
        let ledger = ledger ?? EgressLedger()
        switch plan.network {
        case .host:
            self.network = "host"
            audit = false
        case .none:
            self.network = "none"
            audit = false
        case .proxied(_, let auditing):
            self.network = "proxied"
            audit = auditing
        }
        func destinations(_ counts: [EgressDestination: Int]) -> [Destination] {
            counts.sorted { $0.key < $1.key }.map { Destination(destination: $0.key.address, attempts: $0.value) }
        }
        allowed = ledger.allowed.sorted { $0.key < $1.key }.map {
            Allowed(destination: $0.key.address, connections: $0.value.connections, bytesSent: $0.value.bytesSent, bytesReceived: $0.value.bytesReceived)
        }
        blocked = destinations(ledger.blocked)
        unreachable = destinations(ledger.unreachable)
        refusedInternal = destinations(ledger.internalOnly)
        malformed = ledger.malformed.sorted { $0.key < $1.key }.map { Destination(destination: $0.key, attempts: $0.value) }
        suggestedEgressLines = audit ? ledger.suggestedEgressLines : nil
        proxyFailure = ledger.proxyFailure
        if let outcome {
            writes = Writes(
                mode: outcome.audit ? "audit" : "confined", kept: outcome.kept.map(Change.init), discarded: outcome.discarded.map(Change.init),
                notListed: outcome.unlisted,
                suggestedWriteLines: outcome.audit ? outcome.suggestedWriteLines(home: plan.home, workingDirectory: plan.workingDirectory) : nil)
        } else {
            writes = Writes(mode: "host", kept: [], discarded: [], notListed: [], suggestedWriteLines: nil)
        }
    }

    /// Writes the report atomically to `path`.
    func write(to path: String) throws(ScriptPinError) {
        try writeAtomically(path, text: encodeReport(self))
    }
}
