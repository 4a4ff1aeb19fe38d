using GrantManager.Bench;

// Benchmarks print their figures; run in Release:
//   dotnet run -c Release --project bench/GrantManager.Bench -- transitions [seconds]
var what = args.FirstOrDefault() ?? "transitions";
var seconds = args.Length > 1 && int.TryParse(args[1], out var s) ? s : 5;
switch (what)
{
    case "transitions":
        await TransitionBench.RunAsync(TimeSpan.FromSeconds(seconds));
        break;
    default:
        Console.Error.WriteLine($"Unknown benchmark '{what}'. Choose: transitions");
        return 2;
}
return Environment.ExitCode;
