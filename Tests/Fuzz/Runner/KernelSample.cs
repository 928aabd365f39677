using System.Reflection;
using Differentiable.Cuda;

namespace Differentiable.Fuzz.Runner;

/// <summary>
/// NVRTC on a sample of the random programs, not on each (one compile takes about as long as a whole batch): every
/// <c>*CudaSource</c> constant of every 10th checked case is compiled to PTX for sm_80. Where NVRTC is not installed
/// the sample is skipped (CI installs it, so there it always runs). Returns null when every source compiles.
/// </summary>
public static class KernelSample
{
    private static readonly KernelCompiler Compiler = new(Path.Combine(Path.GetTempPath(), "differentiable-fuzz-nvrtc"));

    /// <summary>One case in ten, chosen by a hash of its id that is the same in every process (string.GetHashCode is not).</summary>
    public static bool Takes(string caseId)
    {
        if (!KernelCompiler.IsNvrtcAvailable) return false;
        var hash = 2166136261u;
        foreach (var c in caseId) hash = (hash ^ c) * 16777619u;
        return hash % 10 == 0;
    }

    public static string? Compile(Assembly assembly, int n)
    {
        var sources = assembly.GetTypes().Where(t => t.Namespace?.StartsWith($"Fuzz.Case{n}", StringComparison.Ordinal) == true)
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.Name.EndsWith("CudaSource", StringComparison.Ordinal)))
            .ToList();
        foreach (var field in sources)
        {
            try
            {
                Compiler.CompileToPtx((string)field.GetRawConstantValue()!, field.DeclaringType!.Name + "." + field.Name, "compute_80");
            }
            catch (Exception e)
            {
                return $"NVRTC rejected {field.DeclaringType!.Name}.{field.Name}: {e.Message}";
            }
        }
        return null;
    }
}
