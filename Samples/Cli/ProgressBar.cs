namespace Differentiable.Samples.Cli;

/// <summary>
/// A one-line progress bar redrawn in place (<c>\r</c>) on a terminal; when the output is redirected (CI logs)
/// it stays silent, so logs hold only the per-epoch table.
/// </summary>
internal sealed class ProgressBar(TextWriter output, string label, int total)
{
    private const int Width = 30;
    private readonly bool _interactive = !Console.IsErrorRedirected && ReferenceEquals(output, Console.Error);
    private int _done;
    private long _lastDraw;

    public void Advance(string status)
    {
        _done++;
        if (!_interactive) return;
        var now = Environment.TickCount64;
        if (_done < total && now - _lastDraw < 100) return; // redraw at most ten times a second
        _lastDraw = now;
        var filled = (int)((long)Width * _done / total);
        output.Write($"\r{label} [{new string('=', filled)}{(filled < Width ? ">" : "")}{new string(' ', Math.Max(0, Width - filled - 1))}] {_done}/{total} {status}   ");
    }

    public void Finish()
    {
        if (_interactive) output.Write("\r" + new string(' ', Width + label.Length + 40) + "\r");
    }
}
