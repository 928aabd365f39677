namespace Differentiable.Scheduling;

/// <summary>What a device buffer holds: 32-bit floats, or 32-bit class labels.</summary>
public enum ElementKind { Float32, Int32 }

/// <summary>
/// A tensor of a device program while it is being built: a strided view of a <see cref="LogicalBuffer"/>. Views
/// (transpose, reshape, expand, slice) share their base buffer and cost no kernel; kernels read them through their
/// strides.
/// </summary>
public sealed class DeviceTensor
{
    internal DeviceTensor(string name, LogicalBuffer buffer, long offset, int[] shape, int[] strides, ElementKind kind)
    {
        Name = name;
        Buffer = buffer;
        Offset = offset;
        Shape = shape;
        Strides = strides;
        Kind = kind;
    }

    /// <summary>The generated variable it stands for (<c>h1</c>, <c>d_W1</c>), for messages.</summary>
    public string Name { get; }

    public LogicalBuffer Buffer { get; }

    /// <summary>Offset of the first element in the buffer, in elements.</summary>
    public long Offset { get; }

    public int[] Shape { get; }

    /// <summary>Element strides per dimension; 0 where the view repeats (broadcast) one element.</summary>
    public int[] Strides { get; }

    public ElementKind Kind { get; }

    public int Rank => Shape.Length;

    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Row-major and dense: the buffer's elements in order, as a CPU tensor stores them.</summary>
    public bool IsContiguous => Strides.SequenceEqual(ContiguousStrides(Shape));

    public string ShapeText => "(" + string.Join(", ", Shape) + ")";

    public static int[] ContiguousStrides(int[] shape)
    {
        var strides = new int[shape.Length];
        var stride = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= shape[d];
        }
        return strides;
    }

    internal DeviceTensor View(string name, long offset, int[] shape, int[] strides) => new(name, Buffer, offset, shape, strides, Kind);

    public override string ToString() => $"{Name} {ShapeText}";
}

/// <summary>
/// Where a buffer lives: in the program's arena (reused by liveness), bound from outside by name, or an address
/// table the runner owns and fills with the addresses of other buffers once they are known.
/// </summary>
public enum BufferKind { Arena, External, Table }

/// <summary>
/// A buffer of a device program before memory is planned. Arena buffers get an offset in one allocation such that
/// buffers alive at the same time never overlap; external buffers (inputs, labels, parameters, optimizer state) are
/// bound by name when the program runs.
/// </summary>
public sealed class LogicalBuffer
{
    internal LogicalBuffer(int id, string name, long bytes, BufferKind kind)
    {
        Id = id;
        Name = name;
        Bytes = bytes;
        Kind = kind;
    }

    public int Id { get; }
    public string Name { get; }
    public long Bytes { get; }
    public BufferKind Kind { get; }

    /// <summary>The first and last step that touch it (−1 before the first step); set while the program is built.</summary>
    public int FirstUse { get; internal set; } = int.MaxValue;
    public int LastUse { get; internal set; } = -1;

    /// <summary>Byte offset in the arena, assigned by <see cref="MemoryPlanner"/>.</summary>
    public long ArenaOffset { get; internal set; } = -1;

    internal void Touch(int step)
    {
        FirstUse = Math.Min(FirstUse, step);
        LastUse = Math.Max(LastUse, step);
    }

    public override string ToString() => $"{Name} ({Bytes} bytes, {Kind})";
}
