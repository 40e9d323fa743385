import Testing
@testable import ComplianceStore

@Suite("ResultTree")
struct ResultTreeTests {
    /// Key spaces: a small one (mostly updates and removes at a high fill), a middle one, and a
    /// large sparse one (mostly inserts).
    @Test("A random mix of operations matches a reference dictionary, and every copy keeps its contents", arguments: [
        (seed: UInt64(1), keySpace: UInt64(2_000)),
        (seed: UInt64(2), keySpace: UInt64(20_000)),
        (seed: UInt64(3), keySpace: UInt64(1) << 40),
    ])
    func randomMix(seed: UInt64, keySpace: UInt64) {
        print("ResultTree random mix seed \(seed) key space \(keySpace)")
        var rng = SeededGenerator(seed: seed)
        var tree = ResultTree()
        var reference: [UInt64: ResultValue] = [:]
        var sortedKeys: [UInt64] = []
        var versions: [(ResultTree, [UInt64: ResultValue])] = []
        func lowerBound(_ key: UInt64) -> Int {
            var low = 0
            var high = sortedKeys.count
            while low < high {
                let mid = (low + high) / 2
                if sortedKeys[mid] < key { low = mid + 1 } else { high = mid }
            }
            return low
        }
        for step in 0..<100_000 {
            let key = rng.next() % keySpace
            switch rng.next() % 10 {
            case 0..<5:
                let value = ResultValue.sample(rng.next())
                let old = reference.updateValue(value, forKey: key)
                if old == nil { sortedKeys.insert(key, at: lowerBound(key)) }
                #expect(tree.updateValue(value, forKey: key) == old)
            case 5..<8:
                // Remove a key that is likely present.
                let target = sortedKeys.isEmpty || rng.next() % 4 == 0 ? key : sortedKeys[Int(rng.next() % UInt64(sortedKeys.count))]
                let old = reference.removeValue(forKey: target)
                if old != nil { sortedKeys.remove(at: lowerBound(target)) }
                #expect(tree.removeValue(forKey: target) == old)
            case 8:
                #expect(tree.value(forKey: key) == reference[key])
            default:
                // A bounded range read, through forEach and through a cursor.
                let start = lowerBound(key)
                let expected = sortedKeys[start..<min(start + 100, sortedKeys.count)].map { ($0, reference[$0]!) }
                var seen: [(UInt64, ResultValue)] = []
                tree.forEach(from: key) { seen.append(($0, $1)); return seen.count < 100 }
                #expect(same(seen, expected))
                var cursor = tree.cursor(from: key)
                var viaCursor: [(UInt64, ResultValue)] = []
                while viaCursor.count < 100, let peek = cursor.peekKey, let entry = cursor.next() {
                    #expect(peek == entry.key)
                    viaCursor.append((entry.key, entry.value))
                }
                #expect(same(viaCursor, expected))
            }
            #expect(tree.count == reference.count)
            if step % 5_000 == 0 {
                versions.append((tree, reference))
                if let problem = tree.invariantViolation() { Issue.record("step \(step): \(problem)") }
            }
        }
        #expect(tree.invariantViolation() == nil)
        #expect(same(tree.entries, reference.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
        for (index, (version, snapshot)) in versions.enumerated() {
            #expect(version.invariantViolation() == nil)
            #expect(same(version.entries, snapshot.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }), "version \(index)")
        }
    }

    @Test("Keys arriving in increasing order fill leaves to at least 90%")
    func appendFill() {
        var tree = ResultTree()
        for key in 0..<100_000 as Range<UInt64> { tree.updateValue(.sample(key), forKey: key * 3) }
        #expect(tree.invariantViolation() == nil)
        #expect(tree.leafFill >= 0.9, "fill \(tree.leafFill)")
        // Ascending within several key ranges (a rule's results of several resource types).
        var ranged = ResultTree()
        for id in 0..<20_000 as Range<UInt64> {
            for type in 1...5 as ClosedRange<UInt64> { ranged.updateValue(.sample(id), forKey: type << 32 | id) }
        }
        #expect(ranged.invariantViolation() == nil)
        #expect(ranged.leafFill >= 0.9, "fill \(ranged.leafFill)")
    }

    @Test("The bulk constructor builds a valid, full tree", arguments: [0, 1, 3, 64, 65, 80, 4_096, 4_097, 300_000])
    func bulk(count: Int) {
        let entries = (0..<UInt64(count)).map { ($0 * 7 + 1, ResultValue.sample($0)) }
        var tree = ResultTree(sortedUniqueKeys: entries)
        #expect(tree.invariantViolation() == nil)
        #expect(tree.count == count)
        #expect(same(tree.entries, entries))
        if count > 1_000 { #expect(tree.leafFill >= 0.95) }
        // Still a working tree afterwards.
        tree.updateValue(.sample(1), forKey: 2)
        tree.removeValue(forKey: 1)
        #expect(tree.invariantViolation() == nil)
        #expect(tree.count == max(count, 1))
    }

    @Test("Removing everything empties the tree, in random order and in key order")
    func removeAll() {
        var rng = SeededGenerator(seed: 9)
        var tree = ResultTree(sortedUniqueKeys: (0..<50_000 as Range<UInt64>).map { ($0, ResultValue.sample($0)) })
        let copy = tree
        var keys = Array(0..<50_000 as Range<UInt64>)
        keys.shuffle(using: &rng)
        for (index, key) in keys.enumerated() {
            #expect(tree.removeValue(forKey: key) == .sample(key))
            if index % 10_000 == 0 { #expect(tree.invariantViolation() == nil) }
        }
        #expect(tree.count == 0 && tree.root == nil)
        #expect(copy.count == 50_000 && copy.invariantViolation() == nil)
        var ordered = copy
        for key in 0..<50_000 as Range<UInt64> { ordered.removeValue(forKey: key) }
        #expect(ordered.isEmpty)
        #expect(same(copy.entries, (0..<50_000 as Range<UInt64>).map { ($0, ResultValue.sample($0)) }))
    }

    @Test("A cursor with an end stops before it, and a cursor keeps reading its own version")
    func cursorBounds() {
        var tree = ResultTree(sortedUniqueKeys: (0..<1_000 as Range<UInt64>).map { ($0 * 2, ResultValue.sample($0)) })
        var cursor = ResultTree.Cursor(tree, from: 101, end: 201)
        for key in 0..<1_000 as Range<UInt64> { tree.removeValue(forKey: key * 2) }
        var keys: [UInt64] = []
        while let entry = cursor.next() { keys.append(entry.key) }
        #expect(keys == Array(stride(from: 102, to: 201, by: 2)))
        #expect(ResultTree.Cursor(tree, from: 0).peekKey == nil)
    }
}

@Suite("ResultTree copying")
struct ResultTreeCopyTests {
    /// The identities of every node, to see which ones a mutation replaced.
    static func nodes(_ tree: ResultTree) -> Set<ObjectIdentifier> {
        var found: Set<ObjectIdentifier> = []
        func walk(_ node: ResultNode, _ height: Int) {
            found.insert(ObjectIdentifier(node))
            if height > 0 { for child in unsafeDowncast(node, to: ResultInner.self).children { walk(child, height - 1) } }
        }
        if let root = tree.root { walk(root, tree.height) }
        return found
    }

    @Test("A tree held once is mutated in place; after a copy only the path is copied")
    func pathCopying() {
        var tree = ResultTree(sortedUniqueKeys: (0..<200_000 as Range<UInt64>).map { ($0 * 2, ResultValue.sample($0)) })
        #expect(tree.height == 2)
        var before = Self.nodes(tree)
        func replaced(_ step: String) -> Int {
            let now = Self.nodes(tree)
            defer { before = now }
            let count = before.subtracting(now).count
            print("pathCopying \(step): \(count) nodes replaced")
            return count
        }
        tree.updateValue(.sample(1), forKey: 1_001)  // not at the end: no split
        #expect(replaced("insert") == 0)
        tree.updateValue(.sample(2), forKey: 2_000)  // a replacement
        #expect(replaced("replace") == 0)
        tree.removeValue(forKey: 4_000)
        #expect(replaced("remove") == 0)
        let published = tree
        tree.updateValue(.sample(3), forKey: 3_001)
        #expect(replaced("insert after a copy") == 3)  // root, inner, leaf on the path
        #expect(published.value(forKey: 3_001) == nil && tree.value(forKey: 3_001) == .sample(3))
        tree.updateValue(.sample(4), forKey: 3_003)  // the path is this copy's own now
        #expect(replaced("second insert after a copy") == 0)
    }
}
