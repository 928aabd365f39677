using Differentiable.Tests.Support;
using Microsoft.CodeAnalysis;

namespace Differentiable.Tests.Generator;

/// <summary>
/// The reproducers of "the generator breaks builds": each either generates code that compiles and passes a float64
/// gradient check, or gets one precise DIFF diagnostic — never an exception (CS8785), DIFF099, a hang or a stack
/// overflow. The large ones run on a thread with the 1 MiB stack the compiler gives generators, and assert counts
/// (work, generated size), never times.
/// </summary>
public class RobustnessTests
{
    private const string Usings = "using Differentiable;\nusing static Differentiable.Ops;\n";

    /// <summary>
    /// Runs the generator on a 1 MiB stack (the source is parsed before, on an ordinary thread, as the compiler parses it);
    /// asserts it did not throw and reported no internal error.
    /// </summary>
    private static GeneratorRun Generate(string body)
    {
        GeneratorRun? run = null;
        Exception? failure = null;
        var compilation = GeneratorHarness.Compile(("Source0.cs", Usings + body));
        var thread = new Thread(() =>
        {
            try { run = GeneratorHarness.Run(compilation); }
            catch (Exception e) { failure = e; }
        }, maxStackSize: 1024 * 1024);
        thread.Start();
        thread.Join();
        Assert.Null(failure);
        Assert.All(run!.Result.Results, r => Assert.Null(r.Exception));
        var all = OnALargeStack(() => run.Output.GetDiagnostics()).Concat(run.GeneratorDiagnostics).Select(d => d.Id).ToList();
        Assert.DoesNotContain("CS8785", all);
        Assert.DoesNotContain("DIFF099", all);
        return run;
    }

    /// <summary>Generates, expects no diagnostic at all, and loads the compiled assembly.</summary>
    private static System.Reflection.Assembly Compiles(string body)
    {
        var run = Generate(body);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        return run.Load();
    }

    /// <summary>Generates and expects exactly the diagnostics <paramref name="ids"/> (in any order), and that the rest compiles.</summary>
    private static GeneratorRun Refuses(string body, params string[] ids)
    {
        var run = Generate(body);
        Assert.Equal(ids.OrderBy(i => i), run.GeneratorDiagnostics.Select(d => d.Id).OrderBy(i => i));
        Assert.All(run.GeneratorDiagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        Assert.DoesNotContain(OnALargeStack(() => run.CompilationErrors), e => e.Location.SourceTree?.FilePath.EndsWith(".g.cs") == true);
        return run;
    }

    /// <summary>
    /// Binding the user's own deep expressions is the compiler's work, done on its threads, not the generator's: the test
    /// does it on a thread with room for it, so only the generator is held to the 1 MiB stack.
    /// </summary>
    private static T OnALargeStack<T>(Func<T> work)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { result = work(); }
            catch (Exception e) { failure = e; }
        }, maxStackSize: 256 * 1024 * 1024);
        thread.Start();
        thread.Join();
        if (failure is not null) throw failure;
        return result;
    }

    private static object New(System.Reflection.Assembly assembly) => Activator.CreateInstance(assembly.GetType("M")!)!;

    private static Type Static(System.Reflection.Assembly assembly) => assembly.GetType("M")!;

    private static Tensor X(params int[] shape) => GeneratedGradCheck.Random(shape);

    [Fact]
    public void ResultIsAParameterAnArgumentOrUnchanged()
    {
        var assembly = Compiles("""
            public partial class M
            {
                [Parameter] public Tensor W = Tensor.Randn(new[] { 2, 3 }, new Rng(1));
                [Differentiable] public Tensor F(Tensor x) => W;
                [Differentiable] public static Tensor G(Tensor a) => a;
                [Differentiable] public static Tensor H(Tensor a) => -(-a);
                [Differentiable] public Tensor K(Tensor x)
                {
                    var h = x;
                    for (int i = 0; i < 0; i++) h = h + W;
                    return h * W;
                }
            }
            """);
        GeneratedGradCheck.Check(New(assembly), "F", X(2, 3));
        GeneratedGradCheck.Check(Static(assembly), "G", X(2, 3));
        GeneratedGradCheck.Check(Static(assembly), "H", X(2, 3));
        GeneratedGradCheck.Check(New(assembly), "K", X(2, 3));
    }

    [Fact]
    public void UnusedTensorArgumentsGetZeroGradients()
    {
        var assembly = Compiles("""
            public partial class M
            {
                [Parameter] public Tensor W = Tensor.Randn(new[] { 3, 2 }, new Rng(1));
                [Differentiable] public static Tensor F(Tensor a, Tensor b) => Sin(a);
                [Differentiable] public Tensor G(Tensor x, [Wrt] Tensor t) => Relu(x.MatMul(W));
            }
            """);
        GeneratedGradCheck.Check(Static(assembly), "F", X(2, 3), X(4));
        GeneratedGradCheck.Check(New(assembly), "G", X(2, 3), X(5));
        var result = Static(assembly).GetMethod("FWithGradients")!.Invoke(null, new object?[] { X(2, 3), X(4), null })!;
        var gradients = (IGradients)result.GetType().GetField("Item2")!.GetValue(result)!;
        var b = gradients.All.Single(g => g.Name == "b").Gradient;
        Assert.Equal(new[] { 4 }, b.Shape);
        Assert.All(b.ToDoubleArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void NullPassedToADifferentiableMethodIsDIFF007AtTheArgument()
    {
        var run = Refuses("""
            public partial class M
            {
                [Differentiable] public static Tensor F(Tensor a) => Sin(a);
                [Differentiable] public static Tensor G(Tensor a) => F(default(Tensor)!) + a;
            }
            """, "DIFF007");
        var location = run.GeneratorDiagnostics[0].Location;
        var tree = run.Input.SyntaxTrees.Single(t => t.FilePath == location.GetLineSpan().Path);
        Assert.Equal("default(Tensor)", tree.GetText().ToString(location.SourceSpan));
    }

    [Fact]
    public void KeywordNamespaceClassAndArgumentNames()
    {
        var run = Generate("""
            namespace @class;
            public partial class @struct
            {
                [Differentiable] public static Tensor F(Tensor @int, Tensor @x) => Sin(@int) * x;
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        GeneratedGradCheck.Check(run.Load().GetType("class.struct")!, "F", X(3), X(3));
    }

    public static TheoryData<string, string> TooDeep => new()
    {
        { "500 nested negations", "=> " + string.Concat(Enumerable.Repeat("-(", 500)) + "a" + new string(')', 500) + ";" },
        { "a 20,000-term sum", "=> " + string.Join(" + ", Enumerable.Repeat("a", 20_000)) + ";" },
        { "1,000 nested parentheses", "=> " + new string('(', 1000) + "a" + new string(')', 1000) + ";" },
        { "1,000 nested calls", "=> " + string.Concat(Enumerable.Repeat("Sin(", 1000)) + "a" + new string(')', 1000) + ";" },
    };

    [Theory]
    [MemberData(nameof(TooDeep))]
    public void DeepExpressionsAreDIFF014NotAStackOverflow(string what, string body)
    {
        Assert.NotEmpty(what);
        Refuses($$"""
            public partial class M
            {
                [Differentiable] public static Tensor F(Tensor a) {{body}}
                [Differentiable] public static Tensor Fine(Tensor a) => Sin(a);
            }
            """, "DIFF014");
    }

    [Fact]
    public void NestingJustInsideTheLimitGenerates()
    {
        // 100 nested calls (300 syntax levels, 100 expression levels) on a 1 MiB stack: parse, lower, differentiate, emit.
        var assembly = Compiles($$"""
            public partial class M
            {
                [Differentiable] public static Tensor F(Tensor a) => {{string.Concat(Enumerable.Repeat("Tanh(", 100))}}a{{new string(')', 100)}};
            }
            """);
        GeneratedGradCheck.Check(Static(assembly), "F", X(3));
    }

    [Fact]
    public void StructIsDIFF008() => Refuses("""
        public partial struct M
        {
            [Differentiable] public static Tensor F(Tensor a) => Sin(a);
        }
        """, "DIFF008");

    [Fact]
    public void NumberArgumentsReachTheDeviceProgram()
    {
        var run = Generate("""
            public partial class M
            {
                [Parameter] public Tensor W = Tensor.Randn(new[] { 3 }, new Rng(1));
                [Differentiable] public Tensor F(Tensor x, float f) => x * W * f;
                [Differentiable] public Tensor G(Tensor x, double f) => x * W * f;
                [Differentiable] public Tensor H(Tensor x, int f) => x * W * f;
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        Assert.Contains("public void FDeviceProgram(global::Differentiable.Scheduling.ProgramBuilder p, float f)", run.Sources["M.g.cs"]);
        var assembly = run.Load();
        GeneratedGradCheck.Check(New(assembly), "F", X(3), 1.5f);
        GeneratedGradCheck.Check(New(assembly), "G", X(3), -0.5);
        GeneratedGradCheck.Check(New(assembly), "H", X(3), 3);
    }

    [Fact]
    public void MembersNamedLikeGeneratedOnesAreDIFF012NamingBoth()
    {
        var run = Refuses("""
            public partial class M
            {
                [Differentiable] public static Tensor F(Tensor x) => Sin(x);
                public static void FWithGradients() { }
                [Differentiable] public static Tensor G(Tensor x) => Cos(x);
                public static int GDeviceProgram;
                [Differentiable] public static Tensor H(Tensor x) => Exp(x);
                public const string HCudaSource = "";
                [Differentiable] public static Tensor K(Tensor All) => Sin(All);
            }
            """, "DIFF012", "DIFF012", "DIFF012");
        var messages = run.GeneratorDiagnostics.Select(d => d.GetMessage()).ToList();
        Assert.Contains(messages, m => m.Contains("'FWithGradients'") && m.Contains("'F'"));
        Assert.Contains(messages, m => m.Contains("'GDeviceProgram'") && m.Contains("'G'"));
        Assert.Contains(messages, m => m.Contains("'HCudaSource'") && m.Contains("'H'"));
        // An argument named All keeps its gradient, under another property name than IGradients.All.
        GeneratedGradCheck.Check(run.Load().GetType("M")!, "K", X(3));
    }

    [Fact]
    public void AParameterNamedParametersIsDIFF012() => Refuses("""
        public partial class M
        {
            [Parameter] public Tensor Parameters = Tensor.Ones(3);
            [Differentiable] public Tensor F(Tensor x) => x * Parameters;
        }
        """, "DIFF012");

    [Fact]
    public void OverloadedDifferentiableMethodsAreDIFF012() => Refuses("""
        public partial class M
        {
            [Differentiable] public static Tensor F(Tensor x) => Sin(x);
            [Differentiable] public static Tensor F(Tensor x, Tensor y) => Sin(x) * y;
        }
        """, "DIFF012");

    [Fact]
    public void ReshapeToRankZero()
    {
        var assembly = Compiles("""
            public partial class M
            {
                [Differentiable] public static Tensor F(Tensor a) => Reshape(Sin(a));
            }
            """);
        GeneratedGradCheck.Check(Static(assembly), "F", X(1));
    }

    /// <summary>
    /// A constant-bound loop longer than the unrolling line is a real loop: two billion iterations generate one
    /// statement. A bound that can never be passed (<c>i &lt;= int.MaxValue</c>) is DIFF002.
    /// </summary>
    [Fact]
    public void HugeLoopIsARealLoopAndAnEndlessOneIsDIFF002()
    {
        var run = Generate("""
            public partial class M
            {
                [Parameter] public Tensor W = Tensor.Ones(3);
                [Differentiable] public Tensor F(Tensor x)
                {
                    var h = x;
                    for (int i = 0; i < 2147483647; i += 1000) h = h + W;
                    return h;
                }
                [Differentiable] public Tensor G(Tensor x)
                {
                    var h = x;
                    for (int i = 0; i <= int.MaxValue; i++) h = h + W;
                    return h;
                }
            }
            """);
        Assert.Equal("DIFF002", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.Contains("for (int i = 0; i < 2147483647; i += 1000)", run.Sources["M.g.cs"]);
    }

    /// <summary>Loops short enough to unroll, nested four deep (16⁴ iterations), still meet the lowering's budget.</summary>
    [Fact]
    public void NestedLoopsPastTheBudgetAreDIFF013() => Refuses("""
        public partial class M
        {
            [Parameter] public Tensor W = Tensor.Ones(3);
            [Differentiable] public Tensor F(Tensor x)
            {
                var h = x;
                for (int i = 0; i < 16; i++)
                    for (int j = 0; j < 16; j++)
                        for (int k = 0; k < 16; k++)
                            for (int l = 0; l < 16; l++)
                                h = h + W * j;
                return h;
            }
        }
        """, "DIFF013");

    /// <summary>
    /// Up to 16 iterations a constant-bound loop is unrolled; past that it is a real loop, so its generated code does
    /// not grow with the bound: 17 and 10,000 iterations generate the same code but for the bound, and the
    /// 10,000-iteration loop's gradient checks.
    /// </summary>
    [Fact]
    public void LongConstantLoopsAreRealLoopsWhoseCodeDoesNotGrow()
    {
        static string Source(int iterations) => $$"""
            public partial class M
            {
                [Parameter] public Tensor W = Tensor.Ones(3);
                [Differentiable] public Tensor F(Tensor x)
                {
                    var h = x;
                    for (int i = 0; i < {{iterations}}; i++) h = Sin(h) + W * 0.001;
                    return h;
                }
            }
            """;
        static int Lines(int iterations)
        {
            var run = Generate(Source(iterations));
            Assert.Empty(run.GeneratorDiagnostics);
            return run.Sources["M.g.cs"].Count(c => c == '\n');
        }
        Assert.True(Lines(16) > Lines(4) + 12 * 3, "16 iterations are unrolled");
        Assert.Equal(Lines(17), Lines(10_000));
        var assembly = Compiles(Source(10_000));
        GeneratedGradCheck.Check(Activator.CreateInstance(assembly.GetType("M")!)!, "F", X(3));
    }

    [Fact]
    public void DeepReluChainIsLinear()
    {
        var body = string.Concat(Enumerable.Repeat("Relu(", 27)) + "a" + new string(')', 27);
        var assembly = Compiles($"public partial class M {{ [Differentiable] public static Tensor F(Tensor a) => {body}; }}");
        GeneratedGradCheck.Check(Static(assembly), "F", Tensor.Randn(new[] { 4 }, new Rng(5), DType.Float64) + 2.0);
    }

    [Fact]
    public void CallChainsAreCallsWithGeneratedCodeLinearInTheirLength()
    {
        static string Chain(int length)
        {
            var methods = new List<string> { "[Differentiable] public static Tensor F0(Tensor a) => Sin(a);" };
            for (var k = 1; k < length; k++) methods.Add($"[Differentiable] public static Tensor F{k}(Tensor a) => Sin(F{k - 1}(a));");
            return "public partial class M { " + string.Join("\n", methods) + " }";
        }
        var run100 = Generate(Chain(100));
        var run200 = Generate(Chain(200));
        Assert.Empty(run200.GeneratorDiagnostics);
        Assert.Empty(run200.CompilationErrors);
        var ratio = (double)run200.Sources["M.g.cs"].Length / run100.Sources["M.g.cs"].Length;
        Assert.InRange(ratio, 1.8, 2.2);
        // F199 calls F198's generated forward-with-pullback; it does not contain a copy of 199 bodies.
        Assert.Contains("global::M.F198Vjp(a)", run200.Sources["M.g.cs"]);
        GeneratedGradCheck.Check(run200.Load().GetType("M")!, "F199", X(3));
    }
}

/// <summary>Messages a user can act on: what was wrong and what to write instead, one error per mistake.</summary>
public class DiagnosticMessageTests
{
    private static List<Diagnostic> Diagnose(string body) =>
        GeneratorHarness.Run("using Differentiable;\nusing static Differentiable.Ops;\n" + body).GeneratorDiagnostics.ToList();

    [Fact]
    public void ItemSaysItLeavesTheGraph()
    {
        var d = Assert.Single(Diagnose("public partial class M { [Differentiable] public static Tensor F(Tensor x) => x * x.Sum().Item(); }"));
        Assert.Equal("DIFF004", d.Id);
        Assert.Contains("'Tensor.Item'", d.GetMessage());
        Assert.Contains("leaves the graph", d.GetMessage());
        Assert.DoesNotContain("Ops.Item", d.GetMessage());
    }

    [Fact]
    public void CreatingATensorSaysWhereTensorsComeFrom()
    {
        var d = Assert.Single(Diagnose("public partial class M { [Differentiable] public static Tensor F(Tensor x) => x * Tensor.Ones(3); }"));
        Assert.Equal("DIFF004", d.Id);
        Assert.Contains("cannot be created inside a [Differentiable] body", d.GetMessage());
    }

    [Fact]
    public void MathMaxSuggestsMaximum()
    {
        var d = Assert.Single(Diagnose("public partial class M { [Differentiable] public static Tensor F(Tensor x, double a) => x * System.Math.Max(a, 2.0); }"));
        Assert.Equal("DIFF004", d.Id);
        Assert.Contains("Maximum(a, b)", d.GetMessage());
    }

    [Fact]
    public void ALambdaIsOneError()
    {
        var diagnostics = Diagnose("""
            public partial class M
            {
                [Differentiable] public static Tensor F(Tensor x)
                {
                    System.Func<Tensor, Tensor> twice = t => t * 2;
                    return twice(x);
                }
            }
            """);
        Assert.Equal("DIFF007", Assert.Single(diagnostics).Id);
    }
}
