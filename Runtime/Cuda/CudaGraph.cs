using Differentiable.Cuda.Native;
using Differentiable.Scheduling;

namespace Differentiable.Cuda;

/// <summary>An instantiated CUDA graph (<c>CUgraphExec</c>): the captured work, replayed on the backend's stream.</summary>
internal sealed class CudaGraph(CudaBackend owner, IntPtr graphExec, string contents) : IReplayable
{
    private IntPtr _graphExec = graphExec;

    /// <summary>"12 launches, 3 fills": what the replay queues, for messages.</summary>
    public string Contents { get; } = contents;

    public void Replay()
    {
        ObjectDisposedException.ThrowIf(_graphExec == IntPtr.Zero, this);
        owner.MakeCurrent();
        DriverCall.Check(CudaDriver.cuGraphLaunch(_graphExec, owner.Stream), $"replaying a CUDA graph ({Contents})");
    }

    public void Dispose()
    {
        if (_graphExec == IntPtr.Zero) return;
        owner.MakeCurrent();
        CudaDriver.cuGraphExecDestroy(_graphExec);
        _graphExec = IntPtr.Zero;
        owner.Forget(this);
    }
}
