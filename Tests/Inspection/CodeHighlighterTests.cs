using Differentiable.Inspection;
using Differentiable.Samples.Inspection;
using Differentiable.Samples.Models;

namespace Differentiable.Tests.Inspection;

public sealed class CodeHighlighterTests
{
    [Fact]
    public void Markup_colours_keywords_comments_and_strings_and_removing_it_gives_back_the_code()
    {
        var code = Inspect.Gradient(typeof(FlatNet), "Loss").CSharp;
        var markup = CodeHighlighter.Markup(code);
        Assert.Contains("[blue]public[/]", markup);
        Assert.Contains("[blue]var[/]", markup);
        Assert.Contains("[green]// Backward: d_v = ∂L/∂v for L = Σ seed ⊙ loss[/]", markup);
        Assert.Contains("[darkorange3]\"Differentiable.Generator\"[/]", markup);
        Assert.Equal(code, Spectre.Console.Markup.Remove(markup));   // every bracket of the code escaped
    }
}
