/// Starts the interpreter on a verified image and waits for it: `image`
/// becomes descriptor 3 (`/dev/fd/3`) when it is not a named file, signals
/// are forwarded, and failures to start keep `run`'s exit codes (127 not
/// found, 126 not executable).
public func spawnAndWait(
    _ arguments: [String], environment: [EnvironmentVariable], image: ScriptImage?
) throws(ScriptPinError) -> Termination {
    var request = SpawnRequest(arguments: arguments, environment: environment.map(\.entry), forwardsSignals: true)
    if let image, let descriptor = image.descriptorForChild {
        request.passedDescriptor = (descriptor, ScriptImage.childDescriptor)
    }
    do {
        return try spawnAndWait(request).termination
    } catch {
        switch error {
        case .notFound: throw .interpreterNotFound(arguments[0])
        case .notExecutable(let errno): throw .interpreterNotExecutable(arguments[0], errno)
        case .failed(let errno): throw .spawnFailed(arguments[0], errno)
        }
    }
}
