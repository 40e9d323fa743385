import Synchronization

/// Identifier bits derived from a recorded seed: a member pack's ids come from the seed its
/// organization pack's event carries and the member's account (and, for a rule, its template
/// name), so one event of a few bytes per member decides every id, and replay derives the same.
///
/// SplitMix64 over a counter, started from an FNV-1a hash of the inputs.
final class DerivedIdentifierSource: IdentifierSource {
    private let state: Atomic<UInt64>

    init(seed: UInt64, account: String, salt: String = "") {
        var hash = FNV1a64(seed: seed ^ 0x9E37_79B9_7F4A_7C15)
        hash.combine(account)
        hash.combine(salt)
        state = Atomic(hash.value)
    }

    func next() -> UInt64 {
        var z = state.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
