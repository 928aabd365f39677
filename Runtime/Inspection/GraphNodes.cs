using System.Text.Json;

namespace Differentiable.Inspection;

/// <summary>
/// Reads the graphs a generated <c>{Method}Inspection()</c> records: one node per line, as a JSON array
/// <c>[name, kind, math, [inputs...], statement?, rule?]</c> (statement null when only a rule follows).
/// </summary>
/// <remarks>
/// The generator writes a graph as these lines in one raw string rather than as one constructor call per node: a
/// 1,000-statement method has about 6,000 nodes, and the compiler bound, emitted and the JIT compiled every one of those
/// calls (a third of a second of the user's build) for a member that runs only when someone inspects the method.
/// </remarks>
public static class GraphNodes
{
    /// <summary>The nodes of <paramref name="lines"/>, one per non-blank line, in order.</summary>
    /// <exception cref="FormatException">A line is not such an array; the message names the line.</exception>
    public static IReadOnlyList<GraphNode> FromJsonLines(string lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var nodes = new List<GraphNode>();
        var number = 0;
        foreach (var line in lines.Split('\n'))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var document = JsonDocument.Parse(line);
                nodes.Add(Node(document.RootElement));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                throw new FormatException($"Graph line {number} is not [name, kind, math, [inputs], statement?, rule?]: {line.Trim()} ({e.Message})", e);
            }
        }
        return nodes;
    }

    private static GraphNode Node(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() is < 4 or > 6) throw new FormatException("expected an array of 4 to 6 elements");
        var inputs = e[3].EnumerateArray().Select(i => i.GetString() ?? throw new FormatException("an input is null")).ToList();
        string? Optional(int i) => e.GetArrayLength() > i ? e[i].GetString() : null;
        return new GraphNode(Required(e[0]), Required(e[1]), Required(e[2]), inputs, Optional(4), Optional(5));
    }

    private static string Required(JsonElement e) => e.GetString() ?? throw new FormatException("a name, kind or math is null");
}
