/// `scriptpin hash`: digests of files in the exact format of `sha256sum`.
public struct HashCommand: Sendable {
    public var algorithm: DigestAlgorithm = .sha256
    public var subresourceIntegrity = false
    /// Files, "-" for standard input, or https URLs; standard input when empty.
    public var operands: [String] = []
    public var fetchOptions = FetchOptions()

    public init() {}

    /// Prints one line per operand in argument order; returns the exit code.
    public func run(reporter: any Reporter) -> Outcome {
        let inputs = operands.isEmpty ? ["-"] : operands
        let results = digests(of: inputs)
        var outcome = Outcome.succeeded
        for (input, result) in zip(inputs, results) {
            switch result {
            case .success(let digest):
                let value = subresourceIntegrity ? digest.sri : digest.hex
                reporter.line(Self.checksumLine(value, name: isRemote(input) ? ScriptURL.redact(input) : input))
            case .failure(let error):
                reporter.error(reporter.explain(error))
                outcome = outcome.including(error.category)
            }
        }
        return outcome
    }

    /// Hashes files in parallel, one worker per core, since a hash is bound
    /// by one core's SHA speed; URLs are fetched and hashed the same way.
    private func digests(of inputs: [String]) -> [Result<Digest, ScriptPinError>] {
        let algorithm = self.algorithm
        let fetcher = Fetcher(options: fetchOptions)
        return concurrentMap(inputs) { input in
            Result { () throws(ScriptPinError) in
                if isRemote(input) { return try fetcher.digest(of: input, algorithm: algorithm) }
                return try digest(ofFile: input, algorithm: algorithm)
            }
        }
    }

    /// `<digest>  <name>`, escaped as coreutils does when the name holds a
    /// backslash, newline or carriage return: the line then starts with `\`.
    public static func checksumLine(_ value: String, name: String) -> String {
        guard name.contains(where: { $0 == "\\" || $0 == "\n" || $0 == "\r" }) else { return "\(value)  \(name)" }
        var escaped = ""
        for character in name.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return "\\\(value)  \(escaped)"
    }
}
