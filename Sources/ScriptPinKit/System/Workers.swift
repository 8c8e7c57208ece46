internal import Glibc
internal import Synchronization

/// Runs `body(worker)` on `count` POSIX threads and waits for all of them.
/// For blocking work such as libcurl transfers, where the concurrency must
/// be the number asked for, not the number of cores.
func runWorkers(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    var threads: [JoinableThread] = []
    for index in 0..<count {
        if let thread = JoinableThread(running: { body(index) }) {
            threads.append(thread)
        } else {
            // No thread to spare: do this share of the work here.
            body(index)
        }
    }
    for thread in threads { thread.join() }
}

/// Runs every job, at most `width` at once on threads of their own, while
/// `local` runs on this thread, and returns both, the jobs' results in their
/// order: for transfers that wait on the network (the evidence for a body
/// beside the body's own download, which `local` writes into a sink this
/// thread owns), not for the cores.
func runConcurrently<Result: Sendable, Local, Failure: Error>(
    _ jobs: [@Sendable () -> Result], width: Int, beside local: () throws(Failure) -> Local
) throws(Failure) -> (local: Local, results: [Result]) {
    let next = Atomic<Int>(0)
    let results = Mutex([Result?](repeating: nil, count: jobs.count))
    let work: @Sendable () -> Void = {
        while true {
            let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < jobs.count else { return }
            let result = jobs[index]()
            results.withLock { $0[index] = result }
        }
    }
    let threads = (0..<min(width, jobs.count)).compactMap { _ in JoinableThread(running: work) }
    let outcome = Swift.Result { () throws(Failure) in try local() }
    // Whatever no thread could be made for runs here.
    work()
    for thread in threads { thread.join() }
    let finished = results.withLock { $0.map { $0! } }
    return (try outcome.get(), finished)
}

/// A POSIX thread running `body`, for blocking work that must not occupy
/// one of Swift concurrency's few threads. Join it or detach it, once.
struct JoinableThread: @unchecked Sendable {
    private let thread: pthread_t

    /// nil when the system has no thread to spare.
    init?(running body: @escaping @Sendable () -> Void) {
        final class Job {
            let body: @Sendable () -> Void
            init(body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let job = Unmanaged.passRetained(Job(body: body))
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { context in
            Unmanaged<Job>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, job.toOpaque())
        guard status == 0 else {
            job.release()
            return nil
        }
        self.thread = thread
    }

    func join() {
        pthread_join(thread, nil)
    }

    /// Lets it finish on its own: for work that cannot be interrupted (a
    /// name lookup) and whose result may no longer be wanted.
    func detach() {
        pthread_detach(thread)
    }
}
