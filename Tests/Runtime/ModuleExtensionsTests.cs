using Differentiable;

namespace Differentiable.Tests.Runtime;

public class ModuleExtensionsTests
{
    /// <summary>A hand-written module, as the generator would implement IModule.</summary>
    private sealed class TinyModel : IModule
    {
        public Tensor W = Tensor.Ones(3, 2);
        public Tensor B = Tensor.Zeros(2);

        public IReadOnlyList<NamedParameter> Parameters() => new[]
        {
            new NamedParameter("W", () => W, v => W = v),
            new NamedParameter("B", () => B, v => B = v),
        };
    }

    [Fact]
    public void ConvertToReplacesEveryParameter()
    {
        var model = new TinyModel();
        var oldW = model.W;
        model.ConvertTo(DType.Float64);
        Assert.Equal(DType.Float64, model.W.DType);
        Assert.Equal(DType.Float64, model.B.DType);
        Assert.NotSame(oldW, model.W);
        Assert.Equal(new[] { 3, 2 }, model.W.Shape);
        Assert.All(model.W.ToDoubleArray(), v => Assert.Equal(1.0, v));
        model.ConvertTo(DType.Float32);
        Assert.Equal(DType.Float32, model.W.DType);
    }

    [Fact]
    public void ParameterCountAddsAllElements()
    {
        Assert.Equal(8, new TinyModel().ParameterCount());
        Assert.Equal("W: (3, 2)", new TinyModel().Parameters()[0].ToString());
    }
}
