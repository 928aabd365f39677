using System.Diagnostics;
using System.Globalization;
using Differentiable.Fuzz.Cases;
using Differentiable.Fuzz.Runner;

// Plain argument parsing: five options do not need System.CommandLine (which would restore, but adds a dependency).
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i < args.Length; i++)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal)) return Usage($"unexpected '{args[i]}'");
    var flag = args[i][2..];
    options[flag] = flag is "worker" or "in-process" or "help" or "show" ? "true" : i + 1 < args.Length ? args[++i] : "";
}
if (options.ContainsKey("help")) return Usage(null);

double Seconds(string name, double fallback) => options.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
int Int(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

var fuzz = new FuzzOptions
{
    BatchSize = Int("batch", 50),
    BatchBudget = TimeSpan.FromSeconds(Seconds("batch-timeout", 60)),
    CaseBudget = TimeSpan.FromSeconds(Seconds("case-timeout", 20)),
    Jobs = Int("jobs", Environment.ProcessorCount),
    InProcess = options.ContainsKey("in-process"),
};
if (options.ContainsKey("worker")) return Worker.Serve(fuzz.BatchSize, fuzz.BatchBudget, fuzz.CaseBudget);

var count = Int("count", 1000);
var seed = Int("seed", 1);
var start = Int("start", 0);
var family = Enum.Parse<Family>(options.GetValueOrDefault("family", "all"), ignoreCase: true);
var output = options.GetValueOrDefault("out", Path.Combine("out", "fuzz"));
var ids = options.TryGetValue("case", out var single)
    ? new[] { single }
    : Enumerable.Range(start, count).Select(i => CaseFactory.Id(family, seed, i)).ToArray();

if (options.ContainsKey("show"))
{
    foreach (var id in ids) Console.WriteLine($"// {id}: {CaseFactory.Make(id).Description}\n{CaseFactory.Make(id).Source}");
    return 0;
}

Console.WriteLine($"fuzzing {ids.Length} case(s), family {family}, seed {seed}, batches of {fuzz.BatchSize}, {fuzz.Jobs} worker(s){(fuzz.InProcess ? " in process" : "")}; failures go to {Path.GetFullPath(output)}");
var watch = Stopwatch.StartNew();
var finished = 0;
var failures = 0;
var lastProgress = TimeSpan.Zero;
var results = FuzzSession.Run(ids, fuzz, result =>
{
    finished++;
    if (result.IsFailure)
    {
        failures++;
        Report.Write(output, result);
        Console.WriteLine($"  {result.Outcome}: {result.Id}  {result.Detail.Split('\n')[0]}");
    }
    if (watch.Elapsed - lastProgress > TimeSpan.FromSeconds(5) || finished == ids.Length)
    {
        lastProgress = watch.Elapsed;
        Console.WriteLine($"[{finished}/{ids.Length}] {failures} failure(s), {watch.Elapsed.TotalSeconds:0} s");
    }
});
Console.WriteLine();
Console.Write(Report.Summary(results, watch.Elapsed));
return results.Any(r => r.IsFailure) ? 1 : 0;

static int Usage(string? error)
{
    if (error is not null) Console.Error.WriteLine(error);
    Console.WriteLine("""
        dotnet run -c Release --project Tests/Fuzz -- [options]
          --count N            cases to run (default 1000)
          --seed N             seed (default 1); case i of a seed is always the same program
          --start N            first case index (default 0)
          --family F           random | mutation | edge | all (default all)
          --batch N            cases per compilation (default 50)
          --jobs N             worker processes (default: processor count)
          --batch-timeout S    generator budget per batch, seconds (default 60)
          --case-timeout S     generator budget per lone case, seconds (default 20)
          --out DIR            where failing cases are written (default out/fuzz)
          --case ID            run one case, e.g. random:1:42, file:path/to/Case.cs, repro:LongSum20000Terms
          --in-process         no worker processes (a generator stack overflow then ends the run)
          --show               print the cases' sources instead of running them
        Exit code 1 when any case failed.
        """);
    return error is null ? 0 : 2;
}
