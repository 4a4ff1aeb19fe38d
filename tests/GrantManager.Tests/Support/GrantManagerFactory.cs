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
using Microsoft.Extensions.Hosting;
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
    /// <summary>Migrate and seed an empty database at start-up, as a first run does, instead of starting from a copy of an earlier host's.</summary>
    public bool FreshDatabase { get; init; }
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
        // The tests sign in from one address many times a second; tests of the limits set their own.
        Set("Security:RequestsPerAddress", "100000");
        Set("Security:FailedSignInsPerAccount", "1000");
        Set("Security:FailedSignInsFromNewDevices", "1000");
        Set("Security:EmailsPerAccount", "1000");
        // Webhook receivers in the tests listen on this machine, over http.
        Set("Webhooks:AllowInsecure", "true");
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

    /// <summary>
    /// Starts the host. A new folder's database begins as a copy of the one an earlier host with the same
    /// settings and clock reading left after start-up (see <see cref="TemplateDatabases"/>), unless
    /// <see cref="FreshDatabase"/> is set or the database is elsewhere.
    /// </summary>
    protected override IHost CreateHost(IHostBuilder builder)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var connection = _settings.GetValueOrDefault("ConnectionStrings:GrantManager") ?? "";
        var fromTemplate = !FreshDatabase && _ownsDirectory && !File.Exists(DatabasePath)
            && _settings.GetValueOrDefault("Database:Provider") is null
            && connection.StartsWith($"Data Source={DatabasePath}", StringComparison.Ordinal) && !connection.Contains("ReadOnly", StringComparison.OrdinalIgnoreCase);
        var host = fromTemplate ? TemplateDatabases.Start(StartUp(), DatabasePath, () => base.CreateHost(builder)) : base.CreateHost(builder);
        // GRANTMANAGER_TEST_HOST_LOG names a file that gets one line per host started: milliseconds, whether from a template, the test.
        if (Environment.GetEnvironmentVariable("GRANTMANAGER_TEST_HOST_LOG") is { Length: > 0 } log)
            File.AppendAllText(log, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{started.ElapsedMilliseconds} {(fromTemplate ? "copy" : "new")} {new System.Diagnostics.StackTrace().GetFrames().Select(f => f.GetMethod()?.DeclaringType?.FullName).FirstOrDefault(t => t?.StartsWith("GrantManager.Tests.", StringComparison.Ordinal) == true && !t.StartsWith("GrantManager.Tests.Support", StringComparison.Ordinal))}\n"));
        return host;
    }

    /// <summary>
    /// What start-up depends on: every setting but this host's own folder and port (a folder that is
    /// read, such as Workflows:Path, by what it holds), and the clock's reading (the demo round opens
    /// and closes relative to it).
    /// </summary>
    private string StartUp()
    {
        var own = new HashSet<string> { "ConnectionStrings:GrantManager", "DataProtection:KeysPath", "Attachments:Path", "Email:Smtp:Port" };
        var settings = _settings.Where(s => !own.Contains(s.Key)).OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => $"{s.Key}={(Directory.Exists(s.Value) ? Contents(s.Value) : s.Value)}");
        var clock = Clock is null
            ? $"system clock, {Core.Configuration.UkTime.DayOf(TimeProvider.System.GetUtcNow().UtcDateTime):yyyy-MM-dd}"
            : Clock.GetUtcNow().UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return string.Join("\n", settings.Append(clock));
    }

    private static string Contents(string folder)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(folder, file) + "\n"));
            hash.AppendData(File.ReadAllBytes(file));
        }
        return "folder " + Convert.ToHexString(hash.GetHashAndReset());
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

/// <summary>Posting a form exactly as the page renders it, as a browser would.</summary>
public static class RenderedForms
{
    /// <summary>
    /// Fetches <paramref name="pageUrl"/>, takes its form (the first POST form in the main content, or
    /// the one <paramref name="formSelector"/> names) with every value it renders, applies
    /// <paramref name="changes"/> and posts it to the form's action. A change naming a field the form
    /// does not have fails, so a test cannot post a field the page never renders. A checkbox group takes
    /// several values separated by '|'; "" unticks it.
    /// </summary>
    /// <param name="file">A file chosen in the form's file input of that name (the form must render one).</param>
    public static async Task<HttpResponseMessage> SubmitFormAsync(this HttpClient client, string pageUrl,
        Dictionary<string, string>? changes = null, string? formSelector = null, string? button = null,
        (string Field, string FileName, byte[] Content)? file = null)
    {
        var page = await client.GetPageAsync(pageUrl);
        return await client.SubmitFormAsync(page, pageUrl, changes, formSelector, button, file);
    }

    public static async Task<HttpResponseMessage> SubmitFormAsync(this HttpClient client, IHtmlDocument page, string pageUrl,
        Dictionary<string, string>? changes = null, string? formSelector = null, string? button = null,
        (string Field, string FileName, byte[] Content)? file = null)
    {
        var form = (formSelector is null
                ? page.QuerySelectorAll("main form").OfType<IHtmlFormElement>().FirstOrDefault(f => f.Method.Equals("post", StringComparison.OrdinalIgnoreCase))
                : page.QuerySelector(formSelector) as IHtmlFormElement)
            ?? throw new InvalidOperationException($"No form {formSelector ?? "posting"} on {pageUrl}");
        var fields = FieldsOf(form);
        foreach (var (name, value) in changes ?? new())
        {
            var controls = form.Elements.Where(e => e.GetAttribute("name") == name).ToList();
            if (controls.Count == 0)
                throw new InvalidOperationException($"The form on {pageUrl} has no field named {name}; it has {string.Join(", ", form.Elements.Select(e => e.GetAttribute("name")).Where(n => n is not null).Distinct())}");
            fields.RemoveAll(f => f.Key == name);
            var first = controls[0];
            var type = first.GetAttribute("type")?.ToLowerInvariant();
            if (type is "radio" or "checkbox")
            {
                foreach (var v in value.Split('|', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!controls.Any(c => c.GetAttribute("value") == v))
                        throw new InvalidOperationException($"{name} on {pageUrl} has no option {v}; it has {string.Join(", ", controls.Select(c => c.GetAttribute("value")))}");
                    fields.Add(new(name, v));
                }
            }
            else if (first is IHtmlSelectElement select)
            {
                if (!select.Options.Any(o => o.Value == value))
                    throw new InvalidOperationException($"{name} on {pageUrl} has no option {value}");
                fields.Add(new(name, value));
            }
            else fields.Add(new(name, value));
        }
        if (file is { } f && !form.Elements.OfType<IHtmlInputElement>().Any(e => e.Type == "file" && e.Name == f.Field))
            throw new InvalidOperationException($"The form on {pageUrl} has no file input named {f.Field}");
        if (button is not null)
        {
            var b = form.Elements.OfType<IHtmlButtonElement>().FirstOrDefault(e => e.TextContent.Trim() == button || e.GetAttribute("value") == button)
                ?? throw new InvalidOperationException($"No button {button} in the form on {pageUrl}");
            if (b.GetAttribute("name") is { } n) fields.Add(new(n, b.GetAttribute("value") ?? ""));
            if (b.GetAttribute("formaction") is { } fa) return await PostAsync(client, Resolve(pageUrl, fa), fields, form, file);
        }
        var action = string.IsNullOrEmpty(form.GetAttribute("action")) ? pageUrl : form.GetAttribute("action")!;
        return await PostAsync(client, Resolve(pageUrl, action), fields, form, file);
    }

    private static string Resolve(string pageUrl, string action) =>
        action.StartsWith('/') || action.StartsWith("http") ? action : pageUrl;

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string url, List<KeyValuePair<string, string>> fields, IHtmlFormElement form,
        (string Field, string FileName, byte[] Content)? file = null)
    {
        if (form.Enctype == "multipart/form-data")
        {
            var multipart = new MultipartFormDataContent();
            foreach (var (k, v) in fields) multipart.Add(new StringContent(v), k);
            if (file is { } f) multipart.Add(new ByteArrayContent(f.Content), f.Field, f.FileName);
            return client.PostAsync(url, multipart);
        }
        if (file is not null) throw new InvalidOperationException($"The form posting to {url} is not multipart, so it cannot send a file");
        // A filter form (method="get") goes in the address, as a browser sends it.
        if (string.Equals(form.Method, "get", StringComparison.OrdinalIgnoreCase))
            return client.GetAsync(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(url.Split('?')[0], fields.Select(f => new KeyValuePair<string, string?>(f.Key, f.Value))));
        return client.PostAsync(url, new FormUrlEncodedContent(fields));
    }

    /// <summary>What the browser would send for the form as rendered.</summary>
    public static List<KeyValuePair<string, string>> FieldsOf(IHtmlFormElement form)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var element in form.Elements)
        {
            var name = element.GetAttribute("name");
            if (string.IsNullOrEmpty(name) || element.HasAttribute("disabled")) continue;
            switch (element)
            {
                case IHtmlInputElement input:
                    var type = input.Type.ToLowerInvariant();
                    if (type is "submit" or "button" or "file" or "image" or "reset") break;
                    if (type is "checkbox" or "radio") { if (input.IsChecked) fields.Add(new(name, input.Value)); }
                    else fields.Add(new(name, input.Value));
                    break;
                case IHtmlTextAreaElement textarea:
                    fields.Add(new(name, textarea.Value));
                    break;
                case IHtmlSelectElement select:
                    var selected = select.Options.FirstOrDefault(o => o.IsSelected) ?? select.Options.FirstOrDefault();
                    if (selected is not null) fields.Add(new(name, selected.Value));
                    break;
            }
        }
        return fields;
    }
}
