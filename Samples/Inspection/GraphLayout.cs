using Differentiable.Inspection;

namespace Differentiable.Samples.Inspection;

/// <summary>
/// A node's box: where it is drawn and the lines written in it (its name first); <paramref name="LayerTop"/> and
/// <paramref name="LayerBottom"/> bound its layer, whose boxes may stand in two staggered rows or in a grid; in a grid,
/// <paramref name="Channel"/> is the x of the free lane left of the box's column, where its edges run.
/// </summary>
internal sealed record PlacedNode(GraphNode Node, IReadOnlyList<string> Lines, double X, double Y, double Width, double Height,
    double LayerTop = 0, double LayerBottom = 0, double? Channel = null)
{
    public double CenterX => X + Width / 2;
    public double CenterY => Y + Height / 2;
    public double Bottom => Y + Height;
}

/// <summary>
/// An edge's course: straight lines out of its source's layer (<see cref="Out"/>, from the source's box to the bottom of
/// its layer), a curve down to the top of the target's layer, straight lines into the target (<see cref="In"/>, ending
/// at its box). Out of and into a single row that is one short line or none; the straight lines pass a staggered layer's
/// other row through its gaps, and a grid along the lane left of the box's column, entering or leaving the box by its side.
/// </summary>
internal sealed record EdgePath(IReadOnlyList<(double X, double Y)> Out, IReadOnlyList<(double X, double Y)> In)
{
    public static EdgePath Of(PlacedNode from, PlacedNode to)
    {
        var leave = Math.Max(from.Bottom, from.LayerBottom);
        var @out = from.Channel is { } c1
            ? new[] { (from.X, from.CenterY), (c1, from.CenterY), (c1, leave) }
            : new[] { (from.CenterX, from.Bottom), (from.CenterX, leave) };
        var enter = to.LayerBottom > 0 ? Math.Min(to.Y, to.LayerTop) : to.Y;
        var @in = to.Channel is { } c2
            ? new[] { (c2, enter), (c2, to.CenterY), (to.X, to.CenterY) }
            : new[] { (to.CenterX, enter), (to.CenterX, to.Y) };
        return new EdgePath(@out, @in);
    }

    /// <summary>Where the curve starts (the end of <see cref="Out"/>) and ends (the start of <see cref="In"/>).</summary>
    public (double X, double Y) CurveStart => Out[^1];
    public (double X, double Y) CurveEnd => In[0];

    /// <summary>How far the curve's control points reach down and up.</summary>
    public double Bend => Math.Max(12, (CurveEnd.Y - CurveStart.Y) / 2);

    /// <summary>The direction of the last line, where the arrowhead points (down, or right into a grid's box).</summary>
    public (double X, double Y) Direction
    {
        get
        {
            var (a, b) = (In[^2], In[^1]);
            var length = Math.Max(1e-9, Math.Sqrt((b.X - a.X) * (b.X - a.X) + (b.Y - a.Y) * (b.Y - a.Y)));
            return length < 1e-6 ? (0, 1) : ((b.X - a.X) / length, (b.Y - a.Y) / length);
        }
    }

    /// <summary>The straight segments (not the curve), for checks that they cross no box.</summary>
    public IEnumerable<((double X, double Y) A, (double X, double Y) B)> Lines =>
        Out.Zip(Out.Skip(1)).Concat(In.Zip(In.Skip(1)));
}

/// <summary>One graph of the picture, its title above it; edges go from an input to the node that reads it.</summary>
internal sealed record Panel(string Title, double X, double Y, double Width, double Height, IReadOnlyList<PlacedNode> Nodes, IReadOnlyList<(PlacedNode From, PlacedNode To)> Edges);

/// <summary>The whole picture: the forward graph on the left and the backward graph on the right, or above it when side by side would be too wide.</summary>
internal sealed record GraphPicture(string Title, IReadOnlyList<Panel> Panels, double Width, double Height);

/// <summary>
/// A layered (Sugiyama-style) layout of the forward and backward graphs, side by side, measured in a monospaced font so the
/// SVG and the PNG share it. Written here because no graph-layout library is served to this project (MSAGL is not, and
/// QuikGraph has algorithms but no drawing); the graphs are small DAGs whose nodes already come inputs first, so a layer per
/// longest path, each node pulled down next to its first reader, and a few barycenter sweeps to untangle edges are enough.
/// Wide layers fold (two staggered rows, or a grid with a lane per column for the edges), and graphs too wide to stand
/// side by side stack, so a model with a hundred parameters still makes a picture a screen wide.
/// </summary>
internal static class GraphLayout
{
    public const double FontSize = 12, CharWidth = 0.602 * FontSize, LineHeight = 16;
    private const double PadX = 10, PadY = 6, LayerGap = 34, NodeGap = 18, Margin = 20, TitleHeight = 30, PanelGap = 48;

    /// <summary>The most characters on a line of a box; longer math wraps, up to <see cref="MaxLines"/> lines with an ellipsis.</summary>
    private const int MaxChars = 36, NarrowChars = 22, MaxLines = 4;

    /// <summary>
    /// The widest a layer of boxes gets before their math is wrapped at <see cref="NarrowChars"/>; a layer still wider
    /// stands in two staggered rows (sixteen gradients of one pullback, AlexNet's parameters).
    /// </summary>
    private const double MaxRowWidth = 900;

    /// <summary>The widest the two graphs stand side by side; wider, the forward graph stands above the backward.</summary>
    public const double MaxSideBySideWidth = 1800;

    /// <summary>The gap between the boxes of a layer in two rows: an edge to a box of one row passes the other row in it.</summary>
    private const double StaggerGap = 28;

    /// <summary>The lane left of each column of a layer laid out as a grid, where its boxes' edges run.</summary>
    private const double Lane = 16;

    public static GraphPicture Of(GradientInspection inspection)
    {
        var top = Margin + TitleHeight;
        string forwardTitle = $"forward: {inspection.Model}.{inspection.Method}", backwardTitle = "backward: d_v = ∂L/∂v";
        var forward = Place(forwardTitle, inspection.Forward, Margin, top);
        var backward = Place(backwardTitle, inspection.Backward, forward.X + forward.Width + PanelGap, top);
        if (backward.X + backward.Width - Margin > MaxSideBySideWidth)
            backward = Place(backwardTitle, inspection.Backward, Margin, forward.Y + forward.Height + PanelGap + TitleHeight);
        return new GraphPicture($"{inspection.Model}.{inspection.Method} and its gradient", new[] { forward, backward },
            Math.Max(forward.X + forward.Width, backward.X + backward.Width) + Margin, Math.Max(forward.Y + forward.Height, backward.Y + backward.Height) + Margin);
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

        // A layer wider than a row (six gradients of the same pullback, say) wraps its boxes' math narrower first.
        var lines = nodes.Select(n => Lines(n)).ToList();
        double Width(int i) => lines[i].Max(s => s.Length) * CharWidth + 2 * PadX;
        foreach (var l in layers.Where(l => l.Sum(Width) + NodeGap * (l.Count - 1) > MaxRowWidth))
            foreach (var i in l) lines[i] = Lines(nodes[i], NarrowChars);
        var width = Enumerable.Range(0, nodes.Count).Select(Width).ToList();
        var height = lines.Select(l => l.Count * LineHeight + 2 * PadY).ToList();
        // A layer still too wide stands in two rows, zigzag in its order: box k's centre is half a slot right of box k − 1's,
        // on the other row, so each box stands above or below a gap of the other row, through which its edges run.
        // Wider still (GoogLeNet's 120 parameters and their gradients), it is a grid of columns, each with a lane on its
        // left for the edges of its boxes, which enter and leave by their left side.
        var slot = layers.Select(r => r.Max(i => width[i]) + StaggerGap).ToList();
        var singleWidth = layers.Select(r => r.Sum(i => width[i]) + NodeGap * (r.Count - 1)).ToList();
        var mode = layers.Select((r, l) => r.Count <= 2 || singleWidth[l] <= MaxRowWidth ? 1
            : slot[l] * (r.Count + 1) / 2 - StaggerGap <= MaxSideBySideWidth / 2 ? 2 : 0).ToList();   // rows: 1, 2, or 0 for a grid
        var columns = layers.Select((r, l) => Math.Max(2, (int)(MaxSideBySideWidth / 2 / (slot[l] + Lane)))).ToList();
        var layerWidth = layers.Select((r, l) => mode[l] switch
        {
            1 => singleWidth[l],
            2 => slot[l] * (r.Count + 1) / 2 - StaggerGap,
            _ => Math.Min(columns[l], r.Count) * (Lane + slot[l]) - StaggerGap,
        }).ToList();
        var panelWidth = Math.Max(layerWidth.DefaultIfEmpty(0).Max(), title.Length * CharWidth * 1.2);

        var placed = new PlacedNode?[nodes.Count];
        var y = top;
        for (var l = 0; l < layers.Count; l++)
        {
            var x = left + (panelWidth - layerWidth[l]) / 2;
            var rowOf = layers[l].Select((_, k) => mode[l] switch { 1 => 0, 2 => k % 2, _ => k / columns[l] }).ToList();
            var tallest = Enumerable.Range(0, rowOf.Max() + 1).Select(r => layers[l].Where((_, k) => rowOf[k] == r).Max(i => height[i])).ToList();
            var rowTops = tallest.Select((_, r) => y + tallest.Take(r).Sum() + NodeGap * r).ToList();
            var bottom = rowTops[^1] + tallest[^1];
            for (var k = 0; k < layers[l].Count; k++)
            {
                var i = layers[l][k];
                var row = rowOf[k];
                var (boxX, channel) = mode[l] switch
                {
                    1 => (x, (double?)null),
                    2 => (x + (slot[l] - StaggerGap) / 2 + k * slot[l] / 2 - width[i] / 2, null),
                    _ => (x + (k % columns[l]) * (Lane + slot[l]) + Lane, x + (k % columns[l]) * (Lane + slot[l]) + Lane / 2),
                };
                placed[i] = new PlacedNode(nodes[i], lines[i], boxX, rowTops[row] + (tallest[row] - height[i]) / 2, width[i], height[i], y, bottom, channel);
                if (mode[l] == 1) x += width[i] + NodeGap;
            }
            y = bottom + LayerGap;
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
