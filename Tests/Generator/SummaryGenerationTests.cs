using System.Reflection;
using Differentiable.Tests.Support;

namespace Differentiable.Tests.Generator;

/// <summary>
/// Which [Differentiable] methods get a generated <c>{M}Summary</c>: instance methods without control flow; a method with
/// control flow gets a comment saying why instead, and a user member of that name keeps it. The class compiles either way.
/// </summary>
public class SummaryGenerationTests
{
    private const string Source = """
        using Differentiable;
        using static Differentiable.Ops;

        public partial class Layer
        {
            [Parameter] public Tensor W = Tensor.Ones(3, 2);
            [Differentiable] public Tensor Forward(Tensor x) => Tanh(x.MatMul(W));
        }

        public partial class M
        {
            [Parameter] public Tensor B = Tensor.Ones(2);
            public Layer L = new();
            public int Steps = 2;

            [Differentiable]
            public Tensor Looped(Tensor x)
            {
                var h = L.Forward(x);
                for (var i = 0; i < Steps; i++) h = h + B;
                return h;
            }

            [Differentiable]
            public Tensor Straight(Tensor x, double scale)
            {
                var h = L.Forward(x) * scale;
                return Relu(h + B);
            }

            [Differentiable] public Tensor Kept(Tensor x) => Sin(x) + B;
            public string KeptSummary() => "mine";

            [Differentiable] public static Tensor Free(Tensor x) => Sin(x);

            // Names the summary member must step around: an argument called summary, a member called summary2.
            public int summary2 = 0;
            [Differentiable] public Tensor Named(Tensor summary, Tensor @int) => this.L.Forward(summary) * Identity(@int) + B;
            [Differentiable] public Tensor Identity(Tensor a) => a;
        }
        """;

    private static readonly Lazy<GeneratorRun> Run = new(() => GeneratorHarness.Run(Source));

    [Fact]
    public void TheClassCompilesWithoutDiagnostics()
    {
        Assert.Empty(Run.Value.GeneratorDiagnostics);
        Assert.Empty(Run.Value.CompilationErrors);
    }

    [Fact]
    public void AMethodWithControlFlowGetsNoSummaryAndACommentSaysWhy()
    {
        var type = Run.Value.Load().GetType("M")!;
        Assert.Null(type.GetMethod("LoopedSummary"));
        Assert.Contains("// Looped has no LoopedSummary: its body has control flow", Run.Value.Sources["M.g.cs"]);
    }

    [Fact]
    public void AUserMemberOfTheNameKeepsItAndStaticMethodsGetNone()
    {
        var type = Run.Value.Load().GetType("M")!;
        Assert.Equal(typeof(string), type.GetMethod("KeptSummary")!.ReturnType);
        Assert.Contains("// Kept has no generated KeptSummary: M declares a member of that name.", Run.Value.Sources["M.g.cs"]);
        Assert.Null(type.GetMethod("FreeSummary"));
    }

    [Fact]
    public void TheSummaryParameterStepsAroundTheArgumentsAndMembersNames()
    {
        var type = Run.Value.Load().GetType("M")!;
        var model = (IModule)Activator.CreateInstance(type)!;
        var summary = new Summary(model);
        type.GetMethod("NamedSummary")!.Invoke(model, new object[] { summary, Tensor.Ones(4, 3), Tensor.Ones(4, 2) });
        Assert.Equal(new[] { "summary", "int" }, summary.Inputs.Select(i => i.Name));
        Assert.Equal(new[] { ("L (Layer)", 6L), ("identity (M.Identity)", 0L) }, summary.Layers.Take(2).Select(l => (l.Title, l.Parameters)));
        Assert.Equal(8, summary.Layers.Sum(l => l.Parameters));
    }

    [Fact]
    public void AStraightMethodsSummaryRecordsItsStatementsAndTheCallOfTheSubModule()
    {
        var type = Run.Value.Load().GetType("M")!;
        var model = (IModule)Activator.CreateInstance(type)!;
        var summary = new Summary(model);
        var value = (Tensor)type.GetMethod("StraightSummary")!.Invoke(model, new object[] { summary, Tensor.Ones(4, 3), 0.5 })!;
        Assert.Equal(new[] { 4, 2 }, value.Shape.ToArray());
        Assert.Equal(new[] { ("L (Layer)", 6L), ("h (Mul)", 0L), ("straight (Relu)", 2L) },
            summary.Layers.Select(l => (l.Title, l.Parameters)));
        Assert.Equal(8, summary.TotalParameters);
    }
}
