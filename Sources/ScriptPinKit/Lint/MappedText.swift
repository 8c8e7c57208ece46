/// Shell text cut out of a larger file (a YAML block scalar, a Dockerfile
/// `RUN`, a Makefile recipe) together with where each run of it came from,
/// so that a finding in the extracted text is reported at its place in the file.
public struct MappedText: Sendable {
    public struct Segment: Sendable {
        let offset: Int
        let line: Int
        let column: Int
    }

    public private(set) var bytes: [UInt8] = []
    private var segments: [Segment] = []

    public init() {}

    /// A whole file: line 1, column 1 at offset 0, and a segment per line
    /// (`lineStarts`, as `SourceLines.starts` gives them).
    init(file bytes: [UInt8], lineStarts: [Int]) {
        self.bytes = bytes
        segments = lineStarts.enumerated().map { Segment(offset: $1, line: $0 + 1, column: 1) }
    }

    /// Appends `slice`, whose first byte stands at `line`:`column` of the file.
    public mutating func append(_ slice: some Collection<UInt8>, line: Int, column: Int) {
        segments.append(Segment(offset: bytes.count, line: line, column: column))
        bytes.append(contentsOf: slice)
    }

    /// Appends bytes that stand nowhere in the file (a joining newline or space).
    public mutating func appendSynthetic(_ byte: UInt8) {
        bytes.append(byte)
    }

    public var isEmpty: Bool { bytes.isEmpty }

    /// The file position of byte `offset` of the extracted text.
    public func position(of offset: Int) -> (line: Int, column: Int) {
        var low = 0
        var high = segments.count - 1
        guard high >= 0 else { return (1, 1) }
        while low < high {
            let middle = (low + high + 1) / 2
            if segments[middle].offset <= offset { low = middle } else { high = middle - 1 }
        }
        let segment = segments[low]
        return (segment.line, segment.column + max(0, offset - segment.offset))
    }
}
