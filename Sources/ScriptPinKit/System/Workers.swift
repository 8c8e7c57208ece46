internal import Glibc

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
