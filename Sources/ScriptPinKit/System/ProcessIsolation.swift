internal import CSystemShims
internal import Glibc

/// Stops other processes of the same user, the script `run` starts among
/// them, from reading this process's environment and memory through
/// `/proc/<pid>/environ` and `/proc/<pid>/mem`, or attaching with ptrace.
/// It does not stop root (CAP_SYS_PTRACE), which only confinement can.
func makeNonDumpable() throws(Errno) {
    try retryingInterrupts { scriptpin_set_nondumpable() }
}

/// Overwrites, in place, the values of the named variables in this
/// process's environment block, which is what `/proc/<pid>/environ` shows;
/// from then on this process holds no copy of them there.
func scrubEnvironmentValues(named names: Set<String>) {
    guard !names.isEmpty else { return }
    var cursor = environ
    while let entry = cursor.pointee {
        let length = strlen(entry)
        if let equals = memchr(entry, Int32(UInt8(ascii: "=")), length) {
            let nameLength = UnsafeRawPointer(equals) - UnsafeRawPointer(entry)
            let name = String(decoding: UnsafeRawBufferPointer(start: entry, count: nameLength), as: UTF8.self)
            if names.contains(name) {
                memset(equals + 1, 0, length - nameLength - 1)
            }
        }
        cursor += 1
    }
}

/// Overwrites, in place, every argument after the program's name, which is
/// what `/proc/<pid>/cmdline` shows: a confined script reads its PID 1's,
/// a copy of this process, and an unconfined one reads ours, so a token in
/// a URL's query string or in the script's own arguments would be theirs.
/// Called once the arguments have been parsed into their own copies.
func scrubCommandLine() {
    let arguments = CommandLine.unsafeArgv
    for index in 1..<Int(CommandLine.argc) {
        guard let argument = arguments[index] else { break }
        memset(argument, 0, strlen(argument))
    }
}

/// The pid of the process that started this one.
func parentProcessID() -> Int32 {
    getppid()
}

/// The names in another process's initial environment, as
/// `/proc/<pid>/environ` shows them; nil when it cannot be read (another
/// user's process, or one that made itself non-dumpable).
func environmentNames(ofProcess pid: Int32) -> Set<String>? {
    // The kernel caps a process's arguments and environment together near this size.
    let limit = 4 * 1024 * 1024
    guard let bytes = try? readFile("/proc/\(pid)/environ", limit: limit) else { return nil }
    var names: Set<String> = []
    for entry in bytes.split(separator: 0) {
        guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { continue }
        names.insert(String(decoding: entry[..<equals], as: UTF8.self))
    }
    return names
}
