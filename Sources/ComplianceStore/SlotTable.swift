internal import Synchronization

/// The open-addressing hash table of a `StringTable`: a power-of-two array of atomic slots that
/// hold string ids (0 = empty), probed linearly from the string's XXH3-64.
///
/// The writer stores into the slots of the current table while readers probe it; the slots are
/// atomics, so neither tears. When the table grows, the writer builds a new object and never
/// writes to this one again; readers that captured this one keep using it.
final class SlotTable: @unchecked Sendable {
    // Safe to send: every slot is an atomic, and the capacity never changes.
    let mask: Int
    let slots: UnsafeMutablePointer<Atomic<UInt32>>

    /// The table grows before it is more than 5/8 full, so probes stay short and every probe
    /// sequence meets an empty slot.
    static func maxLoad(capacity: Int) -> Int { capacity / 8 * 5 }

    init(capacity: Int) {
        precondition(capacity >= 8 && capacity & (capacity - 1) == 0)
        mask = capacity - 1
        slots = .allocate(capacity: capacity)
        for index in 0..<capacity { (slots + index).initialize(to: Atomic(0)) }
    }

    deinit {
        slots.deinitialize(count: mask + 1)
        slots.deallocate()
    }

    var capacity: Int { mask + 1 }

    @inline(__always)
    func load(_ index: Int) -> UInt32 { slots[index].load(ordering: .relaxed) }

    @inline(__always)
    func store(_ id: UInt32, at index: Int) { slots[index].store(id, ordering: .releasing) }
}
