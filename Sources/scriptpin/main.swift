import Glibc
import ScriptPinKit

/// The process entry point: find the subcommand, parse its arguments, call
/// the library, and turn the outcome into an exit code.
func main(_ arguments: [String], console: Console, context: ProcessContext) -> Int32 {
    guard let first = arguments.first else {
        console.note(topLevelHelp)
        return 2
    }
    switch first {
    case "-h", "--help":
        console.line(topLevelHelp)
        return 0
    case "--version":
        console.line("scriptpin \(ScriptPinVersion.current)")
        console.line("commit \(BuildInfo.commit)")
        console.line(BuildInfo.openSSLVersion)
        console.line("libcurl \(BuildInfo.curlVersion)")
        return 0
    case "help":
        guard let name = arguments.dropFirst().first else {
            console.line(topLevelHelp)
            return 0
        }
        guard let command = allCommands.first(where: { $0.spec.name == name }) else {
            return usageError("unknown command (argument 2); `scriptpin --help` lists the commands", usage: topLevelUsage, console: console)
        }
        console.line(command.spec.help)
        return 0
    default:
        break
    }
    guard let command = allCommands.first(where: { $0.spec.name == first }) else {
        return usageError("unknown command (argument 1); `scriptpin --help` lists the commands", usage: topLevelUsage, console: console)
    }
    let rest = Array(arguments.dropFirst())
    let parsed: ParsedArguments
    do {
        parsed = try command.spec.parse(rest)
    } catch {
        return usageError(error.description, usage: command.spec.usage, console: console, exitCode: command.usageExitCode)
    }
    if parsed.flag("help") {
        console.line(command.spec.help)
        return 0
    }
    do {
        return try command.perform(parsed, console, context)
    } catch .usage(let message) {
        return usageError(message, usage: command.spec.usage, console: console, exitCode: command.usageExitCode)
    } catch {
        console.error(console.explain(error))
        return command.exitCode(for: error)
    }
}

func usageError(_ message: String, usage: String, console: Console, exitCode: Int32 = 2) -> Int32 {
    console.error(message)
    console.note("Usage: \(usage)")
    return exitCode
}

extension Command {
    /// `run` keeps 0–123 for the script, so its own usage errors are 125; `fetch` uses the same codes.
    var usesRunExitCodes: Bool { spec.name == "run" || spec.name == "fetch" }

    var usageExitCode: Int32 { usesRunExitCodes ? ExitCode.Run.refused : ExitCode.usage }

    func exitCode(for error: ScriptPinError) -> Int32 {
        usesRunExitCodes ? ExitCode.Run.of(error) : ExitCode.of(error.category)
    }
}

let topLevelUsage = "scriptpin <command> [options]"

let topLevelHelp: String = {
    var text = """
        OVERVIEW: Run third-party shell scripts only when they match a SHA-256 pin committed in the repository.

        USAGE: \(topLevelUsage)

        COMMANDS:

        """
    for command in allCommands {
        text += CommandSpec.row(command.spec.name, command.spec.overview)
    }
    text += """

        OPTIONS:
          --version                 Show the version.
          -h, --help                Show help information.

        EXIT CODES:
          0  all verified, no drift, no findings
          1  a check failed: digest mismatch, drift, lint finding
          2  usage error, or an invalid pin or manifest
          3  network or I/O failure (and nothing failed verification)
          run passes the script's status through and uses 124-127 for its own failures.

        See 'scriptpin help <command>' for detailed help.
        """
    return text
}()

/// The arguments as text, or the position of the first one that is not
/// UTF-8: Swift would silently replace its bytes, and scriptpin would then
/// act on (or write into a pin) something other than what was typed.
func decodedArguments() -> Result<[String], ScriptPinError> {
    var arguments: [String] = []
    for index in 1..<Int(CommandLine.argc) {
        guard let pointer = CommandLine.unsafeArgv[index] else { break }
        let bytes = UnsafeBufferPointer(start: pointer, count: strlen(pointer)).map { UInt8(bitPattern: $0) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(.usage("argument \(index) is not valid UTF-8; scriptpin takes its arguments, and passes the script's, as UTF-8 text"))
        }
        arguments.append(text)
    }
    return .success(arguments)
}

let context = ProcessContext.current()
let console = Console(terminal: context.terminal)
switch decodedArguments() {
case .success(let arguments):
    exit(main(arguments, console: console, context: context))
case .failure(let error):
    exit(usageError(error.description, usage: topLevelUsage, console: console, exitCode: ["run", "fetch"].contains(CommandLine.arguments.dropFirst().first) ? ExitCode.Run.refused : ExitCode.usage))
}
