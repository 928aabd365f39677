using Differentiable.Tests.Support;
using Microsoft.CodeAnalysis;

namespace Differentiable.Tests.Generator;

/// <summary>
/// One test per DIFF0xx id: unsupported C# in a [Differentiable] body fails the build with that id on the line
/// marked <c>//!</c>, and the generator does not crash (no CS8785) whatever it is given.
/// </summary>
public class DiagnosticTests
{
    private const string Usings = "using Differentiable;\nusing static Differentiable.Ops;\n";

    private static void AssertDiagnostic(string id, string body)
    {
        var source = Usings + body;
        var expectedLine = source.Split('\n').Select((line, i) => (line, i)).Single(l => l.line.Contains("//!")).i;
        var run = GeneratorHarness.Run(source);
        var all = run.Output.GetDiagnostics().Concat(run.GeneratorDiagnostics).ToList();
        Assert.DoesNotContain(all, d => d.Id == "CS8785");
        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(expectedLine, diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        Assert.DoesNotContain("DIFF099", all.Select(d => d.Id));
    }

    /// <summary>
    /// The generated Parameters() reads and assigns every parameter by its path: one it cannot is DIFF017 at its
    /// declaration (fuzz seed 33550336 deleted 'public' from a layer's parameters, and the model's Parameters() did not
    /// compile: CS0122). <paramref name="inSubModule"/>: the parameter belongs to a layer the model holds; a problem
    /// of the parameter itself (readonly, no setter) is then reported by the layer and by the model, both at it.
    /// </summary>
    [Theory]
    [InlineData("[Parameter] Tensor W = Tensor.Zeros(3, 3);", true)]
    [InlineData("[Parameter] protected Tensor W = Tensor.Zeros(3, 3);", true)]
    [InlineData("[Parameter] public readonly Tensor W = Tensor.Zeros(3, 3);", true)]
    [InlineData("[Parameter] public readonly Tensor W = Tensor.Zeros(3, 3);", false)]
    [InlineData("[Parameter] public Tensor W { get; } = Tensor.Zeros(3, 3);", true)]
    [InlineData("[Parameter] public Tensor W { get; } = Tensor.Zeros(3, 3);", false)]
    [InlineData("[Parameter] public Tensor W { get; init; } = Tensor.Zeros(3, 3);", false)]
    [InlineData("[Parameter] public Tensor W { get; private set; } = Tensor.Zeros(3, 3);", true)]
    [InlineData("[Parameter] public Tensor W { private get; set; } = Tensor.Zeros(3, 3);", true)]
    public void ParameterTheModelCannotReadAndAssign_DIFF017(string declaration, bool inSubModule)
    {
        var source = Usings + (inSubModule
            ? "public partial class Layer\n{\n    " + declaration + " //!\n    [Differentiable] public Tensor Forward(Tensor x) => x.MatMul(W);\n}\n"
              + "public partial class Net\n{\n    public Layer L = new();\n    [Differentiable] public Tensor Loss(Tensor x) => Sum(L.Forward(x));\n}\n"
            : "public partial class Net\n{\n    " + declaration + " //!\n    [Differentiable] public Tensor Loss(Tensor x) => Sum(x.MatMul(W));\n}\n")
            // The class is still generated: code that uses it gets no errors of its own.
            + "public static class User\n{\n    public static object Use(Net net, Tensor x) => (net.LossWithGradients(x), net.Parameters());\n}\n";
        var line = source.Split('\n').ToList().FindIndex(l => l.Contains("//!"));
        var run = GeneratorHarness.Run(source);
        var errors = run.Output.GetDiagnostics().Concat(run.GeneratorDiagnostics).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.Contains(errors, d => d.Id == "DIFF017" && d.GetMessage().Contains("'Net' lists its parameters"));
        Assert.All(errors, d =>
        {
            Assert.Equal("DIFF017", d.Id);
            Assert.Equal(line, d.Location.GetLineSpan().StartLinePosition.Line);
        });
    }

    /// <summary>A sub-module the model reaches through a private field of another sub-module: DIFF017 at that field.</summary>
    [Fact]
    public void PrivateSubModuleInsideASubModule_DIFF017() => AssertDiagnostic("DIFF017", """
        public partial class Inner
        {
            [Parameter] public Tensor W = Tensor.Zeros(3, 3);
            [Differentiable] public Tensor Forward(Tensor x) => x.MatMul(W);
        }
        public partial class Block
        {
            private Inner I = new(); //!
            [Differentiable] public Tensor Forward(Tensor x) => I.Forward(x);
        }
        public partial class Net
        {
            public Block B = new();
            [Differentiable] public Tensor Loss(Tensor x) => Sum(B.Forward(x));
        }
        """);

    [Fact]
    public void LocalFunction_DIFF001() => AssertDiagnostic("DIFF001", """
        public partial class M
        {
            [Differentiable] public Tensor F(Tensor x)
            {
                Tensor Twice(Tensor t) => t * 2; //!
                return x;
            }
        }
        """);

    [Fact]
    public void DoWhile_DIFF015() => AssertDiagnostic("DIFF015", """
        public partial class M
        {
            [Differentiable] public Tensor F(Tensor x)
            {
                var h = x;
                do h = h * 0.5; while (h.Sum().Item() > 1); //!
                return h;
            }
        }
        """);

    [Fact]
    public void ForWithTwoVariables_DIFF002() => AssertDiagnostic("DIFF002", """
        public partial class M
        {
            public int Depth = 3;
            [Differentiable] public Tensor F(Tensor x)
            {
                var h = x;
                for (int i = 0, j = 0; i < Depth; i++) //!
                    h = Tanh(h);
                return h;
            }
        }
        """);

    [Fact]
    public void ConditionReadingALambda_DIFF016() => AssertDiagnostic("DIFF016", """
        public partial class M
        {
            [Differentiable] public Tensor F(Tensor x, int n)
            {
                var h = x;
                if (new System.Func<int>(() => n)() > 0) //!
                    h = Tanh(h);
                return h;
            }
        }
        """);

    [Fact]
    public void AssignmentToField_DIFF003() => AssertDiagnostic("DIFF003", """
        public partial class M
        {
            public Tensor Cache = Tensor.Zeros(1);
            [Differentiable] public Tensor F(Tensor x)
            {
                Cache = x * 2; //!
                return x;
            }
        }
        """);

    [Fact]
    public void UnknownMethod_DIFF004() => AssertDiagnostic("DIFF004", """
        public partial class M
        {
            public static Tensor Helper(Tensor t) => t;
            [Differentiable] public Tensor F(Tensor x)
            {
                return Helper(x) * 2; //!
            }
        }
        """);

    [Fact]
    public void Recursion_DIFF005() => AssertDiagnostic("DIFF005", """
        public partial class M
        {
            [Differentiable] public static Tensor F(Tensor x)
            {
                return G(x) + F(x) * 2; //!
            }
            [Differentiable] public static Tensor G(Tensor x) => Tanh(x);
        }
        """);

    [Fact]
    public void NonTensorResult_DIFF006() => AssertDiagnostic("DIFF006", """
        public partial class M
        {
            [Differentiable]
            public double F(Tensor x) //!
            {
                return 1.0;
            }
        }
        """);

    /// <summary>A sub-module's method called through anything but its name once ran its body against the caller's fields.</summary>
    [Fact]
    public void SubModuleMethodCalledThroughAnExpression_DIFF007() => AssertDiagnostic("DIFF007", """
        public partial class Layer
        {
            [Parameter] public Tensor W = Tensor.Ones(new[] { 3, 3 });
            [Differentiable] public Tensor Forward(Tensor x) => x.MatMul(W);
        }
        public partial class M
        {
            public Layer L1 = new();
            [Differentiable] public Tensor F(Tensor x) => checked(L1.Forward)(x); //!
        }
        """);

    [Fact]
    public void Lambda_DIFF007() => AssertDiagnostic("DIFF007", """
        public partial class M
        {
            [Differentiable] public Tensor F(Tensor x)
            {
                var t = x.Item() > 0 ? x : -x; //!
                return t;
            }
        }
        """);

    [Fact]
    public void ConcatOfNoTensors_DIFF007() => AssertDiagnostic("DIFF007", """
        public partial class M
        {
            [Differentiable] public Tensor F(Tensor x)
            {
                var t = Concat([], axis: 1); //!
                return t + x;
            }
        }
        """);

    [Fact]
    public void ClassNotPartial_DIFF008() => AssertDiagnostic("DIFF008", """
        public class M
        {
            [Differentiable] public Tensor F(Tensor x) => x * 2; //!
        }
        """);

    [Fact]
    public void CustomGradientNotFound_DIFF009() => AssertDiagnostic("DIFF009", """
        public static partial class M
        {
            [Differentiable, CustomGradient("Missing")] //!
            public static Tensor F(Tensor x) => Sin(x);
        }
        """);

    [Fact]
    public void StringParameter_DIFF010() => AssertDiagnostic("DIFF010", """
        public partial class M
        {
            [Differentiable] public Tensor F(Tensor x,
                string name) //!
                => x;
        }
        """);

    /// <summary>Broken or half-typed code must never crash the generator (the IDE runs it on every keystroke).</summary>
    [Theory]
    [InlineData("[Differentiable] public Tensor F(Tensor x) => ;")]
    [InlineData("[Differentiable] public Tensor F(Tensor x) { for (;;) { } }")]
    [InlineData("[Differentiable] public Tensor F(Tensor x) => Undefined(x);")]
    [InlineData("[Differentiable] public Tensor F(Tensor x) => x.MatMul();")]
    [InlineData("[Differentiable] public Tensor F(Tensor x) { var y = x; }")]
    [InlineData("[Differentiable] public Tensor F(Tensor x) => Reshape(x, x.Rank);")]
    [InlineData("[Differentiable] public Tensor F(Tensor x) => Sum(x, axis: x.Rank);")]
    [InlineData("[Differentiable] public Tensor F(Tensor x) => Gather(x, x);")]
    [InlineData("[Differentiable] public static Tensor F(Tensor x) => this.F(x);")]
    public void MalformedInputNeverCrashesTheGenerator(string member)
    {
        var run = GeneratorHarness.Run(Usings + "public partial class M { " + member + " }");
        var all = run.Output.GetDiagnostics().Concat(run.GeneratorDiagnostics).ToList();
        Assert.DoesNotContain(all, d => d.Id is "CS8785" or "DIFF099");
        Assert.Contains(all, d => d.Severity == DiagnosticSeverity.Error);
    }
}
