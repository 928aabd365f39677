using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Differentiable.Tests.Support.Emulation;

/// <summary>
/// Compiles translation units into shared libraries with g++, keeping each on disk under the SHA-256 of its text
/// and the flags: a kernel source compiles once, then every later load (in this test run or the next) reuses it.
/// </summary>
internal sealed class KernelLibraryCache(string directory)
{
    private const string Compiler = "g++";
    private const string Flags = "-O2 -std=c++17 -shared -fPIC -fvisibility=hidden";
    private static readonly TimeSpan CompileTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Where the emulator keeps compiled modules unless told otherwise.</summary>
    public static string DefaultDirectory => Path.Combine(Path.GetTempPath(), "differentiable-emulator");

    public string Directory { get; } = directory;

    /// <summary>How many times this cache has run g++ (a load found on disk does not count).</summary>
    public int CompilerRuns { get; private set; }

    /// <summary>The full path of g++ on PATH, or null where it is missing.</summary>
    public static string? FindCompiler()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, Compiler))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>The path of the shared library built from <paramref name="translationUnit"/>, compiling it if no earlier run did.</summary>
    public string GetOrCompile(string translationUnit, string moduleName)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Flags + "\n" + translationUnit)));
        var library = Path.Combine(Directory, key + ".so");
        if (File.Exists(library))
            return library;

        System.IO.Directory.CreateDirectory(Directory);
        // Kept beside the library so that a failing kernel can be read and recompiled by hand.
        var sourceFile = Path.Combine(Directory, key + ".cpp");
        File.WriteAllText(sourceFile, translationUnit);

        // Written under a unique name, then renamed: test processes compiling the same module at once never load half a file.
        var partial = Path.Combine(Directory, $"{key}.{Guid.NewGuid():N}.partial");
        try
        {
            Compile(sourceFile, partial, moduleName);
            File.Move(partial, library, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
        return library;
    }

    private void Compile(string sourceFile, string output, string moduleName)
    {
        var compiler = FindCompiler() ?? throw new InvalidOperationException($"Cannot compile module '{moduleName}' for host emulation: {Compiler} is not on PATH.");
        var start = new ProcessStartInfo(compiler)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var flag in Flags.Split(' '))
            start.ArgumentList.Add(flag);
        start.ArgumentList.Add("-o");
        start.ArgumentList.Add(output);
        start.ArgumentList.Add(sourceFile);

        CompilerRuns++;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {compiler}.");
        // Both streams are drained concurrently: a compiler blocked on a full stderr pipe would never exit.
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CompileTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new KernelCompilationException(moduleName, $"{Compiler} did not finish within {CompileTimeout.TotalSeconds:0} s.");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new KernelCompilationException(moduleName, (standardOutput.Result + standardError.Result).Trim());
    }
}
