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
            return new FuzzCase(id, Family.File, Path.GetFileName(path), new[] { File.ReadAllText(path) });
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

    /// <summary>A per-case seed that does not correlate neighbouring indices (System.Random seeds are close otherwise).</summary>
    private static int Mix(int seed, int index)
    {
        var h = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)index * 0xC2B2AE3D27D4EB4FUL;
        h ^= h >> 29; h *= 0xBF58476D1CE4E5B9UL; h ^= h >> 32;
        return (int)(h & 0x7FFFFFFF);
    }
}
