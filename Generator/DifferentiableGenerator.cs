using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Calls;
using Differentiable.Generator.Emit;
using Differentiable.Generator.Model;
using Differentiable.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Differentiable.Generator;

/// <summary>
/// The pipeline, and only the pipeline: find [Differentiable] methods → parse each (when its file or the declarations changed) into an equatable spec and
/// summarize its calls (per method) → plan the calls of the whole compilation (cheap: no lowering) and cut the work
/// per class → lower, differentiate and emit each class whose work changed, the classes on as many cores as there are. Calls are calls, so a class depends on
/// its own methods and on what it needs of its callees, and an edit elsewhere leaves it cached.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class DifferentiableGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names, so tests can assert that an unrelated edit leaves these steps cached.</summary>
    public const string ShapeStep = "CompilationShape";
    public const string FindStep = "FindDifferentiableMethods";
    public const string ParseStep = "ParseDifferentiableMethods";
    public const string SummarizeStep = "SummarizeCalls";
    public const string CollectStep = "CollectDifferentiableMethods";
    public const string ClassStep = "PlanClasses";
    public const string StartStep = "StartClasses";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Finding runs for every file on every change of the compilation, so it only notes where each method is; parsing
        // binds the body, so it runs only for the methods of a file that changed, or for all of them when declarations
        // changed (see CompilationShape): a keystroke in one body does not re-bind every [Differentiable] method.
        var shape = context.CompilationProvider
            .Select(static (compilation, cancellation) => CompilationShape.Of(compilation, cancellation))
            .WithTrackingName(ShapeStep);
        var methods = context.SyntaxProvider.ForAttributeWithMetadataName(
                KnownTypes.DifferentiableAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (ctx, _) => new MethodTarget((MethodDeclarationSyntax)ctx.TargetNode, ctx.SemanticModel.Compilation))
            .WithTrackingName(FindStep)
            .Combine(shape)
            .Select(static (found, cancellation) => MethodParser.Parse(found.Left, found.Right, cancellation))
            .WithTrackingName(ParseStep)
            .Select(static (spec, _) => new AnalyzedMethod(spec, CallSummary.Of(spec)))
            .WithTrackingName(SummarizeStep);

        var all = methods.Collect()
            .Select(static (analyzed, _) => new EquatableArray<AnalyzedMethod>(analyzed.OrderBy(m => m.Spec.Class.FullName, System.StringComparer.Ordinal)
                .ThenBy(m => m.Spec.Where.FilePath, System.StringComparer.Ordinal).ThenBy(m => m.Spec.Where.Span.Start)))
            .WithTrackingName(CollectStep);

        var classes = all
            .SelectMany(static (analyzed, _) => CallGraph.Plan(analyzed))
            .WithTrackingName(ClassStep)
            .Select(static (work, cancellation) => StartedClass.Start(work, cancellation))
            .WithTrackingName(StartStep);

        context.RegisterSourceOutput(classes, static (output, started) => Generate(output, started));
    }

    private static void Generate(SourceProductionContext output, StartedClass started)
    {
        var (source, diagnostics) = started.Join();
        foreach (var diagnostic in diagnostics.Distinct()) output.ReportDiagnostic(diagnostic.ToDiagnostic());
        if (source is not null) output.AddSource(HintName(started.Work.Class.FullName), source);
    }

    /// <summary>The generated file's name: the class's full name with anything a hint name may not contain ('@', '&lt;') replaced.</summary>
    private static string HintName(string fullName)
    {
        var chars = fullName.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
            if (!char.IsLetterOrDigit(chars[i]) && chars[i] is not ('.' or '_' or '-')) chars[i] = '_';
        return new string(chars) + ".g.cs";
    }
}
