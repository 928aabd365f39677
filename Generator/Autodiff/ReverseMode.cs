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
        var forward = Topology.Sort(new[] { method.Output });
        var wrt = new NodeSet(method.WrtLeaves);

        var needsGradient = new NodeSet();
        foreach (var node in forward)
        {
            var kind = RuleTable.For(node.Op).Kind;
            if (wrt.Contains(node) || kind == GradientKind.Rule && node.Inputs.Any(needsGradient.Contains))
                needsGradient.Add(node);
        }

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
}
