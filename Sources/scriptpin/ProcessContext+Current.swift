import Glibc
import ScriptPinKit

extension ProcessContext {
    /// This process's environment, working directory and terminals, read
    /// once here so that the library below never reads them itself.
    static func current() -> ProcessContext {
        var environment: [EnvironmentVariable] = []
        var cursor = environ
        while let entry = cursor.pointee {
            let bytes = UnsafeRawBufferPointer(start: entry, count: strlen(entry))
            if let variable = EnvironmentVariable(entry: Array(bytes)) { environment.append(variable) }
            cursor += 1
        }
        var workingDirectory = "."
        if let pointer = getcwd(nil, 0) {
            workingDirectory = String(cString: pointer)
            free(pointer)
        }
        // https://no-color.org: set to anything but empty, no colour.
        let noColour = environment.last { $0.name == "NO_COLOR" }.map { !$0.value.isEmpty } ?? false
        let inputIsTerminal = isatty(STDIN_FILENO) == 1
        let terminal = TerminalFacts(
            inputIsTerminal: inputIsTerminal, outputIsTerminal: isatty(STDOUT_FILENO) == 1,
            errorIsTerminal: isatty(STDERR_FILENO) == 1, inputIsForeground: inputIsTerminal && tcgetpgrp(STDIN_FILENO) == getpgrp(),
            colourAllowed: !noColour)
        return ProcessContext(
            environment: environment, workingDirectory: workingDirectory, terminal: terminal, executablePath: currentExecutablePath())
    }
}

/// The path of the running executable, from /proc/self/exe: the hook calls it, and confinement keeps its directory read-only.
func currentExecutablePath() -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard length > 0 else { return nil }
    return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
