using System.Runtime.InteropServices;

namespace Differentiable.Checkpoints;

/// <summary>
/// Whether a path is a regular file. .NET reports a device node (<c>/dev/full</c>) or a FIFO as an ordinary file
/// with no attributes, and a save must not replace one with a regular file; the file type comes from the runtime's
/// own native shim (<c>SystemNative_Stat</c>, what <c>System.IO</c> itself calls), whose status begins with the
/// flags and the mode. Where that shim is not there (Windows), every existing non-directory counts as regular.
/// </summary>
internal static partial class FileKind
{
    private const int TypeMask = 0xF000, Regular = 0x8000;

    /// <summary>True when <paramref name="path"/> (links followed) is a regular file, null when its type cannot be read.</summary>
    public static unsafe bool? IsRegularFile(string path)
    {
        if (OperatingSystem.IsWindows()) return File.Exists(path);
        // The status struct is about 100 bytes today; a larger buffer leaves room for fields added later.
        var status = stackalloc byte[512];
        try
        {
            if (Stat(path, status) != 0) return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        var mode = *(int*)(status + sizeof(int));
        return (mode & TypeMask) == Regular;
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Stat(string path, byte* status);
}
