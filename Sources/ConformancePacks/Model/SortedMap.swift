/// Values keyed by name, kept in byte order of the names (UTF-8, see `ByteString`) so a page is
/// a binary search plus a slice.
///
/// Struct-of-arrays: sorted keys and their values in two parallel `ContiguousArray`s, found by
/// binary search. Partitions are small (≤ 50 packs, ≤ 1000 rules), so the O(n) shift of an insert
/// costs less than a tree would, and a page reads contiguous memory without hashing.
struct SortedMap<Value: Sendable & Hashable>: Sendable, Hashable {
    private(set) var keys: ContiguousArray<String> = []
    private var values: ContiguousArray<Value> = []

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }

    /// - Complexity: O(log n) to read; O(n) to insert or remove.
    subscript(key: String) -> Value? {
        get {
            let index = firstIndex(after: key, inclusive: true)
            return index < keys.count && keys[index].byteEquals(key) ? values[index] : nil
        }
        set {
            let index = firstIndex(after: key, inclusive: true)
            let present = index < keys.count && keys[index].byteEquals(key)
            switch (present, newValue) {
            case (true, let value?):
                values[index] = value
            case (true, nil):
                keys.remove(at: index)
                values.remove(at: index)
            case (false, let value?) where index == keys.count:
                // The common case of a decode, whose keys arrive in order.
                keys.append(key)
                values.append(value)
            case (false, let value?):
                keys.insert(key, at: index)
                values.insert(value, at: index)
            case (false, nil):
                break
            }
        }
    }

    /// Inserts a decoded entry: appended without a search when its key follows the last one (as
    /// a canonical encoding writes them), moved in (not copied) either way.
    ///
    /// - Complexity: amortized O(1) in order; as the setter otherwise.
    mutating func insertDecoded(_ key: String, _ value: consuming Value) {
        if let last = keys.last, !last.bytePrecedes(key) {
            self[key] = value
            return
        }
        keys.append(key)
        values.append(value)
    }

    mutating func reserveCapacity(_ count: Int) {
        keys.reserveCapacity(count)
        values.reserveCapacity(count)
    }

    /// Mutates the value for `key` in place (no copy of the value); `nil` when `key` is absent.
    ///
    /// - Complexity: O(log n).
    mutating func modify<Result>(_ key: String, _ body: (inout Value) -> Result) -> Result? {
        let index = firstIndex(after: key, inclusive: true)
        guard index < keys.count && keys[index].byteEquals(key) else { return nil }
        return body(&values[index])
    }

    /// Index of the first key `> key` (or `>= key` when `inclusive`).
    ///
    /// - Complexity: O(log n).
    func firstIndex(after key: String, inclusive: Bool = false) -> Int {
        var low = 0
        var high = keys.count
        while low < high {
            let mid = (low + high) / 2
            let before = inclusive ? keys[mid].bytePrecedes(key) : !key.bytePrecedes(keys[mid])
            if before { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Up to `limit` values with keys strictly after `key` (from the start when `nil`) that pass
    /// `include`, each passed through `transform`, and whether more follow.
    ///
    /// The values are read in place: only what `transform` builds is copied.
    ///
    /// - Complexity: O(log n + limit) when `include` passes most values.
    func page<T>(
        after key: String?, limit: Int, where include: (Value) -> Bool = { _ in true }, _ transform: (Value) -> T
    ) -> (items: [T], more: Bool) {
        var index = key.map { firstIndex(after: $0) } ?? 0
        var items: [T] = []
        items.reserveCapacity(min(limit, keys.count - index))
        while index < keys.count {
            if include(values[index]) {
                if items.count == limit { return (items, true) }
                items.append(transform(values[index]))
            }
            index += 1
        }
        return (items, false)
    }

    /// Every value in key order.
    var orderedValues: ContiguousArray<Value> { values }
}
