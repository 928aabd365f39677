using System.Runtime.InteropServices;
using Differentiable.Cuda.Native;

namespace Differentiable.Cuda;

/// <summary>
/// A CUDA driver call failed, or there is no driver to call. The message says what was being done and how it failed:
/// <c>allocating 4.0 MB failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)</c>.
/// </summary>
public sealed class CudaException : Exception
{
    public CudaException(string message, string? errorName = null, int? errorCode = null, string? operation = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorName = errorName;
        ErrorCode = errorCode;
        Operation = operation;
    }

    /// <summary>The driver's name for the error (<c>CUDA_ERROR_OUT_OF_MEMORY</c>); null when no driver call failed.</summary>
    public string? ErrorName { get; }

    /// <summary>The <c>CUresult</c> value; null when no driver call failed.</summary>
    public int? ErrorCode { get; }

    /// <summary>What was being done: "allocating 4.0 MB", "launching kernel h1_matmul with 40 blocks × 256 threads".</summary>
    public string? Operation { get; }

    internal static CudaException FromDriver(CuResult result, string operation)
    {
        var name = DriverErrorName(result);
        var description = DriverErrorDescription(result);
        return new CudaException($"{operation} failed: {name} ({description})", name, (int)result, operation);
    }

    /// <summary>The driver library itself could not be loaded: no NVIDIA driver on this machine.</summary>
    internal static CudaException DriverMissing() =>
        new($"no NVIDIA driver ({string.Join(", ", NativeLibraries.CudaDriverFiles)}) found; run with --device cpu");

    private static string DriverErrorName(CuResult result) =>
        CudaDriver.cuGetErrorName(result, out var text) == CuResult.Success && text != IntPtr.Zero
            ? Marshal.PtrToStringUTF8(text)!
            // The driver does not know the code (a newer header than driver): the number is all there is.
            : $"CUresult {(int)result}";

    private static string DriverErrorDescription(CuResult result) =>
        CudaDriver.cuGetErrorString(result, out var text) == CuResult.Success && text != IntPtr.Zero
            ? Marshal.PtrToStringUTF8(text)!
            : "no description from the driver";
}
