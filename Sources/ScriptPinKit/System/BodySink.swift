/// Receives a body as it streams in. A fetch may be retried after a
/// transient failure, so a sink must be able to start over.
public protocol BodySink: AnyObject {
    /// Discards whatever an earlier attempt delivered.
    func restart() throws(ScriptPinError)
    func append(_ bytes: UnsafeRawBufferPointer) throws(ScriptPinError)
}
