using System.Text;
using Differentiable.Fuzz.Cases;

namespace Differentiable.Fuzz.Runner;

/// <summary>
/// The child process that runs the generator (<c>--worker</c>). A stack overflow cannot be caught in .NET, so the
/// generator runs where its death costs only the worker: before each batch and each lone case it prints a marker,
/// after each case its result, and the parent (<see cref="FuzzSession"/>) blames the case that was running.
/// Reads "position TAB mode TAB case-id" lines (mode b: may be batched, s: run alone) from stdin until EOF.
/// </summary>
public static class Worker
{
    public const int RecycleExitCode = 3;

    /// <summary>
    /// Serves on a thread with a large stack: the host compiles and binds every case (deep expressions included) the way
    /// the compiler does on its own threads; only the generator itself runs on the 1 MiB stack (<see cref="GeneratorHost"/>).
    /// The process's main thread has whatever stack the machine's limits give it, which must not decide a case.
    /// </summary>
    public static int Serve(int batchSize, TimeSpan batchBudget, TimeSpan caseBudget)
    {
        var exit = 0;
        var thread = new Thread(() => exit = ServeHere(batchSize, batchBudget, caseBudget), HostStackBytes) { Name = "fuzz host" };
        thread.Start();
        thread.Join();
        return exit;
    }

    public const int HostStackBytes = 256 * 1024 * 1024;

    private static int ServeHere(int batchSize, TimeSpan batchBudget, TimeSpan caseBudget)
    {
        var work = new List<(int Position, bool Alone, string Id)>();
        for (var line = Console.In.ReadLine(); line is not null; line = Console.In.ReadLine())
        {
            var parts = line.Split('\t', 3);
            if (parts.Length == 3) work.Add((int.Parse(parts[0]), parts[1] == "s", parts[2]));
        }
        var output = Console.Out;
        for (var i = 0; i < work.Count;)
        {
            var batch = new List<(int Position, bool Alone, string Id)> { work[i++] };
            while (!batch[0].Alone && i < work.Count && !work[i].Alone && batch.Count < batchSize) batch.Add(work[i++]);
            List<FuzzCase> cases;
            try { cases = batch.Select(w => CaseFactory.Make(w.Id)).ToList(); }
            catch (Exception e)
            {
                foreach (var w in batch) Report(output, w.Position, new CaseResult(w.Id, Outcome.Crashed, "the case could not be made: " + Classifier.Describe(e)));
                continue;
            }
            var runner = new BatchRunner(batchBudget, caseBudget, local => Line(output, $"@single\t{batch[local].Position}"));
            Line(output, batch.Count == 1 ? $"@single\t{batch[0].Position}" : $"@batch\t{batch[0].Position}\t{batch[^1].Position}");
            var results = batch.Count == 1 ? new[] { runner.RunSingle(cases[0], -1) } : runner.RunBatch(cases);
            for (var k = 0; k < batch.Count; k++) Report(output, batch[k].Position, results[k]);
            // A generator thread that ignored its cancellation still burns a core: start a fresh process for the rest.
            if (GeneratorHost.Abandoned > 0) return RecycleExitCode;
        }
        return 0;
    }

    private static void Report(TextWriter output, int position, CaseResult result) =>
        Line(output, $"=\t{position}\t{result.Outcome}\t{Convert.ToBase64String(Encoding.UTF8.GetBytes(result.Detail))}");

    private static void Line(TextWriter output, string line)
    {
        output.WriteLine(line);
        output.Flush();
    }
}
