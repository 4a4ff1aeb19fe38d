using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using GrantManager.Core.Data;
using GrantManager.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GrantManager.Tests.Account;

/// <summary>
/// Found in a security review: 40 failed sign-ins in 0.3 s, 30 emails to one person in 2.7 s, five
/// wrong passwords locking any named officer out, and answers that told known accounts from unknown.
/// </summary>
public sealed partial class SignInProtectionTests : IAsyncLifetime
{
    private readonly GrantManagerFactory _app = new GrantManagerFactory()
        .Set("Security:FailedSignInsPerAccount", "3").Set("Security:FailedSignInsFromNewDevices", "5").Set("Security:EmailsPerAccount", "2");

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password) =>
        client.PostFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = password });

    [Fact]
    public async Task Wrong_passwords_shut_out_the_guesser_not_the_officer_on_their_own_device()
    {
        var officer = await _app.SignedInAsync("finance@example.org");
        await officer.PostFormAsync("/Account/Logout", new(), "/Staff");

        var guesser = _app.Browser();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await SignInAsync(guesser, "finance@example.org", $"wrong-password-{i}")).StatusCode);
        var refused = await SignInAsync(guesser, "finance@example.org", DemoData.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains((await refused.ReadPageAsync()).ErrorSummary(), e => e.StartsWith("Too many attempts. Try again in"));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignInAsync(_app.Browser(), "finance@example.org", "still-wrong-1")).StatusCode);

        // But the officer, on the browser they signed in on before, is not locked out.
        var back = await SignInAsync(officer, "finance@example.org", DemoData.Password);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        Assert.Equal("/Staff", back.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task An_unknown_address_is_limited_exactly_like_a_known_one()
    {
        foreach (var email in new[] { "nobody-here@example.org", "officer@example.org" })
        {
            var client = _app.Browser();
            var answers = new List<HttpStatusCode>();
            for (var i = 0; i < 4; i++) answers.Add((await SignInAsync(client, email, "wrong-password-x")).StatusCode);
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], answers);
        }
        // The API's sign-in counts the same wrong passwords.
        var api = _app.CreateClient();
        var login = await api.PostAsJsonAsync("/api/identity/login?useCookies=false", new { email = "officer@example.org", password = "wrong-password-x" });
        Assert.Equal(HttpStatusCode.TooManyRequests, login.StatusCode);
        Assert.Equal("Too many requests", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.NotNull(login.Headers.RetryAfter);
    }

    [Fact]
    public async Task Account_emails_to_one_address_are_limited_however_they_are_asked_for()
    {
        var client = _app.Browser();
        Assert.Equal(HttpStatusCode.OK, (await client.PostFormAsync("/Account/ForgotPassword", new() { ["Input.Email"] = "applicant2@example.org" })).StatusCode);
        var api = _app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync("/api/identity/forgotPassword", new { email = "applicant2@example.org" })).StatusCode);

        var third = await client.SubmitFormAsync("/Account/Register", new()
        {
            ["Input.FullName"] = "Someone Else", ["Input.Email"] = "applicant2@example.org", ["Input.OrganisationName"] = "Another group",
            ["Input.OrganisationType"] = "UnregisteredGroup", ["Input.Password"] = "a-long-password-1", ["Input.ConfirmPassword"] = "a-long-password-1",
        });
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await api.PostAsJsonAsync("/api/identity/resendConfirmationEmail", new { email = "applicant2@example.org" })).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostFormAsync("/Account/ForgotPassword", new() { ["Input.Email"] = "applicant2@example.org" })).StatusCode);
        Assert.Equal(2, await _app.WithDbAsync(db => db.OutboxEmails.CountAsync(m => m.ToAddress == "applicant2@example.org")));
    }

    [Fact]
    public async Task Requests_from_one_address_beyond_the_limit_are_refused_with_when_to_try_again()
    {
        await using var app = new GrantManagerFactory().Set("Security:RequestsPerAddress", "4");
        var api = app.CreateClient();
        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.PostAsJsonAsync("/api/identity/login?useCookies=false", new { email = $"x{i}@example.org", password = "wrong-password" })).StatusCode);
        var refused = await api.PostAsJsonAsync("/api/identity/login?useCookies=false", new { email = "y@example.org", password = "wrong-password" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(429, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        // The pages share the address's limit, and answer with the council's page.
        var page = await app.Browser().PostFormAsync("/Account/ForgotPassword", new() { ["Input.Email"] = "y@example.org" });
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.NotNull(page.Headers.RetryAfter);
        Assert.Equal("Too many attempts", (await page.ReadPageAsync()).QuerySelector("h1")!.TextContent.Trim());
        // Reading the pages is not limited.
        Assert.Equal(HttpStatusCode.OK, (await app.Browser().GetAsync("/Account/Login")).StatusCode);
    }

    /// <summary>What a wrong password gets back, with the parts that differ on every page (the antiforgery token) taken out.</summary>
    private static async Task<(HttpStatusCode, string)> WrongPasswordAnswerAsync(GrantManagerFactory app, string email)
    {
        var response = await SignInAsync(app.Browser(), email, "not-the-password-9");
        var page = await response.ReadPageAsync();
        foreach (var token in page.QuerySelectorAll("input[name=__RequestVerificationToken]")) token.Remove();
        return (response.StatusCode, page.QuerySelector("main")!.InnerHtml);
    }

    [Fact]
    public async Task Unknown_known_unconfirmed_and_locked_accounts_get_the_same_answer_to_a_wrong_password()
    {
        await using var app = new GrantManagerFactory();
        await app.Browser().SubmitFormAsync("/Account/Register", new()
        {
            ["Input.FullName"] = "Una Confirmed", ["Input.Email"] = "unconfirmed@example.net", ["Input.OrganisationName"] = "Unconfirmed group",
            ["Input.OrganisationType"] = "UnregisteredGroup", ["Input.Password"] = "unconfirmed-2026", ["Input.ConfirmPassword"] = "unconfirmed-2026",
        });
        await app.WithAsync(async sp =>
        {
            var users = sp.GetRequiredService<UserManager<User>>();
            return await users.SetLockoutEndDateAsync((await users.FindByEmailAsync("assessor2@example.org"))!, new DateTimeOffset(app.Now()).AddHours(1));
        });

        var unknown = await WrongPasswordAnswerAsync(app, "nobody-at-all@example.net");
        Assert.Equal(HttpStatusCode.OK, unknown.Item1);
        Assert.Contains("Enter a correct email address and password", unknown.Item2);
        foreach (var email in new[] { "officer@example.org", "unconfirmed@example.net", "assessor2@example.org" })
        {
            var answer = await WrongPasswordAnswerAsync(app, email);
            Assert.Equal(unknown.Item1, answer.Item1);
            Assert.Equal(unknown.Item2.Replace("nobody-at-all@example.net", email), answer.Item2);
        }
        var api = app.CreateClient();
        var apiAnswers = new List<string>();
        foreach (var email in new[] { "nobody-at-all@example.net", "officer@example.org", "unconfirmed@example.net", "assessor2@example.org" })
        {
            var login = await api.PostAsJsonAsync("/api/identity/login?useCookies=false", new { email, password = "not-the-password-9" });
            var problem = System.Text.Json.Nodes.JsonNode.Parse(await login.Content.ReadAsStringAsync())!.AsObject();
            problem.Remove("traceId");
            apiAnswers.Add($"{(int)login.StatusCode} {problem.ToJsonString()}");
        }
        Assert.Single(apiAnswers.Distinct());

        // Only the right password hears why it cannot sign in.
        var unconfirmed = await SignInAsync(app.Browser(), "unconfirmed@example.net", "unconfirmed-2026");
        Assert.Contains("Confirm your email address before you sign in", (await unconfirmed.ReadPageAsync()).ErrorSummary());
        var locked = await SignInAsync(app.Browser(), "assessor2@example.org", DemoData.Password);
        Assert.Contains((await locked.ReadPageAsync()).ErrorSummary(), e => e.StartsWith("Your account is locked"));
    }
}
