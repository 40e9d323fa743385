@testable import ComplianceStore

/// SplitMix64: a small seeded generator, so a failing randomized test repeats with its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension ResultValue {
    /// A value derived from one number, for reference comparisons.
    static func sample(_ n: UInt64) -> ResultValue {
        ResultValue(orderingTimestamp: Int64(n % 1_000_000), recordedTime: Int64(n % 7_777), annotation: UInt32(n % 50))
    }
}

extension ResultTree {
    /// All entries in key order.
    var entries: [(UInt64, ResultValue)] {
        var all: [(UInt64, ResultValue)] = []
        forEach { all.append(($0, $1)); return true }
        return all
    }
}

/// Whether two entry lists are equal.
func same(_ a: [(UInt64, ResultValue)], _ b: [(UInt64, ResultValue)]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
}
