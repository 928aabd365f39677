using Spectre.Console;

namespace Differentiable.Samples.Cli;

/// <summary>
/// One epoch's progress on a terminal, drawn by Spectre.Console: a bar with the batches done, the running loss, the
/// elapsed and the remaining time, cleared when the epoch ends so the per-epoch table stays clean. The training loop
/// only counts (<see cref="Advance"/> is a few instructions); the bar is redrawn ten times a second on a background
/// task. When the output is redirected (CI logs, a pipe) nothing is drawn, so logs hold only the table.
/// </summary>
internal sealed class EpochProgress : IDisposable
{
    private readonly Task? _display;
    private volatile bool _finished;
    private volatile string _status = "";
    private int _done;

    public EpochProgress(TextWriter output, string label, int total)
    {
        if (!ReferenceEquals(output, Console.Error) || Console.IsErrorRedirected) return;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (!console.Profile.Capabilities.Interactive) return;
        _display = console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(label), maxValue: total);
                while (!_finished)
                {
                    task.Value = Volatile.Read(ref _done);
                    task.Description = Markup.Escape($"{label} {_status}");
                    await Task.Delay(100);
                }
                task.Value = total;
            });
    }

    /// <summary>One more batch done; <paramref name="status"/> (the running loss) is shown beside the label.</summary>
    public void Advance(string status)
    {
        _status = status;
        Interlocked.Increment(ref _done);
    }

    /// <summary>Ends the epoch's bar (cleared from the terminal) before the table row is printed.</summary>
    public void Finish()
    {
        _finished = true;
        _display?.Wait();
    }

    /// <summary>Finishes the bar if the epoch ended early (an error), so the message is not drawn over.</summary>
    public void Dispose() => Finish();
}
