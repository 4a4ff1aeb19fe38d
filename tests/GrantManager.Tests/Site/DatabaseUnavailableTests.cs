using System.Net;
using System.Net.Http.Json;
using GrantManager.Tests.Support;
using Microsoft.Data.Sqlite;

namespace GrantManager.Tests.Site;

/// <summary>
/// A database that will not write: a real SQLite file whose write lock another connection holds past
/// the command timeout, or opened read-only. Pages and the API answer 503 with Retry-After and say
/// nothing was saved; /health says the node is unhealthy until it can write again.
/// </summary>
public sealed class DatabaseUnavailableTests
{
    private static Dictionary<string, string> Registration(string email) => new()
    {
        ["Input.FullName"] = "Sam Waiting", ["Input.Email"] = email, ["Input.OrganisationName"] = "Locked Out Lunch Club",
        ["Input.OrganisationType"] = "CharitableIncorporatedOrganisation", ["Input.Password"] = NewApplicant.Password, ["Input.ConfirmPassword"] = NewApplicant.Password,
    };

    [Fact]
    public async Task A_write_lock_held_past_the_command_timeout_gives_503_with_retry_after_and_an_unhealthy_node_until_it_is_released()
    {
        await using var app = new GrantManagerFactory();
        app.Set("ConnectionStrings:GrantManager", $"Data Source={app.DatabasePath};Default Timeout=1");
        var browser = app.Browser();
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/health")).StatusCode);
        var form = await browser.GetPageAsync("/Account/Register");
        var api = app.CreateClient();

        await using (var holder = new SqliteConnection($"Data Source={app.DatabasePath}"))
        {
            await holder.OpenAsync();
            await using var lockTx = holder.BeginTransaction(); // BEGIN IMMEDIATE: the write lock, held
            var health = await browser.GetAsync("/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());

            var page = await browser.SubmitFormAsync(form, "/Account/Register", Registration("locked@example.net"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(30), page.Headers.RetryAfter?.Delta);
            var shown = await page.ReadPageAsync();
            Assert.Equal("Sorry, the service cannot save changes just now", shown.QuerySelector("h1")!.TextContent.Trim());
            Assert.Contains("has not been saved", shown.QuerySelector("main")!.TextContent);

            // A reset code is an email written to the outbox.
            var call = await api.PostAsJsonAsync("/api/identity/forgotPassword", new { email = "applicant@example.org" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, call.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(30), call.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", call.Content.Headers.ContentType?.MediaType);
            var problem = await call.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            Assert.Equal(503, problem.GetProperty("status").GetInt32());
        }

        // Released: healthy again, and the same registration goes through; nothing half-written was left behind.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/health")).StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => Task.FromResult(db.Users.Count(u => u.Email == "locked@example.net"))));
        var again = await browser.SubmitFormAsync("/Account/Register", Registration("locked@example.net"));
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        await app.Smtp.WaitForAsync("locked@example.net", "Confirm your email address");
    }

    [Fact]
    public async Task A_read_only_database_still_shows_pages_answers_503_to_changes_and_reports_the_node_unhealthy()
    {
        await using var first = new GrantManagerFactory { HandOver = true };
        Assert.Equal(HttpStatusCode.OK, (await first.CreateClient().GetAsync("/health")).StatusCode);
        await first.DisposeAsync();

        // The same file, which this node may now only read (as when its file or volume is read-only).
        await using var app = GrantManagerFactory.After(first, clock: null);
        app.Set("ConnectionStrings:GrantManager", $"Data Source={first.DatabasePath};Mode=ReadOnly");
        var browser = app.Browser();
        var health = await browser.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);

        var form = await browser.GetPageAsync("/Account/Register");
        var page = await browser.SubmitFormAsync(form, "/Account/Register", Registration("readonly@example.net"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.NotNull(page.Headers.RetryAfter);
        Assert.Equal("Sorry, the service cannot save changes just now", (await page.ReadPageAsync()).QuerySelector("h1")!.TextContent.Trim());
    }
}
