using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Differentiable.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Differentiable.Tests.Support;

/// <summary>
/// Runs the generator in memory over C# sources, the way the compiler does in a build, and compiles the result:
/// tests see the generated text, the diagnostics, and can load and call the generated code.
/// </summary>
public sealed class GeneratorRun
{
    public required CSharpCompilation Input { get; init; }
    public required Compilation Output { get; init; }
    public required GeneratorDriverRunResult Result { get; init; }
    public required GeneratorDriver Driver { get; init; }

    public ImmutableArray<Diagnostic> GeneratorDiagnostics => Result.Diagnostics;

    /// <summary>Generated files by hint name.</summary>
    public IReadOnlyDictionary<string, string> Sources =>
        Result.Results.SelectMany(r => r.GeneratedSources).ToDictionary(s => s.HintName, s => s.SourceText.ToString());

    /// <summary>Errors of the compilation with the generated code in it (the user's own code included).</summary>
    public IReadOnlyList<Diagnostic> CompilationErrors =>
        Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

    /// <summary>Emits the compilation and loads it into a collectible context; throws with the errors if it does not compile.</summary>
    public Assembly Load()
    {
        using var stream = new MemoryStream();
        var emitted = Output.Emit(stream);
        if (!emitted.Success)
            throw new InvalidOperationException("Generated code does not compile:\n" + string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        stream.Position = 0;
        return new AssemblyLoadContext("generated-" + Guid.NewGuid(), isCollectible: true).LoadFromStream(stream);
    }
}

public static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var references = trusted.Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)).ToList();
        references.Add(MetadataReference.CreateFromFile(typeof(Tensor).Assembly.Location));
        return references.ToImmutableArray();
    });

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    public static GeneratorRun Run(params string[] sources) =>
        Run(sources.Select((s, i) => (Path: $"Source{i}.cs", Text: s)).ToArray());

    public static GeneratorRun Run(params (string Path, string Text)[] sources) => Run(Compile(sources));

    /// <summary>The compilation the generator is run on (parsed here, as the compiler parses before generators run).</summary>
    public static CSharpCompilation Compile(params (string Path, string Text)[] sources)
    {
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, ParseOptions, s.Path)).ToList();
        trees.Add(CSharpSyntaxTree.ParseText("global using System; global using System.Linq; global using System.Collections.Generic; global using Differentiable;", ParseOptions, "GlobalUsings.cs"));
        // Not concurrent: the tests bind deep expressions on a thread with a large stack, not on thread-pool threads.
        return CSharpCompilation.Create("Generated" + Guid.NewGuid().ToString("N"), trees, References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, concurrentBuild: false));
    }

    public static GeneratorRun Run(CSharpCompilation compilation, GeneratorDriver? driver = null)
    {
        driver ??= CSharpGeneratorDriver.Create(new[] { new DifferentiableGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions, driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return new GeneratorRun { Input = compilation, Output = output, Result = driver.GetRunResult(), Driver = driver };
    }
}
