/// Parses and resolves AWS Config conformance pack templates.
///
/// A template is YAML (CloudFormation flavour, short-form tags included) or JSON. Resolving binds
/// the pack's input parameters, evaluates `Conditions`, drops resources whose `Condition` is false,
/// evaluates the intrinsic functions of the rest (`Ref`, `Fn::If`, `Fn::Sub`, `Fn::Join`,
/// `Fn::Select`, `Fn::Split`, `Fn::FindInMap`, `Fn::Base64`; `AWS::NoValue` removes the enclosing
/// property, map entry or list element) and reads the `AWS::Config::ConfigRule` and
/// `AWS::Config::RemediationConfiguration` resources.
public enum ConformancePackTemplate {
    /// Resolves a template body for one pack.
    ///
    /// The work runs on a dedicated thread with a 16 MiB stack (the YAML composer recurses once per
    /// nesting level), so any caller thread is safe; the call blocks until it is done.
    ///
    /// - Parameters:
    ///   - body: The template text, at most 1 MiB of UTF-8 (the API layer enforces AWS's smaller
    ///     `TemplateBody` and `TemplateS3Uri` limits).
    ///   - parameters: `ConformancePackInputParameters`: name to value, overriding `Default`s.
    ///   - context: The values of the pseudo parameters.
    /// - Returns: The rules and remediations the template deploys, in template order.
    /// - Throws: `TemplateError` for the first problem found, with its location.
    /// - Complexity: O(n) in the template size; the largest corpus template (130 rules) takes a few
    ///   milliseconds.
    public static func resolve(body: String, parameters: [String: String], context: TemplateContext) throws(TemplateError) -> ResolvedTemplate {
        let outcome: Result<ResolvedTemplate, TemplateFailure> = LargeStack.run(stackBytes: TemplateLimits.parserStackBytes) {
            do throws(TemplateFailure) {
                return .success(try TemplateResolver.resolve(body: body, inputs: parameters, context: context))
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .success(let template): return template
        case .failure(let failure): throw failure.templateError
        }
    }
}
