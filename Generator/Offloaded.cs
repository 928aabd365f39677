using System.Runtime.ExceptionServices;
using System.Threading;

namespace Differentiable.Generator;

/// <summary>
/// A piece of a method's generation that can run on another core while the caller does the rest: queued on the thread
/// pool, and claimed by whoever gets to it first. <see cref="Join"/> runs it on the calling thread when no pool thread has
/// started it yet (a busy pool, a compiler server running many builds), so offloading is never slower than writing in
/// order, and the result, written into text of its own, is the same whichever thread ran it.
/// </summary>
/// <remarks>
/// The work must touch nothing the caller changes until <see cref="Join"/>: see the caller's comment for what it reads.
/// An exception is rethrown by <see cref="Join"/> as it was thrown, so the method's guard reports it as before.
/// </remarks>
internal sealed class Offloaded<T>
{
    private System.Func<T>? _work;
    private int _claimed;
    private T _result = default!;
    private ExceptionDispatchInfo? _failure;
    private readonly ManualResetEventSlim _done = new();

    private Offloaded(System.Func<T> work) => _work = work;

    /// <summary>Queues <paramref name="work"/>; with <paramref name="offload"/> false it only runs at <see cref="Join"/> (small work, where waking a thread costs more than it saves).</summary>
    public static Offloaded<T> Start(System.Func<T> work, bool offload)
    {
        var piece = new Offloaded<T>(work);
        if (offload) ThreadPool.QueueUserWorkItem(static state => ((Offloaded<T>)state!).Run(), piece);
        return piece;
    }

    /// <summary>Its result, once it has run here or elsewhere; rethrows what it threw.</summary>
    public T Join()
    {
        Run();
        _done.Wait();
        _failure?.Throw();
        return _result;
    }

    private void Run()
    {
        if (Interlocked.Exchange(ref _claimed, 1) != 0) return;
        try
        {
            _result = _work!();
        }
        catch (System.Exception e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            _work = null;
            _done.Set();
        }
    }
}
