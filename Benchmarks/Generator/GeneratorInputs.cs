using System.Globalization;
using System.Reflection;
using System.Text;

namespace Differentiable.Benchmarks;

/// <summary>The shapes of generator input whose running time the benchmarks follow as they grow.</summary>
public enum GeneratorFamily
{
    /// <summary>Every Samples/Models/*.cs, one syntax tree per file (a real project's worth of models).</summary>
    Samples,
    /// <summary>One method whose body is N statements reassigning one local, cycling through a mix of ops.</summary>
    Body,
    /// <summary>N methods, each calling the previous one (so the last inlines all of them), and a loss over the last.</summary>
    Chain,
    /// <summary>One expression nested N calls deep: <c>Relu(Sin(Relu(...x * W...)))</c>.</summary>
    Nesting,
    /// <summary>A <c>for</c> loop with constant bounds and N iterations (unrolled by the generator).</summary>
    Loop,
}

/// <summary>One benchmark input: a family and its size (ignored for <see cref="GeneratorFamily.Samples"/>).</summary>
public sealed record GeneratorInput(GeneratorFamily Family, int Size)
{
    /// <summary>The name BenchmarkDotNet prints in the Input column (and that <c>--filter</c> can match).</summary>
    public override string ToString() =>
        Family == GeneratorFamily.Samples ? "Samples" : $"{Family}-{Size.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The sizes the committed benchmark runs; do not shrink them because a generator is slow on them.</summary>
    public static IEnumerable<GeneratorInput> All()
    {
        yield return new GeneratorInput(GeneratorFamily.Samples, 0);
        foreach (var n in new[] { 250, 500, 1000, 2000 }) yield return new GeneratorInput(GeneratorFamily.Body, n);
        foreach (var n in new[] { 50, 100, 200, 400 }) yield return new GeneratorInput(GeneratorFamily.Chain, n);
        foreach (var n in new[] { 25, 50, 100, 200 }) yield return new GeneratorInput(GeneratorFamily.Nesting, n);
        foreach (var n in new[] { 250, 1000, 10_000 }) yield return new GeneratorInput(GeneratorFamily.Loop, n);
    }

    /// <summary>
    /// The C# files of this input, as (path, text). With <paramref name="edited"/>, the same files with one line of
    /// one [Differentiable] method changed (an op replaced), as a user typing in the IDE would; only the file at
    /// <see cref="EditedPath"/> differs.
    /// </summary>
    public IReadOnlyList<(string Path, string Text)> Sources(bool edited = false) => Family switch
    {
        GeneratorFamily.Samples => GeneratorInputs.SampleModels(edited),
        GeneratorFamily.Body => new[] { (EditedPath, GeneratorInputs.Body(Size, edited)) },
        GeneratorFamily.Chain => new[] { (EditedPath, GeneratorInputs.Chain(Size, edited)) },
        GeneratorFamily.Nesting => new[] { (EditedPath, GeneratorInputs.Nesting(Size, edited)) },
        GeneratorFamily.Loop => new[] { (EditedPath, GeneratorInputs.Loop(Size, edited)) },
        _ => throw new ArgumentOutOfRangeException(nameof(Family), Family, null),
    };

    /// <summary>The file that <see cref="Sources"/> changes when edited.</summary>
    public string EditedPath => Family == GeneratorFamily.Samples ? "FlatNet.cs" : "M.cs";
}

/// <summary>
/// Builds the benchmark inputs. Everything is deterministic (no randomness, invariant culture), and uses only what
/// the README lists as supported in a [Differentiable] body, so the generator reports no diagnostics on any of it.
/// </summary>
public static class GeneratorInputs
{
    private const string Header = """
        using Differentiable;
        using static Differentiable.Ops;

        public partial class M
        {
            [Parameter] public Tensor W = Tensor.Zeros(4, 4);

        """;

    private const string Footer = "}\n";

    /// <summary>
    /// The global usings a project with ImplicitUsings gets (the samples rely on them), as one more syntax tree,
    /// as Tests/Support/GeneratorHarness.cs adds it.
    /// </summary>
    public const string GlobalUsings =
        "global using System; global using System.Linq; global using System.Collections.Generic; global using Differentiable;";

    /// <summary>The Samples/Models files embedded in this assembly (see the csproj), sorted by name.</summary>
    public static IReadOnlyList<(string Path, string Text)> SampleModels(bool edited)
    {
        var assembly = typeof(GeneratorInputs).Assembly;
        const string prefix = "SampleModels/";
        var names = assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(n => n, StringComparer.Ordinal).ToList();
        if (names.Count == 0)
            throw new InvalidOperationException("No Samples/Models/*.cs embedded in " + assembly.Location + "; see Differentiable.Benchmarks.csproj");
        var files = names.Select(n => (Path: n[prefix.Length..], Text: Read(assembly, n))).ToList();
        if (!edited) return files;

        // The one-line edit: FlatNet's second layer switches from ReLU to tanh.
        var i = files.FindIndex(f => f.Path == "FlatNet.cs");
        if (i < 0) throw new InvalidOperationException("Samples/Models/FlatNet.cs is not embedded");
        files[i] = (files[i].Path, EditOnce(files[i].Text, "var h2 = Relu(h1.MatMul(W2) + B2);", "var h2 = Tanh(h1.MatMul(W2) + B2);"));
        return files;
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The statements the Body family cycles through: elementwise ops, numbers, compound assignment.</summary>
    private static readonly string[] BodyStatements =
    {
        "h = Tanh(h * 0.5 + W);",
        "h = Sigmoid(h) * W;",
        "h = h + Sin(h - W);",
        "h -= W * 0.25;",
        "h = Relu(h) + Exp(h * -0.1);",
        "h = Maximum(h, W) / 2.0;",
        "h = Cos(h) * h;",
        "h = Abs(h) + Pow(h, 2) * 0.01;",
        "h += Sqrt(h * h + 1.0) * W;",
        "h = Minimum(h, 3.0) - Log(h * h + 1.0);",
    };

    /// <summary><c>var h = x;</c> then N statements over h, then <c>return Sum(h);</c>. The edit changes the first statement's op.</summary>
    public static string Body(int n, bool edited)
    {
        var sb = new StringBuilder(Header);
        sb.Append("    [Differentiable]\n    public Tensor Loss(Tensor x)\n    {\n        var h = x;\n");
        for (var i = 0; i < n; i++)
        {
            var statement = BodyStatements[i % BodyStatements.Length];
            if (i == 0 && edited) statement = EditOnce(statement, "Tanh(", "Sigmoid(");
            sb.Append("        ").Append(statement).Append('\n');
        }
        sb.Append("        return Sum(h);\n    }\n").Append(Footer);
        return sb.ToString();
    }

    private static readonly string[] ChainOps = { "Tanh", "Sin", "Relu", "Sigmoid", "Cos" };

    /// <summary>
    /// F0(x) = Tanh(x * W + 0.5); Fk(x) = Op(F(k-1)(x)) * W + 0.5 for k = 1..N-1; Loss(x) = Sum(F(N-1)(x)).
    /// Each F calls the previous one once (inlining is linear per method, not exponential). The edit changes F0's op,
    /// which every other method inlines.
    /// </summary>
    public static string Chain(int n, bool edited)
    {
        var sb = new StringBuilder(Header);
        sb.Append("    [Differentiable] public Tensor F0(Tensor x) => ").Append(edited ? "Sigmoid" : "Tanh").Append("(x * W + 0.5);\n");
        for (var k = 1; k < n; k++)
            sb.Append("    [Differentiable] public Tensor F").Append(k).Append("(Tensor x) => ")
              .Append(ChainOps[k % ChainOps.Length]).Append("(F").Append(k - 1).Append("(x)) * W + 0.5;\n");
        sb.Append("    [Differentiable] public Tensor Loss(Tensor x) => Sum(F").Append(n - 1).Append("(x));\n").Append(Footer);
        return sb.ToString();
    }

    /// <summary>
    /// <c>return Sum(Relu(Sin(Relu(Sin(... x * W ...)))));</c> with N calls alternating Relu and Sin, written across
    /// two lines (the N openings, then the closings). The edit changes the innermost operand.
    /// </summary>
    public static string Nesting(int n, bool edited)
    {
        var sb = new StringBuilder(Header);
        sb.Append("    [Differentiable]\n    public Tensor Loss(Tensor x)\n    {\n        return Sum(\n            ");
        for (var i = 0; i < n; i++) sb.Append(i % 2 == 0 ? "Relu(" : "Sin(");
        sb.Append('\n').Append("            ").Append(edited ? "x * W + 1.0" : "x * W").Append('\n').Append("            ");
        sb.Append(')', n).Append(");\n    }\n").Append(Footer);
        return sb.ToString();
    }

    /// <summary>
    /// <c>for (int i = 0; i &lt; N; i++) h = Tanh(h + W * i);</c> with N a literal bound. The edit changes the
    /// loop body's op.
    /// </summary>
    public static string Loop(int n, bool edited)
    {
        var sb = new StringBuilder(Header);
        sb.Append("    [Differentiable]\n    public Tensor Loss(Tensor x)\n    {\n        var h = x;\n");
        sb.Append("        for (int i = 0; i < ").Append(n).Append("; i++)\n");
        sb.Append("            h = ").Append(edited ? "Sigmoid" : "Tanh").Append("(h + W * i);\n");
        sb.Append("        return Sum(h);\n    }\n").Append(Footer);
        return sb.ToString();
    }

    private static string EditOnce(string text, string from, string to)
    {
        var at = text.IndexOf(from, StringComparison.Ordinal);
        if (at < 0 || text.IndexOf(from, at + 1, StringComparison.Ordinal) >= 0)
            throw new InvalidOperationException($"The benchmark's edit expects exactly one '{from}' in its input; the input changed.");
        return string.Concat(text.AsSpan(0, at), to, text.AsSpan(at + from.Length));
    }
}
