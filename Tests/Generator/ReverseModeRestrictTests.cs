using Differentiable.Generator.Autodiff;
using Differentiable.Generator.IR;
using Differentiable.Generator.Lowering;

namespace Differentiable.Tests.Generator;

/// <summary>
/// <see cref="ReverseMode.Restrict"/>: the gradient with respect to fewer leaves, cut from one already computed, is the
/// gradient differentiating again gives — the same steps, in the same order (one graph, so the same nodes).
/// </summary>
public sealed class ReverseModeRestrictTests
{
    public static TheoryData<string[]> Subsets => new()
    {
        new[] { "W", "V" }, new[] { "x" }, new[] { "W" }, new[] { "V", "x" }, System.Array.Empty<string>(),
    };

    [Theory]
    [MemberData(nameof(Subsets))]
    public void Restricting_equals_differentiating_again(string[] kept)
    {
        var b = new GraphBuilder();
        var x = b.Leaf(Op.Input, "x");
        var w = b.Leaf(Op.Parameter, "W");
        var v = b.Leaf(Op.Parameter, "V");
        // x reaches the result on its own (+ x) and through W; V through a product; Sin(x) depends on x alone.
        var h = b.Mul(b.Make(Op.Sin, b.Mul(x, w)), v);
        var output = b.Make(Op.Sum, b.Add(b.Add(h, x), b.Mul(b.Make(Op.Sin, x), w)));
        var leaves = new Dictionary<string, Node> { ["W"] = w, ["V"] = v, ["x"] = x };

        var all = ReverseMode.Differentiate(new LoweredMethod(null!, output, new[] { w, v, x }, b));
        var subset = new[] { w, v, x }.Where(l => kept.Contains(l.Attributes.Text)).ToList();
        var restricted = ReverseMode.Restrict(all, subset);
        var direct = ReverseMode.Differentiate(new LoweredMethod(null!, output, subset, b));

        Assert.Equal(direct.Steps, restricted.Steps);
        Assert.Equal(subset, restricted.Method.WrtLeaves);
        foreach (var node in Topology.Sort(new[] { output }).Concat(leaves.Values))
            Assert.Equal(direct.NodesWithAdjoint.Contains(node), restricted.NodesWithAdjoint.Contains(node));
        Assert.True(restricted.Steps.Count <= all.Steps.Count);
    }
}
