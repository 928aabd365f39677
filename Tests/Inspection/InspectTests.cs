using Differentiable.Inspection;
using Differentiable.Samples.Models;
using Differentiable.Tests.Support;

namespace Differentiable.Tests.Inspection;

/// <summary>
/// <see cref="Inspect.Gradient"/> over the compiled sample models: the code is exactly what the generator wrote for the
/// method asked for, the CUDA is that method's <c>{M}CudaSource</c>, and the graphs name what the generated code names.
/// </summary>
public sealed class InspectTests
{
    public static TheoryData<string, string> EveryMethod()
    {
        var data = new TheoryData<string, string>();
        foreach (var model in Inspect.Models(typeof(FlatNet).Assembly))
            foreach (var method in Inspect.Methods(model))
                data.Add(model.FullName!, method);
        return data;
    }

    [Fact]
    public void The_code_is_the_generated_code_of_the_method_asked_for()
    {
        var loss = Inspect.Gradient(typeof(FlatNet), nameof(FlatNet.Loss));
        var forward = Inspect.Gradient(typeof(FlatNet), nameof(FlatNet.Forward));
        Assert.Equal(("FlatNet", "Loss"), (loss.Model, loss.Method));
        Assert.Contains("public (Tensor Value, LossGradients Gradients) LossWithGradients(Tensor x, Labels y, Tensor? seed = null)", loss.CSharp);
        Assert.DoesNotContain("ForwardWithGradients(", loss.CSharp);
        Assert.Contains("ForwardVjpParametersOnly(Tensor x)", forward.CSharp);
        Assert.DoesNotContain("LossWithGradients", forward.CSharp);
        Assert.DoesNotContain("__global__", loss.CSharp);   // the CPU path only; the kernels are in Cuda

        // Line for line the text of the generated file (where it sits one level in, inside the class), member by member:
        // Forward's is its gradient's members and the pullback its ForwardWithGradients runs, not the variant only callers run.
        var generated = File.ReadAllText(Path.Combine(RepositoryPaths.SamplesGenerated, "Differentiable.Samples.Models.FlatNet.g.cs")).Replace("\r\n", "\n");
        foreach (var inspection in new[] { loss, forward })
            foreach (var member in inspection.CSharp.Split("\n\n"))
                Assert.Contains(string.Join("\n", member.Split('\n').Select(l => l.Length == 0 ? l : "    " + l)), generated);
        Assert.DoesNotContain("ForwardVjp(Tensor x)", forward.CSharp);
        Assert.Contains("public (Tensor Value, global::System.Func<Tensor?, ForwardCallGradients> Pullback) ForwardVjp(Tensor x)", generated);
    }

    [Fact]
    public void The_cuda_is_the_methods_own_source_or_null_without_a_device_program()
    {
        Assert.Equal(FlatNet.LossCudaSource, Inspect.Gradient(typeof(FlatNet), "Loss").Cuda);
        Assert.Equal(FlatNet.ForwardCudaSource, Inspect.Gradient(typeof(FlatNet), "Forward").Cuda);
        var loop = Inspect.Gradient(typeof(LoopNet), Inspect.Methods(typeof(LoopNet))[0]);
        Assert.Null(loop.Cuda);
        Assert.False(loop.HasGraph);
        Assert.Empty(loop.Backward);
        Assert.Contains(".Push(", loop.CSharp);   // its tape, the code that differentiates it statement by statement
    }

    [Fact]
    public void The_graph_names_each_node_as_the_generated_code_and_writes_its_math_statement_and_rule()
    {
        var forward = Inspect.Gradient(typeof(FlatNet), "Forward");
        var h1 = Assert.Single(forward.Forward, n => n.Name == "h1");
        Assert.Equal(new GraphNode("h1", "relu", "relu(h1_matmul + B1)", h1.Inputs, "var h1 = Relu(x.MatMul(W1) + B1);"), h1);
        Assert.Equal(new[] { "h1_matmul", "B1" }, h1.Inputs);
        Assert.Equal("parameter", Assert.Single(forward.Forward, n => n.Name == "W1").Kind);
        Assert.Equal("input", Assert.Single(forward.Forward, n => n.Name == "x").Kind);

        Assert.Equal(("d_forward", "seed"), (forward.Backward[0].Name, forward.Backward[0].Kind));
        var dW1 = Assert.Single(forward.Backward, n => n.Name == "d_W1");
        Assert.Equal(("gradient", "xᵀ · d_h1_matmul"), (dW1.Kind, dW1.Math));
        Assert.Equal(new[] { "d_h1_matmul" }, dW1.Inputs);
        Assert.Equal("h1_matmul = x · W1  ⇒  d_W1 = xᵀ · d_h1_matmul", dW1.Rule);
        Assert.Contains("var d_W1 = MatMulTransposeA(x, d_h1_matmul);", forward.CSharp);   // the same names as the code
        var dForwardAdd = Assert.Single(forward.Backward, n => n.Name == "d_forward_add");
        Assert.Equal(2, dForwardAdd.Rule!.Split('\n').Length);   // two contributions, = then +=
        Assert.Contains("+=", dForwardAdd.Rule.Split('\n')[1]);
        Assert.Equal(new[] { "d_W1", "d_B1", "d_W2", "d_B2", "d_W3", "d_B3" }.Order(), forward.Backward.Where(n => n.Kind == "gradient").Select(n => n.Name).Order());
    }

    [Theory]
    [MemberData(nameof(EveryMethod))]
    public void Every_sample_method_has_its_gradient_recorded_and_its_graphs_refer_only_to_their_own_nodes(string model, string method)
    {
        var type = typeof(FlatNet).Assembly.GetType(model)!;
        var inspection = Inspect.Gradient(type, method);
        Assert.Equal((type.Name, method), (inspection.Model, inspection.Method));
        Assert.Contains($"{method}WithGradients(", inspection.CSharp);
        foreach (var graph in new[] { inspection.Forward, inspection.Backward })
        {
            var names = graph.Select(n => n.Name).ToList();
            Assert.Equal(names.Count, names.Distinct().Count());
            for (var i = 0; i < graph.Count; i++)
                Assert.All(graph[i].Inputs, input => Assert.Contains(input, names.Take(i)));   // inputs first
        }
        if (inspection.HasGraph) Assert.NotEmpty(inspection.Backward);
    }

    [Fact]
    public void An_unknown_method_is_an_error_listing_the_methods_there_are()
    {
        var e = Assert.Throws<ArgumentException>(() => Inspect.Gradient(typeof(FlatNet), "Los"));
        Assert.StartsWith("FlatNet has no [Differentiable] method 'Los'; choose one of Forward, Loss.", e.Message);
        Assert.Equal("Loss", Inspect.Gradient(typeof(FlatNet), "loss").Method);   // any case, when that is not ambiguous
        Assert.StartsWith("String has no [Differentiable] methods.", Assert.Throws<ArgumentException>(() => Inspect.Gradient(typeof(string), "Length")).Message);
    }

    [Fact]
    public void Models_are_the_classes_with_differentiable_methods()
    {
        var models = Inspect.Models(typeof(FlatNet).Assembly);
        Assert.Contains(typeof(FlatNet), models);
        Assert.Contains(typeof(LoopNet), models);
        Assert.DoesNotContain(typeof(Differentiable.Samples.Training.TrainableModel), models);
    }
}
