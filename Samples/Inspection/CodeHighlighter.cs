using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Spectre.Console;

namespace Differentiable.Samples.Inspection;

/// <summary>
/// Generated code as Spectre.Console markup with syntax colours. The tokens come from Roslyn's C# lexer (the compiler's
/// own, so verbatim and raw strings, XML docs and <c>#nullable</c> are read right); CUDA C lexes well enough with it for
/// colours, since its keywords, literals and comments are C#'s.
/// </summary>
internal static class CodeHighlighter
{
    public static string Markup(string code)
    {
        var markup = new System.Text.StringBuilder();
        foreach (var token in SyntaxFactory.ParseTokens(code))
        {
            foreach (var trivia in token.LeadingTrivia) markup.Append(Colour(trivia));
            markup.Append(Colour(token));
            foreach (var trivia in token.TrailingTrivia) markup.Append(Colour(trivia));
        }
        return markup.ToString();
    }

    private static string Colour(SyntaxToken token)
    {
        var style = token.Kind() switch
        {
            _ when SyntaxFacts.IsKeywordKind(token.Kind()) => "blue",
            SyntaxKind.IdentifierToken when SyntaxFacts.GetContextualKeywordKind(token.Text) != SyntaxKind.None => "blue",   // var, required, init
            SyntaxKind.StringLiteralToken or SyntaxKind.CharacterLiteralToken or SyntaxKind.SingleLineRawStringLiteralToken
                or SyntaxKind.MultiLineRawStringLiteralToken or SyntaxKind.InterpolatedStringTextToken => "darkorange3",
            SyntaxKind.NumericLiteralToken => "mediumpurple",
            SyntaxKind.IdentifierToken when token.Text.Length > 0 && char.IsUpper(token.Text[0]) => "teal",
            _ => null,
        };
        return Styled(token.Text, style);
    }

    private static string Colour(SyntaxTrivia trivia) => trivia.Kind() switch
    {
        SyntaxKind.SingleLineCommentTrivia or SyntaxKind.MultiLineCommentTrivia => Styled(trivia.ToFullString(), "green"),
        SyntaxKind.SingleLineDocumentationCommentTrivia or SyntaxKind.MultiLineDocumentationCommentTrivia => Styled(trivia.ToFullString(), "grey"),
        _ when trivia.IsDirective => Styled(trivia.ToFullString(), "grey"),
        _ => Spectre.Console.Markup.Escape(trivia.ToFullString()),
    };

    private static string Styled(string text, string? style) =>
        style is null || text.Length == 0 ? Spectre.Console.Markup.Escape(text) : $"[{style}]{Spectre.Console.Markup.Escape(text)}[/]";
}
