using Differentiable.Tests.Support;

namespace Differentiable.Tests.Generator;

/// <summary>
/// The generated C# of every sample model, pinned as golden files. The same text is what the Samples build
/// compiles (checked below), and the model tests run that compiled code, so each snapshot is also compiled and executed.
/// </summary>
public class SampleSnapshotTests
{
    private static readonly Lazy<GeneratorRun> Samples = new(() =>
        GeneratorHarness.Run(Directory.GetFiles(RepositoryPaths.SampleModels, "*.cs").Order(StringComparer.Ordinal)
            .Select(path => (path, File.ReadAllText(path))).ToArray()));

    public static TheoryData<string> Models => new()
    {
        "FlatNet", "SinNet", "TunedSin", "Linear", "TwoLayerNN", "SoftmaxRegression", "LinearRegression", "CNN", "LeNet", "DropoutMLP", "AlexNet", "Inception", "GoogLeNet", "InceptionNet",
        "SpiralLinear", "SpiralNet", "Tutorial", "LoopNet", "ControlFlowCases", "LayeredMLP", "ResidualStack",
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void GeneratedCode(string model)
    {
        var run = Samples.Value;
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        Snapshot.Verify(run.Sources[$"Differentiable.Samples.Models.{model}.g.cs"], model);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void SnapshotIsWhatTheSamplesBuildCompiled(string model)
    {
        var built = Path.Combine(RepositoryPaths.SamplesGenerated, $"Differentiable.Samples.Models.{model}.g.cs");
        Assert.True(File.Exists(built), $"The Samples build did not write {built}");
        Assert.Equal(Samples.Value.Sources[$"Differentiable.Samples.Models.{model}.g.cs"], File.ReadAllText(built).Replace("\r\n", "\n"));
    }

    [Fact]
    public void OutputIsDeterministic()
    {
        var again = GeneratorHarness.Run(Directory.GetFiles(RepositoryPaths.SampleModels, "*.cs").Order(StringComparer.Ordinal)
            .Select(path => (path, File.ReadAllText(path))).ToArray());
        Assert.Equal(Samples.Value.Sources, again.Sources);
    }
}
