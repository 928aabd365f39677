namespace Differentiable.Generator.Model;

/// <summary>
/// Parameter paths: dotted from the model (<c>L1.W</c>); a parameter of the elements of a list of sub-modules has
/// <see cref="Each"/> where the index goes (<c>Layers.*.W</c>), so one static path stands for one tensor per element.
/// </summary>
internal static class ParameterPath
{
    public const string Each = "*";

    /// <summary>A C# name for a path: '_' for '.', the list's index left out (<c>Layers.*.W</c> is <c>Layers_W</c>, one per element).</summary>
    public static string PropertyName(string path) => path.Replace("global::", "").Replace("." + Each, "").Replace('.', '_');

    public static bool IsList(string path) => path.Contains("." + Each + ".");

    /// <summary>Splits <c>Layers.*.W</c> into the list's path (<c>Layers</c>) and the path inside an element (<c>W</c>).</summary>
    public static bool TrySplitList(string path, out string list, out string inElement)
    {
        var at = path.IndexOf("." + Each + ".", System.StringComparison.Ordinal);
        if (at < 0)
        {
            list = inElement = "";
            return false;
        }
        list = path.Substring(0, at);
        inElement = path.Substring(at + Each.Length + 2);
        return true;
    }
}
