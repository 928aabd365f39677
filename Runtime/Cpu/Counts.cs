namespace Differentiable.Cpu;

/// <summary>
/// A small count known to the JIT at compile time: a kernel generic over <c>TCount : struct, ICount</c> is compiled
/// once per count, each copy keeping exactly that many accumulators in registers (the branches on
/// <c>TCount.N</c> fold away). The direct convolution kernels use it for their taps and output channels.
/// </summary>
internal interface ICount { static abstract int N { get; } }

internal struct One : ICount { public static int N => 1; }
internal struct Two : ICount { public static int N => 2; }
internal struct Three : ICount { public static int N => 3; }
internal struct Four : ICount { public static int N => 4; }
internal struct Five : ICount { public static int N => 5; }
internal struct Six : ICount { public static int N => 6; }
internal struct Seven : ICount { public static int N => 7; }
internal struct Eight : ICount { public static int N => 8; }
