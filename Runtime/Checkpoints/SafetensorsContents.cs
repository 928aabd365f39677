namespace Differentiable.Checkpoints;

/// <summary>Everything in a safetensors file: its tensors in header order and its <c>__metadata__</c> map.</summary>
public sealed class SafetensorsContents(IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string> metadata)
{
    /// <summary>The tensors in the order the header lists them (for files written here, the parameter order).</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> Tensors { get; } = tensors;

    /// <summary>The file's free-form string metadata; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    public Tensor this[string name]
    {
        get
        {
            foreach (var (n, t) in Tensors)
                if (n == name) return t;
            throw new KeyNotFoundException($"The checkpoint has no tensor '{name}'.");
        }
    }
}
