using System.CommandLine;
using Differentiable.Data;
using Differentiable.Samples.Training;

namespace Differentiable.Samples.Cli;

/// <summary>
/// The command-line app that trains the sample nets: <c>dotnet run --project Samples -- train --model flatnet</c>.
/// Commands and options are System.CommandLine's (help on every command with <c>--help</c>, validation, completion).
/// A mistake or a failure is one line saying what was wrong and what is allowed, with a non-zero exit code: 2 for the
/// command line, 1 for data, files and training. Public so that the device checks (<c>Tests/DeviceChecks</c>),
/// published as one file for a GPU machine, can offer the same commands next to <c>gpu-check</c>.
/// </summary>
public static class SamplesApp
{
    public static int Run(string[] args, params Command[] extraCommands)
    {
        var root = new RootCommand("Differentiable samples: MNIST nets whose gradients are compiled by the Differentiable source generator.")
        {
            TrainCommand.Create(), LinearRegressionCommand.Create(), SummaryCommand.Create(), BenchCommand.Create(), PlanCommand.Create(),
            TourCommand.Create(), SpiralCommand.Create(), ShowCommand.Create(),
        };
        foreach (var command in extraCommands) root.Subcommands.Add(command);
        var parsed = root.Parse(args.Length == 0 ? new[] { "--help" } : args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) Console.Error.WriteLine(error.Message);
            var command = parsed.CommandResult.Command;
            Console.Error.WriteLine($"Run '{(command == root ? "" : command.Name + " ")}--help' for the options.");
            return 2;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        catch (Exception e) when (e is DataUnavailableException or DataFormatException or IOException or TrainingDivergedException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("DIFFERENTIABLE_STACK_TRACES") is null)
        {
            // Anything else (a shape the model cannot take, a CUDA error): still one line; the variable shows the trace.
            Console.Error.WriteLine($"{e.Message} ({e.GetType().Name}; set DIFFERENTIABLE_STACK_TRACES=1 for the stack trace)");
            return 1;
        }
    }
}
