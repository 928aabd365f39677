using System.Globalization;
using System.Xml.Linq;
using Differentiable.Inspection;

namespace Differentiable.Samples.Inspection;

/// <summary>
/// The picture of <see cref="GraphLayout"/> as SVG, built with System.Xml.Linq so it is always well-formed XML: rounded
/// boxes coloured by kind (as in the dot output), curved edges with arrowheads, and each node's source statement and
/// rules as its tooltip (<c>&lt;title&gt;</c>).
/// </summary>
internal static class GraphSvg
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    public static void Save(GradientInspection inspection, string path) => File.WriteAllText(path, Write(inspection));

    public static string Write(GradientInspection inspection)
    {
        var picture = GraphLayout.Of(inspection);
        var root = new XElement(Svg + "svg",
            new XAttribute("width", N(picture.Width)), new XAttribute("height", N(picture.Height)),
            new XAttribute("viewBox", $"0 0 {N(picture.Width)} {N(picture.Height)}"),
            new XAttribute("font-family", "DejaVu Sans Mono, Menlo, Consolas, monospace"), new XAttribute("font-size", N(GraphLayout.FontSize)),
            new XElement(Svg + "title", picture.Title),
            new XElement(Svg + "defs", new XElement(Svg + "marker", new XAttribute("id", "arrow"), new XAttribute("viewBox", "0 0 10 10"),
                new XAttribute("refX", "10"), new XAttribute("refY", "5"), new XAttribute("markerWidth", "7"), new XAttribute("markerHeight", "7"),
                new XAttribute("orient", "auto-start-reverse"), new XElement(Svg + "path", new XAttribute("d", "M 0 0 L 10 5 L 0 10 z"), new XAttribute("fill", "#555")))),
            new XElement(Svg + "rect", new XAttribute("width", "100%"), new XAttribute("height", "100%"), new XAttribute("fill", "white")));
        foreach (var panel in picture.Panels) root.Add(Panel(panel));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root).Declaration + "\n" + root + "\n";
    }

    private static XElement Panel(Panel panel)
    {
        var group = new XElement(Svg + "g", new XAttribute("class", "panel"),
            new XElement(Svg + "text", new XAttribute("x", N(panel.X)), new XAttribute("y", N(panel.Y + 16)), new XAttribute("font-size", "15"),
                new XAttribute("font-weight", "bold"), new XAttribute("font-family", "DejaVu Sans, Helvetica, Arial, sans-serif"), panel.Title));
        foreach (var (from, to) in panel.Edges)
        {
            var e = EdgePath.Of(from, to);
            var (a, b) = (e.CurveStart, e.CurveEnd);
            // Lines of no length are left out: the arrowhead takes its direction from the path's last segment.
            string Lines(IEnumerable<(double X, double Y)> points, (double X, double Y) from) =>
                string.Concat(points.Where(p => Math.Abs(p.X - from.X) + Math.Abs(p.Y - from.Y) > 0.05).Select(p => $" L {N(p.X)} {N(p.Y)}"));
            var d = $"M {N(e.Out[0].X)} {N(e.Out[0].Y)}" + Lines(e.Out.Skip(1), e.Out[0])
                + $" C {N(a.X)} {N(a.Y + e.Bend)}, {N(b.X)} {N(b.Y - e.Bend)}, {N(b.X)} {N(b.Y)}" + Lines(e.In.Skip(1), b);
            group.Add(new XElement(Svg + "path", new XAttribute("d", d),
                new XAttribute("fill", "none"), new XAttribute("stroke", "#555"), new XAttribute("stroke-width", "1.2"), new XAttribute("marker-end", "url(#arrow)")));
        }
        foreach (var node in panel.Nodes)
        {
            var box = new XElement(Svg + "g", new XAttribute("class", "node " + node.Node.Kind), new XAttribute("id", panel.Title.Split(':')[0] + ":" + node.Node.Name));
            var tooltip = string.Join("\n", new[] { node.Node.Statement, node.Node.Rule }.Where(t => t is not null));
            if (tooltip.Length > 0) box.Add(new XElement(Svg + "title", tooltip));
            box.Add(new XElement(Svg + "rect", new XAttribute("x", N(node.X)), new XAttribute("y", N(node.Y)), new XAttribute("width", N(node.Width)),
                new XAttribute("height", N(node.Height)), new XAttribute("rx", "6"), new XAttribute("fill", GraphDot.Fill(node.Node)), new XAttribute("stroke", "#666")));
            for (var k = 0; k < node.Lines.Count; k++)
                box.Add(new XElement(Svg + "text", new XAttribute("x", N(node.X + 10)), new XAttribute("y", N(node.Y + 6 + 12 + k * GraphLayout.LineHeight)),
                    new XAttribute(XNamespace.Xml + "space", "preserve"), k == 0 ? new XAttribute("font-weight", "bold") : null, node.Lines[k]));
            group.Add(box);
        }
        return group;
    }

    private static string N(double value) => Math.Round(value, 1).ToString(CultureInfo.InvariantCulture);
}
