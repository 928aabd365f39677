using SkiaSharp;

namespace Differentiable.Samples.Plots;

/// <summary>A grid of test digits under a title, each captioned "true → predicted", mistakes in red (the seeds' digit grids).</summary>
internal static class DigitGrid
{
    private const int Scale = 4;
    private const int Caption = 18;

    private const int Title = 30;

    public static string Save(Tensor images, IReadOnlyList<int> truth, IReadOnlyList<int> predicted, int columns, string title, string path)
    {
        var count = truth.Count;
        var rows = (count + columns - 1) / columns;
        int cell = 28 * Scale, width = columns * (cell + 8) + 8, height = Title + rows * (cell + Caption + 8) + 8;
        var pixels = images.ToFloatArray();

        using var bitmap = new SKBitmap(width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.Default, 14);
        using var ink = new SKPaint { IsAntialias = true };
        using var pixel = new SKPaint();
        using (var heading = new SKFont(SKTypeface.FromFamilyName(null, SKFontStyle.Bold), 16))
            canvas.DrawText(title, 8, 22, heading, ink);
        for (var k = 0; k < count; k++)
        {
            int left = 8 + k % columns * (cell + 8), top = Title + 8 + k / columns * (cell + Caption + 8);
            ink.Color = truth[k] == predicted[k] ? SKColors.Black : SKColors.Red;
            canvas.DrawText($"true {truth[k]} → {predicted[k]}", left, top + 13, font, ink);
            for (var r = 0; r < 28; r++)
                for (var c = 0; c < 28; c++)
                {
                    var v = (byte)(255 - Math.Clamp(pixels[k * 784 + r * 28 + c], 0f, 1f) * 255);
                    pixel.Color = new SKColor(v, v, v);
                    canvas.DrawRect(left + c * Scale, top + Caption + r * Scale, Scale, Scale, pixel);
                }
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
        return path;
    }
}
