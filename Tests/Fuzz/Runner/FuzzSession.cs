using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Differentiable.Fuzz.Runner;

public sealed record FuzzOptions
{
    public int BatchSize { get; init; } = 50;
    public TimeSpan BatchBudget { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan CaseBudget { get; init; } = TimeSpan.FromSeconds(20);
    public int Jobs { get; init; } = Math.Max(1, Environment.ProcessorCount);
    /// <summary>Run in this process: faster to debug, but a stack overflow in the generator ends the run.</summary>
    public bool InProcess { get; init; }
}

/// <summary>
/// Runs case ids through worker processes (<see cref="Worker"/>), <see cref="FuzzOptions.Jobs"/> at a time, and
/// turns a worker's death into the result of the case it was running: a lone case that was running is
/// <see cref="Outcome.Crashed"/> (or <see cref="Outcome.Slow"/> when the worker went silent and was killed);
/// a batch that was running is sent again, its cases one by one.
/// </summary>
public static class FuzzSession
{
    public static IReadOnlyList<CaseResult> Run(IReadOnlyList<string> ids, FuzzOptions options, Action<CaseResult>? onResult = null)
    {
        var results = new CaseResult[ids.Count];
        void Done(int position, CaseResult result)
        {
            results[position] = result;
            onResult?.Invoke(result);
        }
        if (options.InProcess)
        {
            var runner = new BatchRunner(options.BatchBudget, options.CaseBudget);
            for (var start = 0; start < ids.Count; start += options.BatchSize)
            {
                var chunk = Enumerable.Range(start, Math.Min(options.BatchSize, ids.Count - start)).ToList();
                var batch = runner.RunBatch(chunk.Select(p => Cases.CaseFactory.Make(ids[p])).ToList());
                for (var k = 0; k < chunk.Count; k++) Done(chunk[k], batch[k]);
            }
            return results;
        }
        // Contiguous chunks keep each worker's batches the same whatever the number of jobs.
        var jobs = Math.Max(1, Math.Min(options.Jobs, (ids.Count + options.BatchSize - 1) / options.BatchSize));
        var per = (ids.Count + jobs - 1) / jobs;
        var gate = new object();
        Parallel.For(0, jobs, new ParallelOptions { MaxDegreeOfParallelism = jobs }, j =>
        {
            var positions = Enumerable.Range(j * per, Math.Max(0, Math.Min(per, ids.Count - j * per))).ToList();
            RunChunk(ids, positions, options, (p, r) => { lock (gate) Done(p, r); });
        });
        return results;
    }

    private static void RunChunk(IReadOnlyList<string> ids, List<int> positions, FuzzOptions options, Action<int, CaseResult> done)
    {
        var pending = positions.ToDictionary(p => p, _ => false); // position → must run alone
        var silence = options.BatchBudget + options.CaseBudget * 2 + TimeSpan.FromSeconds(60);
        while (pending.Count > 0)
        {
            using var worker = StartWorker(options);
            var stderr = new StringBuilder();
            worker.ErrorDataReceived += (_, e) => { lock (stderr) if (e.Data is not null && stderr.Length < 4_000_000) stderr.AppendLine(e.Data); };
            worker.BeginErrorReadLine();
            // Writing all the work first: the worker reads to EOF before it starts.
            foreach (var p in pending.Keys.Order()) worker.StandardInput.WriteLine($"{p}\t{(pending[p] ? "s" : "b")}\t{ids[p]}");
            worker.StandardInput.Close();

            string? marker = null;
            var killed = false;
            var lines = new BlockingCollection<string?>();
            var reader = Task.Run(() => { for (string? l; (l = worker.StandardOutput.ReadLine()) is not null;) lines.Add(l); lines.Add(null); });
            while (true)
            {
                if (!lines.TryTake(out var line, silence)) { killed = true; worker.Kill(entireProcessTree: true); break; }
                if (line is null) break;
                var parts = line.Split('\t');
                if (parts[0] is "@batch" or "@single") marker = line;
                else if (parts[0] == "=" && int.TryParse(parts[1], out var p) && pending.Remove(p))
                    done(p, new CaseResult(ids[p], Enum.Parse<Outcome>(parts[2]), Encoding.UTF8.GetString(Convert.FromBase64String(parts[3]))));
            }
            worker.WaitForExit();
            if (pending.Count == 0) break;

            var error = stderr.ToString();
            var markerParts = marker?.Split('\t');
            if (markerParts?[0] == "@single" && pending.Remove(int.Parse(markerParts[1]), out _))
            {
                var p = int.Parse(markerParts[1]);
                done(p, killed
                    ? new CaseResult(ids[p], Outcome.Slow, $"the worker printed nothing for {silence.TotalSeconds:0} s and was killed")
                    : new CaseResult(ids[p], Outcome.Crashed, $"the worker died (exit code {worker.ExitCode}):\n{Head(error)}"));
            }
            else if (markerParts?[0] == "@batch")
            {
                var (from, to) = (int.Parse(markerParts[1]), int.Parse(markerParts[2]));
                foreach (var p in pending.Keys.Where(p => p >= from && p <= to).ToList()) pending[p] = true;
            }
            else if (worker.ExitCode != Worker.RecycleExitCode)
                throw new InvalidOperationException($"The fuzz worker failed before running a case (exit code {worker.ExitCode}):\n{error}");
        }
    }

    /// <summary>The start of a crash report: "Stack overflow." and the first repeated frames are what tell the story.</summary>
    /// <summary>The start of a dead worker's report (what overflowed) and its end (who called it: the frames that tell generator from host).</summary>
    private static string Head(string text)
    {
        var lines = text.Split('\n');
        return lines.Length <= 60 ? text : string.Join("\n", lines.Take(25).Append($"... ({lines.Length - 60} lines) ...").Concat(lines.Skip(lines.Length - 35)));
    }

    private static Process StartWorker(FuzzOptions options)
    {
        var dll = typeof(Worker).Assembly.Location;
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Environment.CurrentDirectory,
        };
        start.ArgumentList.Add("exec");
        var runtimeConfig = Path.ChangeExtension(dll, ".runtimeconfig.json");
        if (File.Exists(runtimeConfig)) { start.ArgumentList.Add("--runtimeconfig"); start.ArgumentList.Add(runtimeConfig); }
        start.ArgumentList.Add(dll);
        foreach (var a in new[] { "--worker", "--batch", options.BatchSize.ToString(), "--batch-timeout", options.BatchBudget.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--case-timeout", options.CaseBudget.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        return Process.Start(start) ?? throw new InvalidOperationException("could not start " + host);
    }
}
