/// SplitMix64: a small, fast generator whose whole sequence follows from its seed, so that the
/// same seed gives the same workload on any machine.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    /// An independent stream for `stream` (a worker's index, or a negative one for set-up) under
    /// `seed`.
    init(seed: UInt64, stream: Int) {
        var mixer = SeededGenerator(seed: seed ^ UInt64(bitPattern: Int64(stream)) &* 0xD1B5_4A32_D192_ED03)
        state = mixer.next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
