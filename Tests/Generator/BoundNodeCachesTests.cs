using System.Collections;
using System.Reflection;
using Differentiable.Generator.Parsing;
using Differentiable.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Differentiable.Tests.Generator;

/// <summary>
/// BoundNodeCaches finds Roslyn's private caches of a semantic model, and the body's operation, by name: on the Roslyn
/// this repository builds against it must find them, size the bound nodes' cache before binding, leave the operations'
/// empty, and empty them after (a rename in a newer Roslyn fails here instead of quietly bringing back the collections
/// that copied a long body's dead models), and the model still answers afterwards, binding again.
/// </summary>
public class BoundNodeCachesTests
{
    /// <summary>A body long enough for maps past the large-object size (one statement is ~9 operations).</summary>
    private static readonly string Source = $$"""
        using Differentiable;
        using static Differentiable.Ops;
        public partial class M
        {
            [Parameter] public Tensor W = Tensor.Zeros(3);
            [Differentiable] public Tensor F(Tensor x)
            {
                var h = x;
        {{string.Concat(Enumerable.Repeat("        h = Tanh(h * 0.5 + W) - Sin(h);\n", 600))}}
                return Sum(h);
            }
        }
        """;

    [Fact]
    public void Roslyns_caches_of_a_bound_body_are_sized_before_and_emptied_after()
    {
        var (model, method) = ModelOfTheLongMethod();
        BoundNodeCaches.Reserve(model, method);
        var reserved = Capacities(model);
        Assert.True(reserved.Bound > 4096 && reserved.Operations == 0, $"the bound nodes' map should be sized before binding, the operations' not ({reserved})");
        Assert.NotNull(BoundNodeCaches.RootOperation(model, method));
        Assert.Equal(reserved, Capacities(model));          // never grown: no array left behind
        var call = method.DescendantNodes().OfType<InvocationExpressionSyntax>().First();
        var before = model.GetSymbolInfo(call).Symbol;
        Assert.NotNull(before);

        var (bound, operations) = CacheSizes(model);
        Assert.True(bound > 0 && operations == 0, $"binding should have filled the bound nodes' cache only ({bound} bound nodes, {operations} operations)");

        BoundNodeCaches.Clear(model, method);
        Assert.Equal((0, 0), CacheSizes(model));
        Assert.Equal(before, model.GetSymbolInfo(call).Symbol);
    }

    [Fact]
    public void The_body_operation_comes_without_Roslyns_map_of_every_operation()
    {
        var (model, method) = ModelOfTheLongMethod();
        var root = BoundNodeCaches.RootOperation(model, method);
        Assert.NotNull(root);
        Assert.Same(method, root!.Syntax);
        Assert.Equal(model.GetOperation(method)!.Descendants().Count(), root.Descendants().Count());
    }

    /// <summary>The generator's own model of <see cref="Source"/> (nothing bound yet) and its long method.</summary>
    private static (SemanticModel Model, MethodDeclarationSyntax Method) ModelOfTheLongMethod()
    {
        var compilation = GeneratorHarness.Compile(("M.cs", Source));
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == "M.cs");
        var method = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single();
        return (BindingModel.For(compilation.GetSemanticModel(tree), tree), method);
    }

    private static (int Bound, int Operations) Capacities(SemanticModel model) => Maps(model, map => (int)map.GetType().GetMethod("EnsureCapacity")!.Invoke(map, new object[] { 0 })!);

    private static (int Bound, int Operations) CacheSizes(SemanticModel model) => Maps(model, map => ((IDictionary)map).Count);

    /// <summary>A measure of the two maps, summed over the model's member models (read the way BoundNodeCaches reads them).</summary>
    private static (int Bound, int Operations) Maps(SemanticModel model, Func<object, int> measure)
    {
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.NonPublic;
        var memberModels = (IDictionary)model.GetType().GetField("_memberModels", flags)!.GetValue(model)!;
        var memberModelType = model.GetType().Assembly.GetType("Microsoft.CodeAnalysis.CSharp.MemberSemanticModel")!;
        var (bound, operations) = (0, 0);
        foreach (var memberModel in memberModels.Values)
        {
            bound += measure(memberModelType.GetField("_guardedBoundNodeMap", flags)!.GetValue(memberModel)!);
            operations += measure(memberModelType.GetField("_guardedIOperationNodeMap", flags)!.GetValue(memberModel)!);
        }
        return (bound, operations);
    }
}
