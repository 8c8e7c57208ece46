internal import CSystemShims
internal import Glibc

/// The kinds of file `ScriptImage` holds a verified body in, and the calls
/// that make them safe: sealing, moving out of the way of descriptor 3, and
/// removing a named file when a fatal signal arrives.
extension FileDescriptor {
    /// An anonymous memory file that can be sealed; ENOSYS where the kernel
    /// or a seccomp profile does not offer `memfd_create`.
    static func memoryFile(name: String) throws(Errno) -> FileDescriptor {
        FileDescriptor(owning: try retryingInterrupts { scriptpin_memfd_create(name, scriptpin_mfd_cloexec | scriptpin_mfd_allow_sealing) })
    }

    /// A file in `directory` that never has a name (`O_TMPFILE`); EOPNOTSUPP
    /// or EISDIR where the file system does not support it.
    static func unnamedFile(in directory: String, mode: UInt32) throws(Errno) -> FileDescriptor {
        FileDescriptor(owning: try retryingInterrupts { scriptpin_open_unnamed_file(directory, mode) })
    }

    /// A close-on-exec duplicate numbered `lowest` or above.
    func duplicate(atLeast lowest: Int32) throws(Errno) -> FileDescriptor {
        FileDescriptor(owning: try retryingInterrupts { fcntl(rawValue, F_DUPFD_CLOEXEC, lowest) })
    }

    /// Adds every seal: no write, grow or shrink through any descriptor, and no further seal changes.
    func sealCompletely() throws(Errno) {
        try retryingInterrupts { scriptpin_add_seals(rawValue, scriptpin_all_seals) }
    }

    var isCompletelySealed: Bool {
        scriptpin_get_seals(rawValue) & scriptpin_all_seals == scriptpin_all_seals
    }
}

/// SIGINT, SIGTERM, SIGHUP and SIGQUIT held on this thread while it lives,
/// so that a named temporary file and its `RemovalOnFatalSignal` come into
/// being as one step: a signal that arrives between them is delivered when
/// the hold ends, with the removal armed, instead of leaving the file behind.
struct StoppingSignalsHold: ~Copyable {
    /// `path` is the file about to be made, which an error names.
    init(making path: String) throws(ScriptPinError) {
        do { try retryingInterrupts { scriptpin_hold_stopping_signals() } } catch { throw .writeFailed(path: path, error) }
    }

    deinit {
        _ = scriptpin_release_stopping_signals()
    }
}

/// A named temporary file that SIGINT, SIGTERM, SIGHUP and SIGQUIT remove
/// (with its private directory, when there is one) before taking their
/// usual effect, until cancelled; a signal the caller ignores stays ignored.
struct RemovalOnFatalSignal {
    private let slot: Int32

    init(file: String, directory: String?) throws(Errno) {
        slot = try retryingInterrupts { scriptpin_remove_on_signal(file, directory) }
    }

    func cancel() {
        scriptpin_remove_on_signal_cancel(slot)
    }
}
