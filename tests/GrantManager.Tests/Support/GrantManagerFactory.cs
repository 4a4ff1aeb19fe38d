using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using GrantManager.Core.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace GrantManager.Tests.Support;

/// <summary>
/// The real application over HTTP, on its own SQLite file, sending its email to a real SMTP
/// server in this process. Demo data is seeded, as for the run command.
/// </summary>
public class GrantManagerFactory : WebApplicationFactory<Program>
{
    private readonly string _directory;
    private readonly bool _ownsDirectory;
    private readonly bool _ownsSmtp;
    private readonly Dictionary<string, string?> _settings = new();

    public TestSmtpServer Smtp { get; }
    public string DatabasePath => Path.Combine(_directory, "grantmanager.db");
    public string DataDirectory => _directory;
    /// <summary>Set to drive the application's clock; null keeps the system clock.</summary>
    public FakeTimeProvider? Clock { get; init; }
    /// <summary>Leave the folder and the SMTP server for a host started after this one (a restart).</summary>
    public bool HandOver { get; set; }

    /// <param name="directory">An earlier host's folder, to start again over the same database (a restart); it is left for its owner to delete.</param>
    /// <param name="smtp">An SMTP server shared with an earlier host.</param>
    public GrantManagerFactory() : this(null, null) { }

    /// <summary>A new host over a handed-over host's folder and SMTP server: a restart.</summary>
    public static GrantManagerFactory After(GrantManagerFactory previous, FakeTimeProvider? clock) =>
        new(previous.DataDirectory, previous.Smtp) { Clock = clock };

    private GrantManagerFactory(string? directory, TestSmtpServer? smtp)
    {
        _ownsDirectory = directory is null;
        _directory = directory ?? Path.Combine(Path.GetTempPath(), "grantmanager-tests", Guid.NewGuid().ToString("N"));
        _ownsSmtp = smtp is null;
        Smtp = smtp ?? new TestSmtpServer();
        Directory.CreateDirectory(_directory);
        Set("ConnectionStrings:GrantManager", $"Data Source={DatabasePath}");
        Set("Seed:Demo", "true");
        Set("Email:Smtp:Host", "127.0.0.1");
        Set("Email:Smtp:Port", Smtp.Port.ToString());
        Set("Email:Smtp:UseStartTls", "false");
        Set("Email:From", "grants@kent.example.gov.uk");
        Set("DataProtection:KeysPath", Path.Combine(_directory, "keys"));
        Set("Attachments:Path", Path.Combine(_directory, "attachments"));
    }

    /// <summary>Sets a configuration value before the application starts.</summary>
    public GrantManagerFactory Set(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        if (Clock is not null)
            builder.ConfigureServices(s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock)));
    }

    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>A client signed in through the sign-in page, as a person would.</summary>
    public async Task<HttpClient> SignedInAsync(string email, string password = DemoData.Password)
    {
        var client = Browser();
        var response = await client.PostFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Sign-in as {email} failed: {response.StatusCode}");
        return client;
    }

    /// <summary>A client carrying an API bearer token for the account.</summary>
    public async Task<HttpClient> ApiClientAsync(string email, string password = DemoData.Password)
    {
        var client = CreateClient();
        var login = await client.PostAsJsonAsync("/api/identity/login?useCookies=false", new { email, password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public T Scoped<T>(Func<IServiceProvider, T> use)
    {
        using var scope = Services.CreateScope();
        return use(scope.ServiceProvider);
    }

    public async Task<T> WithDbAsync<T>(Func<GrantDbContext, Task<T>> use)
    {
        await using var scope = Services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<GrantDbContext>());
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsSmtp && !HandOver) await Smtp.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_ownsDirectory && !HandOver) try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }

    private sealed record TokenResponse(string AccessToken);
}

public static class HttpExtensions
{
    private static readonly HtmlParser Parser = new();

    public static async Task<IHtmlDocument> GetPageAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        return await response.ReadPageAsync();
    }

    public static async Task<IHtmlDocument> ReadPageAsync(this HttpResponseMessage response) =>
        await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync());

    /// <summary>Posts a form as the browser would: fetches the page first for its antiforgery token.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(this HttpClient client, string url, Dictionary<string, string> fields, string? pageUrl = null)
    {
        var page = await client.GetPageAsync(pageUrl ?? url);
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
            ?? throw new InvalidOperationException($"No antiforgery token on {pageUrl ?? url}");
        var body = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token };
        return await client.PostAsync(url, new FormUrlEncodedContent(body));
    }

    /// <summary>Posts a form with a file, as the browser would, with the page's antiforgery token.</summary>
    public static async Task<HttpResponseMessage> PostFileAsync(this HttpClient client, string url, Dictionary<string, string> fields,
        string fieldName, string fileName, byte[] content)
    {
        var page = await client.GetPageAsync(url);
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var form = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };
        foreach (var (k, v) in fields) form.Add(new StringContent(v), k);
        form.Add(new ByteArrayContent(content), fieldName, fileName);
        return await client.PostAsync(url, form);
    }

    /// <summary>The error summary's messages, in order.</summary>
    public static List<string> ErrorSummary(this IHtmlDocument page) =>
        page.QuerySelectorAll(".govuk-error-summary__list a").Select(a => a.TextContent.Trim()).ToList();
}
