using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Differentiable.Generator;

/// <summary>Every diagnostic the generator reports, in one place. Each says what is supported instead.</summary>
internal static class Diagnostics
{
    private const string Category = "Differentiable";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedStatement = Error("DIFF001",
        "Statement not supported in a [Differentiable] body",
        "'{0}' statements are not supported in a [Differentiable] body; use local declarations, assignments to locals, if/else, while, for, break, continue and a final 'return'");

    public static readonly DiagnosticDescriptor LoopBoundNotConstant = Error("DIFF002",
        "Loop trip count not known at generation time",
        "This 'for' loop cannot be generated: write 'for (int i = A; i < B; i++)' (bounds may be constants, unrolled, or numbers read at run time) ({0})");

    public static readonly DiagnosticDescriptor AssignmentToField = Error("DIFF003",
        "Assignment to a field or property",
        "A [Differentiable] body may not assign to '{0}': it must be a pure function of its arguments and parameters; assign to a local variable instead");

    public static readonly DiagnosticDescriptor UnknownMethod = Error("DIFF004",
        "Call to a method that cannot be differentiated",
        "'{0}' cannot be differentiated: {1}");

    public static readonly DiagnosticDescriptor Recursion = Error("DIFF005",
        "Recursive [Differentiable] call",
        "'{0}' calls itself (through {1}); recursion cannot be unrolled at generation time, use a 'for' loop with constant bounds");

    public static readonly DiagnosticDescriptor NotATensorResult = Error("DIFF006",
        "[Differentiable] method must return a Tensor",
        "'{0}' returns '{1}'; a [Differentiable] method must return Differentiable.Tensor");

    public static readonly DiagnosticDescriptor UnsupportedExpression = Error("DIFF007",
        "Expression not supported in a [Differentiable] body",
        "'{0}' is not supported in a [Differentiable] body ({1})");

    public static readonly DiagnosticDescriptor ClassNotPartial = Error("DIFF008",
        "Class must be a top-level partial class",
        "'{0}' must be a non-generic top-level 'partial' class so that the generator can add gradient methods to it");

    public static readonly DiagnosticDescriptor BadCustomGradient = Error("DIFF009",
        "Invalid custom gradient",
        "Custom gradient '{0}' of '{1}' is invalid: {2}");

    public static readonly DiagnosticDescriptor UnsupportedParameter = Error("DIFF010",
        "Parameter type not supported",
        "Parameter '{0}' has type '{1}'; [Differentiable] methods take Tensor, Labels, double, float or int arguments");

    public static readonly DiagnosticDescriptor UnassignedLocal = Error("DIFF011",
        "Local used before it is assigned",
        "Local '{0}' must be assigned where it is declared before it is used in a [Differentiable] body");

    public static readonly DiagnosticDescriptor NameCollision = Error("DIFF012",
        "A member has the name of a generated member",
        "'{0}' already declares '{1}', which the generator adds {2}; rename '{1}'");

    public static readonly DiagnosticDescriptor TooLarge = Error("DIFF013",
        "Method too large to differentiate at generation time",
        "'{0}' is too large to differentiate at generation time: {1}; unroll fewer loop iterations or move work into other [Differentiable] methods (calls are not copied)");

    public static readonly DiagnosticDescriptor NestedTooDeep = Error("DIFF014",
        "Expression nested too deeply",
        "This expression nests more than {0} levels deep; the generator reads at most {0}: split it into local variables");

    public static readonly DiagnosticDescriptor ControlFlowNotSupported = Error("DIFF015",
        "Control flow not supported in a [Differentiable] body",
        "'{0}' is not supported in a [Differentiable] body: {1}");

    public static readonly DiagnosticDescriptor ConditionNotSupported = Error("DIFF016",
        "Condition or number statement cannot be generated",
        "'{0}' cannot be used in a condition, loop header or number statement of a [Differentiable] body: {1}");

    public static readonly DiagnosticDescriptor UnusableParameter = Error("DIFF017",
        "A parameter the model cannot read and assign",
        "'{0}' lists its parameters, its sub-modules' included, in the generated Parameters(), which reads and assigns each by its path; '{1}' {2}: {3}");

    public static readonly DiagnosticDescriptor InternalError = Error("DIFF099",
        "Internal generator error",
        "The generator failed on '{0}' ({1}); please report this with the method's source");

    private static readonly Dictionary<string, DiagnosticDescriptor> All =
        typeof(Diagnostics).GetFields()
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null))
            .ToDictionary(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => All[id];
}
