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
    public Assembly Load() => Load(Array.Empty<byte[]>());

    /// <summary>
    /// Loads the compilation with the assemblies it references that are not on disk (libraries compiled in memory by
    /// <see cref="Image"/>), into one collectible context.
    /// </summary>
    public Assembly Load(params byte[][] dependencies)
    {
        var context = new InMemoryContext();
        foreach (var dependency in dependencies) context.Add(dependency);
        return context.LoadFromStream(new MemoryStream(Image()));
    }

    /// <summary>The compiled assembly's bytes; throws with the errors if it does not compile.</summary>
    public byte[] Image()
    {
        using var stream = new MemoryStream();
        var emitted = Output.Emit(stream);
        if (!emitted.Success)
            throw new InvalidOperationException("Generated code does not compile:\n" + string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return stream.ToArray();
    }

    /// <summary>A collectible context that resolves references to the in-memory assemblies added to it.</summary>
    private sealed class InMemoryContext() : AssemblyLoadContext("generated-" + Guid.NewGuid(), isCollectible: true)
    {
        private readonly Dictionary<string, Assembly> _loaded = new();

        public void Add(byte[] image)
        {
            var assembly = LoadFromStream(new MemoryStream(image));
            _loaded[assembly.GetName().Name!] = assembly;
        }

        protected override Assembly? Load(AssemblyName name) => name.Name is { } n && _loaded.TryGetValue(n, out var found) ? found : null;
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
    public static CSharpCompilation Compile(params (string Path, string Text)[] sources) => Compile(sources, Array.Empty<MetadataReference>());

    /// <summary>As <see cref="Compile(ValueTuple{string, string}[])"/>, with more references (a library compiled in memory) and an assembly name.</summary>
    public static CSharpCompilation Compile((string Path, string Text)[] sources, IEnumerable<MetadataReference> references, string? assemblyName = null)
    {
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, ParseOptions, s.Path)).ToList();
        trees.Add(CSharpSyntaxTree.ParseText("global using System; global using System.Linq; global using System.Collections.Generic; global using Differentiable;", ParseOptions, "GlobalUsings.cs"));
        // Not concurrent: the tests bind deep expressions on a thread with a large stack, not on thread-pool threads.
        return CSharpCompilation.Create(assemblyName ?? "Generated" + Guid.NewGuid().ToString("N"), trees, References.Value.Concat(references),
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
