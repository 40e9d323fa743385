import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One reference that publishers replace and any number of readers load, without a lock.
///
/// Read-copy-update with two reader counters: a reader registers in the counter of the current
/// epoch (checking the epoch did not change meanwhile), loads the pointer, takes a strong
/// reference and leaves: a few atomic instructions, never a wait. A publisher swaps the pointer,
/// moves the epoch on, and waits until the old epoch's counter drains (new readers count in the
/// other one, so only readers already inside their few instructions are waited for) before it
/// releases the object it replaced: no reader can then be between loading that pointer and
/// retaining it. Readers of the epoch before were drained by the publication before, which is
/// when the replaced object became current.
///
/// Publishers are serialised by the slot; they never hold a lock a reader takes.
final class PublishedSlot<Value: AnyObject & Sendable>: Sendable {
    /// The current object, retained once by the slot (an `Unmanaged` pointer's bits).
    private let current: Atomic<UInt>
    /// Moved on by each publication; its parity picks the readers' counter.
    private let epoch = Atomic<Int>(0)
    private let evenReaders = Atomic<Int>(0)
    private let oddReaders = Atomic<Int>(0)
    /// Serialises publishers.
    private let publishing = Mutex<Void>(())

    init(_ value: Value) {
        current = Atomic(UInt(bitPattern: Unmanaged.passRetained(value).toOpaque()))
    }

    deinit {
        Unmanaged<Value>.fromOpaque(UnsafeRawPointer(bitPattern: current.load(ordering: .acquiring))!).release()
    }

    /// The current object. Lock-free: never waits for a publisher or another reader.
    func load() -> Value {
        while true {
            let seen = epoch.load(ordering: .sequentiallyConsistent)
            register(seen, 1)
            // A publication in between: register again, in the new epoch's counter.
            guard epoch.load(ordering: .sequentiallyConsistent) == seen else {
                register(seen, -1)
                continue
            }
            let bits = current.load(ordering: .sequentiallyConsistent)
            // The strong reference is taken while registered (explicitly, so that no optimisation
            // can move it past the deregistration).
            let object = Unmanaged<Value>.fromOpaque(UnsafeRawPointer(bitPattern: bits)!).retain()
            register(seen, -1)
            return object.takeRetainedValue()
        }
    }

    /// Adds `delta` to the readers' counter of `epoch`.
    @inline(__always)
    private func register(_ epoch: Int, _ delta: Int) {
        if epoch & 1 == 0 {
            evenReaders.add(delta, ordering: .sequentiallyConsistent)
        } else {
            oddReaders.add(delta, ordering: .sequentiallyConsistent)
        }
    }

    /// The readers registered in `epoch`'s counter.
    @inline(__always)
    private func registered(_ epoch: Int) -> Int {
        epoch & 1 == 0 ? evenReaders.load(ordering: .sequentiallyConsistent) : oddReaders.load(ordering: .sequentiallyConsistent)
    }

    /// Makes `value` current when `replaces` accepts the current object; returns whether it did.
    ///
    /// Waits (bounded: a few instructions of the readers that registered before the epoch moved,
    /// or their being scheduled again) before releasing the replaced object, which may free many
    /// nodes: call it outside locks that writers need.
    @discardableResult
    func publish(_ value: Value, replaces: (_ current: Value) -> Bool) -> Bool {
        publishing.withLock { _ in
            // Only publishers change `current`, and they hold `publishing`: the slot's reference
            // keeps the current object alive here.
            let present = Unmanaged<Value>.fromOpaque(UnsafeRawPointer(bitPattern: current.load(ordering: .sequentiallyConsistent))!)
            guard replaces(present.takeUnretainedValue()) else { return false }
            let bits = UInt(bitPattern: Unmanaged.passRetained(value).toOpaque())
            let old = current.exchange(bits, ordering: .sequentiallyConsistent)
            let ended = epoch.load(ordering: .sequentiallyConsistent)
            epoch.store(ended &+ 1, ordering: .sequentiallyConsistent)
            while registered(ended) != 0 { _ = sched_yield() }
            Unmanaged<Value>.fromOpaque(UnsafeRawPointer(bitPattern: old)!).release()
            return true
        }
    }
}
