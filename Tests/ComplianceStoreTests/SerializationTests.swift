import Testing
@testable import ComplianceStore

@Suite("Serialization")
struct SerializationTests {
    static func sample() -> ComplianceStore {
        let (store, _, problems) = GroupTests.randomMix(seed: 31, steps: 300)
        #expect(problems.isEmpty)
        return store
    }

    /// Feeds `bytes` in pieces whose sizes `size` chooses.
    static func pieces(_ bytes: [UInt8], _ size: @escaping () -> Int) -> () throws -> [UInt8]? {
        var offset = 0
        return {
            guard offset < bytes.count else { return nil }
            let end = min(bytes.count, offset + max(0, size()))
            defer { offset = end }
            return Array(bytes[offset..<end])
        }
    }

    @Test("A store survives a round trip, whole, in 1-byte pieces and in random pieces")
    func roundTrip() throws {
        let store = Self.sample()
        let bytes = store.serializedBytes()
        let whole = try ComplianceStore.deserialize(bytes: bytes)
        #expect(whole.serializedBytes() == bytes)
        for rule in store.ruleSlots {
            #expect(whole.ruleSummary(rule) == store.ruleSummary(rule))
            #expect(whole.page(rule: rule, filter: .init(), after: nil, limit: 1_000) == store.page(rule: rule, filter: .init(), after: nil, limit: 1_000))
            #expect(whole.page(rule: rule, filter: .init(resourceIds: ["shared"]), after: nil, limit: 1_000) == store.page(rule: rule, filter: .init(resourceIds: ["shared"]), after: nil, limit: 1_000))
        }
        for group in store.groupSlots { #expect(whole.groupSummary(group) == store.groupSummary(group)) }
        let bytewise = try ComplianceStore.deserialize(Self.pieces(bytes) { 1 })
        #expect(bytewise.serializedBytes() == bytes)
        var rng = SeededGenerator(seed: 32)
        let random = try ComplianceStore.deserialize(Self.pieces(bytes) { Int(rng.next() % 300) })
        #expect(random.serializedBytes() == bytes)
    }

    @Test("Serialization is canonical: the same state built differently writes the same bytes")
    func canonical() throws {
        var a = ComplianceStore()
        var b = ComplianceStore()
        let ruleA = a.ruleSlot(forKey: "rule")
        let ruleB = b.ruleSlot(forKey: "rule")
        let inputs = (0..<5_000).map { EvaluationInput(rule: ruleA, resourceType: "T", resourceId: "r\($0)", compliance: .compliant, orderingTimestamp: Int64($0)) }
        _ = a.record(inputs, recordedTime: 1)
        // b interns the same strings in the same order, then inserts results in reverse order.
        for input in inputs { _ = b.strings.intern(input.resourceType); _ = b.strings.intern(input.resourceId) }
        _ = b.record(inputs.reversed().map { var input = $0; input.rule = ruleB; return input }, recordedTime: 1)
        #expect(a.serializedBytes() == b.serializedBytes())
        #expect(try ComplianceStore.deserialize(bytes: a.serializedBytes()).serializedBytes() == a.serializedBytes())
        #expect(ComplianceStore().serializedBytes() == ComplianceStore().serializedBytes())
    }

    @Test("Large stores are written in pieces of at most 1 MiB")
    func pieceSizes() throws {
        var store = ComplianceStore()
        let rule = store.ruleSlot(forKey: "rule")
        _ = store.strings.intern(String(repeating: "z", count: StringTable.maxStringBytes))
        _ = store.record((0..<100_000).map { EvaluationInput(rule: rule, resourceType: "T", resourceId: "resource-\($0)", compliance: .compliant, orderingTimestamp: Int64($0) * 1_000) }, recordedTime: 1)
        var sizes: [Int] = []
        var bytes: [UInt8] = []
        store.serialize { (piece) throws(Never) in
            sizes.append(piece.count)
            bytes.append(contentsOf: piece)
        }
        #expect(sizes.allSatisfy { $0 <= 1 << 20 } && sizes.count > 2)
        #expect(try ComplianceStore.deserialize(bytes: bytes).serializedBytes() == bytes)
    }

    @Test("Truncation at every byte throws truncated, never traps")
    func truncation() {
        var store = ComplianceStore()
        let rule = store.ruleSlot(forKey: "rule")
        let group = store.groupSlot(forKey: "pack")
        store.assign(rule: rule, to: group, recordedTime: 1)
        _ = store.record((0..<40).map { EvaluationInput(rule: rule, resourceType: "T\($0 % 2)", resourceId: "r\($0)", compliance: ResultCompliance.allCases[$0 % 3], orderingTimestamp: Int64($0), annotation: $0 % 4 == 0 ? "note" : nil) }, recordedTime: 2)
        let bytes = store.serializedBytes()
        for length in 0..<bytes.count {
            #expect(throws: ComplianceStoreError.self) { try ComplianceStore.deserialize(bytes: Array(bytes[..<length])) }
            do {
                _ = try ComplianceStore.deserialize(bytes: Array(bytes[..<length]))
            } catch {
                #expect(error.code == .truncated || (length < 4 && error.code == .truncated), "length \(length): \(error)")
            }
        }
    }

    @Test("Random corruptions throw a typed error and never trap")
    func corruption() {
        let bytes = Self.sample().serializedBytes()
        var rng = SeededGenerator(seed: 33)
        print("Corruption seed 33, \(bytes.count) bytes")
        for round in 0..<2_000 {
            var corrupt = bytes
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let index = Int(rng.next() % UInt64(corrupt.count))
                corrupt[index] ^= UInt8(truncatingIfNeeded: rng.next() % 255 + 1)
            }
            #expect(throws: ComplianceStoreError.self, "round \(round)") { try ComplianceStore.deserialize(bytes: corrupt) }
        }
        // Appended bytes, an unknown version, no magic, absurd counts.
        #expect(throws: ComplianceStoreError.self) { try ComplianceStore.deserialize(bytes: bytes + [0]) }
        var version = bytes
        version[4] = 2
        #expect { try ComplianceStore.deserialize(bytes: version) } throws: { ($0 as? ComplianceStoreError)?.code == .unsupportedVersion }
        #expect { try ComplianceStore.deserialize(bytes: [1, 2, 3, 4, 1]) } throws: { ($0 as? ComplianceStoreError)?.code == .notAStore }
        let absurd: [UInt8] = [0x43, 0x46, 0x53, 0x54, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]
        #expect { try ComplianceStore.deserialize(bytes: absurd) } throws: { ($0 as? ComplianceStoreError)?.code == .limitExceeded }
        // A claimed string of 1 MiB with no bytes behind it allocates nothing up front.
        let hungry: [UInt8] = [0x43, 0x46, 0x53, 0x54, 1, 1, 0x80, 0x80, 0x40]
        #expect { try ComplianceStore.deserialize(bytes: hungry) } throws: { ($0 as? ComplianceStoreError)?.code == .truncated }
    }

    @Test("Corruptions behind a valid checksum are caught by the structural checks, or read back canonically")
    func structuralCorruption() {
        let bytes = Self.sample().serializedBytes()
        var rng = SeededGenerator(seed: 34)
        print("Structural corruption seed 34, \(bytes.count) bytes")
        var rejected = 0
        for _ in 0..<3_000 {
            var corrupt = Array(bytes.dropLast(8))
            let index = 5 + Int(rng.next() % UInt64(corrupt.count - 5))
            corrupt[index] ^= UInt8(truncatingIfNeeded: rng.next() % 255 + 1)
            let hasher = StreamHasher()
            corrupt.withUnsafeBytes { hasher.update($0) }
            let digest = hasher.digest
            corrupt += (0..<8).map { UInt8(truncatingIfNeeded: digest >> UInt64(8 * $0)) }
            do {
                let store = try ComplianceStore.deserialize(bytes: corrupt)
                // Accepted (a changed time or annotation id, say): it must be a consistent store.
                #expect(store.serializedBytes() == corrupt)
            } catch {
                rejected += 1
            }
        }
        #expect(rejected > 100)  // the structural checks do run (423 of 3,000 with this seed)
    }

    @Test("Errors of the piece source come back as source errors")
    func sourceErrors() {
        struct Broken: Error {}
        #expect { try ComplianceStore.deserialize { throw Broken() } } throws: { ($0 as? ComplianceStoreError)?.code == .source }
    }
}

@Suite("Serialization errors")
struct SerializationErrorTests {
    @Test("An error thrown by the caller's closure stops serialization and comes back as is")
    func emitErrors() {
        struct Full: Error {}
        var store = ComplianceStore()
        let rule = store.ruleSlot(forKey: "rule")
        _ = store.record((0..<100_000).map { EvaluationInput(rule: rule, resourceType: "T", resourceId: "resource-\($0)", compliance: .compliant, orderingTimestamp: 1) }, recordedTime: 1)
        var calls = 0
        #expect(throws: Full.self) {
            try store.serialize { (_) throws(Full) in
                calls += 1
                throw Full()
            }
        }
        #expect(calls == 1)
    }
}
