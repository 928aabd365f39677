namespace Differentiable.Fuzz.Cases;

/// <summary>
/// Makes case number <c>index</c> of a seed, deterministically and independently of every other case, so a
/// worker process or a rerun can rebuild any single case from its id ("family:seed:index" or "file:path").
/// </summary>
public static class CaseFactory
{
    public static string Id(Family family, int seed, int index) => $"{family.ToString().ToLowerInvariant()}:{seed}:{index}";

    public static FuzzCase Make(string id)
    {
        if (id.StartsWith("file:", StringComparison.Ordinal))
        {
            var path = id["file:".Length..];
            var text = File.ReadAllText(path);
            return new FuzzCase(id, Family.File, Path.GetFileName(path), new[] { text }, CheckHeader(text));
        }
        if (id.StartsWith("repro:", StringComparison.Ordinal))
        {
            var name = id["repro:".Length..];
            return new FuzzCase(id, Family.File, name, new[] { Reproducers.Generated[name]() });
        }
        var parts = id.Split(':');
        var family = Enum.Parse<Family>(parts[0], ignoreCase: true);
        var seed = int.Parse(parts[1]);
        var index = int.Parse(parts[2]);
        var random = new Random(Mix(seed, index));
        if (family == Family.All) family = (Family)(index % 3);
        return family switch
        {
            Family.Random => RandomPrograms.Make(id, random),
            Family.Mutation => Mutations.Make(id, random),
            Family.Edge => EdgeCases.Make(id, random),
            _ => throw new ArgumentException($"Unknown family in case id '{id}'."),
        };
    }

    /// <summary>
    /// A saved case that once failed its gradient check says how to check it again, in a line of its own:
    /// <c>// check: static F(x: 4x3, y: 3x4, s: 0.7)</c> (tensors by shape, numbers as C# doubles with a decimal point;
    /// <c>static</c> when F is). A case without such a line is only compiled; a line that starts like one but does not
    /// parse is an error, so a typo cannot turn a gradient check off.
    /// </summary>
    public static CheckSpec? CheckHeader(string text)
    {
        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^//\s*check\s*:"));
        if (line is null) return null;
        var match = System.Text.RegularExpressions.Regex.Match(line, @"^// check: (static )?(\w+)\((.*)\)$");
        if (!match.Success) throw new FormatException($"'{line}': a check line reads '// check: [static ]F(x: 4x3, s: 0.7)'");
        var arguments = match.Groups[3].Value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(a =>
        {
            var parts = a.Split(':');
            if (parts.Length != 2) throw new FormatException($"'{line}': '{a.Trim()}' is not 'name: shape' or 'name: number'");
            var (name, value) = (parts[0].Trim(), parts[1].Trim());
            if (value.Contains('.'))
                return new Argument(name, "double", null, double.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
            if (!value.Split('x').All(d => int.TryParse(d, out _)))
                throw new FormatException($"'{line}': '{value}' is neither a shape (4x3) nor a number with a decimal point (0.7)");
            return new Argument(name, "Tensor", value.Split('x').Select(int.Parse).ToArray());
        }).ToList();
        if (arguments.Any(a => a.Type == "double" && double.IsNaN(a.Number))) throw new FormatException($"'{line}': a number is NaN");
        return new CheckSpec(match.Groups[2].Value, match.Groups[1].Success, arguments);
    }

    /// <summary>The check line for <paramref name="check"/> (see <see cref="CheckHeader"/>), or null when it has a number that is not a double.</summary>
    public static string? CheckLine(CheckSpec check)
    {
        if (check.Arguments.Any(a => a.Shape is null && a.Type != "double")) return null;
        var arguments = check.Arguments.Select(a => a.Name + ": " + (a.Shape is { } shape
            ? string.Join("x", shape)
            : a.Number.ToString("0.0###############", System.Globalization.CultureInfo.InvariantCulture)));
        return $"// check: {(check.IsStatic ? "static " : "")}{check.Method}({string.Join(", ", arguments)})";
    }

    /// <summary>A per-case seed that does not correlate neighbouring indices (System.Random seeds are close otherwise).</summary>
    private static int Mix(int seed, int index)
    {
        var h = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)index * 0xC2B2AE3D27D4EB4FUL;
        h ^= h >> 29; h *= 0xBF58476D1CE4E5B9UL; h ^= h >> 32;
        return (int)(h & 0x7FFFFFFF);
    }
}
