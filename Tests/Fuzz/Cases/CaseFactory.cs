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
    /// <c>// check: static F(x: 4x3, y: 3x4, s: 0.7)</c> (tensors by shape, numbers by value with a decimal point; <c>static</c> when F is). A
    /// case without such a line is only compiled.
    /// </summary>
    private static CheckSpec? CheckHeader(string text)
    {
        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("// check: ", StringComparison.Ordinal));
        if (line is null) return null;
        var spec = line["// check: ".Length..];
        var isStatic = spec.StartsWith("static ", StringComparison.Ordinal);
        if (isStatic) spec = spec["static ".Length..];
        var open = spec.IndexOf('(');
        var arguments = spec[(open + 1)..spec.LastIndexOf(')')].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(a =>
        {
            var (name, value) = (a.Split(':')[0].Trim(), a.Split(':')[1].Trim());
            return value.Contains('.')
                ? new Argument(name, "double", null, double.Parse(value, System.Globalization.CultureInfo.InvariantCulture))
                : new Argument(name, "Tensor", value.Split('x').Select(int.Parse).ToArray());
        }).ToList();
        return new CheckSpec(spec[..open].Trim(), isStatic, arguments);
    }

    /// <summary>A per-case seed that does not correlate neighbouring indices (System.Random seeds are close otherwise).</summary>
    private static int Mix(int seed, int index)
    {
        var h = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)index * 0xC2B2AE3D27D4EB4FUL;
        h ^= h >> 29; h *= 0xBF58476D1CE4E5B9UL; h ^= h >> 32;
        return (int)(h & 0x7FFFFFFF);
    }
}
