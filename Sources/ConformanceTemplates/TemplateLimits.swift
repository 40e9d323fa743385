/// The bounds that keep hostile templates cheap to refuse. Each one is far above what the real
/// templates need (the 86-template corpus peaks at 51,307 bytes, about 3,200 YAML nodes and a
/// nesting depth of 12).
enum TemplateLimits {
    /// Largest template text accepted, in UTF-8 bytes. The API layer enforces AWS's smaller limits
    /// (51,200 for `TemplateBody`, 307,200 for `TemplateS3Uri`); this bound protects direct callers.
    static let maxTemplateBytes = 1 << 20
    /// Deepest nesting of YAML collections accepted.
    static let maxDepth = 100
    /// Most YAML nodes converted from one template.
    static let maxNodes = 250_000
    /// Most resources in a template (AWS's limit, counted over every resource type).
    static let maxResources = 130
    /// Most entries in a rule's `Controls` attribute, and the longest entry.
    static let maxControls = 20
    static let maxControlLength = 128
    /// Longest chain of `Condition` references followed while evaluating one condition.
    static let maxConditionDepth = 100
    /// Most characters of strings and list elements produced by intrinsic functions in one template;
    /// bounds `Fn::Join`/`Fn::Sub` fan-out over long parameter values.
    static let maxProducedCharacters = 8 << 20
    /// Stack size of the thread that parses and resolves a template: libyaml refuses more than 1,000
    /// nested levels, and Yams composes them recursively (about 500 bytes per level).
    static let parserStackBytes = 16 << 20
}
