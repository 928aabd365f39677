namespace Differentiable;

/// <summary>A model whose trainable tensors the generator enumerates (implemented by generated code).</summary>
public interface IModule
{
    /// <summary>Every <c>[Parameter]</c> of the model, sub-modules included, by dotted path (<c>L1.W</c>), in declaration order.</summary>
    IReadOnlyList<NamedParameter> Parameters();
}

/// <summary>One trainable tensor of a model: its dotted path and a live reference to the field that holds it.</summary>
public sealed class NamedParameter(string name, Func<Tensor> get, Action<Tensor> set)
{
    public string Name { get; } = name;

    /// <summary>The tensor currently held by the field; setting it replaces the field's tensor.</summary>
    public Tensor Value { get => get(); set => set(value); }

    public override string ToString() => $"{Name}: {Value.ShapeString()}";
}

/// <summary>Gradients produced by a generated <c>...WithGradients</c> method, addressable by parameter path.</summary>
public interface IGradients
{
    /// <summary>(path, gradient) pairs in the order of <see cref="IModule.Parameters"/>, then the <c>[Wrt]</c> arguments.</summary>
    IReadOnlyList<(string Name, Tensor Gradient)> All { get; }
}
