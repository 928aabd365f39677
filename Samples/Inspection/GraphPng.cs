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
                var (a, b) = (e.CurveStart, e.CurveEnd);
                var (dx, dy) = e.Direction;
                var tip = e.In[^1];
                // The line stops where the arrowhead starts, 6 px before the box.
                var points = e.In.Take(e.In.Count - 1).Append((X: tip.X - 6 * dx, Y: tip.Y - 6 * dy)).ToList();
                using var curve = new SKPath();
                curve.MoveTo((float)e.Out[0].X, (float)e.Out[0].Y);
                foreach (var p in e.Out.Skip(1)) curve.LineTo((float)p.X, (float)p.Y);
                curve.CubicTo((float)a.X, (float)(a.Y + e.Bend), (float)b.X, (float)(b.Y - e.Bend), (float)b.X, (float)(e.In.Count == 2 ? Math.Min(b.Y, points[^1].Y) : b.Y));
                foreach (var p in points.Skip(1)) curve.LineTo((float)p.X, (float)p.Y);
                canvas.DrawPath(curve, line);
                using var head = new SKPath();
                float tx = (float)tip.X, ty = (float)tip.Y, ux = (float)dx, uy = (float)dy;   // along the line; (-uy, ux) across it
                head.MoveTo(tx, ty);
                head.LineTo(tx - 7 * ux - 3.5f * uy, ty - 7 * uy + 3.5f * ux);
                head.LineTo(tx - 7 * ux + 3.5f * uy, ty - 7 * uy - 3.5f * ux);
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
