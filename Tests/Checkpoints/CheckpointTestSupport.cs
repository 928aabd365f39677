using Differentiable;

namespace Differentiable.Tests.Checkpoints;

/// <summary>A fresh temporary folder per test, deleted afterwards.</summary>
internal sealed class CheckpointDirectory : IDisposable
{
    public CheckpointDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "differentiable-ckpt-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Every file in the folder, so a test can assert that no temp file was left behind.</summary>
    public string[] Files() => Directory.GetFiles(Path).Select(System.IO.Path.GetFileName).ToArray()!;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A hand-written module (no generator): parameters held in a list, addressed by path.</summary>
internal sealed class TestModule : IModule
{
    private readonly List<(string Name, Tensor Value)> _values = [];
    private readonly List<NamedParameter> _parameters = [];

    public TestModule Add(string name, Tensor value)
    {
        var index = _values.Count;
        _values.Add((name, value));
        _parameters.Add(new NamedParameter(name, () => _values[index].Value, v => _values[index] = (name, v)));
        return this;
    }

    public Tensor this[string name] => _values.First(v => v.Name == name).Value;

    public IReadOnlyList<NamedParameter> Parameters() => _parameters;
}

/// <summary>A module with a sub-module, written the way the generator lays paths out (<c>L1.W</c>).</summary>
internal sealed class Linear : IModule
{
    public Tensor W = Tensor.Zeros(3, 2);
    public Tensor B = Tensor.Zeros(2);

    public IReadOnlyList<NamedParameter> Parameters() =>
    [
        new("W", () => W, v => W = v),
        new("B", () => B, v => B = v),
    ];
}

internal sealed class TwoLayer : IModule
{
    public Linear L1 = new();
    public Tensor Scale = Tensor.Scalar(0, DType.Float64);

    public IReadOnlyList<NamedParameter> Parameters() =>
    [
        .. L1.Parameters().Select(p => new NamedParameter("L1." + p.Name, () => p.Value, v => p.Value = v)),
        new("Scale", () => Scale, v => Scale = v),
    ];
}

internal static class Bits
{
    /// <summary>Bit-for-bit equality (NaN payloads and -0 included), with shape and dtype.</summary>
    public static void Identical(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.Shape, actual.Shape);
        if (expected.DType == DType.Float32)
            Assert.Equal(expected.ReadOnlySpan<float>().ToArray().Select(BitConverter.SingleToInt32Bits), actual.ReadOnlySpan<float>().ToArray().Select(BitConverter.SingleToInt32Bits));
        else
            Assert.Equal(expected.ReadOnlySpan<double>().ToArray().Select(BitConverter.DoubleToInt64Bits), actual.ReadOnlySpan<double>().ToArray().Select(BitConverter.DoubleToInt64Bits));
    }
}
