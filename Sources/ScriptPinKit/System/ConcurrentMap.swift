internal import Dispatch
internal import Glibc
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

/// `concurrentMap` where each worker makes its scratch value once and
/// passes it to every element it takes, in turn: a read buffer reused from
/// file to file instead of an array allocated, zeroed and freed per file.
func concurrentMap<Element: Sendable, Output: Sendable, Scratch>(
    _ elements: [Element], scratch makeScratch: @Sendable () -> Scratch, _ transform: @Sendable (Element, inout Scratch) -> Output
) -> [Output] {
    let results = Mutex([Output?](repeating: nil, count: elements.count))
    let next = Atomic<Int>(0)
    let workers = max(1, min(elements.count, processorCount()))
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        var scratch = makeScratch()
        while true {
            let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < elements.count else { return }
            let output = transform(elements[index], &scratch)
            results.withLock { $0[index] = output }
        }
    }
    return results.withLock { $0.map { $0! } }
}

/// The processors online: one worker each.
private func processorCount() -> Int {
    max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
}
