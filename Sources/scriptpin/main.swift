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
        guard let command = command(named: name) else {
            return usageError("unknown command (argument 2); `scriptpin --help` lists the commands", usage: topLevelUsage, console: console)
        }
        console.line(command.help)
        return 0
    default:
        break
    }
    guard let command = command(named: first) else {
        return usageError("unknown command (argument 1); `scriptpin --help` lists the commands", usage: topLevelUsage, console: console)
    }
    let parsed: ParsedArguments
    do {
        parsed = try command.parse(Array(arguments.dropFirst()))
    } catch {
        return usageError(error.description, usage: command.usage, console: console, exitCode: command.exitCodes.usage)
    }
    if parsed.isGiven(Command.helpOption) {
        console.line(command.help)
        return 0
    }
    do {
        return try command.perform(parsed, console: console, context: context)
    } catch .usage(let message) {
        return usageError(message, usage: command.usage, console: console, exitCode: command.exitCodes.usage)
    } catch {
        console.error(console.explain(error))
        return command.exitCodes.of(error)
    }
}

func command(named name: String) -> Command? {
    allCommands.first { $0.name == name }
}

func usageError(_ message: String, usage: String, console: Console, exitCode: Int32 = 2) -> Int32 {
    console.error(message)
    console.note("Usage: \(usage)")
    return exitCode
}

let topLevelUsage = "scriptpin <command> [options]"

let topLevelHelp: String = {
    var text = """
        OVERVIEW: Run third-party shell scripts only when they match a SHA-256 pin committed in the repository.

        USAGE: \(topLevelUsage)

        COMMANDS:

        """
    for command in allCommands {
        text += Command.row(command.name, command.overview)
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
    let named = CommandLine.arguments.dropFirst().first.flatMap(command(named:))
    exit(usageError(error.description, usage: named?.usage ?? topLevelUsage, console: console, exitCode: named?.exitCodes.usage ?? ExitCode.usage))
}
