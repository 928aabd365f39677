using Differentiable.Samples.Models;
using Differentiable.Training;

namespace Differentiable.Tests.Runtime;

/// <summary>TensorScope: steps reuse memory, results are unchanged, and tensors used after their scope fail loudly.</summary>
public class TensorScopeTests
{
    private static (Tensor X, Labels Y) Batch(int seed)
    {
        var rng = new Rng((ulong)seed);
        return (Tensor.Uniform(new[] { 20, 784 }, 0, 1, rng), new Labels(Enumerable.Range(0, 20).Select(i => (i * 7 + seed) % 10).ToArray()));
    }

    private static float[] Train(bool scoped, int steps)
    {
        var net = new FlatNet(hidden1: 32, hidden2: 16, seed: 5);
        var optimizer = new Sgd(net, 0.1, momentum: 0.5);
        for (var i = 0; i < steps; i++)
        {
            var (x, y) = Batch(i);
            using var scope = scoped ? TensorScope.Begin() : null;
            optimizer.Step(net.LossWithGradients(x, y).Gradients);
        }
        return net.Parameters().SelectMany(p => p.Value.ToFloatArray()).ToArray();
    }

    [Fact]
    public void ScopedTrainingGivesTheSameParameters() => Assert.Equal(Train(scoped: false, 5), Train(scoped: true, 5));

    [Fact]
    public void ASteadyStepAllocatesNoTensorMemory()
    {
        var net = new FlatNet(seed: 1);
        AssertASteadyStepAllocatesNoTensorMemory(net, (x, y) => net.LossWithGradients(x, y).Gradients);
    }

    /// <summary>
    /// A body with control flow keeps what its backward needs on a tape of closures; the tensors they hold are the step's,
    /// from the scope's pool like any other: a steady step of the loop over layers allocates no tensor memory either.
    /// </summary>
    [Fact]
    public void ASteadyStepOfALoopOverLayersAllocatesNoTensorMemory()
    {
        var net = new LayeredMLP(seed: 1);
        AssertASteadyStepAllocatesNoTensorMemory(net, (x, y) => net.LossWithGradients(x, y).Gradients);
    }

    private static void AssertASteadyStepAllocatesNoTensorMemory(IModule net, Func<Tensor, Labels, IGradients> gradients)
    {
        var optimizer = new Sgd(net, 0.01, momentum: 0.5);
        var (x, y) = Batch(1);
        void Step()
        {
            using var scope = TensorScope.Begin();
            optimizer.Step(gradients(x, y));
        }
        Step();
        Step();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // Unscoped, a FlatNet step allocates about 900 KB of tensor storage; what remains are small tensor and shape
        // objects (and, for a body with control flow, its closures and tape).
        Assert.True(allocated < 64 * 1024, $"a scoped step allocated {allocated:N0} bytes");
    }

    [Fact]
    public void UsingATensorAfterItsScopeFailsWithAnExplanation()
    {
        Tensor escaped;
        using (TensorScope.Begin()) escaped = Ops.Exp(Tensor.Ones(2, 3));
        var error = Assert.Throws<ObjectDisposedException>(() => escaped.ToFloatArray());
        Assert.Contains("Keep", error.Message);
        Assert.Contains("(2, 3)", error.Message);
    }

    [Fact]
    public void KeptTensorsOutliveTheScopeAndJoinTheEnclosingOne()
    {
        using var outer = TensorScope.Begin();
        Tensor kept;
        using (var inner = TensorScope.Begin()) kept = inner.Keep(Ops.Exp(Tensor.Zeros(2)));
        Assert.Equal(new[] { 1f, 1f }, kept.ToFloatArray());
        outer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => kept.ToFloatArray());
    }

    [Fact]
    public void TensorsFromBeforeTheScopeAreUntouched()
    {
        var outside = Tensor.Ones(3);
        using (TensorScope.Begin())
        {
            var inside = Ops.Add(outside, outside);
            Assert.Equal(2f, inside.ToFloatArray()[0]);
        }
        Assert.Equal(new[] { 1f, 1f, 1f }, outside.ToFloatArray());
    }

    [Fact]
    public void ScopesEndInReverseOrder()
    {
        var outer = TensorScope.Begin();
        var inner = TensorScope.Begin();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
    }
}
