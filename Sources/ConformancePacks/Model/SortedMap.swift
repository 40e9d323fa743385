/// Values keyed by name, kept in ordinal name order so a page is a binary search plus a slice.
///
/// Keys live in a sorted `ContiguousArray`; the dictionary holds the values. Partitions are small
/// (≤ 50 packs, ≤ 1000 rules), so the O(n) insert costs less than a tree would.
struct SortedMap<Value: Sendable & Hashable>: Sendable, Hashable {
    private(set) var keys: ContiguousArray<String> = []
    private var values: [String: Value] = [:]

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }

    /// - Complexity: O(1) on average.
    subscript(key: String) -> Value? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil {
                    keys.insert(key, at: firstIndex(after: key, inclusive: true))
                }
            } else if values.removeValue(forKey: key) != nil {
                keys.remove(at: firstIndex(after: key, inclusive: true))
            }
        }
    }

    /// Index of the first key `> key` (or `>= key` when `inclusive`).
    ///
    /// - Complexity: O(log n).
    func firstIndex(after key: String, inclusive: Bool = false) -> Int {
        var low = 0
        var high = keys.count
        while low < high {
            let mid = (low + high) / 2
            let before = inclusive ? keys[mid] < key : keys[mid] <= key
            if before { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Up to `limit` values with keys strictly after `key` (from the start when `nil`), and whether more follow.
    ///
    /// - Complexity: O(log n + limit).
    func page(after key: String?, limit: Int, where include: (Value) -> Bool = { _ in true }) -> (values: [Value], more: Bool) {
        var index = key.map { firstIndex(after: $0) } ?? 0
        var result: [Value] = []
        result.reserveCapacity(min(limit, keys.count - index))
        while index < keys.count {
            guard let value = values[keys[index]] else { index += 1; continue }
            if include(value) {
                if result.count == limit { return (result, true) }
                result.append(value)
            }
            index += 1
        }
        return (result, false)
    }

    /// Every value in key order.
    var orderedValues: [Value] { keys.compactMap { values[$0] } }

    /// The values in no particular order (cheap; for counting).
    var unorderedValues: Dictionary<String, Value>.Values { values.values }
}
