using Differentiable.Samples.Training;

namespace Differentiable.Samples.Plots;

/// <summary>
/// Loss and accuracy per epoch as PNG line charts (the seeds' matplotlib curves). The legend sits outside the data
/// area, so it never covers a curve, and the epoch axis has whole-number ticks only.
/// </summary>
internal static class CurvePlot
{
    public static string SaveLoss(IReadOnlyList<EpochResult> epochs, string title, string path)
    {
        var plot = new ScottPlot.Plot();
        var x = epochs.Select(e => (double)e.Epoch).ToArray();
        plot.Add.Scatter(x, epochs.Select(e => e.TrainLoss).ToArray()).LegendText = "train loss";
        plot.Add.Scatter(x, epochs.Select(e => e.TestLoss).ToArray()).LegendText = "test loss";
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("negative log-likelihood");
        Finish(plot);
        plot.SavePng(path, 800, 500);
        return path;
    }

    public static string SaveAccuracy(IReadOnlyList<EpochResult> epochs, string title, string path)
    {
        var plot = new ScottPlot.Plot();
        var x = epochs.Select(e => (double)e.Epoch).ToArray();
        plot.Add.Scatter(x, epochs.Select(e => e.TestAccuracy * 100).ToArray()).LegendText = "test accuracy";
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("accuracy (%)");
        Finish(plot);
        plot.SavePng(path, 800, 500);
        return path;
    }

    private static void Finish(ScottPlot.Plot plot)
    {
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(ScottPlot.Edge.Bottom);
    }
}
