using Differentiable.Samples.Cli;

// The command-line app that trains the sample nets: `dotnet run --project Samples -- train --model flatnet`.
return SamplesApp.Run(args);
