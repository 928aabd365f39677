namespace Differentiable.Scheduling;

/// <summary>A pointer argument of a step: a buffer and a byte offset into it.</summary>
public readonly record struct BufferOperand(LogicalBuffer Buffer, long ByteOffset);

/// <summary>One step of a device program: a kernel launch, or setting a buffer region to zero.</summary>
public abstract record ProgramStep(string Description);

/// <summary>
/// Launch <see cref="Kernel"/> of module <see cref="Module"/> over <see cref="KernelGeometry.Count"/> threads; the
/// output is the first operand.
/// </summary>
public sealed record LaunchStep(string Module, string Kernel, int Blocks, int ThreadsPerBlock, KernelGeometry Geometry, BufferOperand[] Operands, string Description)
    : ProgramStep(Description);

/// <summary>Zero <see cref="Bytes"/> bytes of a buffer (gradients that no rule reaches, accumulation targets).</summary>
public sealed record ZeroStep(BufferOperand Target, long Bytes, string Description) : ProgramStep(Description);
