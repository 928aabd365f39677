using Differentiable.Cuda.Native;

namespace Differentiable.Cuda;

/// <summary>
/// Loads the driver library and calls <c>cuInit</c> once per process. The outcome is remembered: a machine without a
/// driver or a GPU does not grow one while the process runs, and every backend should report the same reason.
/// </summary>
internal static class CudaDriverStartup
{
    private static readonly Lazy<CudaException?> Failure = new(InitializeOnce);

    public static void EnsureInitialized()
    {
        if (Failure.Value is { } failure)
            throw new CudaException(failure.Message, failure.ErrorName, failure.ErrorCode, failure.Operation);
    }

    private static CudaException? InitializeOnce()
    {
        var library = NativeLibraries.LoadCudaDriver();
        if (!library.IsLoaded) return CudaException.DriverMissing();
        try
        {
            DriverCall.Check(CudaDriver.cuInit(0), "initializing the CUDA driver");
            return null;
        }
        catch (CudaException e)
        {
            return e;
        }
    }
}
