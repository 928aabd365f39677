using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Calls;
using Differentiable.Generator.Emit;
using Differentiable.Generator.Model;
using Differentiable.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Differentiable.Generator;

/// <summary>
/// The pipeline, and only the pipeline: find [Differentiable] methods → parse each (when its file or the declarations
/// changed) into an equatable spec and summarize its calls (per method) → plan the calls of the whole compilation
/// (cheap: no lowering) and cut the work per class → lower, differentiate and emit each class whose work changed.
/// Calls are calls, so a class depends on its own methods and on what it needs of its callees, and an edit elsewhere
/// leaves it cached. Parsing and emitting are started on other cores as soon as the pipeline knows what must run
/// (<see cref="Started{TInput, TResult}"/>), and joined in the pipeline's order.
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
    public const string StartParseStep = "StartParsing";
    public const string StartClassStep = "StartClasses";

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
            .Select(static (found, cancellation) => new Started<(MethodTarget Target, CompilationShape Shape), MethodSpec>(found,
                input => MethodParser.Parse(input.Target, input.Shape, cancellation)))
            .WithTrackingName(StartParseStep)
            .Select(static (started, _) => started.Join())
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
            .Select(static (work, cancellation) => new Started<ClassWork, (SourceText? Source, List<DiagnosticInfo> Diagnostics)>(work, input => Emit(input, cancellation)))
            .WithTrackingName(StartClassStep);

        context.RegisterSourceOutput(classes, static (output, started) =>
        {
            var (source, diagnostics) = started.Join();
            foreach (var diagnostic in diagnostics.Distinct()) output.ReportDiagnostic(diagnostic.ToDiagnostic());
            if (source is not null) output.AddSource(HintName(started.Input.Class.FullName), source);
        });
    }

    /// <summary>The class's file (null when no method could be generated) and its diagnostics.</summary>
    private static (SourceText?, List<DiagnosticInfo>) Emit(ClassWork work, System.Threading.CancellationToken cancellation)
    {
        var diagnostics = new List<DiagnosticInfo>();
        try
        {
            return (ClassEmitter.Emit(work, diagnostics, cancellation), diagnostics);
        }
        catch (System.Exception e) when (e is not System.OperationCanceledException)
        {
            // Every method has its own guard; this one catches the class's frame, so nothing ever escapes as CS8785.
            if (work.Methods.Count > 0) diagnostics.Add(new DiagnosticInfo(Diagnostics.InternalError, work.Methods[0].Spec.Where, work.Class.Name, e.GetType().Name + ": " + e.Message));
            return (null, diagnostics);
        }
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
