import Synchronization

/// `x-amzn-RequestId` values: version-4-shaped UUIDs in lowercase.
///
/// Request ids must be unique, not secret: they are a process-wide counter, started at a random
/// value, scrambled by SplitMix64 (a bijection, so two ids can only collide if 122 scrambled bits
/// of two different counters agree). That costs one atomic increment instead of two `getrandom`
/// system calls per request.
enum RequestIdentifier {
    private static let counter = Atomic<UInt64>(UInt64.random(in: .min ... .max))
    private static let key = UInt64.random(in: .min ... .max)

    /// SplitMix64's finaliser: a bijection on 64-bit values.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A new request id, e.g. `3f2b8a4e-9c1d-4e7f-8a2b-1c3d4e5f6a7b`.
    static func make() -> String {
        let count = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        var high = mix(count)
        var low = mix(count ^ key)
        high = (high & ~0xF000) | 0x4000  // version 4
        low = (low & ~(0xC << 60)) | (0x8 << 60)  // RFC 4122 variant
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var index = 0
            func put(_ value: UInt64, nibbles: Int) {
                for shift in stride(from: (nibbles - 1) * 4, through: 0, by: -4) {
                    buffer[index] = digits.utf8Start[Int((value >> UInt64(shift)) & 0xF)]
                    index += 1
                }
            }
            func dash() {
                buffer[index] = UInt8(ascii: "-")
                index += 1
            }
            put(high >> 32, nibbles: 8)
            dash()
            put((high >> 16) & 0xFFFF, nibbles: 4)
            dash()
            put(high & 0xFFFF, nibbles: 4)
            dash()
            put(low >> 48, nibbles: 4)
            dash()
            put(low & 0xFFFF_FFFF_FFFF, nibbles: 12)
            return index
        }
    }
}
