/// The keys under which the compliance store knows rules and packs: one string table serves
/// every partition, so a key holds the partition, length-prefixed so that no two keys collide.
enum ComplianceKeys {
    static func rule(_ partition: PartitionKey, _ name: String) -> String {
        "r" + prefix(partition) + name
    }

    static func pack(_ partition: PartitionKey, _ name: String) -> String {
        "p" + prefix(partition) + name
    }

    private static func prefix(_ partition: PartitionKey) -> String {
        "\(partition.accountId.utf8.count):\(partition.accountId)\(partition.region.utf8.count):\(partition.region)"
    }
}
