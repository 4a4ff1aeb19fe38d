using GrantManager.Bench;

// Benchmarks print their figures; run in Release:
//   dotnet run -c Release --project bench/GrantManager.Bench -- transitions [seconds]
//   dotnet run -c Release --project bench/GrantManager.Bench -- reminders [grants]
//   dotnet run -c Release --project bench/GrantManager.Bench -- delivery [emails]
//   dotnet run -c Release --project bench/GrantManager.Bench -- export [grants]
//   dotnet run -c Release --project bench/GrantManager.Bench -- choose [transitions]
//   dotnet run -c Release --project bench/GrantManager.Bench -- seed --applications N --database PATH
//   dotnet run -c Release --project bench/GrantManager.Bench -- pages --database PATH [--requests K] [--baseline PATH.pages.json] [--only NAME,NAME]
var what = args.FirstOrDefault() ?? "transitions";
var seconds = args.Length > 1 && int.TryParse(args[1], out var s) ? s : 5;
switch (what)
{
    case "transitions":
        await TransitionBench.RunAsync(TimeSpan.FromSeconds(seconds));
        break;
    case "reminders":
        await ReminderBench.RunAsync(args.Length > 1 && int.TryParse(args[1], out var grants) ? grants : 100_000);
        break;
    case "delivery":
        await ReminderBench.DeliveryAsync(args.Length > 1 && int.TryParse(args[1], out var emails) ? emails : 30_000);
        break;
    case "export":
        await ExportBench.RunAsync(args.Length > 1 && int.TryParse(args[1], out var exported) ? exported : 100_000);
        break;
    case "choose":
        await ChooseBench.RunAsync(args.Length > 1 && int.TryParse(args[1], out var n) ? n : 200_000);
        break;
    case "seed":
        return await CaseworkSeed.RunAsync(int.Parse(Option("--applications") ?? "1000", System.Globalization.CultureInfo.InvariantCulture), Option("--database") ?? "casework.db");
    case "pages":
        return await PagesBench.RunAsync(Option("--database") ?? "casework.db", int.Parse(Option("--requests") ?? "40", System.Globalization.CultureInfo.InvariantCulture), Option("--baseline"),
            Option("--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    default:
        Console.Error.WriteLine($"Unknown benchmark '{what}'. Choose: transitions, reminders, delivery, export, choose, seed, pages");
        return 2;
}
return Environment.ExitCode;

string? Option(string name) => Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
