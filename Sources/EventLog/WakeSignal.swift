#if canImport(Glibc)
import Glibc
#endif

/// A counting signal the appenders post to wake the writer thread, which waits on it.
///
/// A mutex and a condition variable on `CLOCK_MONOTONIC`, so the interval policy's timed waits
/// keep their length when the wall clock is stepped (NTP, a suspended VM, an operator).
final class WakeSignal: @unchecked Sendable {
    // Safe to share: every access to `posts` holds `mutex`; pthread objects are thread-safe.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var posts = 0
    /// The clock timed waits measure against.
    static let clock = CLOCK_MONOTONIC

    init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, Self.clock)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func post() {
        pthread_mutex_lock(mutex)
        posts += 1
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Waits for a post, or until `milliseconds` pass on the monotonic clock when given.
    func wait(milliseconds: Int? = nil) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if let milliseconds {
            var deadline = Self.deadline(afterMilliseconds: milliseconds)
            // Bounded: returns on a post or once the deadline passes (ETIMEDOUT).
            while posts == 0 {
                if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { break }
            }
        } else {
            while posts == 0 { pthread_cond_wait(condition, mutex) }
        }
        if posts > 0 { posts -= 1 }
    }

    /// The absolute time `milliseconds` from now on ``clock``.
    static func deadline(afterMilliseconds milliseconds: Int) -> timespec {
        var now = timespec()
        clock_gettime(clock, &now)
        let ms = max(0, milliseconds)
        let nanos = Int(now.tv_nsec) + (ms % 1000) * 1_000_000
        now.tv_sec += ms / 1000 + nanos / 1_000_000_000
        now.tv_nsec = nanos % 1_000_000_000
        return now
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
