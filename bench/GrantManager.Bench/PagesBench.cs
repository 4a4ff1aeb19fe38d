using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using GrantManager.Core.Data;
using Microsoft.Data.Sqlite;

namespace GrantManager.Bench;

/// <summary>
/// Starts the real web app over a seeded database (see <see cref="CaseworkSeed"/>), signs in as the demo grant
/// officer (a cookie for the pages, a bearer token for the API) and asks each casework page K times over HTTP,
/// one request at a time after a few to warm up; prints p50 and p95 of the time to the whole response and its
/// size, against the goals of the casework-at-scale work: p95 at most 100 ms (the fund dashboard and the quarterly
/// report 300 ms), no page over 150 KB, and, given the figures of a run at 1,000 applications, no p95 more than 1.5×
/// its figure there. Then downloads the whole applications register as CSV, sampling the app's resident memory.
/// The figures are written beside the database as JSON, for a later run to compare with.
/// </summary>
internal static partial class PagesBench
{
    private sealed record Figure(string Name, string Path, double P50, double P95, long Bytes, double GoalMs);

    /// <summary>The pages measured, each chosen by a short name with <c>--only</c> (every one by default).</summary>
    public static readonly string[] Names = ["inbox", "inbox-last", "applications", "search", "filter", "applications-last", "grants", "case", "dashboard", "quarterly",
        "api-tasks", "api-applications", "api-grants", "export"];

    public static async Task<int> RunAsync(string database, int requests, string? baseline, string[]? only = null)
    {
        if (only?.FirstOrDefault(o => !Names.Contains(o)) is { } unknown) { Console.Error.WriteLine($"Unknown page '{unknown}'. Choose from: {string.Join(", ", Names)}"); return 2; }
        bool Measured(string name) => only is null || only.Contains(name);
        if (!File.Exists(database)) { Console.Error.WriteLine($"No database at {database}: run seed first"); return 2; }
        var sample = await SampleAsync(database);
        Console.WriteLine($"Casework pages benchmark: {sample.Applications:N0} applications, {sample.Grants:N0} grants, {sample.OpenTasks:N0} open tasks; "
            + $"{requests} requests a page; {Environment.ProcessorCount} cores, load average {WebApp.LoadAverage()} (shared machine)");
        await using var app = await WebApp.StartAsync(database);
        var cookies = new CookieContainer();
        using var pages = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = app.Address, Timeout = TimeSpan.FromMinutes(10) };
        await SignInAsync(pages);
        using var api = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromMinutes(2) };
        var login = await api.PostAsJsonAsync("/api/identity/login", new { email = DemoData.Staff[0].Email, password = DemoData.Password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var inboxLast = Measured("inbox-last") ? LastPage(await GetTextAsync(pages, "/Staff/Inbox")) : 1;
        var registerLast = Measured("applications-last") ? LastPage(await GetTextAsync(pages, "/Staff/Applications")) : 1;
        var search = Uri.EscapeDataString(sample.Search);
        var filter = $"/Staff/Applications?fundId={sample.FundId}&status=submitted&district={Uri.EscapeDataString(sample.District)}&sort=amount&desc=true";
        var checks = new (string Key, string Name, HttpClient Client, string Path, double Goal)[]
        {
            ("inbox", "inbox, first page", pages, "/Staff/Inbox", 100),
            ("inbox-last", "inbox, last page", pages, $"/Staff/Inbox?pageNumber={inboxLast}", 100),
            ("applications", "applications register", pages, "/Staff/Applications", 100),
            ("search", "applications, search", pages, $"/Staff/Applications?q={search}", 100),
            ("filter", "applications, filter + sort", pages, filter, 100),
            ("applications-last", "applications, last page", pages, $"/Staff/Applications?pageNumber={registerLast}", 100),
            ("grants", "grants register", pages, "/Staff/Grants", 100),
            ("case", "case file (a grant's)", pages, $"/Staff/Applications/{sample.CaseId}", 100),
            ("dashboard", "fund dashboard", pages, $"/Staff/Funds/{sample.FundId}/Dashboard", 300),
            ("quarterly", "quarterly report", pages, $"/Staff/Funds/{sample.FundId}/Quarterly", 300),
            ("api-tasks", "GET /api/tasks", api, "/api/tasks", 100),
            ("api-applications", "GET /api/applications", api, "/api/applications", 100),
            ("api-grants", "GET /api/grants", api, "/api/grants", 100),
        };
        var figures = new List<Figure>();
        foreach (var (key, name, client, path, goal) in checks)
        {
            if (!Measured(key)) continue;
            var (times, bytes) = await TimeAsync(client, path, requests);
            figures.Add(new Figure(name, path, Percentile(times, 0.50), Percentile(times, 0.95), bytes, goal));
        }
        // The search must find the seeded case it was taken from.
        var searchFinds = (await GetTextAsync(pages, $"/Staff/Applications?q={search}")).Contains(sample.SearchReference, StringComparison.Ordinal);

        var before = Baseline(baseline);
        Console.WriteLine();
        Console.WriteLine($"| page | p50 ms | p95 ms | KB | goal | met |");
        Console.WriteLine($"|---|---:|---:|---:|---|---|");
        foreach (var f in figures)
        {
            var was = before?.GetValueOrDefault(f.Name);
            var met = f.P95 <= f.GoalMs && f.Bytes <= 150 * 1024 && (was is null || f.P95 <= Math.Max(1.5 * was.P95, 10));
            var goal = $"p95 ≤ {f.GoalMs:N0} ms, ≤ 150 KB" + (was is null ? "" : $", ≤ 1.5 × {was.P95:N1} ms at 1,000");
            Console.WriteLine($"| {f.Name} | {f.P50:N1} | {f.P95:N1} | {f.Bytes / 1024.0:N1} | {goal} | {(met ? "yes" : "**no**")} |");
        }

        var export = Measured("export") ? await ExportAsync(app, pages) : null;
        Console.WriteLine($"  search \"{sample.Search}\" finds {sample.SearchReference}: {(searchFinds ? "yes" : "NO")}; load average after: {WebApp.LoadAverage()}");

        // A run of some pages keeps the figures an earlier run wrote for the others.
        var results = Path.ChangeExtension(database, ".pages.json");
        List<Figure> kept = only is null || !File.Exists(results) ? [] : Baseline(results)!.Values.Where(f => figures.All(n => n.Name != f.Name)).ToList();
        await File.WriteAllTextAsync(results, JsonSerializer.Serialize(new { sample.Applications, Figures = kept.Concat(figures).ToList(), Export = export }));
        Console.WriteLine($"  figures written to {results}");
        return searchFinds ? 0 : 1;
    }

    private sealed record Export(long Rows, double Seconds, long RssBefore, long Peak);

    /// <summary>The whole register as CSV, timed to the last byte, with the app's resident memory sampled throughout.</summary>
    private static async Task<Export> ExportAsync(WebApp app, HttpClient pages)
    {
        app.ResetPeak();
        var (rssBefore, _) = app.Memory();
        long peak = rssBefore;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, app.Memory().Now);
                try { await Task.Delay(50, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var watch = Stopwatch.StartNew();
        using var response = await pages.GetAsync("/Staff/Applications?handler=Csv", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        long rows = -1, size = 0;
        await using (var body = await response.Content.ReadAsStreamAsync())
        {
            var buffer = new byte[81920];
            int n;
            while ((n = await body.ReadAsync(buffer)) > 0)
            {
                size += n;
                rows += buffer.AsSpan(0, n).Count((byte)'\n');
            }
        }
        watch.Stop();
        await sampling.CancelAsync();
        await sampler;
        var rate = rows / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"| CSV export, whole register | {rows:N0} rows in {watch.Elapsed.TotalSeconds:N2} s: {rate:N0} rows/s, {size / 1024.0 / 1024.0:N1} MB | | | ≥ 20,000 rows/s | {(rate >= 20_000 ? "yes" : "**no**")} |");
        Console.WriteLine($"  app's resident memory: {rssBefore / 1048576.0:N0} MB before the export, at most {peak / 1048576.0:N0} MB during it");
        return new Export(rows, watch.Elapsed.TotalSeconds, rssBefore, peak);
    }

    private sealed record Sample(int Applications, int Grants, int OpenTasks, int FundId, int CaseId, string District, string Search, string SearchReference);

    /// <summary>What to ask for, read from the database: the demo fund, a grant's case, a seeded organisation's name and postcode.</summary>
    private static async Task<Sample> SampleAsync(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
        await connection.OpenAsync();
        async Task<T> One<T>(string sql)
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            return (T)Convert.ChangeType((await cmd.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        }
        var applications = await One<int>("SELECT count(*) FROM Applications");
        var caseId = await One<int>("SELECT ApplicationId FROM Grants ORDER BY Id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM Grants)");
        var middle = await One<int>("SELECT Id FROM Applications ORDER BY Id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM Applications)");
        var name = await One<string>($"SELECT o.Name FROM Applications a JOIN Organisations o ON o.Id = a.OrganisationId WHERE a.Id = {middle}");
        var postcode = await One<string>($"SELECT o.Postcode FROM Applications a JOIN Organisations o ON o.Id = a.OrganisationId WHERE a.Id = {middle}");
        return new Sample(applications, await One<int>("SELECT count(*) FROM Grants"), await One<int>("SELECT count(*) FROM InboxTasks WHERE Status = 'Open'"),
            await One<int>("SELECT Id FROM Funds WHERE Code = 'LWK'"), caseId, "Swale",
            $"{string.Join(' ', name.Split(' ').Take(2))} {postcode.Split(' ')[0]}", await One<string>($"SELECT Reference FROM Applications WHERE Id = {middle}"));
    }

    private static async Task SignInAsync(HttpClient client)
    {
        var form = await GetTextAsync(client, "/Account/Login");
        var antiforgery = Antiforgery().Match(form).Groups[1].Value;
        using var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = DemoData.Staff[0].Email, ["Input.Password"] = DemoData.Password, ["__RequestVerificationToken"] = antiforgery,
        }));
        if (response.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"Signing in as the demo officer gave {(int)response.StatusCode}");
    }

    private static async Task<string> GetTextAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}");
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<(List<double> Times, long Bytes)> TimeAsync(HttpClient client, string path, int requests)
    {
        var times = new List<double>();
        long bytes = 0;
        for (var i = -3; i < requests; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await client.GetAsync(path);
            var body = await response.Content.ReadAsByteArrayAsync();
            watch.Stop();
            if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}");
            if (i < 0) continue;
            times.Add(watch.Elapsed.TotalMilliseconds);
            bytes = body.Length;
        }
        return (times, bytes);
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static int LastPage(string html) => PageLink().Matches(html).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(1).Max();

    private static Dictionary<string, Figure>? Baseline(string? path)
    {
        if (path is null) return null;
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        return json.RootElement.GetProperty("Figures").Deserialize<List<Figure>>()!.ToDictionary(f => f.Name);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();

    [GeneratedRegex(@"pageNumber=(\d+)")]
    private static partial Regex PageLink();
}
