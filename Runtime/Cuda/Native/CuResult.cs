namespace Differentiable.Cuda.Native;

/// <summary>
/// <c>CUresult</c> from cuda.h. Only the values the runtime reacts to are named; every other code is turned into its
/// name and description by <c>cuGetErrorName</c> / <c>cuGetErrorString</c>.
/// </summary>
internal enum CuResult
{
    Success = 0,
    ErrorNoDevice = 100,
    ErrorUnsupportedPtxVersion = 222,
    ErrorNotFound = 500,
}
