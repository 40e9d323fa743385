import HeapModule

/// The deployments (account packs in CREATE_IN_PROGRESS or DELETE_IN_PROGRESS) waiting for their
/// completion, in a min-heap by due time, so that finding what is due costs O(1) when nothing is
/// and O(k log n) for k due items.
///
/// Entries are removed lazily: a pack that completed, was deleted or was requested again leaves
/// its old entry behind, and ``take(dueAt:in:)`` drops entries that no longer match their pack.
/// Derived state: rebuilt from the packs when a snapshot is loaded, never part of the digest.
struct DueCompletions: Sendable {
    /// A deployment due at `time`; ordered by time, then partition, then name, so that the same
    /// state and clock always decide the same events in the same order.
    struct Item: Sendable, Comparable {
        var time: Int64
        var partition: PartitionKey
        var name: String

        static func < (lhs: Item, rhs: Item) -> Bool {
            if lhs.time != rhs.time { return lhs.time < rhs.time }
            if lhs.partition != rhs.partition { return lhs.partition < rhs.partition }
            return lhs.name.bytePrecedes(rhs.name)
        }

        static func == (lhs: Item, rhs: Item) -> Bool {
            lhs.time == rhs.time && lhs.partition == rhs.partition && lhs.name.byteEquals(rhs.name)
        }
    }

    private var heap = Heap<Item>()

    /// The earliest due time, or `Int64.max` when nothing waits (a stale entry may make it
    /// early until ``dropStale(in:)`` runs; the writer runs it after every command).
    var nextTime: Int64 { heap.min?.time ?? .max }

    /// Every entry, stale ones included, in no order (for invariant checks).
    var entries: [Item] { heap.unordered }

    mutating func insert(_ item: Item) {
        heap.insert(item)
    }

    /// Removes the stale entries at the top (their pack completed, went or was requested anew),
    /// so that ``nextTime`` is the time of a real deployment.
    ///
    /// - Complexity: O(k log n) for k entries removed.
    mutating func dropStale(in state: borrowing EngineState) {
        while let first = heap.min {
            if let pack = state.partitions[first.partition]?.packs[first.name], pack.pending != nil, pack.dueTime == first.time {
                return
            }
            heap.removeMin()
        }
    }

    /// Removes every entry due at or before `now` and returns the completion events of those that
    /// still match a pending pack of `state`, in canonical order.
    ///
    /// - Complexity: O(k log n) for k entries removed.
    mutating func take(dueAt now: Int64, in state: borrowing EngineState) -> [DomainEvent] {
        var events: [DomainEvent] = []
        // The heap pops in order, so a repeated entry comes right after the one it repeats.
        var previous: Item?
        while let first = heap.min, first.time <= now {
            heap.removeMin()
            guard first != previous, let pack = state.partitions[first.partition]?.packs[first.name],
                  pack.pending != nil, pack.dueTime == first.time
            else { continue }
            previous = first
            let transition = PackTransition(partition: first.partition, name: first.name, time: first.time)
            events.append(pack.state == .deleteInProgress ? .packDeleted(transition) : .packCompleted(transition))
        }
        return events
    }
}
