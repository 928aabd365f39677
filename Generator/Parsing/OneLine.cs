using System.Text;

namespace Differentiable.Generator.Parsing;

/// <summary>
/// Source text as one line for comments and messages: every run of whitespace (newlines, indentation) becomes one
/// space, and the ends are trimmed. A loop, not <c>Regex.Replace</c>: it runs for every statement on every keystroke.
/// </summary>
internal static class OneLine
{
    public static string Of(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }
            if (space) builder.Append(' ');
            space = false;
            builder.Append(c);
        }
        return builder.ToString();
    }
}
