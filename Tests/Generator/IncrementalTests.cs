using Differentiable.Generator;
using Differentiable.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Differentiable.Tests.Generator;

/// <summary>An edit that touches no [Differentiable] method must not redo the generator's work (the IDE runs it on every keystroke).</summary>
public class IncrementalTests
{
    private const string Model = """
        using Differentiable;
        using static Differentiable.Ops;
        public partial class Net
        {
            [Parameter] public Tensor W = Tensor.Zeros(3, 2);
            [Differentiable] public Tensor Loss(Tensor x) => Sum(Tanh(x.MatMul(W)));
        }
        """;

    [Fact]
    public void UnrelatedEditLeavesEveryStepCached()
    {
        var first = GeneratorHarness.Run(("Net.cs", Model), ("Other.cs", "public class Other { public int A => 1; }"));
        var other = first.Input.SyntaxTrees.Single(t => t.FilePath == "Other.cs");
        var edited = first.Input.ReplaceSyntaxTree(other, CSharpSyntaxTree.ParseText("public class Other { public int A => 2; public int B => 3; }", GeneratorHarness.ParseOptions, "Other.cs"));

        var second = GeneratorHarness.Run(edited, first.Driver);
        var steps = second.Result.Results.Single().TrackedSteps;
        foreach (var name in new[] { DifferentiableGenerator.ParseStep, DifferentiableGenerator.CollectStep })
        {
            var outputs = steps[name].SelectMany(s => s.Outputs).ToList();
            Assert.NotEmpty(outputs);
            Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: {o.Reason}"));
        }
        Assert.All(second.Result.Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"output: {o.Reason}"));
    }

    [Fact]
    public void EditInsideADifferentiableBodyRegenerates()
    {
        var first = GeneratorHarness.Run(("Net.cs", Model));
        var tree = first.Input.SyntaxTrees.Single(t => t.FilePath == "Net.cs");
        var edited = first.Input.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(Model.Replace("Tanh", "Sigmoid"), GeneratorHarness.ParseOptions, "Net.cs"));
        var second = GeneratorHarness.Run(edited, first.Driver);
        Assert.Contains("Sigmoid(", second.Sources["Net.g.cs"]);
        Assert.DoesNotContain("Tanh(", second.Sources["Net.g.cs"]);
    }
}
