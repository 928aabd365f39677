using System.CommandLine;
using System.Globalization;

namespace Differentiable.Samples.Cli;

/// <summary>The option kinds the commands share, with defaults shown in --help and validation messages that say what is allowed.</summary>
internal static class Options
{
    public static Option<int> Int(string name, int defaultValue, int min, string description) =>
        new("--" + name) { Description = description, DefaultValueFactory = _ => defaultValue, CustomParser = r => InvariantInteger(r, name, min) ?? defaultValue };

    /// <summary>A whole number the command defaults itself when it is not given.</summary>
    public static Option<int?> OptionalInt(string name, int min, string description) =>
        new("--" + name) { Description = description, CustomParser = r => InvariantInteger(r, name, min) };

    public static Option<double> Double(string name, double defaultValue, double min, string description) =>
        new("--" + name) { Description = description, DefaultValueFactory = _ => defaultValue, CustomParser = r => InvariantNumber(r, name, min) ?? defaultValue };

    /// <summary>A number the command defaults itself when it is not given (the model's own default, say).</summary>
    public static Option<double?> OptionalDouble(string name, double min, string description) =>
        new("--" + name) { Description = description, CustomParser = r => InvariantNumber(r, name, min) };

    /// <summary>One of <paramref name="choices"/> (shown in --help and offered by completion); anything else is one line naming them all.</summary>
    public static Option<string> Choice(string name, string defaultValue, IEnumerable<string> choices, string description)
    {
        var allowed = choices.ToArray();
        var option = new Option<string>("--" + name)
        {
            Description = description, DefaultValueFactory = _ => defaultValue, HelpName = string.Join("|", allowed),
            CustomParser = r => r.Tokens.Count == 0 ? defaultValue : r.Tokens[0].Value.ToLowerInvariant(),   // --model LeNet is lenet
        };
        option.CompletionSources.Add(allowed);
        option.Validators.Add(result =>
        {
            if (result.GetValue(option) is { } value && !allowed.Contains(value))
                result.AddError($"--{name} must be one of {string.Join(", ", allowed)}, not '{value}'.");
        });
        return option;
    }

    public static Option<string?> Text(string name, string description) => new("--" + name) { Description = description };

    /// <summary>
    /// A number written the same everywhere: "0.05" is 0.05 whatever the user's locale (System.CommandLine's own
    /// parser reads the current culture's, where German makes it 5).
    /// </summary>
    private static int? InvariantInteger(System.CommandLine.Parsing.ArgumentResult result, string name, int min)
    {
        var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            result.AddError($"--{name} must be a whole number, not '{text}'.");
        else if (value < min)
            result.AddError($"--{name} must be at least {min}, not {value}.");
        else
            return value;
        return null;
    }

    /// <remarks>The range is checked here too: a validator would read the value of an option whose parse failed, and throw.</remarks>
    private static double? InvariantNumber(System.CommandLine.Parsing.ArgumentResult result, string name, double min)
    {
        var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            result.AddError($"--{name} must be a number like 0.05, not '{text}'.");
        else if (!(value >= min))
            result.AddError($"--{name} must be at least {min.ToString(CultureInfo.InvariantCulture)}, not {text}.");
        else
            return value;
        return null;
    }
}
