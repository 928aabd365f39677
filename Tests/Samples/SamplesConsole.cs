using Differentiable.Data;
using Differentiable.Samples.Cli;
using Differentiable.Tests.Data;

namespace Differentiable.Tests.Samples;

/// <summary>Runs the Samples command line as a user would, capturing what it prints (tests using it run in <see cref="ConsoleCollection"/>).</summary>
internal static class SamplesConsole
{
    public static (int Exit, string Output) Run(params string[] args)
    {
        var (oldOut, oldError) = (Console.Out, Console.Error);
        var output = new StringWriter();
        Console.SetOut(output);
        Console.SetError(output);
        try
        {
            return (SamplesApp.Run(args), output.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }

    /// <summary>A --data folder of MNIST-named IDX files: <paramref name="train"/> and <paramref name="test"/> images of the given size.</summary>
    public static TempDirectory Digits(int train, int test, int side = 28)
    {
        var dir = new TempDirectory();
        IdxWriter.WriteImages(dir.File("train-images-idx3-ubyte"), SmallData.Images(train, side, side));
        IdxWriter.WriteLabels(dir.File("train-labels-idx1-ubyte"), SmallData.Labels(train));
        IdxWriter.WriteImages(dir.File("t10k-images-idx3-ubyte"), SmallData.Images(test, side, side));
        IdxWriter.WriteLabels(dir.File("t10k-labels-idx1-ubyte"), SmallData.Labels(test));
        return dir;
    }
}
