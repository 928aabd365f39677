using SkiaSharp;

namespace Differentiable.Samples.Plots;

/// <summary>A grid of test digits under a title, each captioned "true → predicted", mistakes in red (the seeds' digit grids).</summary>
internal static class DigitGrid
{
    private const int Scale = 4;
    private const int Caption = 18;

    private const int Title = 30;

    /// <param name="classNames">What to call each class in the captions (Fashion-MNIST's "Sneaker"); null writes the class index.</param>
    /// <summary>Each cell's caption: "true 7 → 1" for digits, "Ankle boot → Sneaker" with class names.</summary>
    public static string[] Captions(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, IReadOnlyList<string>? classNames)
    {
        string Name(int c) => classNames is not null && c >= 0 && c < classNames.Count ? classNames[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return truth.Select((t, k) => classNames is null ? $"true {Name(t)} → {Name(predicted[k])}" : $"{Name(t)} → {Name(predicted[k])}").ToArray();
    }

    public static string Save(Tensor images, IReadOnlyList<int> truth, IReadOnlyList<int> predicted, int columns, string title, string path,
        IReadOnlyList<string>? classNames = null)
    {
        var count = truth.Count;
        var rows = (count + columns - 1) / columns;
        var captions = Captions(truth, predicted, classNames);
        using var font = new SKFont(SKTypeface.Default, 14);
        // Cells widen to their longest caption ("Ankle boot → Sneaker"), so captions never run into their neighbours.
        var cellWidth = Math.Max(28 * Scale, captions.Select(c => (int)Math.Ceiling(font.MeasureText(c))).DefaultIfEmpty(0).Max() + 4);
        int cell = 28 * Scale, width = columns * (cellWidth + 8) + 8, height = Title + rows * (cell + Caption + 8) + 8;
        var pixels = images.ToFloatArray();

        using var bitmap = new SKBitmap(width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var ink = new SKPaint { IsAntialias = true };
        using var pixel = new SKPaint();
        using (var heading = new SKFont(SKTypeface.FromFamilyName(null, SKFontStyle.Bold), 16))
            canvas.DrawText(title, 8, 22, heading, ink);
        for (var k = 0; k < count; k++)
        {
            int left = 8 + k % columns * (cellWidth + 8), top = Title + 8 + k / columns * (cell + Caption + 8);
            ink.Color = truth[k] == predicted[k] ? SKColors.Black : SKColors.Red;
            canvas.DrawText(captions[k], left, top + 13, font, ink);
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
