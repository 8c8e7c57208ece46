internal import CSystemShims
internal import Glibc
internal import Synchronization

/// The pseudo-terminal a confined script gets in place of scriptpin's
/// own: the script, in a session of its own, has it as its controlling
/// terminal, so whatever it does to a terminal (TIOCSTI, modes, a `/dev/tty`
/// prompt) happens to this one. scriptpin copies the bytes across, both
/// ways, and the window size on each `SIGWINCH`; `script(1)` and ssh work
/// the same way.
final class TerminalRelay: @unchecked Sendable {
    /// What one read or write across the relay moves at most.
    static let bufferSize = 16 * 1024

    /// The standard descriptors (0, 1, 2) that are terminals: the script gets the slave in their place.
    let streams: [Int32]
    private let master: Int32
    private var slave: Int32
    /// Where the script's terminal output goes: our first standard descriptor that is a terminal and can be written.
    private let output: Int32
    /// Only in the foreground of the input terminal: reading it in the background would stop scriptpin (SIGTTIN).
    private let relaysInput: Bool
    private var savedModes: termios?
    private var watchesWindow = false
    private let windowNotices: (read: Int32, write: Int32)
    private let stop: WakeSignal
    private var thread: JoinableThread?
    private let lastByteWritten = Mutex<UInt8?>(nil)

    /// A relay for the standard descriptors `terminal` says are terminals;
    /// nil when none is. The slave starts with the modes and window size of
    /// our terminal.
    static func open(for terminal: TerminalFacts) throws(Errno) -> TerminalRelay? {
        let streams = [(STDIN_FILENO, terminal.inputIsTerminal), (STDOUT_FILENO, terminal.outputIsTerminal), (STDERR_FILENO, terminal.errorIsTerminal)]
            .filter(\.1).map(\.0)
        guard let model = streams.first else { return nil }
        return try TerminalRelay(streams: streams, model: model, relaysInput: terminal.inputIsTerminal && terminal.inputIsForeground)
    }

    private init(streams: [Int32], model: Int32, relaysInput: Bool) throws(Errno) {
        var master: Int32 = -1
        var slave: Int32 = -1
        guard scriptpin_open_pseudo_terminal(&master, &slave) == 0 else { throw .current }
        self.master = master
        self.slave = slave
        self.streams = streams
        self.relaysInput = relaysInput
        output = streams.first { $0 != STDIN_FILENO } ?? STDIN_FILENO
        do {
            stop = try WakeSignal()
            windowNotices = try makePipe(nonBlocking: true)
        } catch {
            _ = close(master)
            _ = close(slave)
            throw error
        }
        var modes = termios()
        guard tcgetattr(model, &modes) == 0, tcsetattr(slave, TCSANOW, &modes) == 0,
            scriptpin_copy_window_size(model, master) == 0,
            fcntl(master, F_SETFL, O_NONBLOCK) == 0
        else { throw .current }
    }

    /// The slave, for the sandbox to hand the script.
    var slaveDescriptor: Int32 { slave }

    /// Once the sandbox holds its copy: ours closed, the master sees the
    /// end of the script's terminal when the script's side is gone.
    func closeSlave() {
        guard slave >= 0 else { return }
        _ = close(slave)
        slave = -1
    }

    /// Puts our input terminal in raw mode, so that the script's terminal
    /// does the line editing and turns Ctrl-C into the script's signal, and
    /// starts relaying. Undone by `finish`.
    func start() throws(Errno) {
        if relaysInput {
            var modes = termios()
            guard tcgetattr(STDIN_FILENO, &modes) == 0 else { throw .current }
            savedModes = modes
            cfmakeraw(&modes)
            guard tcsetattr(STDIN_FILENO, TCSADRAIN, &modes) == 0 else { throw .current }
        }
        guard scriptpin_window_changes_begin(windowNotices.write) == 0 else { throw .current }
        watchesWindow = true
        thread = JoinableThread { [self] in relay() }
        guard thread != nil else { throw .resourceUnavailable }
    }

    /// After the script: copies what it left on its terminal, gives our
    /// terminal back its modes, and says whether the script's last line was
    /// left unfinished (true: scriptpin's own lines start on a new one).
    func finish() -> Bool {
        stop.fire()
        thread?.join()
        thread = nil
        restore()
        return lastByteWritten.withLock { $0.map { $0 != UInt8(ascii: "\n") } ?? false }
    }

    private func restore() {
        if watchesWindow {
            _ = scriptpin_window_changes_end()
            watchesWindow = false
        }
        if var modes = savedModes {
            _ = tcsetattr(STDIN_FILENO, TCSADRAIN, &modes)
            savedModes = nil
        }
    }

    private func relay() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        var pending: [UInt8] = []
        var inputOpen = relaysInput
        var masterOpen = true
        while true {
            var watched = [stop.readableDescriptor, windowNotices.read]
            var events = [Int16(POLLIN), Int16(POLLIN)]
            if masterOpen {
                watched.append(master)
                events.append(Int16(POLLIN) | (pending.isEmpty ? 0 : Int16(POLLOUT)))
            }
            if inputOpen && pending.isEmpty {
                watched.append(STDIN_FILENO)
                events.append(Int16(POLLIN))
            }
            guard let ready = try? poll(watched, events: events, timeoutMilliseconds: -1) else { break }
            if ready.contains(stop.readableDescriptor) { break }
            if ready.contains(windowNotices.read) {
                _ = Glibc.read(windowNotices.read, buffer.baseAddress, buffer.count)
                _ = scriptpin_copy_window_size(output, master)
            }
            if ready.contains(master) {
                masterOpen = copyOutput(buffer) != nil
                if masterOpen && !pending.isEmpty {
                    let written = pending.withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
                    if written > 0 { pending.removeFirst(written) }
                }
            }
            if ready.contains(STDIN_FILENO) {
                let count = Glibc.read(STDIN_FILENO, buffer.baseAddress, buffer.count)
                if count > 0 { pending += buffer[0..<count] } else if count == 0 || Errno.current != .interrupted { inputOpen = false }
            }
        }
        // The script has ended: what is still in the terminal's buffer is its last output.
        while masterOpen, let copied = copyOutput(buffer), copied > 0 {}
    }

    /// Copies what the master has to our terminal: the byte count, 0 when
    /// nothing is there yet, nil once the script's side is closed (EIO).
    private func copyOutput(_ buffer: UnsafeMutableRawBufferPointer) -> Int? {
        let count = Glibc.read(master, buffer.baseAddress, buffer.count)
        if count < 0 && [Errno.interrupted, .wouldBlock].contains(Errno.current) { return 0 }
        guard count > 0 else { return nil }
        // Our terminal gone: what the script shows is lost, not held.
        try? writeAll(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), to: output)
        lastByteWritten.withLock { $0 = buffer[count - 1] }
        return count
    }

    deinit {
        stop.fire()
        thread?.join()
        restore()
        _ = close(master)
        closeSlave()
        _ = close(windowNotices.read)
        _ = close(windowNotices.write)
    }
}
