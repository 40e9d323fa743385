/// The account, region and stack a template is resolved for: the values of the pseudo parameters
/// `AWS::AccountId`, `AWS::Region`, `AWS::Partition`, `AWS::StackName`, `AWS::StackId` and
/// `AWS::URLSuffix`.
public struct TemplateContext: Sendable, Hashable {
    /// The 12-digit account id (`AWS::AccountId`).
    public var accountId: String
    /// The region, such as `us-east-1` (`AWS::Region`).
    public var region: String
    /// The partition, such as `aws` or `aws-cn` (`AWS::Partition`; also selects `AWS::URLSuffix`).
    public var partition: String
    /// The name of the stack behind the pack (`AWS::StackName`).
    public var stackName: String
    /// The stack's ARN (`AWS::StackId`); a `Ref` to `AWS::StackId` is a template error when nil.
    public var stackId: String?

    /// Creates a context.
    public init(accountId: String, region: String, partition: String = "aws", stackName: String, stackId: String? = nil) {
        self.accountId = accountId
        self.region = region
        self.partition = partition
        self.stackName = stackName
        self.stackId = stackId
    }

    /// `AWS::URLSuffix` for the partition.
    var urlSuffix: String {
        switch partition {
        case "aws-cn": "amazonaws.com.cn"
        case "aws-iso": "c2s.ic.gov"
        case "aws-iso-b": "sc2s.sgov.gov"
        default: "amazonaws.com"
        }
    }
}
