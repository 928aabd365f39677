using Differentiable.Tests.Support;
using Microsoft.CodeAnalysis;

namespace Differentiable.Tests.Generator;

/// <summary>
/// [Differentiable] calls across assemblies: a library built with the generator exports its public methods' pullbacks
/// (marked [DifferentiablePullback]); a model in another compilation, which sees the library only as metadata, calls
/// them from its own [Differentiable] methods, gets its sub-module's parameters by path, and its gradient checks.
/// </summary>
public class CrossAssemblyTests
{
    private const string Library = """
        using Differentiable;
        using static Differentiable.Ops;

        namespace Lib;

        public partial class Dense
        {
            [Parameter] public Tensor W, B;

            public Dense(int inFeatures, int outFeatures, ulong seed)
            {
                var rng = new Rng(seed);
                W = Tensor.Randn(new[] { inFeatures, outFeatures }, rng) * 0.5;
                B = Tensor.Randn(new[] { outFeatures }, rng) * 0.1;
            }

            [Differentiable]
            public Tensor Forward(Tensor x) => Tanh(x.MatMul(W) + B);
        }

        public static partial class Functions
        {
            [Differentiable]
            public static Tensor Gate(Tensor x, Tensor g, double k) => x * Sigmoid(g * k);

            [Differentiable, CustomGradient(nameof(TunedSinBackward))]
            public static Tensor TunedSin(Tensor x, Tensor w) => Sin(x * w);

            public static (Tensor, Tensor) TunedSinBackward(Tensor x, Tensor w, Tensor upstream) =>
                (upstream * Cos(x * w) * w, upstream * Cos(x * w) * x);
        }
        """;

    private const string User = """
        using Differentiable;
        using static Differentiable.Ops;

        public partial class Net
        {
            public Lib.Dense Hidden = new(3, 4, 1);
            [Parameter] public Tensor V = Tensor.Randn(new[] { 4, 2 }, new Rng(2));

            [Differentiable]
            public Tensor Forward(Tensor x) => Lib.Functions.Gate(Hidden.Forward(x), Hidden.Forward(x), 1.5).MatMul(V);

            [Differentiable]
            public Tensor Input([Wrt] Tensor x) => Hidden.Forward(x * 2.0).MatMul(V);

            [Differentiable]
            public Tensor Tuned(Tensor x) => Lib.Functions.TunedSin(Hidden.Forward(x), Hidden.Forward(x) * 0.5).MatMul(V);
        }
        """;

    /// <summary>The library, run through the generator and compiled: its image, and a reference to it as metadata only.</summary>
    private static (byte[] Image, MetadataReference Reference, GeneratorRun Run) CompileLibrary(string source, bool withGenerator = true)
    {
        var name = "Lib" + Guid.NewGuid().ToString("N");
        var compilation = GeneratorHarness.Compile(new[] { ("Lib.cs", source) }, Array.Empty<MetadataReference>(), name);
        var run = withGenerator ? GeneratorHarness.Run(compilation) : new GeneratorRun
        {
            Input = compilation, Output = compilation, Result = null!, Driver = null!,
        };
        if (withGenerator) Assert.Empty(run.GeneratorDiagnostics);
        var image = run.Image();
        return (image, MetadataReference.CreateFromImage(image), run);
    }

    private static GeneratorRun RunUser(string source, MetadataReference library) =>
        GeneratorHarness.Run(GeneratorHarness.Compile(new[] { ("User.cs", source) }, new[] { library }));

    [Fact]
    public void LibraryExportsMarkedPullbacks()
    {
        var (_, _, run) = CompileLibrary(Library);
        var dense = run.Sources["Lib.Dense.g.cs"];
        Assert.Contains("[global::Differentiable.DifferentiablePullback(\"Forward\", \"W\", \"B\")]", dense);
        Assert.Contains("public (Tensor Value, global::System.Func<Tensor?, ForwardCallGradients> Pullback) ForwardVjp(Tensor x)", dense);
        Assert.Contains("ForwardVjpParametersOnly(Tensor x)", dense);
        var functions = run.Sources["Lib.Functions.g.cs"];
        Assert.Contains("[global::Differentiable.DifferentiablePullback(\"Gate\")]", functions);
        Assert.DoesNotContain("GateVjpParametersOnly", functions);
    }

    [Fact]
    public void ModelCallsLayersOfAnotherAssemblyAndItsGradientChecks()
    {
        var (image, reference, _) = CompileLibrary(Library);
        var run = RunUser(User, reference);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        var generated = run.Sources["Net.g.cs"];
        // Calls are calls: the library's exported pullbacks, the parameters-only one where x needs no gradient.
        Assert.Contains("Hidden.ForwardVjpParametersOnly(x)", generated);
        Assert.Contains("global::Lib.Functions.GateVjp(", generated);
        Assert.Contains("Hidden.ForwardVjp(", generated);
        // The sub-module of another assembly contributes its parameters by path.
        Assert.Contains("new(\"Hidden.W\", () => Hidden.W, value => Hidden.W = value)", generated);
        // Its device program cannot inline a body that metadata does not carry: a comment says so, no broken code.
        Assert.Contains("has no device program", generated);
        Assert.Contains("it calls Lib.Functions.Gate, compiled in Lib", generated);

        var type = run.Load(image).GetType("Net")!;
        var x = GeneratedGradCheck.Random(5, 3);
        GeneratedGradCheck.Check(Activator.CreateInstance(type)!, "Forward", x);
        var model = Activator.CreateInstance(type)!;
        GeneratedGradCheck.Check(model, "Input", x);
        // A hand-written backward of another assembly is called as written.
        Assert.Contains("global::Lib.Functions.TunedSinBackward(", generated);
        GeneratedGradCheck.Check(Activator.CreateInstance(type)!, "Tuned", x);
        var names = ((IModule)model).Parameters().Select(p => p.Name);
        Assert.Equal(new[] { "Hidden.W", "Hidden.B", "V" }, names);
    }

    [Fact]
    public void ModelCallsThePackagesLayersAndItsGradientChecks()
    {
        var run = GeneratorHarness.Run("""
            using Differentiable;
            using static Differentiable.Ops;
            using Nn = Differentiable.Nn;

            public partial class Cnn
            {
                public Nn.Conv2d Conv = new(2, 3, 3, seed: 4);
                public Nn.Linear Fc = new(3 * 2 * 2, 4, seed: 5);

                [Differentiable]
                public Tensor Forward(Tensor x) => Fc.Forward(Flatten(MaxPool2d(Tanh(Conv.Forward(x)), 2)));
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("Conv.ForwardVjpParametersOnly(x)", run.Sources["Cnn.g.cs"]);
        Assert.Contains("Fc.ForwardVjp(", run.Sources["Cnn.g.cs"]);
        var model = Activator.CreateInstance(run.Load().GetType("Cnn")!)!;
        Assert.Equal(new[] { "Conv.W", "Conv.B", "Fc.W", "Fc.B" }, ((IModule)model).Parameters().Select(p => p.Name));
        GeneratedGradCheck.Check(model, "Forward", GeneratedGradCheck.Random(2, 2, 6, 6));
    }

    [Fact]
    public void PackageLinearIsInitialisedAsPyTorchDoes()
    {
        var layer = new Differentiable.Nn.Linear(16, 5, seed: 7);
        Assert.Equal(new[] { 16, 5 }, layer.W.Shape);
        Assert.Equal(new[] { 5 }, layer.B.Shape);
        var bound = 1 / Math.Sqrt(16);
        Assert.All(layer.W.ToDoubleArray(), w => Assert.InRange(w, -bound, bound));
        var x = Tensor.Randn(new[] { 3, 16 }, new Rng(1));
        Assert.Equal(new[] { 3, 5 }, layer.Forward(x).Shape);
        Assert.Equal(new[] { "W", "B" }, layer.Parameters().Select(p => p.Name));
    }

    [Fact]
    public void LibraryBuiltWithoutTheGeneratorIsDIFF004SayingWhatToDo()
    {
        var (_, reference, _) = CompileLibrary(Library.Replace("partial class", "class"), withGenerator: false);
        var run = RunUser(User, reference);
        var diagnostic = run.GeneratorDiagnostics.First();
        Assert.Equal("DIFF004", diagnostic.Id);
        Assert.Contains("exports no pullback", diagnostic.GetMessage());
        Assert.Contains("build Lib", diagnostic.GetMessage());
    }
}
