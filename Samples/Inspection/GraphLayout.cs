using Differentiable.Inspection;

namespace Differentiable.Samples.Inspection;

/// <summary>A node's box: where it is drawn and the lines written in it (its name first).</summary>
internal sealed record PlacedNode(GraphNode Node, IReadOnlyList<string> Lines, double X, double Y, double Width, double Height)
{
    public double CenterX => X + Width / 2;
    public double Bottom => Y + Height;
}

/// <summary>One graph of the picture, its title above it; edges go from an input to the node that reads it.</summary>
internal sealed record Panel(string Title, double X, double Y, double Width, double Height, IReadOnlyList<PlacedNode> Nodes, IReadOnlyList<(PlacedNode From, PlacedNode To)> Edges);

/// <summary>The whole picture: the forward graph on the left, the backward graph on the right.</summary>
internal sealed record GraphPicture(string Title, IReadOnlyList<Panel> Panels, double Width, double Height);

/// <summary>
/// A layered (Sugiyama-style) layout of the forward and backward graphs, side by side, measured in a monospaced font so the
/// SVG and the PNG share it. Written here because no graph-layout library is served to this project (MSAGL is not, and
/// QuikGraph has algorithms but no drawing); the graphs are small DAGs whose nodes already come inputs first, so a layer per
/// longest path, each node pulled down next to its first reader, and a few barycenter sweeps to untangle edges are enough.
/// </summary>
internal static class GraphLayout
{
    public const double FontSize = 12, CharWidth = 0.602 * FontSize, LineHeight = 16;
    private const double PadX = 10, PadY = 6, LayerGap = 34, NodeGap = 18, Margin = 20, TitleHeight = 30, PanelGap = 48;

    /// <summary>The most characters on a line of a box; longer math wraps, up to <see cref="MaxLines"/> lines with an ellipsis.</summary>
    private const int MaxChars = 36, NarrowChars = 22, MaxLines = 4;

    /// <summary>The widest a layer of boxes gets before their math is wrapped at <see cref="NarrowChars"/>.</summary>
    private const double MaxRowWidth = 900;

    public static GraphPicture Of(GradientInspection inspection)
    {
        var top = Margin + TitleHeight;
        var forward = Place($"forward: {inspection.Model}.{inspection.Method}", inspection.Forward, Margin, top);
        var backward = Place("backward: d_v = ∂L/∂v", inspection.Backward, forward.X + forward.Width + PanelGap, top);
        return new GraphPicture($"{inspection.Model}.{inspection.Method} and its gradient", new[] { forward, backward },
            backward.X + backward.Width + Margin, Math.Max(forward.Y + forward.Height, backward.Y + backward.Height) + Margin);
    }

    /// <summary>The lines of a node's box: its name, then "= math" wrapped at spaces (a leaf: its kind).</summary>
    public static IReadOnlyList<string> Lines(GraphNode node, int maxChars = MaxChars)
    {
        var lines = new List<string> { node.Name };
        var text = node.Math == node.Name ? node.Kind : "= " + node.Math;
        var line = "";
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > maxChars)
            {
                lines.Add(line);
                line = "  " + word;
            }
            else line = line.Length == 0 ? word : line + " " + word;
        }
        lines.Add(line);
        if (lines.Count > MaxLines + 1) lines = lines.Take(MaxLines).Append(lines[MaxLines].TrimEnd() + " …").ToList();
        return lines.Select(l => l.Length > maxChars + 2 ? l[..(maxChars + 1)] + "…" : l).ToList();
    }

    private static Panel Place(string title, IReadOnlyList<GraphNode> nodes, double left, double top)
    {
        var index = new Dictionary<string, int>();
        for (var i = 0; i < nodes.Count; i++) index.TryAdd(nodes[i].Name, i);
        var inputs = nodes.Select((n, i) => n.Inputs.Where(index.ContainsKey).Select(name => index[name]).Where(j => j < i).Distinct().ToList()).ToList();
        var readers = nodes.Select(_ => new List<int>()).ToList();
        for (var i = 0; i < nodes.Count; i++) foreach (var j in inputs[i]) readers[j].Add(i);

        // A layer per longest path from a source; then, readers first, each node just above its first reader, so W3 (or
        // reshape(B)) sits beside the h2 that reads it, not at the top.
        var layer = new int[nodes.Count];
        for (var i = 0; i < nodes.Count; i++) layer[i] = inputs[i].Count == 0 ? 0 : inputs[i].Max(j => layer[j]) + 1;
        for (var i = nodes.Count - 1; i >= 0; i--)
            if (readers[i].Count > 0) layer[i] = Math.Max(layer[i], readers[i].Min(r => layer[r]) - 1);

        var layers = Enumerable.Range(0, nodes.Count == 0 ? 0 : layer.Max() + 1).Select(l => Enumerable.Range(0, nodes.Count).Where(i => layer[i] == l).ToList())
            .Where(l => l.Count > 0).ToList();
        Untangle(layers, inputs, readers);

        // A layer wider than a row (six gradients of the same pullback, say) wraps its boxes' math narrower instead: a box
        // on a second row would sit under edges that pass behind the first and read as if they came from it.
        var lines = nodes.Select(n => Lines(n)).ToList();
        double Width(int i) => lines[i].Max(s => s.Length) * CharWidth + 2 * PadX;
        foreach (var l in layers.Where(l => l.Sum(Width) + NodeGap * (l.Count - 1) > MaxRowWidth))
            foreach (var i in l) lines[i] = Lines(nodes[i], NarrowChars);
        var width = Enumerable.Range(0, nodes.Count).Select(Width).ToList();
        var height = lines.Select(l => l.Count * LineHeight + 2 * PadY).ToList();
        var layerWidth = layers.Select(r => r.Sum(i => width[i]) + NodeGap * (r.Count - 1)).ToList();
        var panelWidth = Math.Max(layerWidth.DefaultIfEmpty(0).Max(), title.Length * CharWidth * 1.2);

        var placed = new PlacedNode?[nodes.Count];
        var y = top;
        for (var l = 0; l < layers.Count; l++)
        {
            var x = left + (panelWidth - layerWidth[l]) / 2;
            var tallest = layers[l].Max(i => height[i]);
            foreach (var i in layers[l])
            {
                placed[i] = new PlacedNode(nodes[i], lines[i], x, y + (tallest - height[i]) / 2, width[i], height[i]);
                x += width[i] + NodeGap;
            }
            y += tallest + LayerGap;
        }
        var edges = Enumerable.Range(0, nodes.Count).SelectMany(i => inputs[i].Select(j => (placed[j]!, placed[i]!))).ToList();
        return new Panel(title, left, top - TitleHeight, panelWidth, 0, placed.Select(p => p!).ToList(), edges)
            with { Height = Math.Max(TitleHeight, y - LayerGap - (top - TitleHeight)) };
    }

    /// <summary>Barycenter sweeps, down then up: each node moves toward the mean position of its neighbours in the layers before.</summary>
    private static void Untangle(List<List<int>> layers, List<List<int>> inputs, List<List<int>> readers)
    {
        var position = new Dictionary<int, double>();
        void Number(List<int> layer) { for (var k = 0; k < layer.Count; k++) position[layer[k]] = (k + 0.5) / layer.Count; }
        foreach (var layer in layers) Number(layer);
        for (var sweep = 0; sweep < 4; sweep++)
        {
            var down = sweep % 2 == 0;
            var order = down ? Enumerable.Range(1, Math.Max(0, layers.Count - 1)) : Enumerable.Range(0, Math.Max(0, layers.Count - 1)).Reverse();
            foreach (var l in order)
            {
                double Center(int i)
                {
                    var neighbours = down ? inputs[i] : readers[i];
                    return neighbours.Count == 0 ? position[i] : neighbours.Average(j => position[j]);
                }
                layers[l] = layers[l].OrderBy(Center).ThenBy(i => position[i]).ToList();
                Number(layers[l]);
            }
        }
    }
}
