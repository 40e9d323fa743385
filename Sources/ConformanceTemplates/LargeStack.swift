#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Runs work on a thread with a large stack and waits for it.
///
/// Yams composes a YAML document recursively, one stack frame pair per nesting level, and libyaml
/// lets documents nest up to 1,000 levels per kind (about 2,000 in all). That needs about a
/// megabyte of stack: more than a secondary thread may have (Swift concurrency and NIO threads can
/// be as small as 512 KiB). Parsing on a thread of our own makes the bound independent of the
/// caller.
///
/// The threads are long-lived: a small pool of parked workers, each with the requested stack,
/// takes one call at a time (creating and joining a 16 MiB-stack thread per call cost about a
/// tenth of a PutConformancePack's CPU). When every pooled worker is busy and the pool is full, a
/// call gets a fresh thread of its own as before, so callers never queue behind each other.
enum LargeStack {
    /// Most parked workers kept; enough for every core to resolve at once.
    static let poolLimit = max(4, sysconf(Int32(_SC_NPROCESSORS_ONLN)))

    /// The parked workers, and how many exist (parked or busy).
    private static let pool = Mutex<(idle: [Worker], created: Int)>(([], 0))

    /// Runs `body` on a thread with at least `stackBytes` of stack and returns its result.
    ///
    /// Falls back to running `body` on the calling thread if no thread can be created.
    static func run<T>(stackBytes: Int, _ body: () -> T) -> T {
        withoutActuallyEscaping(body) { escapable in
            var result: T?
            let work = { result = escapable() }
            if let worker = checkOut(stackBytes: stackBytes) {
                worker.perform(work)
                pool.withLock { $0.idle.append(worker) }
            } else if !runOnFreshThread(stackBytes: stackBytes, work) {
                return escapable()
            }
            return result!
        }
    }

    /// A parked worker with a large enough stack, a new one if the pool has room, or `nil`.
    private static func checkOut(stackBytes: Int) -> Worker? {
        enum Choice { case parked(Worker), create, none }
        let choice = pool.withLock { pool -> Choice in
            if let index = pool.idle.lastIndex(where: { $0.stackBytes >= stackBytes }) {
                return .parked(pool.idle.remove(at: index))
            }
            guard pool.created < poolLimit else { return .none }
            pool.created += 1
            return .create
        }
        switch choice {
        case .parked(let worker):
            return worker
        case .none:
            return nil
        case .create:
            if let worker = Worker(stackBytes: stackBytes) { return worker }
            pool.withLock { $0.created -= 1 }
            return nil
        }
    }

    /// Runs `work` on a new thread and joins it; `false` if no thread could be created.
    private static func runOnFreshThread(stackBytes: Int, _ work: @escaping () -> Void) -> Bool {
        let context = Unmanaged.passRetained(Box(work)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackBytes)
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        let created = pthread_create(&thread, &attributes, { raw in
            #if canImport(Darwin)
            let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
            #else
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            #endif
            box.work()
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            return false
        }
        // `pthread_join` orders the thread's writes before the caller's reads.
        #if canImport(Darwin)
        pthread_join(thread!, nil)
        #else
        pthread_join(thread, nil)
        #endif
        return true
    }

    /// Carries the work to a fresh thread; touched by one thread at a time.
    private final class Box {
        let work: () -> Void
        init(_ work: @escaping () -> Void) { self.work = work }
    }

    /// A long-lived thread that runs one handed-over closure at a time.
    ///
    /// `job` and `finished` are guarded by `mutex`; taking it orders the worker's writes (the
    /// result) before the caller's reads, as `pthread_join` did.
    private final class Worker: @unchecked Sendable {
        let stackBytes: Int
        private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private let jobReady = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        private let jobDone = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        private var job: (() -> Void)?
        private var finished = false

        /// Starts the thread; `nil` if it cannot be created.
        init?(stackBytes: Int) {
            self.stackBytes = stackBytes
            pthread_mutex_init(mutex, nil)
            pthread_cond_init(jobReady, nil)
            pthread_cond_init(jobDone, nil)
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            defer { pthread_attr_destroy(&attributes) }
            pthread_attr_setstacksize(&attributes, stackBytes)
            pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
            #if canImport(Darwin)
            var thread: pthread_t?
            #else
            var thread = pthread_t()
            #endif
            // The thread keeps the worker alive for the life of the process.
            let context = Unmanaged.passRetained(self).toOpaque()
            let created = pthread_create(&thread, &attributes, { raw in
                #if canImport(Darwin)
                let worker = Unmanaged<Worker>.fromOpaque(raw).takeUnretainedValue()
                #else
                let worker = Unmanaged<Worker>.fromOpaque(raw!).takeUnretainedValue()
                #endif
                worker.serve()
                return nil
            }, context)
            guard created == 0 else {
                Unmanaged<Worker>.fromOpaque(context).release()
                return nil
            }
        }

        /// Hands `work` to the thread and waits until it has run.
        func perform(_ work: @escaping () -> Void) {
            pthread_mutex_lock(mutex)
            job = work
            finished = false
            pthread_cond_signal(jobReady)
            while !finished { pthread_cond_wait(jobDone, mutex) }
            job = nil
            pthread_mutex_unlock(mutex)
        }

        /// The thread's loop: wait for a job, run it, report it done.
        private func serve() {
            pthread_mutex_lock(mutex)
            while true {
                while job == nil || finished { pthread_cond_wait(jobReady, mutex) }
                var work = job
                pthread_mutex_unlock(mutex)
                work?()
                // Drop the closure before reporting: the caller's `withoutActuallyEscaping` checks
                // that nothing still holds it once `perform` returns.
                work = nil
                pthread_mutex_lock(mutex)
                finished = true
                pthread_cond_signal(jobDone)
            }
        }
    }
}
