using Differentiable.Tests.Support;
using Microsoft.CodeAnalysis;

namespace Differentiable.Tests.Generator;

/// <summary>
/// Bodies with control flow (issue 11): what is refused is a DIFF0xx error at the statement or expression
/// (marked <c>//!</c>) saying what to write instead; what it accepts generates code that compiles, whatever the
/// condition reads (the generated file has other usings than the user's).
/// </summary>
public class ControlFlowDiagnosticTests
{
    private const string Usings = "using Differentiable;\nusing static Differentiable.Ops;\n";

    private static Diagnostic AssertDiagnostic(string id, string body)
    {
        var source = Usings + body;
        var expectedLine = source.Split('\n').Select((line, i) => (line, i)).Single(l => l.line.Contains("//!")).i;
        var run = GeneratorHarness.Run(source);
        var all = run.Output.GetDiagnostics().Concat(run.GeneratorDiagnostics).ToList();
        Assert.DoesNotContain(all, d => d.Id is "CS8785" or "DIFF099");
        // One error per mistake at the marked line (a goto's label is a second statement, with its own).
        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == id && d.Location.GetLineSpan().StartLinePosition.Line == expectedLine);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        return diagnostic;
    }

    private static string Method(string statement, string members = "") => $$"""
        public partial class M
        {
            [Parameter] public Tensor W = Tensor.Ones(3);
            public Tensor[] Layers = new Tensor[0];
            {{members}}
            [Differentiable] public Tensor F(Tensor x, int n)
            {
                var h = x;
                {{statement}}
                return h;
            }
        }
        """;

    [Theory]
    [InlineData("foreach (var layer in Layers) h = h * layer; //!", "a list of sub-modules")]
    [InlineData("do { h = h * 0.5; } while (h.Sum().Item() > 1); //!", "while (condition)")]
    [InlineData("switch (n) { case 1: h = h * 2; break; } //!", "if / else if / else")]
    [InlineData("try { h = h * 2; } catch { } //!", "exceptions")]
    [InlineData("goto end; //!\n        end: h = h * 2;", "break and continue")]
    public void RefusedStatementsSayWhatToWriteInstead(string statement, string advice)
    {
        var diagnostic = AssertDiagnostic("DIFF015", Method(statement));
        Assert.Contains(advice, diagnostic.GetMessage());
    }


    /// <summary>Calls of other [Differentiable] methods inside control flow are calls: each asks for the pullback variant it needs.</summary>
    [Theory]
    [InlineData("if (n > 2) h = G(h);")]
    [InlineData("for (int i = 0; i < n; i++) h = G(h) + G(x);")]
    [InlineData("while (h.Sum().Item() > 1) h = G(Sub.Forward(h));")]
    [InlineData("foreach (var layer in Stack) h = Relu(layer.Forward(h)) * layer.W; foreach (var layer in Stack) h = layer.Forward(h);")]
    [InlineData("foreach (var a in Stack) foreach (var b in Stack) h = a.Forward(b.Forward(h)); foreach (var c in Pair) { if (n > 1) break; h = c.Forward(h); }")]
    public void CallsInsideControlFlowGenerateCodeThatCompiles(string statement)
    {
        var source = Usings + SubModule + Method(statement,
            "[Differentiable] public Tensor G(Tensor t) => t * W; public Sub Sub = new(); public Sub[] Stack = { new(), new() }; public System.Collections.Generic.List<Sub> Pair = new() { new() };");
        var run = GeneratorHarness.Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
    }

    private const string SubModule = "public partial class Sub { [Parameter] public Tensor W = Tensor.Ones(3); [Differentiable] public Tensor Forward(Tensor t) => t * W; }\n";

    [Theory]
    [InlineData("foreach (var layer in Stack) h = layer.Forward(h); foreach (var layer in Pair) h = layer.Forward(h); //!", "different lists")]
    [InlineData("foreach (var W in Stack) h = W.Forward(h); //!", "name of a member")]
    public void ModuleLoopMistakesSayWhatToWriteInstead(string statement, string advice)
    {
        var source = Method(statement.Replace(" //!", ""), "public Sub[] Stack = { new() }; public Sub[] Pair = { new() }; public static Tensor Other(Sub s) => s.W;");
        var run = GeneratorHarness.Run(Usings + SubModule + source);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Contains(advice, diagnostic.GetMessage());
        Assert.DoesNotContain(run.Output.GetDiagnostics(), d => d.Id is "CS8785");
    }

    /// <summary>A method with control flow can be called: its pullback replays its tape. Its device program says why there is none.</summary>
    [Theory]
    [InlineData("h = G(h, 3);", "[Differentiable] public Tensor G(Tensor t, int k) { var u = t; for (int i = 0; i < k; i++) u = u * W; return u; }")]
    [InlineData("h = G(h, 3) + G(x, 2);", "[Differentiable] public Tensor G(Tensor t, int k) { if (k > 2) return t * W; return Exp(t); }")]
    [InlineData("h = Twice(h); if (n > 0) h = Twice(h);", "[Differentiable] public Tensor Twice(Tensor t) { var u = t; foreach (var s in Stack) u = s.Forward(u); return u; } public Sub[] Stack = { new() };")]
    public void CallsOfMethodsWithControlFlowGenerateCodeThatCompiles(string statement, string members)
    {
        var run = GeneratorHarness.Run(Usings + SubModule + Method(statement, members));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
    }

    [Theory]
    [InlineData("if (new System.Func<int>(() => n)() > 0) //!\n h = h * 2;")]
    [InlineData("if (h is null) //!\n h = h * 2;")]
    [InlineData("while (h.Sum().Item() > (n is > 2 ? 1 : 0)) //!\n h = h * 0.5;")]
    public void ConditionsThatCannotBeCopiedAreDIFF016(string statement) => AssertDiagnostic("DIFF016", Method(statement));

    /// <summary>Conditions naming things through the user's usings, constants, enums and statics compile in the generated file.</summary>
    [Theory]
    [InlineData("if (Math.Abs(h.Sum().Item()) > Math.PI) h = h * 2;")]
    [InlineData("if (x.DType == DType.Float64 && Limit > 0) h = h * Scale;")]
    [InlineData("while (h.Norm().Item() < Limit) h = h * 2;")]
    [InlineData("for (int i = 0; i < n + Extra(n); i += 2) { if (i % 3 == 0) continue; h = h * i; }")]
    [InlineData("int k = n; while (k > 0) { k--; h = Tanh(h) * W; if (k == 1) break; }")]
    [InlineData("Tensor g; if (n > 1) g = h * W; else if (n > 0) g = h; else g = Exp(h); h = g + h;")]
    [InlineData("{ var t = h * 2; h = t; } { var t = h * 3; h = t; } if (n > 0) h = h;")]
    [InlineData("for (int i = 0; i < 3; i++) { if (i == n) break; h = h * (i + 1); }")]
    [InlineData("var w = W; if (n > 0) h = h * w; else h = x; var c = Detach(h); h = h + c;")]
    [InlineData("double s = h.Sum().Item(); while (s > 1) { h = h * 0.5; s = s / 2; }")]
    [InlineData("if (n > 2) return h * 2; while (true) { h = h * W; if (h.Sum().Item() > 5) return h; }")]
    [InlineData("for (int i = n; i > 0; i--) { for (int j = 0; j < i; j += 2) h = h * j - i; }")]
    public void AcceptedBodiesGenerateCodeThatCompiles(string statement)
    {
        var source = "using System;\n" + Usings + "public static class Helpers { public static int Extra(int k) => k / 2; }\n" + Method(statement.Replace("Extra(", "Helpers.Extra("),
            "public double Scale = 0.5; public const double Limit = 10; ");
        var run = GeneratorHarness.Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
    }

    /// <summary>
    /// Statements share one name table (a name's next suffix is remembered), so a long body costs its length, not its
    /// square: 2,000 reassignments of one local inside a loop generate well within the budget, with distinct names.
    /// </summary>
    [Fact]
    public void LongBodyWithControlFlowGeneratesInLinearTime()
    {
        var statements = string.Concat(Enumerable.Repeat("h = h * 0.5 + x;\n", 2000));
        var run = GeneratorHarness.Run(Usings + Method($"while (h.Sum().Item() > 1e9) {{ {statements} }}"));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("h_new2000", run.Sources.Values.Single());
        // About 1 ms a statement on 2 cores (2,000: 4 s, 8,000: 10 s, JIT included); the budget catches a blow-up, not slowness.
        var generator = run.Driver.GetTimingInfo().ElapsedTime;
        Assert.True(generator < TimeSpan.FromSeconds(30), $"the generator took {generator}");
    }

    /// <summary>The tape's types are fully qualified: a user's Stack class or System namespace cannot capture them.</summary>
    [Fact]
    public void TapeTypesCannotBeCapturedByTheUsersNames()
    {
        var source = Usings + "namespace App.System { public class Action { } }\nnamespace App\n{\npublic class Stack { }\n"
            + Method("while (h.Sum().Item() < n) h = h * 2;") + "\n}\n";
        var run = GeneratorHarness.Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
    }

    [Fact]
    public void ControlFlowOnNumbersIsRecordedAndOnTensorValuesSaysWhyNot()
    {
        var run = GeneratorHarness.Run(Usings + Method("if (n > 0) h = h * W;") + """

            public static partial class D
            {
                [Differentiable] public static Tensor G(Tensor x) { var b = x; while (b.Norm().Item() < 10) b = b * 2; return b; }
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        var sources = string.Concat(run.Sources.Values);
        Assert.Contains("public void FDeviceProgram(global::Differentiable.Scheduling.ProgramBuilder p, int n)\n    {\n        p.UseSource(\"M.F\", FCudaSource);", sources);
        Assert.Contains("\"D.G has no device program: a condition or loop reads tensor values (.Item()), which a CUDA graph cannot branch on. Train it on the CPU (--device cpu).\"", sources);
    }
}
