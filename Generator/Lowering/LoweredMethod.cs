using System.Collections.Generic;
using Differentiable.Generator.IR;
using Differentiable.Generator.Parsing;

namespace Differentiable.Generator.Lowering;

/// <summary>A [Differentiable] method as a graph: its result, and the leaves gradients are asked for (parameters, then [Wrt] arguments).</summary>
internal sealed record LoweredMethod(MethodSpec Spec, Node Output, IReadOnlyList<Node> WrtLeaves, GraphBuilder Builder);

/// <summary>What a [Differentiable] expression evaluates to while lowering: a node (tensor or number), labels, or a constant option.</summary>
internal sealed record Value(Node? Node = null, bool IsLabels = false, int[]? Ints = null, bool? Bool = null, bool IsNull = false)
{
    public static readonly Value Null = new(IsNull: true);
}

/// <summary>Lowering stopped at a problem that was reported as a diagnostic.</summary>
internal sealed class LoweringException : System.Exception
{
}
