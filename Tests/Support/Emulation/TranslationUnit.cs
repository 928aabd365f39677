using System.Text;
using Differentiable.Scheduling;

namespace Differentiable.Tests.Support.Emulation;

/// <summary>
/// The C++ file g++ compiles for one module: the shim, the kernel source unchanged, then per kernel a host launcher
/// <c>int NAME__launch(const Geometry* g, const unsigned long long* p, int blocks, int threads, char* error, int capacity)</c>
/// that plays the GPU's part: it runs every thread of the grid with the coordinates set, passing each address as the
/// declared type, and returns 0, or 1 with a message in <c>error</c> when the threads of a block cannot all finish.
/// Threads run one after another, or as fibers where the module synchronizes them (<see cref="CooperativeRuntime"/>).
/// </summary>
internal static class TranslationUnit
{
    public const string LauncherSuffix = "__launch";

    public static string Write(string source, string moduleName, IReadOnlyList<KernelSignature> kernels)
    {
        var cooperative = CooperativeRuntime.IsNeededBy(source);
        var text = new StringBuilder();
        // #line directives make g++'s errors point at the module's own lines rather than at this combined file.
        if (cooperative)
        {
            text.AppendLine("#line 1 \"emulator-cooperative-prologue.h\"");
            text.Append(CooperativeRuntime.Prologue);
        }
        text.AppendLine("#line 1 \"emulator-shim.h\"");
        text.Append(EmulatorShim.Header);
        if (cooperative)
        {
            text.AppendLine("#line 1 \"emulator-cooperative.h\"");
            text.Append(CooperativeRuntime.Header);
        }
        text.AppendLine($"#line 1 \"{Escaped(moduleName)}.cu\"");
        text.AppendLine(source);
        text.AppendLine($"#line 1 \"{Escaped(moduleName)}.launchers\"");
        // The C# KernelGeometry is passed by address as this struct: their layouts must agree byte for byte.
        text.AppendLine($"static_assert(sizeof(Geometry) == {KernelGeometry.SizeInBytes}, \"the module's Geometry struct must match KernelGeometry ({KernelGeometry.SizeInBytes} bytes)\");");
        var run = cooperative ? "emulator::run_cooperatively" : "emulator::run_serially";
        foreach (var kernel in kernels)
            AppendLauncher(text, kernel, run);
        return text.ToString();
    }

    private static void AppendLauncher(StringBuilder text, KernelSignature kernel, string run)
    {
        var arguments = kernel.PointerTypes.Select((type, index) => $", ({type})(uintptr_t)p[{index}]");
        text.AppendLine($$"""
            extern "C" __attribute__((visibility("default"))) int {{kernel.Name}}{{LauncherSuffix}}(const Geometry* g, const unsigned long long* p, int blocks, int threads, char* error, int capacity)
            {
                (void)p;
                return {{run}}(blocks, threads, error, capacity, [&] { {{kernel.Name}}(*g{{string.Concat(arguments)}}); });
            }
            """);
    }

    private static string Escaped(string moduleName) => moduleName.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace('\n', ' ').Replace('\r', ' ');
}
