namespace Differentiable.Samples.Spiral;

/// <summary>
/// The CNN slides' toy data: <c>classes</c> interleaved spiral arms of <c>perClass</c> 2-D points each. Arm j's point i
/// has radius i/(perClass−1) and angle 4j + 4·i/(perClass−1) plus Gaussian noise of 0.2, at (r·sin t, r·cos t).
/// </summary>
public static class SpiralData
{
    public static (Tensor X, Labels Y) Generate(int classes = 3, int perClass = 100, ulong seed = 0)
    {
        var rng = new Rng(seed);
        var x = new float[classes * perClass * 2];
        var y = new int[classes * perClass];
        for (var j = 0; j < classes; j++)
            for (var i = 0; i < perClass; i++)
            {
                var fraction = perClass == 1 ? 0 : (double)i / (perClass - 1);
                var angle = 4.0 * j + 4.0 * fraction + rng.NextGaussian() * 0.2;
                var k = j * perClass + i;
                x[2 * k] = (float)(fraction * Math.Sin(angle));
                x[2 * k + 1] = (float)(fraction * Math.Cos(angle));
                y[k] = j;
            }
        return (Tensor.FromArray(x, classes * perClass, 2), new Labels(y));
    }
}
