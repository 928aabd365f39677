using Differentiable.Samples.Training;

namespace Differentiable.Samples.Plots;

/// <summary>
/// A 2-D classifier's decision regions as a PNG: the plane coloured by the predicted class (light), the training
/// points on top in their true class's colour (dark), as the CNN slides draw the spiral classifiers.
/// </summary>
internal static class DecisionBoundary
{
    private static readonly ScottPlot.Color[] Dark = { ScottPlot.Color.FromHex("#1f77b4"), ScottPlot.Color.FromHex("#d62728"), ScottPlot.Color.FromHex("#2ca02c"), ScottPlot.Color.FromHex("#9467bd") };
    private static readonly ScottPlot.Color[] Light = { ScottPlot.Color.FromHex("#c6dbef"), ScottPlot.Color.FromHex("#fcbba1"), ScottPlot.Color.FromHex("#c7e9c0"), ScottPlot.Color.FromHex("#dadaeb") };

    /// <param name="predict">Class indices for rows of 2-D points.</param>
    public static string Save(Func<Tensor, int[]> predict, Tensor points, Labels labels, int classes, string title, string path, int resolution = 200)
    {
        var xy = points.ToFloatArray();
        const double margin = 0.15;
        double left = xy.Where((_, i) => i % 2 == 0).Min() - margin, right = xy.Where((_, i) => i % 2 == 0).Max() + margin;
        double bottom = xy.Where((_, i) => i % 2 == 1).Min() - margin, top = xy.Where((_, i) => i % 2 == 1).Max() + margin;

        // Row 0 of the heat map is its top edge.
        var grid = new float[resolution * resolution * 2];
        for (var row = 0; row < resolution; row++)
            for (var column = 0; column < resolution; column++)
            {
                var k = row * resolution + column;
                grid[2 * k] = (float)(left + (column + 0.5) * (right - left) / resolution);
                grid[2 * k + 1] = (float)(top - (row + 0.5) * (top - bottom) / resolution);
            }
        var predicted = predict(Tensor.FromArray(grid, resolution * resolution, 2));
        var regions = new double[resolution, resolution];
        for (var k = 0; k < predicted.Length; k++) regions[k / resolution, k % resolution] = predicted[k];

        var plot = new ScottPlot.Plot();
        var heatmap = plot.Add.Heatmap(regions);
        heatmap.Colormap = new Categories(Light, classes);
        heatmap.ManualRange = new ScottPlot.Range(0, Math.Max(1, classes - 1));
        heatmap.Position = new ScottPlot.CoordinateRect(left, right, bottom, top);
        for (var c = 0; c < classes; c++)
        {
            var mine = Enumerable.Range(0, labels.Count).Where(i => labels[i] == c).ToArray();
            var scatter = plot.Add.ScatterPoints(mine.Select(i => (double)xy[2 * i]).ToArray(), mine.Select(i => (double)xy[2 * i + 1]).ToArray());
            scatter.Color = Dark[c % Dark.Length];
            scatter.MarkerSize = 6;
            scatter.LegendText = $"class {c}";
        }
        plot.Title(title);
        plot.XLabel("x₁");
        plot.YLabel("x₂");
        plot.Axes.Margins(0, 0);
        plot.Axes.SquareUnits();
        plot.ShowLegend(ScottPlot.Edge.Right);
        plot.SavePng(path, 700, 600);
        return path;
    }

    /// <summary>A colour per class index (the heat map's values are class indices scaled to [0, 1]).</summary>
    private sealed class Categories(ScottPlot.Color[] colors, int classes) : ScottPlot.IColormap
    {
        public string Name => "classes";

        public ScottPlot.Color GetColor(double normalizedIntensity) =>
            colors[(int)Math.Round(Math.Clamp(normalizedIntensity, 0, 1) * Math.Max(1, classes - 1)) % colors.Length];
    }
}
