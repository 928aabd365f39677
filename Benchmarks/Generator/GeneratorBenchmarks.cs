using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Perfolizer.Horology;
using DifferentiableGenerator = Differentiable.Generator.DifferentiableGenerator;

namespace Differentiable.Benchmarks;

/// <summary>
/// Few iterations (a full generation of the large inputs takes seconds with today's generator), times in ms,
/// allocations per run. Command-line characteristics (<c>--iterationCount 3</c>, ...) still apply on top of it.
/// The garbage collector is the one the compiler server runs with (<see cref="CompilerServerGc"/>).
/// </summary>
public sealed class GeneratorConfig : ManualConfig
{
    public GeneratorConfig()
    {
        AddJob(Job.Default.WithWarmupCount(2).WithIterationCount(8).WithLaunchCount(1).WithGcServer(CompilerServerGc.Server).WithId("Generator"));
        AddColumn(StatisticColumn.Median);
        AddColumn(StatisticColumn.Min);
        SummaryStyle = SummaryStyle.Default.WithTimeUnit(TimeUnit.Millisecond);
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }
}

/// <summary>
/// The source generator's running time as its input grows, through <see cref="CSharpGeneratorDriver"/> the way the
/// compiler and the IDE run it. Parsing and creating the compilation happen once, in the setup; each measured
/// operation runs the generator over that compilation. The compilation is reused between operations, so its own
/// lazily bound symbols are warm: the time is the generator's (and the binding it asks for), not the parser's.
/// </summary>
[Config(typeof(GeneratorConfig))]
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    [ParamsSource(nameof(Inputs))]
    public GeneratorInput Input { get; set; } = null!;

    public static IEnumerable<GeneratorInput> Inputs() => GeneratorInput.All();

    /// <summary>Whether the setup checks the generator's output (on in benchmarks; the probe can turn it off).</summary>
    public bool CheckOutput { get; init; } = true;

    /// <summary>
    /// How long the setup runs the generator untimed before anything is measured (zero in the probe, which counts its
    /// own warm-up runs). The runtime compiles the generator's and Roslyn's code in tiers: quick code first, then
    /// instrumented code, then code optimized with what the instrumentation saw, each step after enough calls and a quiet
    /// moment. A compiler server or an IDE, which lives for hours, runs the last tier; on the sample models it takes
    /// about 150 runs to get there, and BenchmarkDotNet's own warm-up (a handful of iterations) stops long before,
    /// measuring code up to three times slower than what a user's IDE runs.
    /// </summary>
    public System.TimeSpan TierUpTime { get; init; } = System.TimeSpan.FromSeconds(12);

    private CSharpCompilation _compilation = null!;
    private SyntaxTree _original = null!, _edited = null!;
    private GeneratorDriver _primed = null!;

    [GlobalSetup]
    public void Setup()
    {
        var trees = Input.Sources().Select(s => CSharpSyntaxTree.ParseText(s.Text, ParseOptions, s.Path)).ToList();
        trees.Add(CSharpSyntaxTree.ParseText(GeneratorInputs.GlobalUsings, ParseOptions, "GlobalUsings.cs"));
        _compilation = CSharpCompilation.Create("GeneratorBenchmarkInput", trees, References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        _original = trees.Single(t => t.FilePath == Input.EditedPath);
        _edited = CSharpSyntaxTree.ParseText(Input.Sources(edited: true).Single(s => s.Path == Input.EditedPath).Text, ParseOptions, Input.EditedPath);

        // Refuses to measure a generator that fails on the input (a DIFF0xx, DIFF099 or an exception caught by
        // the driver) or emits code that does not compile: such a time would mean nothing.
        var inputErrors = _compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (inputErrors.Count > 0)
            throw new InvalidOperationException($"{Input}: the input itself does not compile:\n" + string.Join("\n", inputErrors.Take(10)));
        _primed = NewDriver().RunGenerators(_compilation);
        if (CheckOutput) CheckOutputs();
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); clock.Elapsed < TierUpTime;)
        {
            FullRun();
            IncrementalRun();
        }
    }

    private void CheckOutputs()
    {
        var first = Check(_primed, _compilation, "full run", compile: true);
        // Compiling the generated code is most of the setup's time on the large inputs; once is enough.
        var second = Check(_primed.RunGenerators(EditedCompilation()), EditedCompilation(), "re-run after the edit", compile: false);
        if (first.SequenceEqual(second))
            throw new InvalidOperationException($"{Input}: the edit of {Input.EditedPath} did not change the generated code");
    }

    /// <summary>A full generation: a new driver (nothing cached), as a build or the IDE's first run pays.</summary>
    [Benchmark(Description = "full run")]
    public GeneratorDriver FullRun() => NewDriver().RunGenerators(_compilation);

    /// <summary>
    /// The input compiled (bound and emitted, optimized, as a Release build does) without and with what a full run
    /// generated: what the user's compiler spends on the generated code besides running the generator.
    /// </summary>
    public (Compilation Input, Compilation WithGenerated) Compilations()
    {
        NewDriver().RunGeneratorsAndUpdateCompilation(_compilation, out var generated, out _);
        var release = _compilation.Options.WithOptimizationLevel(OptimizationLevel.Release);
        return (_compilation.WithOptions(release), generated.WithOptions(release));
    }

    /// <summary>
    /// An incremental re-run after a one-line edit of one [Differentiable] method (see <see cref="GeneratorInput.Sources"/>),
    /// what the IDE pays per keystroke there: the driver has already run over the unedited compilation (in the setup;
    /// drivers are immutable, so every operation starts from that same state), the edited tree replaces the original
    /// in a new compilation, and the driver runs again. The edited tree is parsed once, in the setup.
    /// </summary>
    [Benchmark(Description = "edit + re-run")]
    public GeneratorDriver IncrementalRun() => _primed.RunGenerators(EditedCompilation());

    private Compilation EditedCompilation() => _compilation.ReplaceSyntaxTree(_original, _edited);

    /// <summary>The generator measured: this repository's by default; another build's in <see cref="GeneratorAb"/>.</summary>
    public Func<IIncrementalGenerator> Generator { get; init; } = () => new DifferentiableGenerator();

    private GeneratorDriver NewDriver() =>
        CSharpGeneratorDriver.Create(new[] { Generator().AsSourceGenerator() }, parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));

    private List<string> Check(GeneratorDriver driver, Compilation input, string what, bool compile)
    {
        var result = driver.GetRunResult().Results.Single();
        if (result.Exception is not null)
            throw new InvalidOperationException($"{Input}, {what}: the generator threw", result.Exception);
        var errors = result.Diagnostics.Where(d => d.Severity != DiagnosticSeverity.Hidden).ToList();
        if (errors.Count > 0)
            throw new InvalidOperationException($"{Input}, {what}: the generator reported\n" + string.Join("\n", errors.Take(10)));
        if (result.GeneratedSources.IsEmpty)
            throw new InvalidOperationException($"{Input}, {what}: the generator produced nothing");
        var sources = result.GeneratedSources.Select(s => s.HintName + "\n" + s.SourceText).ToList();
        if (!compile) return sources;
        var output = input.AddSyntaxTrees(result.GeneratedSources.Select(s => s.SyntaxTree));
        var outputErrors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (outputErrors.Count > 0)
            throw new InvalidOperationException($"{Input}, {what}: the generated code does not compile:\n" + string.Join("\n", outputErrors.Take(10)));
        return sources;
    }

    /// <summary>
    /// The trusted platform assemblies and the runtime, as Tests/Support/GeneratorHarness.cs references them, less this
    /// repository's other assemblies (Samples.dll holds compiled copies of the sample models given here as source).
    /// </summary>
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => !Path.GetFileName(path).StartsWith("Differentiable.", StringComparison.Ordinal));
        var references = trusted.Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)).ToList();
        references.Add(MetadataReference.CreateFromFile(typeof(Tensor).Assembly.Location));
        return references.ToImmutableArray();
    });
}
