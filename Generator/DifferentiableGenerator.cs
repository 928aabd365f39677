using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Differentiable.Generator.Autodiff;
using Differentiable.Generator.Emit;
using Differentiable.Generator.Lowering;
using Differentiable.Generator.Model;
using Differentiable.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Differentiable.Generator;

/// <summary>
/// The pipeline, and only the pipeline: find [Differentiable] methods → parse each into an equatable spec →
/// (all specs, because calls are inlined across classes) lower → differentiate → emit one file per class.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class DifferentiableGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names, so tests can assert that an unrelated edit leaves these steps cached.</summary>
    public const string ParseStep = "ParseDifferentiableMethods";
    public const string CollectStep = "CollectDifferentiableMethods";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var methods = context.SyntaxProvider.ForAttributeWithMetadataName(
                KnownTypes.DifferentiableAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (ctx, cancellation) => MethodParser.Parse(ctx, cancellation))
            .WithTrackingName(ParseStep);

        var all = methods.Collect()
            .Select(static (specs, _) => new EquatableArray<MethodSpec>(specs.OrderBy(s => s.Class.FullName, System.StringComparer.Ordinal)
                .ThenBy(s => s.Where.FilePath, System.StringComparer.Ordinal).ThenBy(s => s.Where.Span.Start)))
            .WithTrackingName(CollectStep);

        context.RegisterSourceOutput(all, static (output, specs) => Generate(output, specs));
    }

    private static void Generate(SourceProductionContext output, EquatableArray<MethodSpec> specs)
    {
        var byKey = new Dictionary<string, MethodSpec>();
        foreach (var spec in specs) byKey[spec.Key] = spec;

        foreach (var type in specs.GroupBy(s => s.Class.FullName))
        {
            output.CancellationToken.ThrowIfCancellationRequested();
            var diagnostics = new List<DiagnosticInfo>();
            var gradients = new List<Gradient>();
            foreach (var spec in type)
            {
                if (spec.Diagnostics.Count > 0 || spec.HasCompileErrors)
                {
                    diagnostics.AddRange(spec.Diagnostics);
                    continue;
                }
                try
                {
                    var lowered = Lowerer.Lower(spec, byKey, diagnostics);
                    if (lowered is not null) gradients.Add(ReverseMode.Differentiate(lowered));
                }
                catch (System.Exception e) when (e is not System.OperationCanceledException)
                {
                    // The generator never throws: an internal error becomes a diagnostic at the method, not CS8785.
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.InternalError, spec.Where, spec.Name, e.GetType().Name + ": " + e.Message));
                }
            }
            foreach (var diagnostic in diagnostics.Distinct()) output.ReportDiagnostic(diagnostic.ToDiagnostic());
            if (gradients.Count > 0)
            {
                var first = type.First().Class;
                output.AddSource(first.FullName + ".g.cs", ClassEmitter.Emit(first, gradients));
            }
        }
    }
}
