/// Why the kernel would not confine a script, found from the failed step
/// and the settings that cause it, with the fix for that cause. The README's
/// "Confinement" section explains each fix.
public struct ConfinementDiagnosis: Sendable, Equatable, CustomStringConvertible {
    public enum Cause: Sendable, Equatable {
        /// Debian's and older Ubuntu's `kernel.unprivileged_userns_clone=0`.
        case unprivilegedCloneDisabled
        /// `user.max_user_namespaces` is 0 (or used up).
        case namespaceLimit(String)
        /// Ubuntu 24.04's `kernel.apparmor_restrict_unprivileged_userns=1`.
        case appArmorRestriction
        /// A seccomp filter, as container runtimes install, refused the call.
        case seccompFilter
        /// None of the above: the kernel's own answer at the step that failed.
        case refused(step: String, error: String)
    }

    public let cause: Cause

    public var description: String {
        // Where the script may run unconfined, the caller words that remedy (`Remedy.runUnconfined`).
        switch cause {
        case .unprivilegedCloneDisabled:
            "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0). Fix: sysctl -w kernel.unprivileged_userns_clone=1"
        case .namespaceLimit(let value):
            "the kernel allows no more user namespaces (user.max_user_namespaces = \(value)). Fix: sysctl -w user.max_user_namespaces=15000"
        case .appArmorRestriction:
            "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1). Fix: load the AppArmor profile from scriptpin's README, which grants userns to the scriptpin binary only"
        case .seccompFilter:
            "a seccomp filter refuses to create namespaces (a container runtime's default profile does). Fix: run the container with a seccomp profile that allows clone and unshare with CLONE_NEWUSER"
        case .refused(let step, let error):
            "the kernel refused to \(step): \(error)"
        }
    }

    /// Reads the settings that explain `refusal`.
    init(_ refusal: SandboxRefusal) {
        let privileged = effectiveUserID() == 0
        let limit = Self.setting("/proc/sys/user/max_user_namespaces")
        let creating = refusal.step == .createNamespaces || refusal.step == .nestedNamespaces
        if creating && (limit == "0" || refusal.errno == .noSpace) {
            cause = .namespaceLimit(limit ?? "unknown")
        } else if creating && !privileged && Self.setting("/proc/sys/kernel/unprivileged_userns_clone") == "0" {
            cause = .unprivilegedCloneDisabled
        } else if !creating && !privileged && Self.setting("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1" {
            cause = .appArmorRestriction
        } else if Self.seccompMode() == "2" && [.notPermitted, .permissionDenied, .notSupported].contains(refusal.errno) {
            cause = .seccompFilter
        } else {
            cause = .refused(step: Self.describe(refusal.step), error: refusal.errno.description)
        }
    }

    private static func describe(_ step: SandboxRefusal.Step) -> String {
        switch step {
        case .createNamespaces: "create user, PID, mount, IPC, UTS and network namespaces"
        case .mapIdentity: "map the user into the new user namespace"
        case .mount(let target): "mount over \(VisibleText.escape(target))"
        case .readOnly(let path): "make \(VisibleText.escape(path)) read-only"
        case .workingDirectory(let path): "enter the working directory \(VisibleText.escape(path)) inside the sandbox"
        case .terminal: "give the script terminals of its own (a devpts instance on /dev/pts, and the relayed terminal)"
        case .network: "bring up the sandbox's loopback network"
        case .nestedNamespaces: "create the script's own user and mount namespaces"
        case .writeRoot(let path): "build the write-confined root at \(VisibleText.escape(path))"
        case .other: "set up the sandbox"
        }
    }

    /// A /proc setting's first line; nil when the kernel has no such setting.
    private static func setting(_ path: String) -> String? {
        guard let bytes = try? readFile(path, limit: 4096) else { return nil }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.map(String.init)
    }

    /// The `Seccomp:` field of /proc/self/status: 0 none, 1 strict, 2 filter.
    private static func seccompMode() -> String? {
        guard let bytes = try? readFile("/proc/self/status", limit: 64 * 1024) else { return nil }
        let line = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("Seccomp:") }
        return line.map { String($0.dropFirst("Seccomp:".count)).trimmingCharacters(in: " \t") }
    }
}

