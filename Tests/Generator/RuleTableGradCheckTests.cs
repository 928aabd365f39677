using System.Reflection;
using System.Text;
using Differentiable.Generator.IR;
using Differentiable.Generator.Rules;
using Differentiable.Tests.Support;

namespace Differentiable.Tests.Generator;

/// <summary>
/// Every derivative rule in the rule table, gradient-checked in float64 against central differences: the
/// analytic side is the code the generator emits, the numeric side the eager runtime. A new rule with a check
/// case in the table is covered without writing a test.
/// </summary>
public class RuleTableGradCheckTests
{
    public static IEnumerable<object[]> Cases =>
        RuleTable.All.Where(r => r.Kind == GradientKind.Rule)
            .SelectMany(r => r.Checks.Select((_, i) => new object[] { r.Op.ToString(), i }));

    /// <summary>One class with a [Differentiable] method per check case, generated and compiled once.</summary>
    private static readonly Lazy<Assembly> Compiled = new(() =>
    {
        var source = new StringBuilder("using static Differentiable.Ops;\npublic static partial class RuleCases\n{\n");
        foreach (var rule in RuleTable.All.Where(r => r.Kind == GradientKind.Rule))
            for (var i = 0; i < rule.Checks.Count; i++)
            {
                var check = rule.Checks[i];
                var parameters = check.Shapes.Select((_, k) => "Tensor " + (char)('a' + k)).ToList();
                if (check.UsesLabels) parameters.Add("Labels y");
                source.Append($"    [Differentiable] public static Tensor {rule.Op}_{i}({string.Join(", ", parameters)}) => {check.Expression};\n");
            }
        source.Append("}\n");
        var run = GeneratorHarness.Run(source.ToString());
        Assert.Empty(run.GeneratorDiagnostics);
        return run.Load();
    });

    [Fact]
    public void EveryDifferentiableRuleHasACheckCase()
    {
        // CustomCall's rule calls the user's backward; TunedSinTests check it against central differences. CallValue's
        // calls the callee's generated pullback; CallTests check calls (static, sub-module, chains) the same way.
        var unchecked_ = RuleTable.All.Where(r => r.Kind == GradientKind.Rule && r.Checks.Count == 0 && r.Op is not (Op.CustomCall or Op.CallValue)).Select(r => r.Op);
        Assert.Empty(unchecked_);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RuleMatchesCentralDifferences(string op, int index)
    {
        var check = RuleTable.All.Single(r => r.Op.ToString() == op).Checks[index];
        var type = Compiled.Value.GetType("RuleCases")!;
        var forward = type.GetMethod($"{op}_{index}")!;
        var withGradients = type.GetMethod($"{op}_{index}WithGradients")!;

        // A seed fixed by the case's place in the table (string.GetHashCode differs between processes).
        var rng = new Rng((ulong)(1000 * RuleTable.All.ToList().FindIndex(r => r.Op.ToString() == op) + index));
        var inputs = check.Shapes.Select((shape, k) =>
        {
            var domain = check.Domains is { } d && k < d.Length ? d[k] : InputDomain.Normal;
            return domain == InputDomain.Positive
                ? Tensor.Uniform(shape, 0.5, 2.0, rng, DType.Float64)
                : Tensor.Randn(shape, rng, DType.Float64);
        }).ToArray();
        var labels = check.UsesLabels ? new Labels(Enumerable.Range(0, check.Shapes[0][0]).Select(i => (i * 3 + 1) % check.Shapes[0][1]).ToArray()) : null;

        object[] Arguments(Tensor[] tensors) => labels is null ? tensors.Cast<object>().ToArray() : tensors.Cast<object>().Append(labels).ToArray();

        var result = GradCheck.Check(
            tensors => (Tensor)forward.Invoke(null, Arguments(tensors))!,
            (tensors, upstream) =>
            {
                var value = withGradients.Invoke(null, Arguments(tensors).Append(upstream).ToArray())!;
                var gradients = (IGradients)value.GetType().GetField("Item2")!.GetValue(value)!;
                return gradients.All.Select(g => g.Gradient).ToArray();
            },
            inputs);
        Assert.True(result.Passed, $"{op} ({check.Expression}): {result}");
    }

    [Theory]
    [InlineData("Detach(a) * b", new[] { 0.0, 1.0 })]
    [InlineData("(Sum(ArgMax(a, axis: 1)) + 1.0) * Sum(b)", new[] { 0.0, 1.0 })]
    [InlineData("Sign(a) + Step(a) + b", new[] { 0.0, 1.0 })]
    public void ZeroGradientOpsPassNoGradient(string expression, double[] gradientIsNonZero)
    {
        var run = GeneratorHarness.Run($"using static Differentiable.Ops;\npublic static partial class Z {{ [Differentiable] public static Tensor F(Tensor a, Tensor b) => {expression}; }}");
        Assert.Empty(run.GeneratorDiagnostics);
        var method = run.Load().GetType("Z")!.GetMethod("FWithGradients")!;
        var rng = new Rng(3);
        var a = Tensor.Randn(new[] { 2, 3 }, rng, DType.Float64);
        var b = Tensor.Randn(new[] { 2, 3 }, rng, DType.Float64);
        var value = method.Invoke(null, new object?[] { a, b, null })!;
        var gradients = ((IGradients)value.GetType().GetField("Item2")!.GetValue(value)!).All;
        for (var i = 0; i < 2; i++)
        {
            var anyNonZero = gradients[i].Gradient.ToDoubleArray().Any(v => v != 0);
            Assert.Equal(gradientIsNonZero[i] != 0, anyNonZero);
        }
    }
}
