using System.Globalization;

namespace Differentiable.Samples.Cli;

/// <summary>
/// <c>--name value</c> options of a command. Every option must be known to the command, so a typo fails loudly
/// instead of silently training with a default.
/// </summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public Arguments(IEnumerable<string> args)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current;
            if (!name.StartsWith("--", StringComparison.Ordinal) || name.Length < 3)
                throw new UsageException($"Expected an option like --epochs 10, found '{name}'.");
            if (!e.MoveNext() || e.Current.StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"Option {name} needs a value.");
            _values[name[2..]] = e.Current;
        }
    }

    public string String(string name, string fallback) => Get(name) ?? fallback;

    public string? Optional(string name) => Get(name);

    public int Int(string name, int fallback, int min = int.MinValue) =>
        Parse(name, fallback, s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture), v => v >= min, $"an integer ≥ {min}");

    public double Double(string name, double fallback, double min = double.MinValue) =>
        Parse(name, fallback, s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture), v => v >= min, $"a number ≥ {min.ToString(CultureInfo.InvariantCulture)}");

    public string Choice(string name, string fallback, params string[] choices)
    {
        var value = String(name, fallback).ToLowerInvariant();
        if (!choices.Contains(value)) throw new UsageException($"--{name} must be one of {string.Join("|", choices)}, not '{value}'.");
        return value;
    }

    /// <summary>Fails on options the command never asked about.</summary>
    public void EnsureAllUsed()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0) throw new UsageException($"Unknown option{(unknown.Count > 1 ? "s" : "")}: {string.Join(", ", unknown.Select(u => "--" + u))}.");
    }

    private string? Get(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var value) ? value : null;
    }

    private T Parse<T>(string name, T fallback, Func<string, T> parse, Func<T, bool> valid, string what)
    {
        var text = Get(name);
        if (text is null) return fallback;
        T value;
        try
        {
            value = parse(text);
        }
        catch (FormatException)
        {
            throw new UsageException($"--{name} must be {what}, not '{text}'.");
        }
        if (!valid(value)) throw new UsageException($"--{name} must be {what}, not '{text}'.");
        return value;
    }
}

/// <summary>A mistake in the command line: printed with the usage, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
