using System.Diagnostics;
using System.Runtime;

namespace Differentiable.Benchmarks;

/// <summary>
/// The garbage collector a generator runs under in a build. <c>dotnet build</c> compiles in the compiler server
/// (VBCSCompiler), whose runtimeconfig.json in the SDK sets <c>"System.GC.Server": true</c>; a console program such as
/// this one gets the workstation collector. The two differ most on large inputs: the workstation collector's small
/// first generation collects dozens of times per run of the generator on a 1,000-statement body (more than a third of
/// its time), the server collector's a few times. Benchmarks of the generator run under the server collector so that
/// they measure what a build pays.
/// </summary>
public static class CompilerServerGc
{
    /// <summary>The compiler server's setting (see the SDK's Roslyn/bincore/VBCSCompiler.runtimeconfig.json).</summary>
    public const bool Server = true;

    /// <summary>
    /// Runs this program again under the server collector when it runs under another one (the collector is chosen at
    /// start-up, so it cannot be switched in-process) and returns its exit code; null when this process already runs
    /// under it, or when <paramref name="args"/> ask for the collector at hand (<c>--gc-as-is</c>).
    /// </summary>
    public static int? RelaunchUnlessServer(string[] args)
    {
        if (GCSettings.IsServerGC == Server || args.Contains("--gc-as-is")) return null;
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        // Started through 'dotnet <dll>': ProcessPath is the host, and the assembly comes first.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(CompilerServerGc).Assembly.Location);
        foreach (var a in Environment.GetCommandLineArgs().Skip(1)) start.ArgumentList.Add(a);
        start.Environment["DOTNET_gcServer"] = "1";
        using var child = Process.Start(start)!;
        child.WaitForExit();
        return child.ExitCode;
    }

    /// <summary>How the probe names the collector it ran under.</summary>
    public static string Describe() => GCSettings.IsServerGC ? "server GC, as the compiler server" : "workstation GC (--gc-as-is; a build's compiler server uses the server GC)";
}
