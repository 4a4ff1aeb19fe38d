using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace GrantManager.Tests.Account;

/// <summary>Issue 13 item 12: changing the password ends every other session and token of the account, and says so by email.</summary>
public sealed class PasswordChangeTests : IAsyncLifetime
{
    private const string NewPassword = "a-brand-new-phrase-42";
    private readonly GrantManagerFactory _app = new GrantManagerFactory().Set("Security:SessionCheckInterval", "00:00:00");

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private HttpClient Bearer(string token)
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<HttpResponseMessage> ApiLoginAsync(string email, string password) =>
        await _app.CreateClient().PostAsJsonAsync("/api/identity/login?useCookies=false", new { email, password });

    private async Task<JsonElement> TokensAsync(string email, string password)
    {
        var login = await ApiLoginAsync(email, password);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return await login.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<HttpResponseMessage> PageLoginAsync(HttpClient client, string email, string password) =>
        await client.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = password });

    [Fact]
    public async Task The_rendered_form_changes_the_password_and_ends_every_other_cookie_token_and_refresh_token_but_not_this_session()
    {
        const string email = "treasurer@hythe-rowing.example";
        var elsewhere = await NewApplicant.RegisterAsync(_app, email, "Hythe Rowing Club");
        var cookies = new CookieContainer();
        var person = _app.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(cookies));
        Assert.Equal(HttpStatusCode.Redirect, (await PageLoginAsync(person, email, NewApplicant.Password)).StatusCode);
        var copied = _app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        copied.DefaultRequestHeaders.Add("Cookie", cookies.GetCookieHeader(new Uri("http://localhost")));
        var tokens = await TokensAsync(email, NewApplicant.Password);
        var bearer = tokens.GetProperty("accessToken").GetString()!;
        var refresh = tokens.GetProperty("refreshToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await copied.GetAsync("/Applicant")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await elsewhere.GetAsync("/Applicant")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Bearer(bearer).GetAsync("/api/applications")).StatusCode);

        // Reached from the header of any signed-in page.
        var home = await person.GetPageAsync("/Applicant");
        Assert.NotNull(home.QuerySelector("header a[href='/Account/ChangePassword']"));
        var changed = await person.SubmitFormAsync("/Account/ChangePassword", new()
        {
            ["Input.CurrentPassword"] = NewApplicant.Password, ["Input.NewPassword"] = NewPassword, ["Input.ConfirmPassword"] = NewPassword,
        });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Equal("/Applicant", changed.Headers.Location!.OriginalString);

        // This session carries on, told what happened.
        var after = await person.GetAsync("/Applicant");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Contains("Your password has been changed", (await after.ReadPageAsync()).QuerySelector(".govuk-notification-banner")!.TextContent);
        // Every other one has ended.
        foreach (var other in new[] { copied, elsewhere })
        {
            var refused = await other.GetAsync("/Applicant");
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
            Assert.StartsWith("/Account/Login", refused.Headers.Location!.PathAndQuery);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await Bearer(bearer).GetAsync("/api/applications")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.CreateClient(new() { AllowAutoRedirect = false }).PostAsJsonAsync("/api/identity/refresh", new { refreshToken = refresh })).StatusCode);

        // The old password no longer signs in; the new one does.
        Assert.Equal(HttpStatusCode.Unauthorized, (await ApiLoginAsync(email, NewApplicant.Password)).StatusCode);
        var fresh = _app.Browser();
        Assert.Equal(HttpStatusCode.OK, (await PageLoginAsync(fresh, email, NewApplicant.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PageLoginAsync(fresh, email, NewPassword)).StatusCode);

        var message = await _app.Smtp.WaitForAsync(email, "password");
        Assert.Equal("Your password for Kent County Council community grants was changed", message.Subject);
        Assert.Contains("Priya Newcomer", message.TextBody);
        Assert.Contains("/Account/ForgotPassword", message.TextBody);
        Assert.DoesNotContain(NewPassword, message.TextBody);
        Assert.DoesNotContain(NewApplicant.Password, message.TextBody);
    }

    [Fact]
    public async Task A_wrong_current_password_or_a_confirmation_that_does_not_match_is_a_field_error_and_changes_nothing()
    {
        const string email = "secretary@sandgate-choir.example";
        var client = await NewApplicant.RegisterAsync(_app, email, "Sandgate Community Choir");
        var received = _app.Smtp.To(email).Count();

        var wrong = await client.SubmitFormAsync("/Account/ChangePassword", new()
        {
            ["Input.CurrentPassword"] = "not-my-password-1", ["Input.NewPassword"] = NewPassword, ["Input.ConfirmPassword"] = NewPassword,
        });
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        var page = await wrong.ReadPageAsync();
        Assert.Equal(["Your current password is not right"], page.ErrorSummary());
        Assert.Equal("#Input_CurrentPassword", page.QuerySelector(".govuk-error-summary__list a")!.GetAttribute("href"));

        var mismatch = await client.SubmitFormAsync("/Account/ChangePassword", new()
        {
            ["Input.CurrentPassword"] = NewApplicant.Password, ["Input.NewPassword"] = NewPassword, ["Input.ConfirmPassword"] = NewPassword + "x",
        });
        page = await mismatch.ReadPageAsync();
        Assert.Equal(["The passwords do not match"], page.ErrorSummary());
        Assert.Equal("#Input_ConfirmPassword", page.QuerySelector(".govuk-error-summary__list a")!.GetAttribute("href"));

        var weak = await client.SubmitFormAsync("/Account/ChangePassword", new()
        {
            ["Input.CurrentPassword"] = NewApplicant.Password, ["Input.NewPassword"] = "short", ["Input.ConfirmPassword"] = "short",
        });
        page = await weak.ReadPageAsync();
        Assert.Equal("#Input_NewPassword", page.QuerySelector(".govuk-error-summary__list a")!.GetAttribute("href"));

        // Nothing changed: still signed in, the old password still works, no email.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Applicant")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ApiLoginAsync(email, NewApplicant.Password)).StatusCode);
        Assert.Equal(received, _app.Smtp.To(email).Count());
    }

    [Fact]
    public async Task Wrong_current_passwords_are_limited_like_sign_ins()
    {
        _app.Set("Security:FailedSignInsPerAccount", "5");
        var client = await NewApplicant.RegisterAsync(_app, "chair@folkestone-lions.example", "Folkestone Lions");
        HttpResponseMessage last = null!;
        for (var i = 0; i < 6; i++)
            last = await client.SubmitFormAsync("/Account/ChangePassword", new()
            {
                ["Input.CurrentPassword"] = $"guess-number-{i}", ["Input.NewPassword"] = NewPassword, ["Input.ConfirmPassword"] = NewPassword,
            });
        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
        Assert.True(last.Headers.RetryAfter is not null);
        Assert.StartsWith("Too many attempts", (await last.ReadPageAsync()).ErrorSummary().Single());
    }

    [Fact]
    public async Task The_api_changes_the_password_for_a_staff_member_and_answers_a_new_token_while_the_old_ones_end()
    {
        var tokens = await TokensAsync("officer@example.org", GrantManager.Core.Data.DemoData.Password);
        var old = Bearer(tokens.GetProperty("accessToken").GetString()!);

        var missing = await old.PostAsJsonAsync("/api/account/password", new { currentPassword = "" });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        var problem = await missing.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("currentPassword", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("newPassword", out _));

        var wrong = await old.PostAsJsonAsync("/api/account/password", new { currentPassword = "not-the-password-9", newPassword = NewPassword });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal("Your current password is not right",
            (await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("currentPassword")[0].GetString());
        Assert.Equal(HttpStatusCode.OK, (await old.GetAsync("/api/tasks")).StatusCode);

        var changed = await old.PostAsJsonAsync("/api/account/password", new { currentPassword = GrantManager.Core.Data.DemoData.Password, newPassword = NewPassword });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var renewed = (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Bearer(renewed).GetAsync("/api/tasks")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetAsync("/api/tasks")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.CreateClient(new() { AllowAutoRedirect = false }).PostAsJsonAsync("/api/identity/refresh",
            new { refreshToken = tokens.GetProperty("refreshToken").GetString() })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ApiLoginAsync("officer@example.org", NewPassword)).StatusCode);
        var message = await _app.Smtp.WaitForAsync("officer@example.org", "was changed");
        Assert.DoesNotContain(NewPassword, message.TextBody);
    }

    [Fact]
    public async Task Nobody_signed_out_can_change_a_password_and_the_identity_api_does_not_change_one_around_it()
    {
        var anonymous = _app.Browser();
        var page = await anonymous.GetAsync("/Account/ChangePassword");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/Account/Login", page.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await _app.CreateClient().PostAsJsonAsync("/api/account/password", new { currentPassword = "x", newPassword = NewPassword })).StatusCode);

        // The identity API's account endpoints take the cookie of ?useCookies=true.
        var cookie = _app.CreateClient(new() { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.OK, (await cookie.PostAsJsonAsync("/api/identity/login?useCookies=true",
            new { email = "assessor@example.org", password = GrantManager.Core.Data.DemoData.Password })).StatusCode);
        var around = await cookie.PostAsJsonAsync("/api/identity/manage/info", new { oldPassword = GrantManager.Core.Data.DemoData.Password, newPassword = NewPassword });
        Assert.Equal(HttpStatusCode.BadRequest, around.StatusCode);
        Assert.True((await around.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("newPassword", out _));
        Assert.Equal(HttpStatusCode.OK, (await ApiLoginAsync("assessor@example.org", GrantManager.Core.Data.DemoData.Password)).StatusCode);
    }
}
