using System.Runtime.InteropServices;

namespace Differentiable.Cuda.Native;

/// <summary>
/// NVRTC, the runtime CUDA C++ compiler (<c>libnvrtc.so.13</c>, <c>.12</c> or <c>.11.2</c>), one import per function as
/// nvrtc.h declares it: <c>nvrtcProgram</c> is <see cref="IntPtr"/>, <c>size_t</c> is <see cref="nuint"/>. It needs no GPU.
/// No checks here: <c>KernelCompiler</c> interprets the results.
/// </summary>
internal static unsafe partial class Nvrtc
{
    static Nvrtc() => NativeLibraries.RegisterResolver();

    private const string Lib = NativeLibraries.NvrtcName;

    [LibraryImport(Lib)] public static partial NvrtcResult nvrtcVersion(out int major, out int minor);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial NvrtcResult nvrtcCreateProgram(
        out IntPtr program, string source, string name, int numHeaders, byte** headers, byte** includeNames);

    [LibraryImport(Lib)] public static partial NvrtcResult nvrtcCompileProgram(IntPtr program, int numOptions, byte** options);
    [LibraryImport(Lib)] public static partial NvrtcResult nvrtcGetPTXSize(IntPtr program, out nuint size);
    [LibraryImport(Lib)] public static partial NvrtcResult nvrtcGetPTX(IntPtr program, byte* ptx);
    [LibraryImport(Lib)] public static partial NvrtcResult nvrtcGetProgramLogSize(IntPtr program, out nuint size);
    [LibraryImport(Lib)] public static partial NvrtcResult nvrtcGetProgramLog(IntPtr program, byte* log);
    [LibraryImport(Lib)] public static partial NvrtcResult nvrtcDestroyProgram(ref IntPtr program);

    /// <summary>Returns a static string owned by NVRTC (never freed).</summary>
    [LibraryImport(Lib)] public static partial IntPtr nvrtcGetErrorString(NvrtcResult result);
}
