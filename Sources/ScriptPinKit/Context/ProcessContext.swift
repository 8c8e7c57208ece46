/// Everything scriptpin reads from the process it runs in, gathered once by
/// the executable and passed down: nothing in the library reads `environ`,
/// calls `getenv` or asks whether a descriptor is a terminal, so every
/// behaviour can be driven, and tested, with a value.
public struct ProcessContext: Sendable {
    /// The environment in the order the process received it.
    public let environment: [EnvironmentVariable]
    /// The absolute working directory.
    public let workingDirectory: String
    public let terminal: TerminalFacts
    /// The running scriptpin binary, resolved (/proc/self/exe); nil when the library runs inside another program.
    public let executablePath: String?

    public init(environment: [EnvironmentVariable], workingDirectory: String, terminal: TerminalFacts = TerminalFacts(), executablePath: String? = nil) {
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.terminal = terminal
        self.executablePath = executablePath
    }

    /// The last value of `name`, as `getenv` would give it; nil when unset.
    public func value(_ name: String) -> String? {
        environment.last { $0.name == name }?.value
    }

    /// The value of `name` when it is set and not empty.
    public func nonEmptyValue(_ name: String) -> String? {
        value(name).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `path` as the process would open it: relative paths are relative to the working directory.
    public func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : joinPath(workingDirectory, path)
    }

    /// Where temporary files go: `$TMPDIR`, else /tmp.
    public var temporaryDirectory: String {
        nonEmptyValue("TMPDIR") ?? "/tmp"
    }

    /// The CA bundle named by `SSL_CERT_FILE`, which the fetcher honours after `--ca-file`.
    public var caFileFromEnvironment: String? {
        nonEmptyValue("SSL_CERT_FILE")
    }
}

/// One `NAME=value` entry of the environment. Its bytes are kept as the
/// process received them, so that a value that is not UTF-8 reaches the
/// script unchanged; `value` is its text for lookups and messages.
public struct EnvironmentVariable: Sendable {
    public let name: String
    public let value: String
    public let entry: [UInt8]

    /// An entry as it stands in `environ`; nil without an `=`.
    public init?(entry: [UInt8]) {
        guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        self.name = String(decoding: entry[..<equals], as: UTF8.self)
        self.value = String(decoding: entry[(equals + 1)...], as: UTF8.self)
        self.entry = entry
    }

    public init(name: String, value: String) {
        self.name = name
        self.value = value
        self.entry = Array("\(name)=\(value)".utf8)
    }
}
