using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace Differentiable.Generator.Parsing;

/// <summary>
/// The semantic model a method body is bound with: one that skips nullable analysis, which nothing in the generator
/// reads and which measured as a third of binding a long body (the compiler still runs it when it compiles the method).
/// Roslyn marks that option experimental (RSEXPERIMENTAL001, dotnet/roslyn#70609): a compiler without it gets the
/// model the driver gave, so a newer compiler can only make this slower, never break the build.
/// </summary>
internal static class BindingModel
{
    private static bool _optionMissing;

    public static SemanticModel For(SemanticModel given, SyntaxTree tree)
    {
        if (_optionMissing) return given;
        try
        {
            return WithoutNullableAnalysis(given.Compilation, tree);
        }
        catch (System.Exception e) when (e is System.MissingMemberException or System.TypeLoadException)
        {
            _optionMissing = true;
            return given;
        }
    }

    // Its own method, not inlined: a compiler without the API fails when this method is compiled, inside the try above.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SemanticModel WithoutNullableAnalysis(Compilation compilation, SyntaxTree tree)
    {
#pragma warning disable RSEXPERIMENTAL001 // experimental; see the class comment for what happens when it goes
        return compilation.GetSemanticModel(tree, SemanticModelOptions.DisableNullableAnalysis);
#pragma warning restore RSEXPERIMENTAL001
    }
}
