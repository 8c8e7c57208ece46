import Testing
@testable import ScriptPinKit

@Suite("lint: what is known of command names, looked up by their bytes")
struct CommandNameTableTests {
    @Test("Every listed name is found with its value, by string and by bytes; near misses are not")
    func lookups() {
        let names = (0..<300).map { "command-\($0)" } + ["", "a", "sh", "$SHELL"]
        let table = CommandNameTable(names.enumerated().map { ($1, $0) })
        for (index, name) in names.enumerated() {
            #expect(table.value(for: name) == index)
            #expect(table.value(for: Array(name.utf8)[...]) == index)
        }
        for miss in ["command-300", "command-", "Command-1", "shh", "s", "$SHELL "] {
            #expect(table.value(for: miss) == nil, "\(miss)")
        }
    }

    @Test("Roles by bytes are the roles by string, python versions included")
    func roles() {
        for name in ["curl", "sudo", "sha256sum", "bash", "grep", "zcat", "python3.12", "python3", "pythonx", "mkdir", "${SHELL}"] {
            #expect(ShellCommands.role(of: Array(name.utf8)[...]) == ShellCommands.role(of: name), "\(name)")
        }
        #expect(ShellCommands.role(of: "python3.12") == .interpreter)
        #expect(ShellCommands.role(of: "pythonx").isEmpty)
        #expect(ShellCommands.role(of: "curl") == .downloader)
        #expect(ShellCommands.role(of: "bash") == [.interpreter, .shell])
    }

    @Test("Every interpreter's name holds one of the fragments the skimming parse looks for; quotes and backslashes count as a possible name")
    func interpreterFragments() {
        for name in ShellCommands.interpreters.union(["python3.12", "$SHELL", "$BASH", "/usr/bin/env bash"]) {
            #expect(ShellCommands.mayNameInterpreter(Array(name.utf8)[...]), "\(name)")
        }
        for text in ["uniq ", "cut ", "git ", "sort -k2 "] {
            #expect(!ShellCommands.mayNameInterpreter(Array(text.utf8)[...]), "\(text)")
        }
        for text in ["timeout 9 'ba''sh' ", "nice b\\ash ", "run \"x\" "] {
            #expect(ShellCommands.mayNameInterpreter(Array(text.utf8)[...]), "\(text)")
        }
    }
}
