using System.CommandLine;
using System.Globalization;

namespace Differentiable.Samples.Cli;

/// <summary>The option kinds the commands share, with defaults shown in --help and validation messages that say what is allowed.</summary>
internal static class Options
{
    public static Option<int> Int(string name, int defaultValue, int min, string description)
    {
        var option = new Option<int>("--" + name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (result.GetValue(option) is var value && value < min) result.AddError($"--{name} must be at least {min}, not {value}.");
        });
        return option;
    }

    public static Option<double> Double(string name, double defaultValue, double min, string description)
    {
        var option = new Option<double>("--" + name) { Description = description, DefaultValueFactory = _ => defaultValue, CustomParser = r => InvariantNumber(r, name) ?? 0 };
        option.Validators.Add(result =>
        {
            if (result.GetValue(option) is var value && !(value >= min))
                result.AddError($"--{name} must be at least {min.ToString(CultureInfo.InvariantCulture)}, not {value.ToString(CultureInfo.InvariantCulture)}.");
        });
        return option;
    }

    /// <summary>A number the command defaults itself when it is not given (the model's own default, say).</summary>
    public static Option<double?> OptionalDouble(string name, double min, string description)
    {
        var option = new Option<double?>("--" + name) { Description = description, CustomParser = r => InvariantNumber(r, name) };
        option.Validators.Add(result =>
        {
            if (result.GetValue(option) is { } value && !(value >= min))
                result.AddError($"--{name} must be at least {min.ToString(CultureInfo.InvariantCulture)}, not {value.ToString(CultureInfo.InvariantCulture)}.");
        });
        return option;
    }

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
    private static double? InvariantNumber(System.CommandLine.Parsing.ArgumentResult result, string name)
    {
        var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return value;
        result.AddError($"--{name} must be a number like 0.05, not '{text}'.");
        return null;
    }
}
