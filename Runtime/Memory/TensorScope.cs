namespace Differentiable;

/// <summary>
/// A memory arena for one training step. Tensors created while a scope is active take their storage from a
/// per-thread pool, and give it back when the scope ends, so a steady training loop allocates no tensor memory after
/// its first step (and the GC has nothing large to collect). Tensors that must outlive the scope are kept with
/// <see cref="Keep(Tensor)"/>; any other tensor made inside it throws <see cref="ObjectDisposedException"/> if it is
/// used after the scope ends, rather than silently reading reused memory.
/// </summary>
/// <example><code>
/// foreach (var (x, y) in batches)
/// {
///     using var step = TensorScope.Begin();
///     var (loss, grads) = net.LossWithGradients(x, y);
///     optimizer.Step(grads);
///     total += loss.Item();
/// }
/// </code></example>
/// <remarks>Scopes nest and end in reverse order, on the thread that began them (not across <c>await</c>).</remarks>
public sealed class TensorScope : IDisposable
{
    /// <summary>Buffers of one length kept for reuse; more than this are left to the GC.</summary>
    private const int MaxPooledPerLength = 64;

    [ThreadStatic] private static TensorScope? _current;
    [ThreadStatic] private static Dictionary<(DType, int), Stack<Array>>? _pool;

    private readonly TensorScope? _parent;
    private readonly List<Tensor> _created = new();
    private readonly HashSet<Tensor> _kept = new(ReferenceEqualityComparer.Instance);
    private bool _ended;

    private TensorScope(TensorScope? parent) => _parent = parent;

    /// <summary>Starts a scope on this thread; end it with <see cref="Dispose"/> (a <c>using</c>).</summary>
    public static TensorScope Begin() => _current = new TensorScope(_current);

    /// <summary>Keeps <paramref name="tensor"/> valid after this scope ends (it then belongs to the enclosing scope, if any).</summary>
    public Tensor Keep(Tensor tensor)
    {
        _kept.Add(tensor);
        return tensor;
    }

    /// <summary>Keeps every gradient of a generated <c>...WithGradients</c> result.</summary>
    public void Keep(IGradients gradients)
    {
        foreach (var (_, gradient) in gradients.All) Keep(gradient);
    }

    /// <summary>Ends the scope: the storage of every tensor made in it and not kept returns to the pool.</summary>
    public void Dispose()
    {
        if (_ended) return;
        if (!ReferenceEquals(_current, this))
            throw new InvalidOperationException("TensorScopes must end in the reverse order they began, on the thread that began them.");
        _ended = true;
        _current = _parent;
        foreach (var tensor in _created)
        {
            if (_kept.Contains(tensor)) _parent?._created.Add(tensor);
            else Return(tensor.DType, tensor.Release());
        }
    }

    /// <summary>Storage for a new tensor from the pool, or null when no scope is active (the caller allocates).</summary>
    internal static Array? Rent(DType dtype, int length, bool clear)
    {
        if (_current is null || length == 0) return null;
        if (_pool is not null && _pool.TryGetValue((dtype, length), out var stack) && stack.Count > 0)
        {
            var array = stack.Pop();
            if (clear) Array.Clear(array);
            return array;
        }
        return dtype == DType.Float32 ? new float[length] : new double[length];
    }

    /// <summary>Notes a tensor made from pooled storage, to be released when the current scope ends.</summary>
    internal static Tensor Record(Tensor tensor)
    {
        _current!._created.Add(tensor);
        return tensor;
    }

    private static void Return(DType dtype, Array storage)
    {
        _pool ??= new Dictionary<(DType, int), Stack<Array>>();
        if (!_pool.TryGetValue((dtype, storage.Length), out var stack)) _pool[(dtype, storage.Length)] = stack = new Stack<Array>();
        if (stack.Count < MaxPooledPerLength) stack.Push(storage);
    }
}
