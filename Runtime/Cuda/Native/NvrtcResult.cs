namespace Differentiable.Cuda.Native;

/// <summary>
/// <c>nvrtcResult</c> from nvrtc.h. Only the values the runtime reacts to are named; <c>nvrtcGetErrorString</c>
/// describes every code.
/// </summary>
internal enum NvrtcResult
{
    Success = 0,
    InvalidOption = 5,
    CompilationError = 6,
}
