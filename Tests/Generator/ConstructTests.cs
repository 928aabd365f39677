using System.Reflection;
using Differentiable.Tests.Support;

namespace Differentiable.Tests.Generator;

/// <summary>
/// The C# constructs a [Differentiable] body supports, each compiled through the generator and gradient-checked
/// in float64: loops with constant bounds, reassigned locals, scalar fields and constants, sub-modules, calls
/// across classes, composites, [Wrt] arguments.
/// </summary>
public class ConstructTests
{
    private const string Usings = "using Differentiable;\nusing static Differentiable.Ops;\n";

    /// <summary>Compiles <paramref name="source"/>, builds <c>M</c> (parameters float64), and gradient-checks <c>F(x)</c> w.r.t. its parameters and [Wrt] arguments.</summary>
    private static (object Model, string Generated) CheckGradients(string source, params int[] xShape)
    {
        var run = GeneratorHarness.Run(Usings + source);
        Assert.Empty(run.GeneratorDiagnostics);
        var type = run.Load().GetType("M")!;
        var model = Activator.CreateInstance(type)!;
        var module = model as IModule;
        module?.ConvertTo(DType.Float64);
        var parameters = module?.Parameters() ?? Array.Empty<NamedParameter>();
        var forward = type.GetMethod("F")!;
        var withGradients = type.GetMethod("FWithGradients")!;
        var wrtX = forward.GetParameters()[0].GetCustomAttributes().Any(a => a.GetType().Name == "WrtAttribute") || forward.IsStatic;

        var x = Tensor.Randn(xShape, new Rng(17), DType.Float64);
        Tensor[] Inputs() => parameters.Select(p => p.Value).Concat(wrtX ? new[] { x } : Array.Empty<Tensor>()).ToArray();
        void Set(Tensor[] values)
        {
            for (var i = 0; i < parameters.Count; i++) parameters[i].Value = values[i];
            if (wrtX) x = values[^1];
        }
        var result = GradCheck.Check(
            values => { Set(values); return (Tensor)forward.Invoke(forward.IsStatic ? null : model, new object[] { x })!; },
            (values, upstream) =>
            {
                Set(values);
                var value = withGradients.Invoke(forward.IsStatic ? null : model, new object?[] { x, upstream })!;
                return ((IGradients)value.GetType().GetField("Item2")!.GetValue(value)!).All.Select(g => g.Gradient).ToArray();
            },
            Inputs());
        Assert.True(result.Passed, result.ToString());
        return (model, run.Sources["M.g.cs"]);
    }

    [Fact]
    public void ForLoopWithConstantBoundsIsUnrolled()
    {
        var (_, generated) = CheckGradients("""
            public partial class M
            {
                const int Depth = 3;
                [Parameter] public Tensor W = Tensor.Randn(new[] { 4, 4 }, new Rng(1)) * 0.5;
                [Differentiable] public Tensor F(Tensor x)
                {
                    var h = x;
                    for (int i = 0; i < Depth; i++)
                        h = Tanh(h.MatMul(W)) + h * (i + 1);
                    return Sum(h);
                }
            }
            """, 2, 4);
        Assert.Contains("var h3 = ", generated);
    }

    [Fact]
    public void ScalarFieldsConstantsAndCompoundAssignment()
    {
        CheckGradients("""
            public partial class M
            {
                public double Scale = 0.7;
                public const double Shift = 0.25;
                [Parameter] public Tensor W = Tensor.Randn(new[] { 3 }, new Rng(2));
                [Differentiable] public Tensor F(Tensor x)
                {
                    var y = x * W * Scale;
                    y += Shift / Scale;
                    y -= Exp(-x) / 4;
                    y *= Sigmoid(W);
                    y /= 2;
                    return Mean(Pow(y, 2) + Sqrt(Abs(y) + 1));
                }
            }
            """, 2, 3);
    }

    [Fact]
    public void ConstantsAreNumbersWhereverTheyAreDeclared()
    {
        // The parser reads a number from a literal's token and a name's constant from its symbol (not the semantic model's
        // constant value): every way of writing one must still be the same number in the generated code.
        var (_, generated) = CheckGradients("""
            public static class Tuning { public const float Gain = 1.5f; }
            public partial class M
            {
                public const double Shift = 0.25;
                [Parameter] public Tensor W = Tensor.Randn(new[] { 3 }, new Rng(4));
                [Differentiable] public Tensor F(Tensor x)
                {
                    const double half = 0.5;
                    const int three = 3;
                    var y = x * W * half + Shift * 2;
                    y = y * Tuning.Gain - System.Math.PI / 8;
                    y = y + three + 2f - 1L + (-(0.125));
                    return Sum(Tanh(y) * M.Shift);
                }
            }
            """, 2, 3);
        Assert.Contains("0.5", generated);
        Assert.Contains("0.39269908169872414", generated);   // π / 8, folded
        Assert.Contains("1.5", generated);
        Assert.Contains("0.125", generated);
    }

    [Fact]
    public void AnExtensionMethodInABodyIsADiagnosticAtTheCall()
    {
        // The parser takes a call's method from its bound operation, except for extension methods (their symbol is
        // looked up as called): such a call is not differentiable, and says so at the call.
        var source = Usings + """
            public static class Extra { public static Tensor Twice(this Tensor t) => t * 2; }
            public partial class M
            {
                [Parameter] public Tensor W = Tensor.Randn(new[] { 3 }, new Rng(4));
                [Differentiable] public Tensor F(Tensor x) => Sum(x.Twice() * W);
            }
            """;
        var run = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.StartsWith("DIFF", diagnostic.Id);
        Assert.Contains("Twice", diagnostic.GetMessage());
        Assert.Equal("x.Twice()", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
    }

    [Fact]
    public void SubModulesCalledTwiceShareNothingButTheirCode()
    {
        var (model, generated) = CheckGradients("""
            public partial class Layer
            {
                [Parameter] public Tensor W, B;
                public Layer(int i, int o, ulong seed) { W = Tensor.Randn(new[] { i, o }, new Rng(seed)); B = Tensor.Randn(new[] { o }, new Rng(seed + 1)); }
                [Differentiable] public Tensor Forward(Tensor x) => Tanh(x.MatMul(W) + B);
            }
            public partial class M
            {
                public Layer A = new(3, 4, 1), C = new(4, 2, 3);
                [Differentiable] public Tensor F(Tensor x) => LogSumExp(C.Forward(A.Forward(x)), axis: 1).Sum();
            }
            """, 5, 3);
        Assert.Equal(new[] { "A.W", "A.B", "C.W", "C.B" }, ((IModule)model).Parameters().Select(p => p.Name));
        // Calls are calls: each layer runs Layer's generated forward-with-pullback, the variant its gradient needs
        // (the first layer's input needs none, the second's does).
        Assert.Contains("A.ForwardVjpParametersOnly(x)", generated);
        Assert.Contains("C.ForwardVjp(", generated);
        Assert.DoesNotContain("MatMul(x, A.W)", generated);
    }

    [Fact]
    public void StaticCallsAcrossClassesAndWrtArguments()
    {
        CheckGradients("""
            public static partial class Activations
            {
                [Differentiable] public static Tensor Swish(Tensor z) => z * Sigmoid(z);
            }
            public partial class M
            {
                [Parameter] public Tensor W = Tensor.Randn(new[] { 3, 2 }, new Rng(4));
                [Differentiable] public Tensor F([Wrt] Tensor x) => Sum(Softmax(Activations.Swish(x.MatMul(W)), axis: 1) * Maximum(x.MatMul(W), Minimum(x.MatMul(W), x.MatMul(W) * 0.5 + 0.1)));
            }
            """, 4, 3);
    }

    [Fact]
    public void LossCompositesAndReshape()
    {
        CheckGradients("""
            public partial class M
            {
                [Parameter] public Tensor W = Tensor.Randn(new[] { 6, 4 }, new Rng(5));
                [Differentiable] public Tensor F(Tensor x)
                {
                    var logits = x.Reshape(-1, 6).MatMul(W);
                    return CrossEntropy(logits, Y) + MseLoss(Transpose(logits), Transpose(logits) * 0.5) + Max(logits, axis: 0).Sum();
                }
                public Labels Y = Labels.FromArray(1, 3);
            }
            """, 2, 2, 3);
    }

    [Fact]
    public void CommonSubexpressionsAreComputedOnce()
    {
        var (_, generated) = CheckGradients("""
            partial class M // internal: a public method would also export its all-arguments pullback, a second copy of the forward
            {
                [Parameter] public Tensor W = Tensor.Randn(new[] { 3, 3 }, new Rng(6));
                [Differentiable] public Tensor F(Tensor x) => Sum(Tanh(x.MatMul(W)) * Tanh(x.MatMul(W)) + x * 1 + 0);
            }
            """, 2, 3);
        // In the code that runs: F's {M}Inspection() repeats the C# as a string, for Inspect.Gradient.
        var code = generated[..generated.IndexOf("/// What <c>Inspect.Gradient(typeof(M), \"F\")", StringComparison.Ordinal)];
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(code, @"MatMul\(x, W\)"));
        Assert.DoesNotContain("Mul(x, 1.0)", generated);
    }

    [Fact]
    public void AnArgumentNamedSeedKeepsItsName()
    {
        var (_, generated) = CheckGradients("""
            public partial class M
            {
                [Differentiable] public static Tensor F(Tensor seed) => Exp(seed) * seed;
            }
            """, 2, 3);
        Assert.Contains("FWithGradients(Tensor seed, Tensor? seed_ = null)", generated);
        Assert.Contains("<param name=\"seed_\">", generated);
    }

    /// <summary>
    /// Equal nodes are shared, so what makes two nodes equal must include everything that makes them differ: two pools of
    /// one input with different windows are two nodes, and so are the two halves of a tensor joined to itself (each
    /// half's gradient is sliced from its own end of the joined gradient).
    /// </summary>
    [Fact]
    public void NodesThatDifferOnlyInTheirWindowOrSideAreNotShared()
    {
        var (_, generated) = CheckGradients("""
            public partial class M
            {
                [Parameter] public Tensor W = Tensor.Randn(new[] { 1, 1, 6, 6 }, new Rng(5));
                [Differentiable] public Tensor F(Tensor x)
                {
                    var h = W * x;
                    return Sum(MaxPool2d(h, 2)) + Sum(MaxPool2d(h, 3)) * 2.0;
                }
            }
            """, 1, 1, 6, 6);
        Assert.Contains("MaxPool2d(h, kernel: 2)", generated);
        Assert.Contains("MaxPool2d(h, kernel: 3)", generated);
        CheckGradients("""
            public partial class M
            {
                [Parameter] public Tensor W = Tensor.Randn(new[] { 2, 3 }, new Rng(6));
                [Parameter] public Tensor V = Tensor.Randn(new[] { 6 }, new Rng(7));
                [Differentiable] public Tensor F(Tensor x)
                {
                    var h = W * x;
                    var both = Concat(h, h, axis: 1);
                    return Sum(both * V);
                }
            }
            """, 2, 3);
    }
}
