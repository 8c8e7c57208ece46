import ScriptPinKit

/// Maps each subcommand's parsed arguments onto the library and returns the exit code.
struct Command: Sendable {
    let spec: CommandSpec
    let perform: @Sendable (ParsedArguments, Console) throws(ScriptPinError) -> Int32
}

let helpOption = OptionSpec.flag("help", short: "h", "Show help information.")
let manifestOption = OptionSpec.value("manifest", "dir", "The pin directory (default: $SCRIPTPIN_MANIFEST, else the nearest known-hashes/).")
let fetchOptionSpecs: [OptionSpec] = [
    .value("ca-file", "path", "Trust this CA bundle instead of $SSL_CERT_FILE or the system's."),
    .value("timeout", "seconds", "Give up on a download after this long (default: \(FetchOptions.defaultTimeoutSeconds))."),
    .value("max-size", "bytes", "Refuse a body larger than this (default: the pin's max-size, else \(FetchOptions.defaultMaximumSize))."),
]

func fetchOptions(from arguments: ParsedArguments) throws(ScriptPinError) -> FetchOptions {
    var options = FetchOptions(caFile: arguments.value("ca-file"))
    if let timeout = try arguments.integer("timeout", in: 1...86_400) { options.timeoutSeconds = timeout }
    if let size = try arguments.integer("max-size", in: 1...Int(PinRules.maximumDeclaredSize)) { options.maximumSize = Int64(size) }
    return options
}

func environmentDictionary() -> [String: String] {
    Dictionary(processEnvironment().map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
}

let hashCommand = Command(
    spec: CommandSpec(
        name: "hash",
        overview: "Print digests of files or https URLs, in the format of sha256sum.",
        usage: "scriptpin hash [--algo sha256|sha384|sha512] [--sri] [<file|url|->...]",
        arguments: [("<file|url|->", "Files to hash, https URLs to fetch and hash, - for standard input (the default).")],
        options: [
            .value("algo", "algorithm", "sha256, sha384 or sha512 (default: sha256)."),
            .flag("sri", "Print Subresource Integrity values (sha256-<base64>) instead of hex."),
        ] + fetchOptionSpecs + [helpOption],
        discussion: nil),
    perform: { arguments, console throws(ScriptPinError) in
        var command = HashCommand()
        if let name = arguments.value("algo") {
            guard let algorithm = DigestAlgorithm(rawValue: name) else {
                throw .usage("--algo must be sha256, sha384 or sha512, not '\(name)'")
            }
            command.algorithm = algorithm
        }
        command.subresourceIntegrity = arguments.flag("sri")
        command.operands = arguments.operands + arguments.passthrough
        command.fetchOptions = try fetchOptions(from: arguments)
        return command.run(console: console)
    })

let verifyCommand = Command(
    spec: CommandSpec(
        name: "verify",
        overview: "Check pins offline: the pin files are valid, or files match a pin or a vendor's checksum file.",
        usage: "scriptpin verify [--manifest <dir>] [--pin <name>] [<file>...]\n       scriptpin verify --sums <sums-file> [<file>...]",
        arguments: [("<file>", "Local files that must match a pin (or an entry of --sums).")],
        options: [
            manifestOption,
            .value("pin", "name", "The pin each file must match (default: any pin)."),
            .value("sums", "sums-file", "Check files against a sha256sum/sha512sum-format file instead of the pins."),
            helpOption,
        ],
        discussion: "With no file, every pin file is validated and every problem is reported. Output follows sha256sum -c: 'name: OK' or 'name: FAILED' on stdout, a summary on stderr."),
    perform: { arguments, console throws(ScriptPinError) in
        var command = VerifyCommand()
        command.manifest = arguments.value("manifest")
        command.pinName = arguments.value("pin")
        command.sumsFile = arguments.value("sums")
        command.files = arguments.operands + arguments.passthrough
        if command.sumsFile != nil && command.pinName != nil {
            throw .usage("--sums and --pin cannot be combined; --sums checks against the vendor's file, not the pins")
        }
        return command.run(console: console, environment: environmentDictionary())
    })

let allCommands: [Command] = [hashCommand, verifyCommand]
