/// Mints the random parts of ids and ARNs (spec §2) from an ``IdentifierSource``.
struct IdentifierMint: Sendable {
    let source: any IdentifierSource

    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// `count` characters of `[a-z0-9]`.
    func lowercaseAlphanumerics(_ count: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        var bits = source.next()
        var remaining = 10  // 36^10 < 2^64: ten draws per 64 bits keep the bias below 2^-12.
        for _ in 0..<count {
            if remaining == 0 {
                bits = source.next()
                remaining = 10
            }
            bytes.append(Self.alphabet[Int(bits % 36)])
            bits /= 36
            remaining -= 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `conformance-pack-` + 9 `[a-z0-9]`.
    func packId() -> String { "conformance-pack-" + lowercaseAlphanumerics(9) }

    /// `config-rule-` + 6 `[a-z0-9]`.
    func ruleId() -> String { "config-rule-" + lowercaseAlphanumerics(6) }

    /// A lowercase version-4 UUID.
    func uuid() -> String {
        var bytes: [UInt8] = []
        for word in [source.next(), source.next()] {
            withUnsafeBytes(of: word.littleEndian) { bytes.append(contentsOf: $0) }
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for (index, byte) in bytes.enumerated() {
            if [4, 6, 8, 10].contains(index) { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The ARNs of spec §2.
enum ARN {
    static let partition = "aws"
    static let packService = "config-conforms.amazonaws.com"

    static func pack(_ p: PartitionKey, name: String, id: String) -> String {
        "arn:\(partition):config:\(p.region):\(p.accountId):conformance-pack/\(name)/\(id)"
    }

    static func stack(_ p: PartitionKey, packName: String, packId: String, uuid: String) -> String {
        "arn:\(partition):cloudformation:\(p.region):\(p.accountId):stack/\(stackName(packName: packName, packId: packId))/\(uuid)"
    }

    static func stackName(packName: String, packId: String) -> String {
        "awsconfigconforms-\(packName)-\(packId)"
    }

    static func packRule(_ p: PartitionKey, ruleId: String) -> String {
        "arn:\(partition):config:\(p.region):\(p.accountId):config-rule/aws-service-rule/\(packService)/\(ruleId)"
    }

    static func organizationPack(_ p: PartitionKey, name: String, suffix: String) -> String {
        "arn:\(partition):config:\(p.region):\(p.accountId):organization-conformance-pack/\(name)-\(suffix)"
    }

    static func userRule(_ p: PartitionKey, ruleId: String) -> String {
        "arn:\(partition):config:\(p.region):\(p.accountId):config-rule/\(ruleId)"
    }
}

/// A 64-bit FNV-1a hash: stable across processes and platforms (unlike `Hasher`).
struct FNV1a64 {
    private(set) var value: UInt64

    init(seed: UInt64 = 0xcbf2_9ce4_8422_2325) { value = seed }

    mutating func combine(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01B3
        }
    }

    mutating func combine(_ string: String) {
        combine(string.utf8)
        combine(CollectionOfOne(0xFF))  // separator: "ab"+"c" ≠ "a"+"bc"
    }
}
