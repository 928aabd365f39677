using System.Runtime.InteropServices;
using Differentiable.Scheduling;

namespace Differentiable.Tests.Cuda;

public class KernelGeometryLayoutTests
{
    [Fact]
    public void Geometry_is_244_bytes_on_both_sides_of_the_launch()
    {
        // cuLaunchKernel copies sizeof(Geometry) bytes from the address it is given: a C# struct of another size would
        // shift every field the kernel reads.
        Assert.Equal(244, KernelGeometry.SizeInBytes);
        Assert.Equal(KernelGeometry.SizeInBytes, Marshal.SizeOf<KernelGeometry>());
        Assert.Equal(KernelGeometry.SizeInBytes, System.Runtime.CompilerServices.Unsafe.SizeOf<KernelGeometry>());
    }
}
