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


let runCommand = Command(
    spec: CommandSpec(
        name: "run",
        overview: "Fetch a pinned script, verify it, and run exactly the verified bytes.",
        usage: "scriptpin run <name|url|path> [options] [-- <arguments>...]",
        arguments: [
            ("<name|url|path>", "A pin name, a pinned https URL, or a local script that matches a pin."),
            ("<arguments>", "Passed to the script, after --."),
        ],
        options: [
            manifestOption,
            .value("sha256", "hex", repeatable: true, "Pin ad hoc: the body must have this digest (repeatable; no manifest needed)."),
            .value("interpreter", "program", "Run with this program (default: the pin's interpreter, else the #! line, else sh)."),
            .value("allow-env", "name", repeatable: true, "Let this secret-looking variable (or PREFIX*) through (repeatable)."),
            .flag("clean-env", "Start from PATH, HOME, USER, LOGNAME, SHELL, LANG, LC_*, TERM, TMPDIR, TZ plus allowed variables."),
            .flag("keep-env", "Pass every variable, secrets included."),
            .flag("offline", "Run the stored copy whose digest the pin names; do not fetch."),
            .flag("print", "Write the verified bytes to stdout instead of running them."),
        ] + fetchOptionSpecs + [helpOption],
        discussion: """
            By default the script gets the environment minus every variable whose name looks secret \
            (TOKEN, SECRET, PASSWORD, CREDENTIAL, API_KEY, *_KEY, AWS_*, GOOGLE_*, ...). Exit codes: the \
            script's own status (128+N when killed by signal N); 124 not fetched and no stored copy; \
            125 refused (mismatch, not pinned, invalid pin, usage); 126 interpreter not executable; \
            127 interpreter not found.
            """),
    perform: { arguments, console throws(ScriptPinError) in
        guard let target = arguments.operands.first else {
            throw .usage("run needs a pin name, an https URL or a script path")
        }
        guard arguments.operands.count == 1 else {
            throw .usage("unexpected argument '\(arguments.operands[1])'; put the script's arguments after --")
        }
        if arguments.flag("clean-env") && arguments.flag("keep-env") {
            throw .usage("--clean-env and --keep-env contradict each other; choose one")
        }
        for name in arguments.all("allow-env") where !PinRules.isValidEnvironmentPattern(name) {
            throw .usage("--allow-env '\(name)' is not a variable name or PREFIX* pattern")
        }
        var command = RunCommand()
        command.target = target
        command.arguments = arguments.passthrough
        command.manifest = arguments.value("manifest")
        command.adHocDigests = arguments.all("sha256")
        command.interpreter = arguments.value("interpreter")
        command.environment = EnvironmentPolicy(
            mode: arguments.flag("clean-env") ? .clean : arguments.flag("keep-env") ? .keepAll : .withholdSecrets,
            allowed: arguments.all("allow-env"))
        command.offline = arguments.flag("offline")
        command.printInsteadOfRunning = arguments.flag("print")
        command.fetchOptions = try fetchOptions(from: arguments)
        return command.run(console: console, environment: environmentDictionary())
    })

let allCommands: [Command] = [hashCommand, verifyCommand, runCommand]
