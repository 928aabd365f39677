using Differentiable.Generator.Model;

namespace Differentiable.Generator.Parsing;

/// <summary>
/// What the parser hands to the rest of the pipeline for one [Differentiable] method: plain, equatable values
/// (no symbols, syntax nodes or compilations), so an unrelated edit leaves the incremental cache warm.
/// <see cref="HasControlFlow"/>: the body has if/while/run-time for/break/continue and is generated statement by
/// statement around the user's control flow; <see cref="Locals"/> then lists its locals (name, tensor or number, type).
/// <see cref="IsExported"/>: public, in a public class, so other assemblies may call it (its generated pullbacks are public
/// and marked [DifferentiablePullback]); <see cref="ExternalCallees"/>: the [Differentiable] methods of other assemblies
/// it calls, read from metadata.
/// </summary>
internal sealed record MethodSpec(
    ClassSpec Class,
    string Name,
    bool IsStatic,
    EquatableArray<ArgumentSpec> Arguments,
    EquatableArray<Stmt> Body,
    CustomGradientSpec? CustomGradient,
    SourceSpot Where,
    EquatableArray<DiagnosticInfo> Diagnostics,
    bool HasCompileErrors = false,
    bool HasControlFlow = false,
    EquatableArray<ArgumentSpec> Locals = default,
    bool ReadsTensorValuesInConditions = false,
    bool IsExported = false,
    EquatableArray<Calls.CalleeSignature> ExternalCallees = default)
{
    /// <summary>The key other methods use to call this one: "Namespace.Class.Method".</summary>
    public string Key => Class.FullName + "." + Name;
}

/// <summary>The model class a method lives in, and the trainable tensors it owns by dotted path.</summary>
internal sealed record ClassSpec(
    string Namespace,
    string Name,
    string FullName,
    bool IsStatic,
    EquatableArray<string> ParameterPaths,
    EquatableArray<string> MemberNames,
    EquatableArray<ModuleListSpec> ModuleLists = default,
    UnusableParameter? Unusable = null);

/// <summary>
/// A [Parameter] the model class cannot read and assign, or a member on the way to a sub-module's that it cannot read
/// (private in the sub-module's class, a readonly field, a property without a set accessor): the generated
/// <c>Parameters()</c> reads and assigns every parameter by its path, so such a class gets a diagnostic instead of code
/// that does not compile. <see cref="Why"/> completes "'L1.W' ...", <see cref="Fix"/> says what to write instead.
/// </summary>
internal sealed record UnusableParameter(string Path, string Why, string Fix, SourceSpot? Where);

/// <summary>A list of sub-modules the model holds (an array or list field at <see cref="Path"/>), counted by <see cref="CountMember"/>.</summary>
internal sealed record ModuleListSpec(string Path, string CountMember);

internal enum ArgumentKind { Tensor, Labels, Scalar, Int }

/// <summary>One argument of a [Differentiable] method. <see cref="Wrt"/>: its gradient is returned.</summary>
internal sealed record ArgumentSpec(string Name, ArgumentKind Kind, string TypeName, bool Wrt)
{
    /// <summary>The argument's type as generated code declares it.</summary>
    public string CSharpType => Kind switch
    {
        ArgumentKind.Tensor => "Tensor",
        ArgumentKind.Labels => "Labels",
        _ => TypeName,
    };
}

/// <summary>A hand-written backward: <c>Backward(tensor args..., upstream)</c> returning one gradient per tensor argument.</summary>
internal sealed record CustomGradientSpec(string BackwardMethod);
