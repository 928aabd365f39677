using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Differentiable.Benchmarks;

/// <summary>
/// `allocation-sites TRACE.nettrace [--frame Differentiable.Generator] [--top 40] [--large]`: what a trace's sampled allocations
/// (the runtime's allocation ticks, one per ~100 KB, with stacks) were, by type and by the innermost frame whose method
/// name contains the prefix: the generator's own line that allocated, not the collection or string helper it called.
/// Record the trace with
/// <c>dotnet-trace collect --providers Microsoft-Windows-DotNETRuntime:0x1:5 -o gen.nettrace -- dotnet Differentiable.Benchmarks.dll generator-probe --unchecked --gc-as-is --repeat 40 Body-1000</c>
/// (the GC keyword at verbose level: allocation ticks; <c>--gc-as-is</c> keeps the probe in the traced process, where it
/// would start a child under the server collector). Percentages are of all sampled bytes, Roslyn's included. <c>--large</c>
/// keeps only the large-object heap's allocations, whose budget is what starts the full collections; the collections the
/// trace saw are listed first, by generation and the reason the runtime gave.
/// </summary>
public static class AllocationSites
{
    public static int Run(string[] args)
    {
        if (args.Length == 0 || !File.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: allocation-sites TRACE.nettrace [--frame PREFIX] [--top N]");
            return 2;
        }
        var frame = Option(args, "--frame") ?? "Differentiable.Generator";
        var top = int.TryParse(Option(args, "--top"), out var n) ? n : 40;
        var largeOnly = args.Contains("--large");
        // --objects: ranks by the estimated number of objects (a tick's bytes over its object's size) rather than by bytes:
        // a gen-0 collection's cost grows with the objects it walks, dead or alive, as much as with their bytes.
        var byObjects = args.Contains("--objects");
        using var log = TraceLog.OpenOrConvert(TraceLog.CreateFromEventPipeDataFile(args[0]));
        var bytes = new Dictionary<string, long>();
        var collections = new Dictionary<string, (int Count, double Milliseconds, double Promoted)>();
        string? lastKind = null;
        var started = new Dictionary<int, (string Kind, double At)>();
        long total = 0;
        foreach (var traced in log.Events)   // TraceEvents enumerates only as IEnumerable<TraceEvent>: no OfType
        {
            if (traced is GCStartTraceData start)
            {
                started[start.Count] = ($"gen {start.Depth} ({start.Reason}, {start.Type})", start.TimeStampRelativeMSec);
            }
            if (traced is GCEndTraceData end && started.Remove(end.Count, out var begun))
            {
                var (count, milliseconds, promoted) = collections.GetValueOrDefault(begun.Kind);
                collections[lastKind = begun.Kind] = (count + 1, milliseconds + end.TimeStampRelativeMSec - begun.At, promoted);
            }
            // The bytes a collection kept (what it copies or marks, the work that grows with a run's live data), reported after its end.
            if (traced is GCHeapStatsTraceData stats && lastKind is not null)
            {
                var (count, milliseconds, promoted) = collections[lastKind];
                collections[lastKind] = (count, milliseconds, promoted + stats.TotalPromotedSize0 + stats.TotalPromotedSize1);
                lastKind = null;
            }
            if (traced is not GCAllocationTickTraceData tick || largeOnly && tick.AllocationKind != GCAllocationKind.Large) continue;
            var amount = byObjects ? tick.AllocationAmount64 / Math.Max(1, tick.ObjectSize) : tick.AllocationAmount64;
            total += amount;
            var site = "(no frame of " + frame + ")";
            for (var call = tick.CallStack(); call is not null; call = call.Caller)
                if (call.CodeAddress.FullMethodName is { } name && name.Contains(frame, StringComparison.Ordinal))
                {
                    site = name;
                    break;
                }
            var key = tick.TypeName + " @ " + site;
            bytes[key] = bytes.GetValueOrDefault(key) + amount;
        }
        foreach (var (kind, (count, milliseconds, promoted)) in collections.OrderBy(e => e.Key, StringComparer.Ordinal))
            Console.WriteLine($"{count,6} collections of {kind}, {milliseconds / count:F1} ms each from start to end, {promoted / count / 1e6:F1} MB promoted out of generations 0 and 1");
        Console.WriteLine($"{total / 1e6:F1} {(byObjects ? "million objects (estimated)" : "MB")} sampled{(largeOnly ? " on the large-object heap" : "")}");
        foreach (var (key, amount) in bytes.OrderByDescending(e => e.Value).Take(top))
            Console.WriteLine($"{100.0 * amount / Math.Max(1, total),6:F2}%  {key}");
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
