internal import Glibc

/// Runs `body(worker)` on `count` POSIX threads and waits for all of them.
/// For blocking work such as libcurl transfers, where the concurrency must
/// be the number asked for, not the number of cores.
func runWorkers(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    final class Job: @unchecked Sendable {
        let body: @Sendable (Int) -> Void
        let index: Int
        init(body: @escaping @Sendable (Int) -> Void, index: Int) {
            self.body = body
            self.index = index
        }
    }
    var threads: [pthread_t] = []
    for index in 0..<count {
        let job = Unmanaged.passRetained(Job(body: body, index: index))
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { context in
            let job = Unmanaged<Job>.fromOpaque(context!).takeRetainedValue()
            job.body(job.index)
            return nil
        }, job.toOpaque())
        if status == 0 {
            threads.append(thread)
        } else {
            // No thread to spare: do this share of the work here.
            job.takeRetainedValue().body(index)
        }
    }
    for thread in threads { pthread_join(thread, nil) }
}

/// Today's date in UTC as YYYY-MM-DD, for a pin's `approved` line.
func todayUTC() -> String {
    var now = time(nil)
    var parts = tm()
    gmtime_r(&now, &parts)
    let year = Int(parts.tm_year) + 1900
    let month = Int(parts.tm_mon) + 1
    let day = Int(parts.tm_mday)
    return "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
}
