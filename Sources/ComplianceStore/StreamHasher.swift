internal import CXXHash

/// XXH3-64 over a stream of byte ranges (the checksum of a serialized store).
struct StreamHasher: ~Copyable {
    let state: OpaquePointer

    init() {
        guard let state = XXH3_createState() else { fatalError("XXH3_createState: out of memory") }
        self.state = state
        XXH3_64bits_reset(state)
    }

    deinit { XXH3_freeState(state) }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        XXH3_64bits_update(state, base, bytes.count)
    }

    var digest: UInt64 { XXH3_64bits_digest(state) }
}
