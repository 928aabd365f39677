using Differentiable.Data;

namespace Differentiable.Samples.Cli;

/// <summary>
/// The command-line app that trains the sample nets: <c>dotnet run --project Samples -- train --model flatnet</c>.
/// Public so that the device checks (<c>Tests/DeviceChecks</c>), published as one file for a GPU machine, can offer
/// the same commands next to <c>gpu-check</c>.
/// </summary>
public static class SamplesApp
{
    public static readonly string Usage = $"""
        Differentiable samples: MNIST nets whose gradients are compiled by the Differentiable source generator.

        usage: dotnet run -c Release --project Samples -- COMMAND [OPTIONS]

        commands:
          {TrainCommand.Usage}
          {LinearRegressionCommand.Usage}
          {SummaryCommand.Usage}
          {BenchCommand.Usage}
          {PlanCommand.Usage}
          tour     the seed's TunedSin numbers and a FlatNet gradient
        """;

    public static int Run(string[] args)
    {
        try
        {
            return args.FirstOrDefault() switch
            {
                "train" => TrainCommand.Run(new Arguments(args.Skip(1))),
                "linreg" => LinearRegressionCommand.Run(new Arguments(args.Skip(1))),
                "summary" => SummaryCommand.Run(new Arguments(args.Skip(1))),
                "bench" => BenchCommand.Run(new Arguments(args.Skip(1))),
                "plan" => PlanCommand.Run(new Arguments(args.Skip(1))),
                "tour" => TourCommand.Run(),
                null or "help" or "--help" or "-h" => Help(),
                var other => throw new UsageException($"Unknown command '{other}'."),
            };
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine();
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (Exception e) when (e is DataUnavailableException or DataFormatException or FileNotFoundException or DirectoryNotFoundException or IOException
                                       or Differentiable.Samples.Training.TrainingDivergedException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }

    private static int Help()
    {
        Console.WriteLine(Usage);
        return 0;
    }
}
