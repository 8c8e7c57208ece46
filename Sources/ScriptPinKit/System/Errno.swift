internal import Glibc

/// A C `errno` value, kept typed so that callers can match the few codes
/// they handle (`ENOENT`, `EINTR`) and print the rest with the system's text.
public struct Errno: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(_ rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The value of `errno` right now; read it immediately after the failing call.
    static var current: Errno { Errno(errno) }

    public static let noSuchFile = Errno(ENOENT)
    public static let interrupted = Errno(EINTR)
    public static let isDirectory = Errno(EISDIR)
    public static let permissionDenied = Errno(EACCES)
    public static let exists = Errno(EEXIST)
    public static let notSupported = Errno(ENOSYS)
    public static let wouldBlock = Errno(EWOULDBLOCK)
    public static let notPermitted = Errno(EPERM)
    public static let noSpace = Errno(ENOSPC)
    public static let resourceUnavailable = Errno(EAGAIN)

    /// The system's sentence for the code, as `strerror` gives it ("No such file or directory").
    public var description: String {
        // glibc's strerror returns static text for known codes and a
        // thread-local buffer otherwise, so it is safe from any thread.
        String(cString: strerror(rawValue))
    }
}

/// Runs a system call that reports failure as -1 and errno, retrying while it
/// was interrupted by a signal, and turns any other failure into a thrown `Errno`.
@discardableResult
func retryingInterrupts<Result: FixedWidthInteger>(_ call: () -> Result) throws(Errno) -> Result {
    while true {
        let result = call()
        if result != -1 { return result }
        let failure = Errno.current
        if failure != .interrupted { throw failure }
    }
}
