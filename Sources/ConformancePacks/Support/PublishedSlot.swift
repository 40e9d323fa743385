import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One reference that a single publisher replaces and any number of readers load, without a lock.
///
/// A reader registers in `readers`, loads the pointer, takes a strong reference and leaves: a few
/// atomic instructions, never a wait. The publisher swaps the pointer and retires the old object
/// instead of releasing it at once, since a reader may have loaded the pointer without having
/// taken its strong reference yet; a retired object is released once `readers` has been seen at
/// zero after it was retired (every reader that could hold its raw pointer has left by then).
/// This is quiescent-state reclamation, with the reader's critical section a handful of
/// instructions long, so the count is zero almost all the time.
///
/// Publishers must be serialised by the caller (the engine publishes under its writer lock).
final class PublishedSlot<Value: AnyObject & Sendable>: Sendable {
    /// The current object, retained once by the slot (an `Unmanaged` pointer's bits).
    private let current: Atomic<UInt>
    /// Readers between their registration and their strong reference.
    private let readers = Atomic<Int>(0)
    /// Objects replaced but perhaps still being loaded; released once no reader is registered.
    private let retired = Mutex<[Unmanaged<Value>]>([])
    /// Past this many retired objects, a publisher waits for a quiet moment (readers leave within
    /// a few instructions unless descheduled) instead of letting them pile up.
    private static var retiredLimit: Int { 64 }

    init(_ value: Value) {
        current = Atomic(UInt(bitPattern: Unmanaged.passRetained(value).toOpaque()))
    }

    deinit {
        Unmanaged<Value>.fromOpaque(UnsafeRawPointer(bitPattern: current.load(ordering: .acquiring))!).release()
        for object in retired.withLock({ $0 }) { object.release() }
    }

    /// The current object. Lock-free: never waits for the publisher or other readers.
    func load() -> Value {
        readers.add(1, ordering: .sequentiallyConsistent)
        let bits = current.load(ordering: .sequentiallyConsistent)
        // The strong reference is taken while registered (explicitly, so that no optimisation
        // can move it past the deregistration), so the object cannot be released first.
        let object = Unmanaged<Value>.fromOpaque(UnsafeRawPointer(bitPattern: bits)!).retain()
        readers.subtract(1, ordering: .sequentiallyConsistent)
        return object.takeRetainedValue()
    }

    /// Makes `value` current. Callers serialise their calls.
    func publish(_ value: Value) {
        let bits = UInt(bitPattern: Unmanaged.passRetained(value).toOpaque())
        let old = current.exchange(bits, ordering: .sequentiallyConsistent)
        let releasable: [Unmanaged<Value>] = retired.withLock { retired in
            retired.append(Unmanaged<Value>.fromOpaque(UnsafeRawPointer(bitPattern: old)!))
            // Bounded: a reader's registration lasts a few instructions once it runs again.
            if retired.count > Self.retiredLimit {
                while readers.load(ordering: .sequentiallyConsistent) != 0 { _ = sched_yield() }
            } else if readers.load(ordering: .sequentiallyConsistent) != 0 {
                return []
            }
            defer { retired.removeAll(keepingCapacity: true) }
            return retired
        }
        // Released outside the lock: the last reference to an old version may free many nodes.
        for object in releasable { object.release() }
    }
}
