using System.Text;
using Differentiable.Scheduling;

namespace Differentiable.Tests.Support.Emulation;

/// <summary>
/// The C++ file g++ compiles for one module: the shim, the kernel source unchanged, then per kernel a host launcher
/// <c>NAME__launch(const Geometry* g, const unsigned long long* p, int blocks, int threads)</c> that plays the GPU's
/// part: it runs every thread of the grid in turn with the coordinates set, passing each address as the declared type.
/// </summary>
internal static class TranslationUnit
{
    public const string LauncherSuffix = "__launch";

    public static string Write(string source, string moduleName, IReadOnlyList<KernelSignature> kernels)
    {
        var text = new StringBuilder();
        // #line directives make g++'s errors point at the module's own lines rather than at this combined file.
        text.AppendLine("#line 1 \"emulator-shim.h\"");
        text.Append(EmulatorShim.Header);
        text.AppendLine($"#line 1 \"{Escaped(moduleName)}.cu\"");
        text.AppendLine(source);
        text.AppendLine($"#line 1 \"{Escaped(moduleName)}.launchers\"");
        // The C# KernelGeometry is passed by address as this struct: their layouts must agree byte for byte.
        text.AppendLine($"static_assert(sizeof(Geometry) == {KernelGeometry.SizeInBytes}, \"the module's Geometry struct must match KernelGeometry ({KernelGeometry.SizeInBytes} bytes)\");");
        foreach (var kernel in kernels)
            AppendLauncher(text, kernel);
        return text.ToString();
    }

    private static void AppendLauncher(StringBuilder text, KernelSignature kernel)
    {
        var arguments = kernel.PointerTypes.Select((type, index) => $", ({type})(uintptr_t)p[{index}]");
        text.AppendLine($$"""
            extern "C" __attribute__((visibility("default"))) void {{kernel.Name}}{{LauncherSuffix}}(const Geometry* g, const unsigned long long* p, int blocks, int threads)
            {
                (void)p;
                gridDim = dim3{(unsigned int)blocks, 1, 1};
                blockDim = dim3{(unsigned int)threads, 1, 1};
                for (int block = 0; block < blocks; ++block)
                {
                    blockIdx = uint3{(unsigned int)block, 0, 0};
                    for (int thread = 0; thread < threads; ++thread)
                    {
                        threadIdx = uint3{(unsigned int)thread, 0, 0};
                        {{kernel.Name}}(*g{{string.Concat(arguments)}});
                    }
                }
            }
            """);
    }

    private static string Escaped(string moduleName) => moduleName.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace('\n', ' ').Replace('\r', ' ');
}
