using Differentiable.Inspection;
using SkiaSharp;

namespace Differentiable.Samples.Inspection;

/// <summary>The picture of <see cref="GraphLayout"/> as a PNG, drawn with SkiaSharp (as the training pictures are) at twice the size, for sharp text.</summary>
internal static class GraphPng
{
    private const float Scale = 2;

    public static void Save(GradientInspection inspection, string path)
    {
        var picture = GraphLayout.Of(inspection);
        using var bitmap = new SKBitmap((int)Math.Ceiling(picture.Width * Scale), (int)Math.Ceiling(picture.Height * Scale));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        canvas.Scale(Scale);
        using var mono = new SKFont(SKTypeface.FromFamilyName("DejaVu Sans Mono") ?? SKTypeface.Default, (float)GraphLayout.FontSize);
        using var monoBold = new SKFont(SKTypeface.FromFamilyName("DejaVu Sans Mono", SKFontStyle.Bold) ?? SKTypeface.Default, (float)GraphLayout.FontSize);
        using var heading = new SKFont(SKTypeface.FromFamilyName("DejaVu Sans", SKFontStyle.Bold) ?? SKTypeface.Default, 15);
        using var ink = new SKPaint { IsAntialias = true, Color = SKColors.Black };
        using var line = new SKPaint { IsAntialias = true, Color = new SKColor(0x55, 0x55, 0x55), Style = SKPaintStyle.Stroke, StrokeWidth = 1.2f };
        using var arrow = new SKPaint { IsAntialias = true, Color = new SKColor(0x55, 0x55, 0x55), Style = SKPaintStyle.Fill };
        using var fill = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
        using var border = new SKPaint { IsAntialias = true, Color = new SKColor(0x66, 0x66, 0x66), Style = SKPaintStyle.Stroke, StrokeWidth = 1 };

        foreach (var panel in picture.Panels)
        {
            canvas.DrawText(panel.Title, (float)panel.X, (float)panel.Y + 16, heading, ink);
            foreach (var (from, to) in panel.Edges)
            {
                var e = EdgePath.Of(from, to);
                float x1 = (float)e.X1, x2 = (float)e.X2, y2 = (float)e.Y2, leave = (float)e.Leave, enter = (float)e.Enter, bend = (float)e.Bend;
                using var curve = new SKPath();
                curve.MoveTo(x1, (float)e.Y1);
                curve.LineTo(x1, leave);
                curve.CubicTo(x1, leave + bend, x2, enter - bend, x2, Math.Min(enter, y2 - 6));
                curve.LineTo(x2, y2 - 6);
                canvas.DrawPath(curve, line);
                using var head = new SKPath();
                head.MoveTo(x2, y2);
                head.LineTo(x2 - 3.5f, y2 - 7);
                head.LineTo(x2 + 3.5f, y2 - 7);
                head.Close();
                canvas.DrawPath(head, arrow);
            }
            foreach (var node in panel.Nodes)
            {
                var rect = new SKRoundRect(new SKRect((float)node.X, (float)node.Y, (float)(node.X + node.Width), (float)node.Bottom), 6);
                fill.Color = SKColor.Parse(GraphDot.Fill(node.Node));
                canvas.DrawRoundRect(rect, fill);
                canvas.DrawRoundRect(rect, border);
                for (var k = 0; k < node.Lines.Count; k++)
                    canvas.DrawText(node.Lines[k], (float)node.X + 10, (float)(node.Y + 6 + 12 + k * GraphLayout.LineHeight), k == 0 ? monoBold : mono, ink);
            }
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }
}
