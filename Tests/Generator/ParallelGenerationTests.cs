using Differentiable.Generator;
using Differentiable.Tests.Support;

namespace Differentiable.Tests.Generator;

/// <summary>
/// A long method is generated on two cores (<see cref="Offloaded{T}"/>): its body parsed in two halves, its device
/// program and its inspection's graphs written while this thread writes the rest; the classes of a run, and the methods
/// of a class, are written on other cores too. What it generates must not depend on which thread wrote what, or when:
/// the same text every run, the diagnostics in the statements' order, the gradient right.
/// </summary>
public class ParallelGenerationTests
{
    private const string Usings = "using Differentiable;\nusing static Differentiable.Ops;\n";

    /// <summary>A straight-line body of <paramref name="statements"/> statements over h (long enough for both halves and the offloaded writers).</summary>
    private static string LongBody(int statements, Func<int, string?>? replace = null)
    {
        string[] cycle =
        {
            "h = h + Tanh(h * 0.01 + W) * 0.01;",
            "h = h + Sin(h - W) * 0.02;",
            "h -= W * 0.001;",
            "h = h + Sigmoid(h) * W * 0.01;",
        };
        var lines = Enumerable.Range(0, statements).Select(i => "        " + (replace?.Invoke(i) ?? cycle[i % cycle.Length]));
        return Usings + "public partial class M\n{\n    [Parameter] public Tensor W = Tensor.Zeros(2, 3);\n\n"
            + "    [Differentiable]\n    public Tensor F([Wrt] Tensor x)\n    {\n        var h = x;\n" + string.Join("\n", lines)
            + "\n        return Sum(h * h);\n    }\n}\n";
    }

    [Fact]
    public void A_long_method_generates_the_same_text_every_run_and_its_gradient_checks()
    {
        var source = LongBody(240);
        var runs = Enumerable.Range(0, 4).Select(_ => GeneratorHarness.Run(source)).ToList();
        Assert.All(runs, run => Assert.Empty(run.GeneratorDiagnostics));
        Assert.All(runs, run => Assert.Empty(run.CompilationErrors));
        var text = runs[0].Sources["M.g.cs"];
        Assert.All(runs.Skip(1), run => Assert.Equal(text, run.Sources["M.g.cs"]));
        // All of it is there, in order: the pullback, the device program, the inspection (graphs included), the summary.
        var order = new[] { "FWithGradients(", "FDeviceProgram(", "public const string FCudaSource", "FInspection()", "Forward: global::Differentiable.Inspection.GraphNodes", "Backward: global::", "FSummary(" }
            .Select(member => text.IndexOf(member, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.OrderBy(i => i), order);

        var model = Activator.CreateInstance(runs[0].Load().GetType("M")!)!;
        model.GetType().GetField("W")!.SetValue(model, GeneratedGradCheck.Random(2, 3));
        GeneratedGradCheck.Check(model, "F", GeneratedGradCheck.Random(3));
    }

    [Fact]
    public void A_long_body_reports_its_mistakes_in_the_order_of_its_statements()
    {
        // One mistake in each half of the body (the second half is parsed on another thread).
        var source = LongBody(200, i => i switch { 20 => "h = h + Math.Max(1.0, 2.0);", 150 => "h = h.Item() * h;", _ => null });
        var diagnostics = GeneratorHarness.Run(source).GeneratorDiagnostics.ToList();
        Assert.Equal(2, diagnostics.Count);
        Assert.True(diagnostics[0].Location.SourceSpan.Start < diagnostics[1].Location.SourceSpan.Start, string.Join("\n", diagnostics));
        Assert.Contains("Math.Max", diagnostics[0].GetMessage());
        Assert.Contains("Item", diagnostics[1].GetMessage());
    }

    /// <summary>Classes of three methods each, the middle one of <c>B</c> refused while it is written (a local of a body with control flow named like a member).</summary>
    private static string ManyClasses()
    {
        var classes = new[] { "A", "B", "C", "D" }.Select(name =>
        {
            var middle = name == "B"
                ? "    [Differentiable] public Tensor G(Tensor x)\n    {\n        var F = x * W;\n        if (x.Item() > 0) { F = F * 2.0; }\n        return Sum(F);\n    }\n"
                : "    [Differentiable] public Tensor G(Tensor x) => Sum(Sin(x) * W);\n";
            return $"public partial class {name}\n{{\n    [Parameter] public Tensor W = Tensor.Zeros(3);\n"
                + "    [Differentiable] public Tensor F(Tensor x) => Sum(Tanh(x * W));\n" + middle
                + "    [Differentiable] public Tensor H(Tensor x) => Sum(Exp(x) + W);\n}\n";
        });
        return Usings + string.Concat(classes);
    }

    [Fact]
    public void Classes_and_their_methods_written_at_once_give_the_same_files_and_diagnostics_every_run()
    {
        var runs = Enumerable.Range(0, 4).Select(_ => GeneratorHarness.Run(ManyClasses())).ToList();
        var first = runs[0];
        Assert.Empty(first.CompilationErrors);
        var refused = Assert.Single(first.GeneratorDiagnostics);
        Assert.Contains("a local may not have the name of a member of B", refused.GetMessage());
        foreach (var run in runs.Skip(1))
        {
            Assert.Equal(first.Sources.OrderBy(s => s.Key), run.Sources.OrderBy(s => s.Key));
            Assert.Equal(first.GeneratorDiagnostics.Select(d => d.ToString()), run.GeneratorDiagnostics.Select(d => d.ToString()));
        }
        // B's refused method leaves nothing; its neighbours are there, in the order they are declared, as in every other class.
        var b = first.Sources["B.g.cs"];
        Assert.DoesNotContain("GWithGradients", b);
        Assert.True(b.IndexOf("FWithGradients(", StringComparison.Ordinal) is var f and >= 0 && b.IndexOf("HWithGradients(", StringComparison.Ordinal) > f, b);
        var a = first.Sources["A.g.cs"];
        Assert.True(a.IndexOf("FWithGradients(", StringComparison.Ordinal) is var fa and >= 0
            && a.IndexOf("GWithGradients(", StringComparison.Ordinal) is var ga && ga > fa && a.IndexOf("HWithGradients(", StringComparison.Ordinal) > ga, a);
    }

    [Fact]
    public void Offloaded_work_runs_once_and_its_result_or_exception_reaches_the_joiner()
    {
        var runs = 0;
        var queued = Offloaded<int>.Start(() => Interlocked.Increment(ref runs) * 10, offload: true);
        Assert.Equal(10, queued.Join());
        Assert.Equal(1, runs);

        var inline = Offloaded<int>.Start(() => Environment.CurrentManagedThreadId, offload: false);
        Assert.Equal(Environment.CurrentManagedThreadId, inline.Join());

        var failing = Offloaded<int>.Start(() => throw new InvalidOperationException("from the piece"), offload: true);
        var thrown = Assert.Throws<InvalidOperationException>(() => failing.Join());
        Assert.Equal("from the piece", thrown.Message);
    }
}
