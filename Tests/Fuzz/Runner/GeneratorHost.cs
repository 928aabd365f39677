using System.Collections.Immutable;
using Differentiable.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Differentiable.Fuzz.Runner;

/// <summary>The generator's run over one compilation; <see cref="TimedOut"/> when it passed its budget.</summary>
public sealed record GeneratorRun(CSharpCompilation Input, Compilation? Output, GeneratorDriverRunResult? Result, Exception? Error, bool TimedOut, TimeSpan Elapsed);

/// <summary>
/// Runs the generator the way the compiler does: in memory, on a thread with a 1 MiB stack (what csc gives
/// generators, so a deep recursion fails here as it would in a build), cancelled when the budget runs out.
/// </summary>
public static class GeneratorHost
{
    public const int GeneratorStackBytes = 1024 * 1024;

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return trusted.Where(p => !Path.GetFileName(p).StartsWith("Differentiable.", StringComparison.Ordinal))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(Tensor).Assembly.Location))
            .ToImmutableArray();
    });

    private static readonly SyntaxTree GlobalUsings = CSharpSyntaxTree.ParseText(
        "global using System; global using System.Linq; global using System.Collections.Generic; global using Differentiable;", ParseOptions, "GlobalUsings.cs");

    /// <summary>
    /// Not a concurrent build: Roslyn would bind method bodies on thread-pool threads, whose small stacks a 2,000-deep
    /// user expression overflows (killing the worker, now and then, under load); bound here, they use the host's large stack.
    /// </summary>
    public static CSharpCompilation Compilation(IEnumerable<SyntaxTree> trees) =>
        CSharpCompilation.Create("Fuzz" + Guid.NewGuid().ToString("N"), trees.Append(GlobalUsings), References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true,
                concurrentBuild: false));

    /// <summary>Threads that ran past their budget and ignored cancellation: still running, so the process should be recycled.</summary>
    public static int Abandoned;

    public static GeneratorRun Run(CSharpCompilation input, TimeSpan budget)
    {
        using var cancellation = new CancellationTokenSource(budget);
        Compilation? output = null;
        GeneratorDriverRunResult? result = null;
        Exception? error = null;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var thread = new Thread(() =>
        {
            try
            {
                GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new DifferentiableGenerator().AsSourceGenerator() }, parseOptions: ParseOptions);
                driver = driver.RunGeneratorsAndUpdateCompilation(input, out output, out _, cancellation.Token);
                result = driver.GetRunResult();
            }
            catch (Exception e)
            {
                error = e;
            }
        }, GeneratorStackBytes) { IsBackground = true, Name = "generator" };
        thread.Start();
        // A grace period past the budget for the generator to notice its cancellation token.
        if (!thread.Join(budget + TimeSpan.FromSeconds(5)))
        {
            Interlocked.Increment(ref Abandoned);
            return new GeneratorRun(input, null, null, null, TimedOut: true, watch.Elapsed);
        }
        var timedOut = error is OperationCanceledException || cancellation.IsCancellationRequested && result is null;
        return new GeneratorRun(input, output, result, timedOut ? null : error, timedOut, watch.Elapsed);
    }
}
