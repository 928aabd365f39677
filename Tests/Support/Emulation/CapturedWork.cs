using Differentiable.Scheduling;

namespace Differentiable.Tests.Support.Emulation;

/// <summary>The emulator's stand-in for a CUDA graph: the work queued during a capture, replayed in the same order.</summary>
internal sealed class CapturedWork(HostEmulatorBackend backend, IReadOnlyList<Action> steps) : IReplayable
{
    private bool _disposed;

    public void Replay()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Queued like any other work, so that a replay inside another capture is recorded rather than run.
        backend.Enqueue(() =>
        {
            foreach (var step in steps)
                step();
        });
    }

    public void Dispose() => _disposed = true;
}
