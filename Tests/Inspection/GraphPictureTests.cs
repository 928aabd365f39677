using System.Xml.Linq;
using Differentiable.Inspection;
using Differentiable.Samples.Inspection;
using Differentiable.Samples.Models;
using SkiaSharp;

namespace Differentiable.Tests.Inspection;

/// <summary>The graph pictures: dot text with every node and edge, SVG that is XML with every label, boxes that never overlap, a PNG that decodes.</summary>
public sealed class GraphPictureTests
{
    private static GradientInspection Of<T>(string method) => Inspect.Gradient(typeof(T), method);

    [Fact]
    public void Dot_has_every_node_and_edge_of_both_graphs_in_two_clusters()
    {
        var inspection = Of<FlatNet>("Forward");
        var dot = GraphDot.Write(inspection);
        Assert.StartsWith("digraph \"FlatNet.Forward\" {", dot);
        Assert.EndsWith("}\n", dot);
        Assert.Equal(dot.Count(c => c == '{'), dot.Count(c => c == '}'));
        Assert.Contains("subgraph \"cluster_forward\"", dot);
        Assert.Contains("subgraph \"cluster_backward\"", dot);
        foreach (var (graph, nodes) in new[] { ("forward", inspection.Forward), ("backward", inspection.Backward) })
            foreach (var node in nodes)
            {
                Assert.Contains($"\"{graph}:{node.Name}\" [label={GraphDot.Quote(GraphDot.Label(node))}", dot);
                foreach (var input in node.Inputs) Assert.Contains($"\"{graph}:{input}\" -> \"{graph}:{node.Name}\";", dot);
            }
        Assert.Contains("[label=\"h1\\n= relu(h1_matmul + B1)\"", dot);
    }

    [Fact]
    public void Dot_strings_escape_quotes_backslashes_and_line_breaks() =>
        Assert.Equal("\"a\\\"b\\\\c\\nd\"", GraphDot.Quote("a\"b\\c\nd"));

    [Fact]
    public void Svg_is_well_formed_xml_with_a_labelled_box_per_node()
    {
        var inspection = Of<CNN>("Loss");
        var svg = XDocument.Parse(GraphSvg.Write(inspection));
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", svg.Root!.Name);
        var boxes = svg.Descendants(ns + "g").Where(g => ((string?)g.Attribute("class"))?.StartsWith("node ") == true).ToList();
        Assert.Equal(inspection.Forward.Count + inspection.Backward.Count, boxes.Count);
        var labels = boxes.Select(b => b.Elements(ns + "text").First().Value).ToHashSet();
        Assert.All(inspection.Forward.Concat(inspection.Backward), n => Assert.Contains(n.Name, labels));
        Assert.All(boxes, b => Assert.NotNull(b.Element(ns + "rect")));
    }

    [Theory]
    [InlineData(typeof(FlatNet), "Loss")]
    [InlineData(typeof(FlatNet), "Forward")]
    [InlineData(typeof(CNN), "Forward")]
    [InlineData(typeof(AlexNet), "Loss")]
    [InlineData(typeof(GoogLeNet), "Loss")]
    [InlineData(typeof(InceptionNet), "Loss")]
    public void Boxes_never_overlap_and_the_forward_graph_is_left_of_or_above_the_backward(Type model, string method)
    {
        var picture = GraphLayout.Of(Inspect.Gradient(model, method));
        var (forward, backward) = (picture.Panels[0], picture.Panels[1]);
        Assert.True(forward.X + forward.Width < backward.X || forward.Y + forward.Height < backward.Y);
        foreach (var panel in picture.Panels)
        {
            Assert.All(panel.Nodes, n => Assert.True(n.X >= panel.X - 0.01 && n.X + n.Width <= panel.X + panel.Width + 0.01 && n.Bottom <= picture.Height));
            for (var i = 0; i < panel.Nodes.Count; i++)
                for (var j = i + 1; j < panel.Nodes.Count; j++)
                {
                    PlacedNode a = panel.Nodes[i], b = panel.Nodes[j];
                    Assert.False(a.X < b.X + b.Width && b.X < a.X + a.Width && a.Y < b.Bottom && b.Y < a.Bottom, $"{a.Node.Name} overlaps {b.Node.Name}");
                }
            Assert.All(panel.Edges, e => Assert.True(e.From.Bottom <= e.To.Y, $"{e.From.Node.Name} → {e.To.Node.Name} points up"));
        }
    }

    /// <summary>A seed and <paramref name="count"/> gradients read from it, each with math of about 30 characters.</summary>
    private static GradientInspection Fan(int count) => new("Fan", "Loss", "", null,
        new[] { new GraphNode("x", "input", "x", Array.Empty<string>()) },
        new[] { new GraphNode("d_y", "seed", "seed", Array.Empty<string>()) }
            .Concat(Enumerable.Range(0, count).Select(k => new GraphNode($"d_W{k}", "gradient", $"pullback of F(x) at d_y, its W{k}", new[] { "d_y" }))).ToList());

    [Fact]
    public void A_layer_too_wide_for_a_row_stands_in_two_staggered_rows()
    {
        var picture = GraphLayout.Of(Fan(6));
        var gradients = picture.Panels[1].Nodes.Where(n => n.Node.Kind == "gradient").ToList();
        Assert.Equal(2, gradients.Select(n => n.Y).Distinct().Count());
        Assert.All(gradients, n => Assert.Null(n.Channel));
        // Zigzag: each box half a slot right of the one before, on the other row.
        for (var k = 1; k < gradients.Count; k++) Assert.True(gradients[k].CenterX > gradients[k - 1].CenterX && gradients[k].Y != gradients[k - 1].Y);
        EdgesRunStraightPastNoBox(picture);
    }

    [Theory]
    [InlineData(typeof(AlexNet), 16)]
    [InlineData(typeof(GoogLeNet), 116)]
    public void A_layer_far_too_wide_is_a_grid_and_the_picture_stays_narrow(Type model, int gradients)
    {
        // AlexNet.Loss: 16 gradients from one pullback, 19 inputs and parameters; in one row each the PNG was 10,147 px wide.
        var picture = GraphLayout.Of(Inspect.Gradient(model, "Loss"));
        Assert.InRange(picture.Width, 800, GraphLayout.MaxSideBySideWidth + 40);
        var grid = picture.Panels[1].Nodes.Where(n => n.Node.Kind == "gradient").ToList();
        Assert.Equal(gradients, grid.Count);
        Assert.All(grid, n => Assert.NotNull(n.Channel));
        Assert.True(grid.Select(n => n.Y).Distinct().Count() >= 3);
        EdgesRunStraightPastNoBox(picture);
    }

    /// <summary>Where an edge runs straight (out of its layer, into its layer), it crosses no box but its own two.</summary>
    private static void EdgesRunStraightPastNoBox(GraphPicture picture)
    {
        foreach (var panel in picture.Panels)
            foreach (var (from, to) in panel.Edges)
                foreach (var (a, b) in EdgePath.Of(from, to).Lines)
                    foreach (var box in panel.Nodes.Where(n => n != from && n != to))
                    {
                        double left = Math.Min(a.X, b.X), right = Math.Max(a.X, b.X), top = Math.Min(a.Y, b.Y), bottom = Math.Max(a.Y, b.Y);
                        Assert.False(box.X + 0.5 < right && left < box.X + box.Width - 0.5 && box.Y + 0.5 < bottom && top < box.Bottom - 0.5,
                            $"{from.Node.Name} → {to.Node.Name} crosses {box.Node.Name}");
                    }
    }

    [Fact]
    public void Small_graphs_stay_side_by_side_in_single_rows()
    {
        var picture = GraphLayout.Of(Of<FlatNet>("Forward"));
        Assert.True(picture.Panels[0].X + picture.Panels[0].Width < picture.Panels[1].X);
        // One row a layer: each box centred in its layer's band.
        Assert.All(picture.Panels.SelectMany(p => p.Nodes), n => Assert.Equal(n.LayerTop + (n.LayerBottom - n.LayerTop - n.Height) / 2, n.Y, 1e-9));
    }

    [Fact]
    public void Long_math_wraps_and_ends_with_an_ellipsis_after_four_lines()
    {
        var node = new GraphNode("d_x", "adjoint", string.Join(" + ", Enumerable.Repeat("d_some_long_name ⊙ exp(other_long_name)", 8)), Array.Empty<string>());
        var lines = GraphLayout.Lines(node);
        Assert.Equal("d_x", lines[0]);
        Assert.Equal(5, lines.Count);
        Assert.EndsWith("…", lines[^1]);
        Assert.All(lines, l => Assert.True(l.Length <= 40, l));
    }

    [Fact]
    public void Png_is_an_image_of_the_layouts_size()
    {
        var inspection = Of<FlatNet>("Loss");
        var path = Path.Combine(Path.GetTempPath(), $"differentiable-graph-{Guid.NewGuid():N}.png");
        try
        {
            GraphPng.Save(inspection, path);
            using var bitmap = SKBitmap.Decode(path);
            var picture = GraphLayout.Of(inspection);
            Assert.Equal((int)Math.Ceiling(picture.Width * 2), bitmap.Width);
            Assert.Equal((int)Math.Ceiling(picture.Height * 2), bitmap.Height);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
