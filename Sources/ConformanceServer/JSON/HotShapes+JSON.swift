import ConformancePacks

/// A response shape with a hand-written JSON writer, used through ``AWSJSON/encode(writing:)``
/// instead of its `Encodable` conformance.
///
/// Each writer must produce what the synthesized `Encodable` conformance produces (same members,
/// absent ones omitted); `JSONTests` compares the two on fully populated values and checks that the
/// writers still cover every stored property of the generated shapes.
protocol JSONStreamWritable {
    func write(to encoder: JSONStreamEncoder)
}

extension DescribeConformancePacksResponse: JSONStreamWritable {
    func write(to encoder: JSONStreamEncoder) {
        var object = JSONObjectWriter(encoder)
        object.array("ConformancePackDetails", conformancePackDetails) { $0.write(to: $1) }
        object.string("NextToken", nextToken)
        object.finish()
    }
}

extension ConformancePackDetail: JSONStreamWritable {
    func write(to encoder: JSONStreamEncoder) {
        var object = JSONObjectWriter(encoder)
        object.string("ConformancePackName", conformancePackName)
        object.string("ConformancePackArn", conformancePackArn)
        object.string("ConformancePackId", conformancePackId)
        object.string("DeliveryS3Bucket", deliveryS3Bucket)
        object.string("DeliveryS3KeyPrefix", deliveryS3KeyPrefix)
        object.array("ConformancePackInputParameters", conformancePackInputParameters) { parameter, encoder in
            var element = JSONObjectWriter(encoder)
            element.string("ParameterName", parameter.parameterName)
            element.string("ParameterValue", parameter.parameterValue)
            element.finish()
        }
        object.date("LastUpdateRequestedTime", lastUpdateRequestedTime)
        object.string("CreatedBy", createdBy)
        if let ssm = templateSSMDocumentDetails {
            object.key("TemplateSSMDocumentDetails")
            var details = JSONObjectWriter(encoder)
            details.string("DocumentName", ssm.documentName)
            details.string("DocumentVersion", ssm.documentVersion)
            details.finish()
        }
        object.finish()
    }
}

extension DescribeConformancePackStatusResponse: JSONStreamWritable {
    func write(to encoder: JSONStreamEncoder) {
        var object = JSONObjectWriter(encoder)
        object.array("ConformancePackStatusDetails", conformancePackStatusDetails) { $0.write(to: $1) }
        object.string("NextToken", nextToken)
        object.finish()
    }
}

extension ConformancePackStatusDetail: JSONStreamWritable {
    func write(to encoder: JSONStreamEncoder) {
        var object = JSONObjectWriter(encoder)
        object.string("ConformancePackName", conformancePackName)
        object.string("ConformancePackId", conformancePackId)
        object.string("ConformancePackArn", conformancePackArn)
        object.string("ConformancePackState", conformancePackState.rawValue)
        object.string("StackArn", stackArn)
        object.string("ConformancePackStatusReason", conformancePackStatusReason)
        object.date("LastUpdateRequestedTime", lastUpdateRequestedTime)
        object.date("LastUpdateCompletedTime", lastUpdateCompletedTime)
        object.finish()
    }
}
