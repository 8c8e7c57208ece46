/// Bytes read per `read(2)` while hashing. Large enough that system-call cost
/// vanishes next to SHA-256 itself, small enough that several files hashed in
/// parallel stay far below the 32 MiB memory target whatever their size.
public let hashingChunkSize = 256 * 1024

extension StreamingHasher {
    /// Hashes everything left on `descriptor` with one fixed-size buffer,
    /// passing each chunk on to `sink` when one is given, and returns how
    /// many bytes it read. `path` names the file in errors.
    @discardableResult
    public func consume(
        _ descriptor: borrowing FileDescriptor, path: String?, forwardingTo sink: BodySink? = nil
    ) throws(ScriptPinError) -> Int64 {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: hashingChunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while true {
            let count: Int
            do { count = try descriptor.read(into: buffer) } catch { throw .readFailed(path: path, error) }
            if count == 0 { return total }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            do { try update(chunk) } catch { throw .crypto(error) }
            try sink?.append(chunk)
            total += Int64(count)
        }
    }
}

/// The digest of one file, or of standard input when `path` is "-"; the
/// bytes are also passed to `sink` when one is given.
public func digest(
    ofFile path: String, algorithm: DigestAlgorithm, forwardingTo sink: BodySink? = nil
) throws(ScriptPinError) -> Digest {
    let hasher: StreamingHasher
    do { hasher = try StreamingHasher(algorithm) } catch { throw .crypto(error) }
    if path == "-" {
        let standardInput: FileDescriptor
        do { standardInput = try FileDescriptor.duplicateStandardInput() } catch { throw .readFailed(path: nil, error) }
        try hasher.consume(standardInput, path: nil, forwardingTo: sink)
    } else {
        let descriptor: FileDescriptor
        do { descriptor = try FileDescriptor.openForReading(path) } catch { throw .readFailed(path: path, error) }
        descriptor.adviseSequentialReading()
        try hasher.consume(descriptor, path: path, forwardingTo: sink)
    }
    do { return try hasher.finalize() } catch { throw .crypto(error) }
}
