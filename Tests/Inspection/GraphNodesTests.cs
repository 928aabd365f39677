using Differentiable.Inspection;
using Differentiable.Tests.Support;

namespace Differentiable.Tests.Inspection;

/// <summary>
/// The graph lines a generated <c>{M}Inspection()</c> stores (<see cref="GraphNodes.FromJsonLines"/>): read back field for
/// field, whatever characters the user's statements hold, and a broken line named.
/// </summary>
public sealed class GraphNodesTests
{
    [Fact]
    public void Each_line_is_a_node_with_optional_statement_and_rule()
    {
        var nodes = GraphNodes.FromJsonLines("""
            ["x", "input", "x", []]

            ["h", "relu", "relu(x)", ["x"], "var h = Relu(x);"]
            ["d_x", "gradient", "d_h ⊙ [h > 0]", ["d_h"], null, "h = relu(x)  ⇒  d_x = d_h ⊙ [h > 0]\nsecond"]
            """);
        Assert.Equal(3, nodes.Count);
        Assert.Equal(new GraphNode("x", "input", "x", Array.Empty<string>()), nodes[0] with { Inputs = Array.Empty<string>() });
        Assert.Empty(nodes[0].Inputs);
        Assert.Equal(("h", "relu", "relu(x)", "var h = Relu(x);", (string?)null), (nodes[1].Name, nodes[1].Kind, nodes[1].Math, nodes[1].Statement, nodes[1].Rule));
        Assert.Equal(new[] { "x" }, nodes[1].Inputs);
        Assert.Null(nodes[2].Statement);
        Assert.Equal("h = relu(x)  ⇒  d_x = d_h ⊙ [h > 0]\nsecond", nodes[2].Rule);
    }

    [Theory]
    [InlineData("[\"x\", \"input\"]")]
    [InlineData("{\"name\": \"x\"}")]
    [InlineData("[\"x\", \"input\", \"x\", [], \"s\", \"r\", \"extra\"]")]
    [InlineData("[\"x\", null, \"x\", []]")]
    [InlineData("[\"x\", \"input\", \"x\", [")]
    public void A_line_that_is_not_a_node_is_named_in_the_error(string line)
    {
        var e = Assert.Throws<FormatException>(() => GraphNodes.FromJsonLines("[\"a\", \"input\", \"a\", []]\n" + line));
        Assert.Contains("Graph line 2", e.Message);
    }

    [Fact]
    public void A_statement_with_quotes_and_backslashes_reads_back_as_written()
    {
        // The statement's text (a comment inside it) holds what a raw string or a JSON string must escape: three quotes
        // and a backslash.
        const string statement = "var h = Relu(W * x /* say \"\"\" \\ here */);";
        var run = GeneratorHarness.Run($$"""
            using Differentiable;
            using static Differentiable.Ops;
            public partial class M
            {
                [Parameter] public Tensor W = Tensor.Ones(2, 2);
                [Differentiable]
                public Tensor F(Tensor x)
                {
                    {{statement}}
                    return Sum(h * W);
                }
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        var inspection = Inspect.Gradient(run.Load().GetType("M")!, "F");
        Assert.Contains(inspection.Forward, n => n.Statement == statement);
        Assert.Contains(inspection.Backward, n => n.Statement == statement && n.Rule is not null);
    }

    [Fact]
    public void Line_and_paragraph_separators_are_escaped_since_CSharp_ends_a_line_at_them()
    {
        // A statement's recorded text has its whitespace collapsed, so no user code reaches this today; the escape keeps
        // any text a literal may ever hold on one line of C# (and a valid JSON string).
        Assert.Equal("\"a\\u2028b\\u2029c\\n\"", Differentiable.Generator.Emit.InspectionWriter.Literal("a\u2028b\u2029c\n"));
    }
}
