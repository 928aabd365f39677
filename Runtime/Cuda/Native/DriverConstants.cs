namespace Differentiable.Cuda.Native;

/// <summary><c>CUdevice_attribute</c> values from cuda.h that the runtime queries.</summary>
internal enum CuDeviceAttribute
{
    ComputeCapabilityMajor = 75,
    ComputeCapabilityMinor = 76,
}

/// <summary><c>CUstreamCaptureMode</c> from cuda.h.</summary>
internal enum CuStreamCaptureMode
{
    Global = 0,
    ThreadLocal = 1,
    Relaxed = 2,
}

/// <summary>Flag values from cuda.h.</summary>
internal static class CuFlags
{
    /// <summary><c>CU_STREAM_NON_BLOCKING</c>: the stream does not synchronize with the legacy default stream.</summary>
    public const uint StreamNonBlocking = 0x1;

    /// <summary><c>CU_EVENT_DEFAULT</c>: an event that records timing.</summary>
    public const uint EventDefault = 0x0;
}
