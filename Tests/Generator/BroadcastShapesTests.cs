using Differentiable.Generator.IR;
using Differentiable.Generator.Rules;
using Differentiable.Tests.Support;

namespace Differentiable.Tests.Generator;

/// <summary>
/// <see cref="BroadcastShapes"/>: which nodes certainly share a shape, and the gradients that therefore skip
/// <c>SumToShapeOf</c> — still equal to finite differences when the operands really broadcast.
/// </summary>
public sealed class BroadcastShapesTests
{
    [Fact]
    public void Elementwise_results_have_the_shape_of_the_set_of_shapes_broadcast_together()
    {
        var b = new GraphBuilder();
        var x = b.Leaf(Op.Input, "x");
        var w = b.Leaf(Op.Parameter, "W");
        var xw = b.Add(x, w);
        var shapes = b.Shapes;
        Assert.True(shapes.Same(b.Make(Op.Sin, xw), xw));                  // unary: the operand's shape
        Assert.True(shapes.Same(b.Mul(b.Make(Op.Sin, xw), b.Sub(w, x)), xw)); // {x, W} either way round
        Assert.True(shapes.Same(b.Mul(x, b.Constant(2)), x));               // a number adds no shape
        Assert.True(shapes.Same(b.Add(xw, w), xw));                         // W again: broadcasting is idempotent
        Assert.False(shapes.Same(xw, x));                                   // W may broadcast x
        Assert.False(shapes.Same(x, w));                                    // two leaves: unknown
        var product = b.Make(Op.MatMul, x, w);
        Assert.True(shapes.Same(b.Make(Op.Relu, b.Add(product, product)), product));
        Assert.False(shapes.Same(product, x));                              // not elementwise: a shape of its own
    }

    [Fact]
    public void A_set_past_its_limit_is_a_shape_of_its_own_and_proves_nothing()
    {
        var b = new GraphBuilder();
        var sum = b.Leaf(Op.Parameter, "P0");
        for (var i = 1; i < 12; i++) sum = b.Add(sum, b.Leaf(Op.Parameter, "P" + i));
        var again = b.Make(Op.Neg, sum);
        Assert.True(b.Shapes.Same(again, sum));                             // unary over it: its own symbol, shared
        Assert.False(b.Shapes.Same(b.Add(sum, b.Leaf(Op.Parameter, "P0")), sum));   // conservative, not wrong
    }

    [Fact]
    public void A_deep_elementwise_chain_is_walked_without_recursion()
    {
        var b = new GraphBuilder();
        var x = b.Leaf(Op.Input, "x");
        var h = x;
        for (var i = 0; i < 100_000; i++) h = b.Make(i % 2 == 0 ? Op.Sin : Op.Cos, h);
        Assert.True(b.Shapes.Same(h, x));
    }

    private const string Model = """
        using Differentiable;
        using static Differentiable.Ops;
        public partial class M
        {
            [Parameter] public Tensor W = Tensor.Ones(4);
            [Parameter] public Tensor V = Tensor.Ones(3, 1);
            [Differentiable]
            public Tensor F([Wrt] Tensor x)
            {
                var h = Sin(x * W) + x * W;
                h = h * V - Exp(h) / 3.0;
                return Sum(Maximum(h, W) * h);
            }
        }
        """;

    [Fact]
    public void Only_the_operands_that_may_broadcast_are_summed_and_the_gradient_is_still_right()
    {
        var run = GeneratorHarness.Run(Model);
        Assert.Empty(run.GeneratorDiagnostics);
        var generated = run.Sources["M.g.cs"];
        // x and W may broadcast each other, and V the rest: their adjoints are summed.
        Assert.Contains("d_x = SumToShapeOf(Mul(d_h_mul, W), x);", generated);
        Assert.Contains("d_W += SumToShapeOf(Mul(d_h_mul, x), W);", generated);
        Assert.Contains("d_h += SumToShapeOf(Mul(d_h_mul2, V), h);", generated);
        Assert.Contains("var d_V = SumToShapeOf(Mul(d_h_mul2, h), V);", generated);
        // Operands with the result's shape: max(h2, W) and f_maximum ⊙ h2 have h2's, sin(h_mul) + h_mul has h_mul's.
        Assert.Contains("var d_h2 = Mul(d_f_mul, f_maximum);", generated);
        Assert.Contains("d_h2 += Mul(d_f_maximum, GreaterMask(h2, W));", generated);
        Assert.Contains("var d_h_mul = d_h;", generated);
        // x ⊙ W with x (3, 4) and W (4), then h ⊙ V with V (3, 1): every sum that stayed has work to do.
        GeneratedGradCheck.Check(Activator.CreateInstance(run.Load().GetType("M")!)!, "F", GeneratedGradCheck.Random(3, 4));
    }
}
