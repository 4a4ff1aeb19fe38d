using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using GrantManager.Core.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using System.Net.Http.Json;
using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

/// <summary>
/// The application on a real Kestrel port with its own SQLite file and demo data (email to a
/// pickup folder), and one Debian Chromium for the whole run; each test gets its own context.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "grantmanager-browser", Guid.NewGuid().ToString("N"));
    private AppFactory? _app;
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public string ArtefactDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "artefacts");
    /// <summary>Where the service writes its email (the pickup folder), as a person trying it would find it.</summary>
    public string MailDirectory => Path.Combine(_directory, "mail");
    public IServiceProvider Services => _app!.Services;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        Directory.CreateDirectory(ArtefactDirectory);
        _app = new AppFactory(_directory);
        _app.UseKestrel(0);
        _app.StartServer();
        BaseUrl = _app.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>
    /// Arriving at a page means its document is parsed (deferred scripts run by then). Waiting for the
    /// load event as well once hung for 30 s in CI after the page had arrived, with the network idle.
    /// </summary>
    public static readonly PageWaitForURLOptions Arrived = new() { WaitUntil = WaitUntilState.DOMContentLoaded };

    /// <summary>Opening an address waits for its document in the same way, never for the load event.</summary>
    public static readonly PageGotoOptions Opened = new() { WaitUntil = WaitUntilState.DOMContentLoaded };

    /// <summary>Reloading a page waits for its document in the same way.</summary>
    public static readonly PageReloadOptions Reopened = new() { WaitUntil = WaitUntilState.DOMContentLoaded };

    public async Task<IPage> NewPageAsync(int width = 1280)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl, Locale = "en-GB", ViewportSize = new ViewportSize { Width = width, Height = width < 600 ? 800 : 900 },
        });
        // Marks each document once it has arrived (parsed, its deferred scripts run), for the checks to wait on.
        await context.AddInitScriptAsync("document.addEventListener('DOMContentLoaded', function () { document.documentElement.setAttribute('data-test-arrived', ''); });");
        var page = await context.NewPageAsync();
        // The Content-Security-Policy must never stop the service's own scripts (GOV.UK Frontend, Mermaid, session.js).
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy")) _cspViolations.Add($"{page.Url}: {message.Text}");
        };
        return page;
    }

    private readonly System.Collections.Concurrent.ConcurrentBag<string> _cspViolations = [];

    public async Task SignInAsync(IPage page, string email, string password = DemoData.Password)
    {
        await page.GotoAsync("/Account/Login", Opened);
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        // Signing in ends on another page; wait for it rather than for a load state of the old one.
        var arrived = page.WaitForURLAsync(url => !url.Contains("/Account/Login"), Arrived);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await arrived;
    }

    /// <summary>A real HTTP client for the API with a bearer token, for the steps a test does not need to click through.</summary>
    public async Task<HttpClient> ApiAsync(string email, string password = DemoData.Password)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        var login = await client.PostAsJsonAsync("/api/identity/login?useCookies=false", new { email, password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The newest email to an address in the pickup folder, waiting for the dispatcher to write it.</summary>
    public async Task<MimeKit.MimeMessage> EmailToAsync(string address, string subjectContains)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < until)
        {
            if (Directory.Exists(MailDirectory))
                foreach (var file in new DirectoryInfo(MailDirectory).GetFiles("*.eml").OrderByDescending(f => f.LastWriteTimeUtc))
                {
                    var message = await MimeKit.MimeMessage.LoadAsync(file.FullName);
                    if (message.To.Mailboxes.Any(m => m.Address == address) && (message.Subject ?? "").Contains(subjectContains)) return message;
                }
            await Task.Delay(200);
        }
        throw new TimeoutException($"No email to {address} about '{subjectContains}' in {MailDirectory}");
    }

    /// <summary>
    /// Waits until the page's document has arrived (a link just followed may still be parsing). A locator
    /// wait: a polled script would need eval, which the Content-Security-Policy refuses.
    /// </summary>
    public static Task ArrivedAsync(IPage page) =>
        page.Locator("html[data-test-arrived]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 60_000 });

    /// <summary>Fails when the page is wider than the window: nothing may scroll sideways.</summary>
    public static async Task AssertFitsAsync(IPage page, string name)
    {
        await ArrivedAsync(page);
        var (scroll, inner) = (await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("window.innerWidth"));
        Assert.True(scroll <= inner, $"{name}: the page is {scroll}px wide in a {inner}px window");
    }

    /// <summary>Runs axe-core (WCAG 2.2 A and AA) on the page, saves a screenshot, and fails listing any violation.</summary>
    public async Task AssertAccessibleAsync(IPage page, string name)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        await ArrivedAsync(page);
        var arrived = started.ElapsedMilliseconds;
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtefactDirectory, name + ".png"), FullPage = true });
        var shot = started.ElapsedMilliseconds;
        var result = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
            // Every rule still runs; only the violations are written up (passes on a long page are most of axe's time).
            ResultTypes = [ResultType.Violations],
        });
        // GRANTMANAGER_TEST_SCAN_LOG names a file that gets one line per check: milliseconds waiting for the page, for the screenshot, for axe; the check.
        if (Environment.GetEnvironmentVariable("GRANTMANAGER_TEST_SCAN_LOG") is { Length: > 0 } log)
            await File.AppendAllTextAsync(log, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{arrived} {shot - arrived} {started.ElapsedMilliseconds - shot} {name}\n"));
        var refused = _cspViolations.Where(v => v.StartsWith(page.Url + ":", StringComparison.Ordinal)).ToList();
        Assert.True(refused.Count == 0, $"{name}: the Content-Security-Policy refused:\n" + string.Join("\n", refused));
        var violations = result.Violations.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target))}").ToList();
        Assert.True(violations.Count == 0, $"{name}: axe found {violations.Count} violation(s):\n" + string.Join("\n", violations));
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private sealed class AppFactory(string directory) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("ConnectionStrings:GrantManager", $"Data Source={Path.Combine(directory, "grantmanager.db")}");
            builder.UseSetting("Seed:Demo", "true");
            builder.UseSetting("Email:PickupDirectory", Path.Combine(directory, "mail"));
            builder.UseSetting("DataProtection:KeysPath", Path.Combine(directory, "keys"));
            builder.UseSetting("Attachments:Path", Path.Combine(directory, "attachments"));
            // Every test signs in from this one address: the sign-in limits are for people, not for the suite.
            builder.UseSetting("Security:RequestsPerAddress", "100000");
            builder.UseSetting("Security:FailedSignInsPerAccount", "1000");
            builder.UseSetting("Security:FailedSignInsFromNewDevices", "1000");
            builder.UseSetting("Security:EmailsPerAccount", "1000");
        }
    }
}

/// <summary>
/// The browser tests run as two collections side by side, each with its own service, database and
/// Chromium: most of a test's time is axe-core working in one browser process, so two at once use
/// both cores of a small machine. The long journeys and a few page checks are one collection, the other
/// page checks the other, so that both take about as long.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}

[CollectionDefinition(Name)]
public sealed class JourneyCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser journeys";
}
