#if canImport(Glibc)
import Glibc
#endif

/// A counting semaphore the appenders post to wake the writer thread, which waits on it.
final class WakeSignal: @unchecked Sendable {
    // Safe to share: sem_post and sem_wait are thread-safe by POSIX.
    private let semaphore: UnsafeMutablePointer<sem_t>

    init() {
        semaphore = .allocate(capacity: 1)
        sem_init(semaphore, 0, 0)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    func post() { sem_post(semaphore) }

    /// Waits for a post, or until `milliseconds` pass when given.
    func wait(milliseconds: Int? = nil) {
        guard let milliseconds else {
            while sem_wait(semaphore) != 0, errno == EINTR {}
            return
        }
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        let nanos = Int(deadline.tv_nsec) + (milliseconds % 1000) * 1_000_000
        deadline.tv_sec += milliseconds / 1000 + nanos / 1_000_000_000
        deadline.tv_nsec = nanos % 1_000_000_000
        while sem_timedwait(semaphore, &deadline) != 0, errno == EINTR {}
    }
}

/// Milliseconds on the monotonic clock, for the interval policy's timer.
func monotonicMilliseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) &* 1000 &+ UInt64(now.tv_nsec / 1_000_000)
}

/// Nanoseconds on the monotonic clock.
func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
}
