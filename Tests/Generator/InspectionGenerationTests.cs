using Differentiable.Generator.Emit;
using Differentiable.Inspection;
using Differentiable.Tests.Support;

namespace Differentiable.Tests.Generator;

/// <summary>
/// What the generator records for <see cref="Inspect.Gradient"/> (<c>{M}Inspection()</c>), in code compiled here: the code
/// string is the generated text, string literals survive any character, and the member name is taken like the others.
/// </summary>
public sealed class InspectionGenerationTests
{
    [Fact]
    public void The_recorded_code_is_the_generated_text_and_the_graph_its_names()
    {
        var run = GeneratorHarness.Run("""
            using static Differentiable.Ops;
            public partial class M
            {
                [Parameter] public Tensor W = Tensor.Ones(3);
                [Differentiable] public Tensor F(Tensor x)
                {
                    var h = Tanh(x * W);
                    return Sum(h * h);
                }
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        var generated = run.Sources["M.g.cs"];
        var inspection = Inspect.Gradient(run.Load().GetType("M")!, "F");
        // Member by member, the text of the generated file exactly (one level in, inside the class): FWithGradients, the
        // pullback end it runs and the pullback behind it, not the end only callers that want x's gradient run.
        foreach (var member in inspection.CSharp.Split("\n\n"))
            Assert.Contains(string.Join("\n", member.Split('\n').Select(l => l.Length == 0 ? l : "    " + l)) + "\n", generated);
        Assert.Contains("FVjpParametersOnly(Tensor x) => FVjpCore(x, argumentGradients: false);", inspection.CSharp);
        Assert.DoesNotContain("FVjp(Tensor x)", inspection.CSharp);
        Assert.StartsWith("/// <summary>The gradients computed by <see cref=\"FWithGradients\"/>", inspection.CSharp);
        Assert.EndsWith("}", inspection.CSharp);
        Assert.Equal(new[] { "x", "W", "h", "f_mul", "f" }, inspection.Forward.Select(n => n.Name));   // x * W is written inline in h, as in the code
        Assert.Equal("tanh(x ⊙ W)", inspection.Forward.Single(n => n.Name == "h").Math);
        Assert.Equal("var h = Tanh(x * W);", inspection.Forward.Single(n => n.Name == "h").Statement);
        Assert.Equal("d_W", inspection.Backward[^1].Name);
        Assert.Contains($"var {inspection.Backward[^1].Name} = ", inspection.CSharp);
    }

    [Fact]
    public void A_member_named_like_the_inspection_is_DIFF012()
    {
        var run = GeneratorHarness.Run("""
            using static Differentiable.Ops;
            public partial class M
            {
                [Differentiable] public static Tensor F(Tensor x) => Sin(x);
                public static int FInspection;
            }
            """);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("DIFF012", diagnostic.Id);
        Assert.Contains("'FInspection'", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("a \"b\" \\ c", "\"a \\\"b\\\" \\\\ c\"")]
    [InlineData("line\nbreak\ttab", "\"line\\nbreak\\ttab\"")]
    [InlineData("d_W = xᵀ · d_y ⇒ 𝑥", "\"d_W = xᵀ · d_y ⇒ 𝑥\"")]
    [InlineData("\u0001", "\"\\u0001\"")]
    public void Literals_escape_what_csharp_needs_and_keep_the_math(string text, string literal)
    {
        Assert.Equal(literal, InspectionWriter.Literal(text));
        Assert.Equal(text, Microsoft.CodeAnalysis.CSharp.SyntaxFactory.ParseExpression(literal).GetFirstToken().ValueText);
    }

    [Fact]
    public void Every_character_is_escaped_exactly_when_csharp_needs_it_or_it_is_a_control_character()
    {
        // The escape test is written by ranges for speed; char.IsControl and the two separators are what it stands for.
        for (var code = 0; code <= char.MaxValue; code++)
        {
            var c = (char)code;
            if (char.IsSurrogate(c)) continue;
            var escaped = c is '"' or '\\' or '\u2028' or '\u2029' || char.IsControl(c);
            var literal = InspectionWriter.Literal(c.ToString());
            Assert.True(escaped == (literal != "\"" + c + "\""), $"U+{code:X4}: {literal}");
            Assert.Equal(c.ToString(), Microsoft.CodeAnalysis.CSharp.SyntaxFactory.ParseExpression(literal).GetFirstToken().ValueText);
        }
    }

    [Fact]
    public void Long_text_is_escaped_as_its_characters_are_one_by_one_wherever_they_stand()
    {
        // Long text is tested a block of characters at a time (a vector): every character, at every position of a block
        // and of the text's short end, among plain math and next to a second character that needs escaping.
        var plain = "d_h = x ⊙ σ(y) − 0.5 ⇒ 𝑥ᵀ · d_y ";
        for (var code = 0; code <= char.MaxValue; code++)
        {
            var c = (char)code;
            if (char.IsSurrogate(c)) continue;
            var at = code % 67;
            var text = (plain + plain + plain).Substring(0, at) + c + plain.Substring(0, code % 29) + (code % 3 == 0 ? "\"" : "");
            var expected = "\"" + string.Concat(text.Select(ch => InspectionWriter.Literal(ch.ToString())[1..^1])) + "\"";
            Assert.True(expected == InspectionWriter.Literal(text), $"U+{code:X4} at {at}");
        }
    }
}
