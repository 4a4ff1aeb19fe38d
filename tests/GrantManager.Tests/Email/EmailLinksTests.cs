using System.Text.Json;
using GrantManager.Core.Configuration;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GrantManager.Tests.Email;

/// <summary>Links in emails point at Email:PublicBaseUrl, or without it at wherever the server listens.</summary>
public sealed class EmailLinksTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "appsettings.sample.json"))) return dir.FullName;
        throw new DirectoryNotFoundException("appsettings.sample.json");
    }

    [Fact]
    public void The_development_settings_do_not_fix_the_address_in_emails()
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root(), "src", "GrantManager.Web", "appsettings.Development.json")));
        Assert.False(settings.RootElement.TryGetProperty("Email", out var email) && email.TryGetProperty("PublicBaseUrl", out _),
            "appsettings.Development.json must not set Email:PublicBaseUrl: the run command's emails link to the address it serves");
    }

    [Theory]
    [InlineData("http://localhost:5000", "http://localhost:5000")]
    [InlineData("http://0.0.0.0:8080", "http://localhost:8080")]
    [InlineData("http://[::]:5123", "http://localhost:5123")]
    [InlineData("http://+:80", "http://localhost")]
    [InlineData("http://127.0.0.1:5050/", "http://127.0.0.1:5050")]
    public void The_server_address_used_for_links_is_one_a_browser_can_open(string listening, string expected) =>
        Assert.Equal(expected, EmailLinks.ServerAddressFrom([listening]));

    [Fact]
    public void Https_is_preferred_and_no_address_gives_none()
    {
        Assert.Equal("https://localhost:5001", EmailLinks.ServerAddressFrom(["http://localhost:5000", "https://localhost:5001"]));
        Assert.Null(EmailLinks.ServerAddressFrom([]));
    }

    [Fact]
    public async Task Without_a_public_address_emails_link_to_where_the_server_listens_and_the_setting_wins_when_set()
    {
        var links = app.Services.GetRequiredService<EmailLinks>();
        links.ServerAddress = "http://localhost:5123";
        try
        {
            var body = await app.WithAsync(sp =>
            {
                var db = sp.GetRequiredService<GrantDbContext>();
                var email = sp.GetRequiredService<Outbox>().Add(db, "task-reminder", new EmailRecipient("someone@example.org", "Someone"),
                    new Dictionary<string, object?> { ["reference"] = "LWK-1", ["task"] = new Dictionary<string, object?> { ["title"] = "Assess", ["due_at"] = new DateTime(2027, 3, 1, 17, 0, 0, DateTimeKind.Utc) } });
                return Task.FromResult(email.TextBody);
            });
            Assert.Contains("Open your inbox: http://localhost:5123/Staff/Inbox", body);

            var configured = new EmailLinks(Options.Create(new EmailOptions { PublicBaseUrl = "https://grants.kent.example.gov.uk/" })) { ServerAddress = "http://localhost:5123" };
            Assert.Equal("https://grants.kent.example.gov.uk", configured.BaseUrl);
        }
        finally { links.ServerAddress = null; }
    }
}
