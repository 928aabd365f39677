using System.Runtime.InteropServices;

namespace Differentiable.Cuda.Native;

/// <summary>
/// The CUDA driver API (<c>libcuda.so.1</c>), one import per function, exactly as cuda.h declares it: handles
/// (<c>CUcontext</c>, <c>CUmodule</c>, <c>CUfunction</c>, <c>CUstream</c>, <c>CUevent</c>, <c>CUgraph</c>,
/// <c>CUgraphExec</c>) are <see cref="IntPtr"/>, <c>CUdevice</c> is <see cref="int"/>, <c>CUdeviceptr</c> is
/// <see cref="ulong"/>, <c>size_t</c> is <see cref="nuint"/>. Entry points are the versioned symbols cuda.h maps the
/// plain names to (<c>cuMemAlloc</c> → <c>cuMemAlloc_v2</c>). No checks here: callers go through <c>DriverCall</c>.
/// </summary>
internal static unsafe partial class CudaDriver
{
    static CudaDriver() => NativeLibraries.RegisterResolver();

    private const string Lib = NativeLibraries.CudaDriverName;

    // Initialization and devices

    [LibraryImport(Lib)] public static partial CuResult cuInit(uint flags);
    [LibraryImport(Lib)] public static partial CuResult cuDriverGetVersion(out int driverVersion);
    [LibraryImport(Lib)] public static partial CuResult cuDeviceGetCount(out int count);
    [LibraryImport(Lib)] public static partial CuResult cuDeviceGet(out int device, int ordinal);
    [LibraryImport(Lib)] public static partial CuResult cuDeviceGetName(byte* name, int length, int device);
    [LibraryImport(Lib)] public static partial CuResult cuDeviceGetAttribute(out int value, CuDeviceAttribute attribute, int device);

    // Contexts

    [LibraryImport(Lib)] public static partial CuResult cuDevicePrimaryCtxRetain(out IntPtr context, int device);
    [LibraryImport(Lib, EntryPoint = "cuDevicePrimaryCtxRelease_v2")] public static partial CuResult cuDevicePrimaryCtxRelease(int device);
    [LibraryImport(Lib)] public static partial CuResult cuCtxSetCurrent(IntPtr context);

    // Memory

    [LibraryImport(Lib, EntryPoint = "cuMemAlloc_v2")] public static partial CuResult cuMemAlloc(out ulong address, nuint bytes);
    [LibraryImport(Lib, EntryPoint = "cuMemFree_v2")] public static partial CuResult cuMemFree(ulong address);
    [LibraryImport(Lib, EntryPoint = "cuMemcpyHtoDAsync_v2")] public static partial CuResult cuMemcpyHtoDAsync(ulong destination, void* source, nuint bytes, IntPtr stream);
    [LibraryImport(Lib, EntryPoint = "cuMemcpyDtoHAsync_v2")] public static partial CuResult cuMemcpyDtoHAsync(void* destination, ulong source, nuint bytes, IntPtr stream);
    [LibraryImport(Lib)] public static partial CuResult cuMemsetD8Async(ulong destination, byte value, nuint count, IntPtr stream);

    // Modules and launches

    [LibraryImport(Lib)] public static partial CuResult cuModuleLoadData(out IntPtr module, void* image);
    [LibraryImport(Lib)] public static partial CuResult cuModuleUnload(IntPtr module);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial CuResult cuModuleGetFunction(out IntPtr function, IntPtr module, string name);

    [LibraryImport(Lib)]
    public static partial CuResult cuLaunchKernel(
        IntPtr function,
        uint gridDimX, uint gridDimY, uint gridDimZ,
        uint blockDimX, uint blockDimY, uint blockDimZ,
        uint sharedMemBytes, IntPtr stream, void** kernelParams, void** extra);

    // Streams and events

    [LibraryImport(Lib)] public static partial CuResult cuStreamCreate(out IntPtr stream, uint flags);
    [LibraryImport(Lib)] public static partial CuResult cuStreamSynchronize(IntPtr stream);
    [LibraryImport(Lib, EntryPoint = "cuStreamDestroy_v2")] public static partial CuResult cuStreamDestroy(IntPtr stream);
    [LibraryImport(Lib)] public static partial CuResult cuEventCreate(out IntPtr evt, uint flags);
    [LibraryImport(Lib)] public static partial CuResult cuEventRecord(IntPtr evt, IntPtr stream);
    [LibraryImport(Lib)] public static partial CuResult cuEventSynchronize(IntPtr evt);
    [LibraryImport(Lib)] public static partial CuResult cuEventElapsedTime(out float milliseconds, IntPtr start, IntPtr end);
    [LibraryImport(Lib, EntryPoint = "cuEventDestroy_v2")] public static partial CuResult cuEventDestroy(IntPtr evt);

    // Graphs

    [LibraryImport(Lib, EntryPoint = "cuStreamBeginCapture_v2")] public static partial CuResult cuStreamBeginCapture(IntPtr stream, CuStreamCaptureMode mode);
    [LibraryImport(Lib)] public static partial CuResult cuStreamEndCapture(IntPtr stream, out IntPtr graph);
    [LibraryImport(Lib)] public static partial CuResult cuGraphInstantiateWithFlags(out IntPtr graphExec, IntPtr graph, ulong flags);
    [LibraryImport(Lib)] public static partial CuResult cuGraphLaunch(IntPtr graphExec, IntPtr stream);
    [LibraryImport(Lib)] public static partial CuResult cuGraphExecDestroy(IntPtr graphExec);
    [LibraryImport(Lib)] public static partial CuResult cuGraphDestroy(IntPtr graph);

    // Errors: the strings are static, owned by the driver (never freed).

    [LibraryImport(Lib)] public static partial CuResult cuGetErrorName(CuResult error, out IntPtr name);
    [LibraryImport(Lib)] public static partial CuResult cuGetErrorString(CuResult error, out IntPtr description);
}
