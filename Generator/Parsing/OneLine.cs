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
        if (IsOneLine(text)) return text;
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

    /// <summary>Already one line: no whitespace but single spaces, none at either end (most statements: no copy).</summary>
    private static bool IsOneLine(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == ' ' ? i == 0 || i == text.Length - 1 || text[i - 1] == ' ' : char.IsWhiteSpace(c)) return false;
        }
        return true;
    }
}
