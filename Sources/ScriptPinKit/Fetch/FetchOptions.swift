/// Limits and trust settings for one fetch. Every bound here is a named
/// constant with its reason, because each one is a defence.
public struct FetchOptions: Sendable {
    /// Installer scripts are tens of kilobytes; 16 MiB leaves room for the
    /// largest real ones while refusing a server that streams forever.
    public static let defaultMaximumSize: Int64 = 16 * 1024 * 1024
    /// A whole transfer, redirects included. Generous for a slow CI network,
    /// short enough that a stalled job fails instead of hanging until its own timeout.
    public static let defaultTimeoutSeconds = 120
    /// The longest `--timeout` accepted: a day, past which a job is stuck, not slow.
    public static let maximumTimeoutSeconds = 86_400
    /// TCP and TLS set-up. A host that has not answered in this time is down.
    public static let connectTimeoutSeconds = 20
    /// A body slower than this many bytes a second ...
    public static let lowSpeedBytesPerSecond = 1024
    /// ... for this many seconds is abandoned: a trickling server must not hold a pipeline.
    public static let lowSpeedSeconds = 15
    /// Redirect hops. Real hosts use one or two (GitHub release assets use two).
    public static let maximumRedirects = 5
    /// Tries after the first for a transient failure (refused, reset, 429, 5xx).
    public static let transientRetries = 2
    /// Wait before the first retry; it doubles for the next. Enough for a
    /// restarting server or a rate limit to recover, small next to a CI step.
    public static let defaultFirstRetryDelayMilliseconds = 500
    /// The most `SCRIPTPIN_RETRY_DELAY_MS` may ask for: with the doubling,
    /// a minute of waiting before the last try is already longer than a flaky host needs.
    public static let maximumFirstRetryDelayMilliseconds = 20_000
    /// Sets the first retry's wait for a network that needs more (or, in tests, less).
    public static let retryDelayVariable = "SCRIPTPIN_RETRY_DELAY_MS"

    /// Sends connections for a host elsewhere, as curl's `--connect-to`
    /// (`HOST:PORT:ADDRESS:PORT`, separated by spaces): a mirror or staging
    /// host, or a test's stand-in on loopback. The certificate must still be
    /// valid for the URL's own host name, so this moves no trust.
    public static let connectToVariable = "SCRIPTPIN_CONNECT_TO"

    /// CA bundle to trust instead of the system's (`--ca-file`).
    public var caFile: String?
    /// The bundle `SSL_CERT_FILE` names, used when `caFile` is not set.
    public var environmentCAFile: String?
    /// Overrides the pin's `max-size` and the default.
    public var maximumSize: Int64?
    public var timeoutSeconds: Int = defaultTimeoutSeconds
    public var firstRetryDelayMilliseconds = defaultFirstRetryDelayMilliseconds
    /// Rules from `SCRIPTPIN_CONNECT_TO`.
    public var connectTo: [String] = []

    public init(
        caFile: String? = nil, environmentCAFile: String? = nil, maximumSize: Int64? = nil,
        timeoutSeconds: Int = defaultTimeoutSeconds
    ) {
        self.caFile = caFile
        self.environmentCAFile = environmentCAFile
        self.maximumSize = maximumSize
        self.timeoutSeconds = timeoutSeconds
    }

    /// `--ca-file`, else `SSL_CERT_FILE`, else nil for the system's bundle.
    public var effectiveCAFile: String? {
        caFile ?? environmentCAFile
    }

    /// The cap for a body: `--max-size`, else what its pin declares (`max-size`), else the default.
    public func sizeLimit(declared: Int64?) -> Int64 {
        maximumSize ?? declared ?? Self.defaultMaximumSize
    }

    /// What the environment adds: the CA bundle `SSL_CERT_FILE` names, the
    /// connect-to rules of `SCRIPTPIN_CONNECT_TO`, and the first retry's
    /// wait that `SCRIPTPIN_RETRY_DELAY_MS` asks for.
    public mutating func adopt(_ context: ProcessContext) throws(ScriptPinError) {
        environmentCAFile = context.caFileFromEnvironment
        if let rules = context.nonEmptyValue(Self.connectToVariable) {
            connectTo = rules.split(separator: " ").map(String.init)
            guard connectTo.allSatisfy({ $0.split(separator: ":", omittingEmptySubsequences: false).count == 4 }) else {
                throw .invalidEnvironment(name: Self.connectToVariable, expected: "space-separated HOST:PORT:ADDRESS:PORT rules, as curl's --connect-to takes them")
            }
        }
        guard let text = context.nonEmptyValue(Self.retryDelayVariable) else { return }
        let range = 0...Self.maximumFirstRetryDelayMilliseconds
        guard let milliseconds = Int(text), range.contains(milliseconds) else {
            throw .invalidEnvironment(
                name: Self.retryDelayVariable, expected: "a whole number of milliseconds from \(range.lowerBound) to \(range.upperBound)")
        }
        firstRetryDelayMilliseconds = milliseconds
    }
}
