using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Collections;
using Differentiable.Generator.IR;
using Differentiable.Generator.Lowering;
using Differentiable.Generator.Rules;

namespace Differentiable.Generator.Autodiff;

/// <summary>
/// One application of a rule: <see cref="Contribution"/> is added to the adjoint of <see cref="Target"/>,
/// the <see cref="InputIndex"/>-th input of <see cref="Source"/>.
/// </summary>
internal sealed record BackwardStep(Node Source, int InputIndex, Node Target, Node Contribution);

/// <summary>The backward program: steps in execution order; every adjoint is complete before it is read.</summary>
internal sealed record Gradient(LoweredMethod Method, IReadOnlyList<BackwardStep> Steps, NodeSet NodesWithAdjoint);

/// <summary>
/// Reverse mode over the graph: visit nodes from the output back, apply each node's rule from the table to its
/// adjoint, and accumulate the contributions into its inputs' adjoints (micrograd's <c>+=</c>). Only nodes on a
/// path from a requested leaf get adjoints, so nothing is computed that no gradient needs.
/// </summary>
internal static class ReverseMode
{
    public static Gradient Differentiate(LoweredMethod method)
    {
        var b = method.Builder;
        var forward = method.ForwardOrder;
        var needsGradient = NeedsGradient(forward, method.WrtLeaves);

        var steps = new SegmentedList<BackwardStep>();
        var hasAdjoint = new NodeSet();
        if (needsGradient.Contains(method.Output)) hasAdjoint.Add(method.Output);
        for (var i = forward.Count - 1; i >= 0; i--)
        {
            var node = forward[i];
            if (!hasAdjoint.Contains(node) || node.IsLeaf) continue;
            var rule = RuleTable.For(node.Op);
            if (rule.Kind != GradientKind.Rule) continue;
            var contributions = rule.Backward!(node, b.Adjoint(node), b);
            for (var k = 0; k < node.Inputs.Length; k++)
            {
                var input = node.Inputs[k];
                if (k >= contributions.Length || contributions[k] is not { } contribution || !needsGradient.Contains(input)) continue;
                steps.Add(new BackwardStep(node, k, input, contribution));
                hasAdjoint.Add(input);
            }
        }
        return new Gradient(method, steps, hasAdjoint);
    }

    /// <summary>
    /// The gradient with respect to some of <paramref name="gradient"/>'s leaves, from that gradient: its steps whose
    /// target needs a gradient for them, in the same order. That is what <see cref="Differentiate"/> gives for those
    /// leaves (a node with such a target among its inputs needs a gradient too, so it has an adjoint, and its rule's
    /// contributions are the same), without lowering and differentiating the method a second time.
    /// </summary>
    public static Gradient Restrict(Gradient gradient, IReadOnlyList<Node> wrtLeaves)
    {
        var method = gradient.Method with { WrtLeaves = wrtLeaves };
        var needsGradient = NeedsGradient(method.ForwardOrder, wrtLeaves);
        var steps = new SegmentedList<BackwardStep>();
        var hasAdjoint = new NodeSet();
        if (needsGradient.Contains(method.Output)) hasAdjoint.Add(method.Output);
        foreach (var step in gradient.Steps)
            if (needsGradient.Contains(step.Target))
            {
                steps.Add(step);
                hasAdjoint.Add(step.Target);
            }
        return new Gradient(method, steps, hasAdjoint);
    }

    /// <summary>The nodes on a path from a requested leaf: a leaf asked for, or a node with a rule that reads one.</summary>
    private static NodeSet NeedsGradient(IEnumerable<Node> forward, IReadOnlyList<Node> wrtLeaves)
    {
        var wrt = new NodeSet(wrtLeaves);
        var needsGradient = new NodeSet();
        foreach (var node in forward)
        {
            var kind = RuleTable.For(node.Op).Kind;
            if (wrt.Contains(node) || kind == GradientKind.Rule && needsGradient.ContainsAny(node.Inputs))
                needsGradient.Add(node);
        }
        return needsGradient;
    }
}
