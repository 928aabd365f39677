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

    private const string Layers = """
        using Differentiable;
        using static Differentiable.Ops;
        public partial class Layer
        {
            [Parameter] public Tensor W = Tensor.Zeros(3, 3);
            [Differentiable] public Tensor Forward(Tensor x) => Tanh(x.MatMul(W));
        }
        public partial class Stack
        {
            public Layer A = new(), B = new();
            [Differentiable] public Tensor Loss(Tensor x) => Sum(B.Forward(A.Forward(x)));
        }
        """;

    private const string Unrelated = """
        using Differentiable;
        using static Differentiable.Ops;
        public partial class Lone
        {
            [Parameter] public Tensor V = Tensor.Zeros(3);
            [Differentiable] public Tensor Loss(Tensor x) => Sum(Exp(x * V));
        }
        """;

    /// <summary>Reasons of the per-class step's outputs, by generated class (the plan is one output per class).</summary>
    private static Dictionary<string, IncrementalStepRunReason> ClassReasons(GeneratorRun run) =>
        run.Result.Results.Single().TrackedSteps[DifferentiableGenerator.ClassStep].SelectMany(s => s.Outputs)
            .ToDictionary(o => ClassName(o.Value), o => o.Reason);

    /// <summary>Reasons of the step that starts each class's generation, by class: only a class whose work changed is started.</summary>
    private static Dictionary<string, IncrementalStepRunReason> StartReasons(GeneratorRun run) =>
        run.Result.Results.Single().TrackedSteps[DifferentiableGenerator.StartClassStep].SelectMany(s => s.Outputs)
            .ToDictionary(o => ClassName(o.Value.GetType().GetProperty("Input")!.GetValue(o.Value)!), o => o.Reason);

    private static string ClassName(object work)
    {
        var type = work.GetType().GetProperty("Class")!.GetValue(work)!;
        return (string)type.GetType().GetProperty("Name")!.GetValue(type)!;
    }

    [Fact]
    public void EditInsideOneClassRegeneratesOnlyTheClassesThatDependOnIt()
    {
        var first = GeneratorHarness.Run(("Layers.cs", Layers), ("Lone.cs", Unrelated));
        var tree = first.Input.SyntaxTrees.Single(t => t.FilePath == "Lone.cs");
        var edited = first.Input.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(Unrelated.Replace("Exp(", "Sin("), GeneratorHarness.ParseOptions, "Lone.cs"));
        var second = GeneratorHarness.Run(edited, first.Driver);
        var reasons = ClassReasons(second);
        Assert.Equal(IncrementalStepRunReason.Modified, reasons["Lone"]);
        Assert.Equal(IncrementalStepRunReason.Unchanged, reasons["Layer"]);
        Assert.Equal(IncrementalStepRunReason.Unchanged, reasons["Stack"]);
        var started = StartReasons(second);
        Assert.Equal(IncrementalStepRunReason.Modified, started["Lone"]);
        Assert.Equal(IncrementalStepRunReason.Cached, started["Layer"]);
        Assert.Equal(IncrementalStepRunReason.Cached, started["Stack"]);
        Assert.Contains("Sin(", second.Sources["Lone.g.cs"]);

        // An edit of the layer's body (same length: Stack's spans stay) changes what Stack's device program inlines: both are generated again.
        var layers = first.Input.SyntaxTrees.Single(t => t.FilePath == "Layers.cs");
        var third = GeneratorHarness.Run(first.Input.ReplaceSyntaxTree(layers,
            CSharpSyntaxTree.ParseText(Layers.Replace("Tanh(", "Relu("), GeneratorHarness.ParseOptions, "Layers.cs")), first.Driver);
        reasons = ClassReasons(third);
        Assert.Equal(IncrementalStepRunReason.Modified, reasons["Layer"]);
        Assert.Equal(IncrementalStepRunReason.Modified, reasons["Stack"]);
        Assert.Equal(IncrementalStepRunReason.Unchanged, reasons["Lone"]);
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

    /// <summary>The generated files and the diagnostics (by id and place) of a run, to compare an incremental run with a fresh one.</summary>
    private static string Outcome(GeneratorRun run) =>
        string.Join("\n", run.Sources.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Key + "\n" + s.Value))
        + string.Join("\n", run.GeneratorDiagnostics.Select(d => d.Id + " " + d.Location.GetLineSpan()));

    /// <summary>
    /// The command-line compiler's metadata resolver: its <c>Equals</c> throws, as Roslyn's
    /// <c>CommonCompiler.LoggingMetadataFileReferenceResolver</c> does. The compiler server with the generator cache hands
    /// the same driver the options of two builds, each with its own resolver.
    /// </summary>
    private sealed class ResolverWithoutEquality : MetadataReferenceResolver
    {
        public override System.Collections.Immutable.ImmutableArray<PortableExecutableReference> ResolveReference(string reference, string? baseFilePath, MetadataReferenceProperties properties) =>
            System.Collections.Immutable.ImmutableArray<PortableExecutableReference>.Empty;
        public override bool Equals(object? other) => throw new NotImplementedException();
        public override int GetHashCode() => throw new NotImplementedException();
    }

    [Fact]
    public void TwoBuildsWhoseOptionsCannotBeComparedStillGenerate()
    {
        // The second build of a compiler server with /features:enable-generator-cache: a new compilation, new options
        // (a new resolver), the same driver. Comparing the options with Equals threw and failed the generator (CS8785).
        var first = GeneratorHarness.Compile(new[] { ("Net.cs", Model) }, Array.Empty<MetadataReference>(), "Net");
        first = first.WithOptions(first.Options.WithMetadataReferenceResolver(new ResolverWithoutEquality()));
        var firstRun = GeneratorHarness.Run(first);
        // A new compilation, as each build makes (WithOptions on the first would compare the two resolvers itself).
        var edited = GeneratorHarness.Compile(new[] { ("Net.cs", Model + "// an edit\n") }, Array.Empty<MetadataReference>(), "Net");
        edited = edited.WithOptions(edited.Options.WithMetadataReferenceResolver(new ResolverWithoutEquality()));
        var second = GeneratorHarness.Run(edited, firstRun.Driver);
        Assert.All(second.Result.Results, r => Assert.Null(r.Exception));
        Assert.Contains(second.Sources.Values, text => text.Contains("LossWithGradients"));
    }

    [Fact]
    public void AClassIsDescribedOncePerCompilationNotOncePerMethod()
    {
        // Describing a class lists all of its members: done for each of its methods, a class of n methods cost n².
        var methods = string.Concat(Enumerable.Range(0, 40).Select(k => $"[Differentiable] public Tensor F{k}(Tensor x) => Sum(Tanh(x.MatMul(W)));\n"));
        var source = "using Differentiable;\nusing static Differentiable.Ops;\npublic partial class Net\n{\n[Parameter] public Tensor W = Tensor.Zeros(3, 2);\n" + methods + "}\n";
        var run = GeneratorHarness.Run(("Net.cs", source));
        var classes = run.Result.Results.Single().TrackedSteps[DifferentiableGenerator.ParseStep]
            .SelectMany(s => s.Outputs).Select(o => ((Differentiable.Generator.Parsing.MethodSpec)o.Value).Class).ToList();
        Assert.Equal(40, classes.Count);
        Assert.All(classes, c => Assert.Same(classes[0], c));
        Assert.Empty(run.GeneratorDiagnostics);
    }

    [Fact]
    public void BodyEditInAnotherFileDoesNotParseTheMethodsAgain()
    {
        const string other = "public class Other { public int A() { return 1; } }";
        var first = GeneratorHarness.Run(("Net.cs", Model), ("Other.cs", other));
        var tree = first.Input.SyntaxTrees.Single(t => t.FilePath == "Other.cs");
        var edited = first.Input.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(other.Replace("return 1;", "return 2;"), GeneratorHarness.ParseOptions, "Other.cs"));
        var second = GeneratorHarness.Run(edited, first.Driver);
        var parsed = second.Result.Results.Single().TrackedSteps[DifferentiableGenerator.ParseStep].SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(parsed);
        // Cached: the parse did not run (a body binds against declarations, and the declarations did not change).
        Assert.All(parsed, o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.Equal(Outcome(GeneratorHarness.Run(edited)), Outcome(second));
    }

    [Fact]
    public void DeclarationEditInAnotherFileParsesAgainstTheNewDeclarations()
    {
        const string net = """
            using Differentiable;
            using static Differentiable.Ops;
            public partial class Net
            {
                [Parameter] public Tensor W = Tensor.Zeros(3, 2);
                [Differentiable] public Tensor Loss(Tensor x) => Sum(Helper.Scale(x.MatMul(W)));
            }
            """;
        const string helper = """
            using Differentiable;
            public static partial class Helper
            {
                public static Tensor Scale(Tensor x) { return x * 2.0; }
            }
            """;
        var first = GeneratorHarness.Run(("Net.cs", net), ("Helper.cs", helper));
        Assert.NotEmpty(first.GeneratorDiagnostics);   // Helper.Scale is no [Differentiable] method: Loss cannot be differentiated
        var tree = first.Input.SyntaxTrees.Single(t => t.FilePath == "Helper.cs");
        var edited = first.Input.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(helper.Replace("public static Tensor", "[Differentiable] public static Tensor"),
            GeneratorHarness.ParseOptions, "Helper.cs"));
        var second = GeneratorHarness.Run(edited, first.Driver);
        Assert.Empty(second.GeneratorDiagnostics);
        Assert.Contains("Net.g.cs", second.Sources.Keys);
        Assert.Equal(Outcome(GeneratorHarness.Run(edited)), Outcome(second));

        // Back to the first declarations, by an edit of the helper's body and its attribute: as a fresh run sees it.
        var reverted = second.Input.ReplaceSyntaxTree(second.Input.SyntaxTrees.Single(t => t.FilePath == "Helper.cs"),
            CSharpSyntaxTree.ParseText(helper.Replace("2.0", "3.0"), GeneratorHarness.ParseOptions, "Helper.cs"));
        Assert.Equal(Outcome(GeneratorHarness.Run(reverted)), Outcome(GeneratorHarness.Run(reverted, second.Driver)));
    }
}
