#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs work on a fresh thread with a large stack and waits for it.
///
/// Yams composes a YAML document recursively, one stack frame pair per nesting level, and libyaml
/// lets documents nest up to 1,000 levels per kind (about 2,000 in all). That needs about a
/// megabyte of stack: more than a secondary thread may have (Swift concurrency and NIO threads can
/// be as small as 512 KiB). Parsing on a thread of our own makes the bound independent of the
/// caller. `pthread_join` orders the thread's writes before the caller's reads.
enum LargeStack {
    /// Runs `body` on a thread with `stackBytes` of stack and returns its result.
    ///
    /// Falls back to running `body` on the calling thread if no thread can be created.
    static func run<T>(stackBytes: Int, _ body: () -> T) -> T {
        withoutActuallyEscaping(body) { escapable in
            var result: T?
            let box = Box { result = escapable() }
            let context = Unmanaged.passRetained(box).toOpaque()
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
                return escapable()
            }
            #if canImport(Darwin)
            pthread_join(thread!, nil)
            #else
            pthread_join(thread, nil)
            #endif
            return result!
        }
    }

    /// Carries the work to the thread; touched by one thread at a time.
    private final class Box {
        let work: () -> Void
        init(_ work: @escaping () -> Void) { self.work = work }
    }
}
