using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Differentiable.Inspection;
using Differentiable.Samples.Cli;
using Differentiable.Samples.Inspection;
using Differentiable.Samples.Models;

namespace Differentiable.Tests.Inspection;

/// <summary>
/// <c>show --html</c>'s page, parsed by AngleSharp as a browser would: it has the method, the generated code and the graph;
/// every node of the graph has lines of code to highlight, and everything the script looks up by id is there.
/// </summary>
public sealed class GraphHtmlTests
{
    private static (IDocument Page, List<string> Errors) Parse(string html)
    {
        var errors = new List<string>();
        var parser = new HtmlParser(new HtmlParserOptions { IsStrictMode = false });
        parser.Error += (_, e) => errors.Add(((AngleSharp.Html.Dom.Events.HtmlErrorEvent)e).Message + " at " + ((AngleSharp.Html.Dom.Events.HtmlErrorEvent)e).Position);
        return (parser.ParseDocument(html), errors);
    }

    private static Dictionary<string, Dictionary<string, string[]>> Nodes(IDocument page)
    {
        var script = page.QuerySelectorAll("script").Single().TextContent;
        var json = Regex.Match(script, @"const NODES = (\{.*?\});\n").Groups[1].Value;
        return JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string[]>>>(json)!;
    }

    [Fact]
    public void The_page_parses_without_errors_and_fetches_nothing()
    {
        var (page, errors) = Parse(GraphHtml.Write(Inspect.Gradient(typeof(FlatNet), "Loss"), typeof(FlatNet)));
        Assert.Empty(errors);
        Assert.Equal("FlatNet.Loss and its gradient", page.Title);
        Assert.Empty(page.QuerySelectorAll("link, img, iframe, script[src], object, embed"));
        Assert.DoesNotContain(page.All, e => e.Attributes.Any(a => a.Value.Contains("://") && a.Name != "xmlns" && !a.Name.StartsWith("xmlns:")));
        Assert.DoesNotContain("@import", page.QuerySelector("style")!.TextContent);
        Assert.NotNull(page.QuerySelector("#graph svg"));
        Assert.Contains("public Tensor Loss(Tensor x, Labels y)", page.GetElementById("source")!.TextContent);
        Assert.Contains("return NllLoss(Forward(x), y);", page.GetElementById("source")!.TextContent);
        // The generated code, line for line, its math comments included.
        var code = page.GetElementById("generated")!.QuerySelectorAll(".line").Select(l => l.TextContent[l.QuerySelector(".no")!.TextContent.Length..]).ToList();
        Assert.Equal(Inspect.Gradient(typeof(FlatNet), "Loss").CSharp.TrimEnd('\n').Split('\n'), code);
        Assert.Contains(code, l => l.Contains("// loss = −(mean loss_gather)  ⇒  d_loss_mean = −d_loss"));
    }

    [Fact]
    public void Every_node_of_the_svg_has_code_lines_and_every_id_the_script_uses_exists()
    {
        var (page, _) = Parse(GraphHtml.Write(Inspect.Gradient(typeof(FlatNet), "Forward"), typeof(FlatNet)));
        var nodes = Nodes(page);
        var svgNodes = page.QuerySelectorAll("#graph svg .node").Select(n => n.Id!).ToList();
        Assert.Equal(15 + 16, svgNodes.Count);
        Assert.Equal(svgNodes.Order(), nodes.Keys.Order());
        foreach (var id in svgNodes)
        {
            Assert.NotEmpty(nodes[id]["code"]);
            foreach (var line in nodes[id].Values.SelectMany(v => v)) Assert.NotNull(page.GetElementById(line));
        }
        // The script's own look-ups by a literal id.
        foreach (Match m in Regex.Matches(page.QuerySelector("script")!.TextContent, @"getElementById\('([^']+)'\)"))
            Assert.NotNull(page.GetElementById(m.Groups[1].Value));

        // h1: its forward line, and the rules of relu and of the add inside it; d_W1: its rule and assignment, and the matmul it differentiates.
        string Line(string id) => page.GetElementById(id)!.TextContent;
        Assert.Equal("    var h1 = Relu(Add(h1_matmul, B1));", Line(nodes["forward:h1"]["code"].Single())[Line(nodes["forward:h1"]["code"].Single()).IndexOf("    var", StringComparison.Ordinal)..]);
        Assert.Contains(nodes["forward:h1"]["related"], l => Line(l).Contains("// h1 = relu(h1_matmul + B1)  ⇒  d_h1_add = d_h1 ⊙ [h1 > 0]"));
        Assert.Contains(nodes["forward:h1"]["related"], l => Line(l).Contains("// h1_add = h1_matmul + B1  ⇒  d_B1 = "));
        Assert.Contains(nodes["backward:d_W1"]["code"], l => Line(l).Contains("// h1_matmul = x · W1  ⇒  d_W1 = xᵀ · d_h1_matmul"));
        Assert.Contains(nodes["backward:d_W1"]["code"], l => Line(l).Contains("var d_W1 = "));
        Assert.Contains(nodes["backward:d_W1"]["related"], l => Line(l).Contains("var h1_matmul = MatMul(x, W1);"));
        Assert.Contains(nodes["backward:d_W1"]["source"], l => Line(l).Contains("var h1 = Relu(x.MatMul(W1) + B1);"));
        Assert.Equal("public Tensor Forward(Tensor x)", Line(nodes["forward:x"]["source"].Single()));   // an input: the signature
        Assert.Equal("var h1_matmul = MatMul(x, W1);", Line(nodes["forward:x"]["code"].Single()).Trim()[2..].Trim());   // its first reader
    }

    public static TheoryData<string> Models() => new(ShowCommand.Models.Where(p => p.Key == p.Value.Name.ToLowerInvariant()).Select(p => p.Key));

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_node_of_every_sample_method_has_its_own_code_lines(string name)
    {
        var model = ShowCommand.Models[name];
        foreach (var method in Inspect.Methods(model))
        {
            var inspection = Inspect.Gradient(model, method);
            var code = inspection.CSharp.TrimEnd('\n').Split('\n');
            var source = GraphHtml.SourceLines(inspection, model);
            var map = GraphHtml.NodeMap(inspection, code, source);
            Assert.Equal(inspection.Forward.Count + inspection.Backward.Count, map.Count);
            foreach (var (node, lines) in map)
            {
                Assert.True(lines.Code.Count > 0, $"{model.Name}.{method}: {node} has no line of code");
                Assert.All(lines.Code.Concat(lines.Related), l => Assert.InRange(l, 1, code.Length));
                Assert.All(lines.Source, l => Assert.InRange(l, 1, source.Count));
            }
            var (_, errors) = Parse(GraphHtml.Write(inspection, model));
            Assert.Empty(errors);
        }
    }
}
