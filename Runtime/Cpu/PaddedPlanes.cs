namespace Differentiable.Cpu;

/// <summary>
/// Image planes as the direct convolution kernels read them: rows of <see cref="RowStride"/> elements, planes of
/// <see cref="PlaneStride"/>, with zero borders of <c>padH</c> rows and <c>padW</c> columns so that every tap of every
/// window reads inside the buffer. Without padding the tensor is read where it lies; with padding its planes are copied
/// into scratch once per group of images (each copy is far smaller than the work that reads it).
/// </summary>
internal readonly unsafe struct PaddedPlanes<T> where T : unmanaged
{
    public readonly T* First;
    public readonly int RowStride, PlaneStride;

    private PaddedPlanes(T* first, int rowStride, int planeStride)
    {
        First = first;
        RowStride = rowStride;
        PlaneStride = planeStride;
    }

    /// <summary>The <paramref name="planes"/> consecutive h×w planes from <paramref name="x"/>, bordered.</summary>
    public static PaddedPlanes<T> Of(T* x, int planes, int h, int w, int padH, int padW, T* scratch)
    {
        if (padH == 0 && padW == 0) return new PaddedPlanes<T>(x, w, h * w);
        int rowStride = w + 2 * padW, planeStride = (h + 2 * padH) * rowStride;
        Runs.Clear(scratch, planes * planeStride);
        for (var plane = 0; plane < planes; plane++)
            for (var r = 0; r < h; r++)
                Runs.Copy(x + ((nint)plane * h + r) * w, scratch + (nint)plane * planeStride + (nint)(r + padH) * rowStride + padW, w);
        return new PaddedPlanes<T>(scratch, rowStride, planeStride);
    }
}

/// <summary>The scratch size of <see cref="PaddedPlanes{T}.Of"/>.</summary>
internal static class PaddedPlanes
{
    /// <summary>Scratch elements <see cref="PaddedPlanes{T}.Of"/> needs for <paramref name="planes"/> planes of h×w.</summary>
    public static int ScratchLength(int planes, int h, int w, int padH, int padW) =>
        padH == 0 && padW == 0 ? 0 : planes * (h + 2 * padH) * (w + 2 * padW);
}
