using System.Collections.Generic;
using Differentiable.Generator.IR;
using Differentiable.Generator.Parsing;

namespace Differentiable.Generator.Lowering;

/// <summary>A [Differentiable] method as a graph: its result, and the leaves gradients are asked for (parameters, then [Wrt] arguments).</summary>
internal sealed record LoweredMethod(MethodSpec Spec, Node Output, IReadOnlyList<Node> WrtLeaves, GraphBuilder Builder)
{
    /// <summary>
    /// The forward graph, inputs before the nodes that read them (<see cref="Topology.Sort"/> of the result), sorted
    /// once: reverse mode, its restriction, each emitter, the inspection and the device planner all walk it, and sorting
    /// a large body's graph five times over was a few percent of its run. Shared: read it, never change it. A copy made
    /// with <c>with</c> keeps it, which is right while the copy changes only <see cref="WrtLeaves"/> (as
    /// <c>ReverseMode.Restrict</c> does): the order depends on <see cref="Output"/> alone.
    /// </summary>
    public Collections.SegmentedList<Node> ForwardOrder => _forwardOrder ??= Topology.Sort(new[] { Output });

    private Collections.SegmentedList<Node>? _forwardOrder;

    /// <summary>The nodes of <see cref="ForwardOrder"/> as a set, made once. Shared: read it, never change it.</summary>
    public Collections.NodeSet ForwardSet => _forwardSet ??= new Collections.NodeSet(ForwardOrder);

    private Collections.NodeSet? _forwardSet;
}

/// <summary>
/// What a [Differentiable] expression evaluates to while lowering: a node (tensor or number), labels, a constant option,
/// or a list of tensors (the argument of <c>Concat([p1, p2, p3], axis)</c>).
/// </summary>
internal sealed record Value(Node? Node = null, bool IsLabels = false, int[]? Ints = null, bool? Bool = null, bool IsNull = false, Node[]? Tensors = null,
    string? IntMember = null)
{
    public static readonly Value Null = new(IsNull: true);
}

/// <summary>Lowering stopped at a problem that was reported as a diagnostic.</summary>
internal sealed class LoweringException : System.Exception
{
}

/// <summary>
/// What to lower and how. <see cref="ArgumentMask"/>: the tensor arguments differentiated (a bit per position);
/// <see cref="ParameterOutputs"/>: for a pullback, the parameters its callers expect a gradient for (null: those the
/// graph reads); <see cref="InlineCalls"/>: copy callees' bodies (the device path) or call them (the C# path).
/// </summary>
internal sealed record LoweringRequest(
    MethodSpec Method,
    ulong ArgumentMask,
    IReadOnlyList<string>? ParameterOutputs,
    bool InlineCalls,
    IReadOnlyDictionary<string, MethodSpec> Bodies,
    IReadOnlyDictionary<string, Calls.CalleeSignature> Signatures,
    IReadOnlyDictionary<Model.SourceSpot, Calls.CallSite> Sites)
{
    /// <summary>Units of lowering work (statements, expressions, loop iterations) one method may take: generous for real models, a few ms.</summary>
    public int Budget { get; init; } = DefaultBudget;

    public const int DefaultBudget = 40_000;
}
