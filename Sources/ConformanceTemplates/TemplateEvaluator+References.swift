extension TemplateEvaluator {
    /// Checks, without evaluating, that every `Ref` and `Fn::If` condition in `value` names
    /// something that exists: CloudFormation validates resources whose `Condition` is false too.
    func checkReferences(_ value: TemplateValue) throws(TemplateFailure) {
        switch value {
        case .string, .null:
            return
        case .list(let items):
            for index in items.indices {
                try within(index: index) { () throws(TemplateFailure) in try checkReferences(items[index]) }
            }
        case .map(let map):
            if map.count == 1, map.keys[0] == "Ref", let target = map.values[0].text {
                let known = parameters[target] != nil || resources[target] != nil || Self.pseudoParameters.contains(target)
                if !known {
                    throw TemplateFailure("Template format error: Unresolved resource dependencies [\(target.prefix(100))] in the Resources block of the template").at("Ref")
                }
                return
            }
            if map.count == 1, map.keys[0] == "Fn::If", case .list(let items) = map.values[0], let name = items.first?.text,
                conditionDeclarations[name] == nil
            {
                throw TemplateFailure("Template format error: Unresolved condition dependency \(name.prefix(100)); it is not declared in Conditions").at("Fn::If")
            }
            for index in map.keys.indices {
                try within(map.keys[index]) { () throws(TemplateFailure) in try checkReferences(map.values[index]) }
            }
        }
    }

    static let pseudoParameters: Set<String> = [
        "AWS::NoValue", "AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::StackName", "AWS::URLSuffix",
        "AWS::NotificationARNs", "AWS::StackId",
    ]
}
