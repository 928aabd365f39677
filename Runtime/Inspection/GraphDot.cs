using System.Text;

namespace Differentiable.Inspection;

/// <summary>
/// A method's forward and backward graphs as Graphviz <c>dot</c> text: two clusters side by side, each node labelled with
/// its variable and its math, the user's statement (and for an adjoint, its rules) as the node's tooltip.
/// Render with <c>dot -Tsvg graph.dot -o graph.svg</c> (Debian: <c>apt-get install graphviz</c>).
/// </summary>
public static class GraphDot
{
    public static string Write(GradientInspection inspection)
    {
        ArgumentNullException.ThrowIfNull(inspection);
        var dot = new StringBuilder();
        dot.Append("digraph ").Append(Quote(inspection.Model + "." + inspection.Method)).Append(" {\n");
        dot.Append("  rankdir=TB;\n  newrank=true;\n");
        dot.Append("  node [shape=box, style=\"rounded,filled\", fontname=\"DejaVu Sans Mono\", fontsize=11];\n");
        dot.Append("  edge [color=\"#555555\", arrowsize=0.7];\n");
        Cluster(dot, "forward", $"forward: {inspection.Model}.{inspection.Method}", inspection.Forward);
        Cluster(dot, "backward", "backward: d_v = ∂L/∂v", inspection.Backward);
        return dot.Append("}\n").ToString();
    }

    /// <summary>The fill of a node by its kind, the same in every picture of a graph.</summary>
    public static string Fill(GraphNode node) => node.Kind switch
    {
        "input" => "#e8e8e8",
        "parameter" or "constant" => "#fff2b3",
        "seed" => "#e8e8e8",
        "gradient" => "#c9f0c1",
        "adjoint" => "#fde0cf",
        _ => "#d6e6ff",
    };

    /// <summary>A node's label: its name, then what it computes (its kind for a leaf, whose math is its name).</summary>
    public static string Label(GraphNode node) => node.Name + "\n" + (node.Math == node.Name ? node.Kind : "= " + node.Math);

    private static void Cluster(StringBuilder dot, string id, string title, IReadOnlyList<GraphNode> nodes)
    {
        dot.Append("  subgraph ").Append(Quote("cluster_" + id)).Append(" {\n");
        dot.Append("    label=").Append(Quote(title)).Append(";\n    fontname=\"DejaVu Sans\";\n    color=\"#bbbbbb\";\n");
        var names = new HashSet<string>(nodes.Select(n => n.Name));
        foreach (var node in nodes)
        {
            dot.Append("    ").Append(Quote(id + ":" + node.Name)).Append(" [label=").Append(Quote(Label(node)))
                .Append(", fillcolor=").Append(Quote(Fill(node)));
            var tooltip = string.Join("\n", new[] { node.Statement, node.Rule }.Where(t => t is not null));
            if (tooltip.Length > 0) dot.Append(", tooltip=").Append(Quote(tooltip));
            dot.Append("];\n");
        }
        foreach (var node in nodes)
            foreach (var input in node.Inputs.Where(names.Contains))
                dot.Append("    ").Append(Quote(id + ":" + input)).Append(" -> ").Append(Quote(id + ":" + node.Name)).Append(";\n");
        dot.Append("  }\n");
    }

    /// <summary>A dot string: quotes and backslashes escaped, line breaks as dot's centred <c>\n</c>.</summary>
    public static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\r", "").Replace("\n", "\\n") + "\"";
}
