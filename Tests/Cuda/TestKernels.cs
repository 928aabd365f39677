namespace Differentiable.Tests.Cuda;

/// <summary>Small CUDA sources in the shape the generator emits: every kernel takes the Geometry by value first.</summary>
internal static class TestKernels
{
    /// <summary>The C side of <see cref="Differentiable.Scheduling.KernelGeometry"/>: 61 four-byte fields, 244 bytes.</summary>
    public const string Geometry = """
        struct Geometry { int count; int dims[4]; int strides[8][4]; int arguments[16]; float scalars[8]; };

        """;

    /// <summary>out[i] = in[i] · scalars[0] + scalars[1] for i &lt; count.</summary>
    public const string Affine = Geometry + """
        extern "C" __global__ void affine(const Geometry g, float* out, const float* in)
        {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i >= g.count) return;
            out[i] = in[i] * g.scalars[0] + g.scalars[1];
        }

        """;

    /// <summary>x[i] += scalars[0]: replaying it n times adds n · scalars[0], which makes replays countable.</summary>
    public const string AddScalar = Geometry + """
        extern "C" __global__ void add_scalar(const Geometry g, float* x)
        {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i >= g.count) return;
            x[i] += g.scalars[0];
        }

        """;

    /// <summary>Copies every Geometry field, by name, to two buffers: the host checks the layouts agree field by field.</summary>
    public const string EchoGeometry = Geometry + """
        extern "C" __global__ void echo_geometry(const Geometry g, int* ints, float* scalars)
        {
            if (blockIdx.x * blockDim.x + threadIdx.x != 0) return;
            int k = 0;
            ints[k++] = g.count;
            for (int d = 0; d < 4; d++) ints[k++] = g.dims[d];
            for (int p = 0; p < 8; p++) for (int d = 0; d < 4; d++) ints[k++] = g.strides[p][d];
            for (int j = 0; j < 16; j++) ints[k++] = g.arguments[j];
            for (int j = 0; j < 8; j++) scalars[j] = g.scalars[j];
        }

        """;
}
