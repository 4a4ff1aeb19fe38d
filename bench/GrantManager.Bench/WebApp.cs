using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace GrantManager.Bench;

/// <summary>
/// The real web app (its Release build, which building the bench builds) run as its own process over a SQLite
/// file, listening with Kestrel on a free local port, with the demo accounts seeded and email written to a folder.
/// </summary>
internal sealed class WebApp : IAsyncDisposable
{
    private readonly Process _process;
    public Uri Address { get; }
    public int ProcessId => _process.Id;

    private WebApp(Process process, Uri address) => (_process, Address) = (process, address);

    public static async Task<WebApp> StartAsync(string database)
    {
        var project = Path.Combine(Path.GetDirectoryName(BenchHost.FindRepositoryWorkflows())!, "src", "GrantManager.Web");
        var dll = Path.Combine(project, "bin", "Release", "net10.0", "GrantManager.Web.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"Build the web app in Release first: dotnet build -c Release {project}", dll);
        var port = FreePort();
        var data = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(database))!, Path.GetFileNameWithoutExtension(database) + "-app");
        var start = new ProcessStartInfo("dotnet", [dll]) { WorkingDirectory = project, RedirectStandardOutput = true, RedirectStandardError = true };
        // Not Development (no developer pages) and not Production (which refuses demo accounts).
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Staging";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__GrantManager"] = $"Data Source={Path.GetFullPath(database)}";
        start.Environment["Seed__Demo"] = "true";
        start.Environment["Email__PickupDirectory"] = Path.Combine(data, "mail");
        start.Environment["DataProtection__KeysPath"] = Path.Combine(data, "keys");
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        var errors = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) lock (errors) errors.AppendLine(line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) lock (errors) errors.AppendLine(line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var app = new WebApp(process, new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(5))
        {
            if (process.HasExited) throw new InvalidOperationException($"The web app stopped as it started:\n{errors}");
            try
            {
                if ((await http.GetAsync(new Uri(app.Address, "/health"))).IsSuccessStatusCode) return app;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        await app.DisposeAsync();
        throw new TimeoutException($"The web app did not answer /health in 5 minutes:\n{errors}");
    }

    /// <summary>The process's resident memory now and at its highest, in bytes (Linux).</summary>
    public (long Now, long Peak) Memory()
    {
        long Read(string key) => File.ReadLines($"/proc/{_process.Id}/status").Where(l => l.StartsWith(key + ":", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024).FirstOrDefault();
        try { return (Read("VmRSS"), Read("VmHWM")); } catch (IOException) { return (0, 0); }
    }

    /// <summary>Resets the peak resident memory the kernel keeps for the process, so the next peak is of what follows (Linux).</summary>
    public void ResetPeak()
    {
        try { File.WriteAllText($"/proc/{_process.Id}/clear_refs", "5"); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    public static string LoadAverage()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); } catch (IOException) { return "unknown"; }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
