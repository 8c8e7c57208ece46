internal import Dispatch
internal import Synchronization

/// Applies `transform` to every element on the cores available, returning the
/// results in input order. For blocking work such as hashing files, where one
/// worker per core keeps every core busy.
func concurrentMap<Element: Sendable, Output: Sendable>(
    _ elements: [Element], _ transform: @Sendable (Element) -> Output
) -> [Output] {
    let results = Mutex([Output?](repeating: nil, count: elements.count))
    DispatchQueue.concurrentPerform(iterations: elements.count) { index in
        let output = transform(elements[index])
        results.withLock { $0[index] = output }
    }
    return results.withLock { $0.map { $0! } }
}
