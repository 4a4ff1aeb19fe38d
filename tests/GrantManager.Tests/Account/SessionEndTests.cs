using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using GrantManager.Core.Data;
using GrantManager.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace GrantManager.Tests.Account;

/// <summary>
/// Found in a security review: a cookie copied before sign-out still worked after it, a bearer token
/// stayed valid after a password reset, and a refresh token could be used twice.
/// </summary>
public sealed partial class SessionEndTests : IAsyncLifetime
{
    private readonly GrantManagerFactory _app = new GrantManagerFactory().Set("Security:SessionCheckInterval", "00:00:00");

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private HttpClient Bearer(string token)
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<JsonElement> LoginAsync(string email, string password = DemoData.Password) =>
        await (await _app.CreateClient().PostAsJsonAsync("/api/identity/login?useCookies=false", new { email, password })).Content.ReadFromJsonAsync<JsonElement>();

    [Fact]
    public async Task A_cookie_copied_before_sign_out_does_not_work_after_it_nor_do_the_accounts_tokens()
    {
        var cookies = new CookieContainer();
        var person = _app.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(cookies));
        Assert.Equal(HttpStatusCode.Redirect, (await person.PostFormAsync("/Account/Login", new() { ["Input.Email"] = "officer@example.org", ["Input.Password"] = DemoData.Password })).StatusCode);
        var copied = _app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        copied.DefaultRequestHeaders.Add("Cookie", cookies.GetCookieHeader(new Uri("http://localhost")));
        var token = (await LoginAsync("officer@example.org")).GetProperty("accessToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await copied.GetAsync("/Staff")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Bearer(token).GetAsync("/api/tasks")).StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await person.PostFormAsync("/Account/Logout", new(), "/Staff")).StatusCode);

        var after = await copied.GetAsync("/Staff");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/Account/Login", after.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Bearer(token).GetAsync("/api/tasks")).StatusCode);
    }

    [Fact]
    public async Task A_bearer_token_stops_working_when_the_password_is_reset()
    {
        var token = (await LoginAsync("assessor@example.org")).GetProperty("accessToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Bearer(token).GetAsync("/api/tasks")).StatusCode);

        var client = _app.Browser();
        await client.PostFormAsync("/Account/ForgotPassword", new() { ["Input.Email"] = "assessor@example.org" });
        var email = await _app.Smtp.WaitForAsync("assessor@example.org", "Reset your password");
        var link = new Uri(Link().Match(email.TextBody!).Value);
        var reset = await client.SubmitFormAsync(link.PathAndQuery, new() { ["Input.Password"] = "a-fresh-password-7", ["Input.ConfirmPassword"] = "a-fresh-password-7" });
        Assert.Equal("/Account/Login", reset.Headers.Location!.OriginalString);

        Assert.Equal(HttpStatusCode.Unauthorized, (await Bearer(token).GetAsync("/api/tasks")).StatusCode);
        var fresh = (await LoginAsync("assessor@example.org", "a-fresh-password-7")).GetProperty("accessToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Bearer(fresh).GetAsync("/api/tasks")).StatusCode);
    }

    [Fact]
    public async Task A_refresh_token_works_once_and_a_second_use_ends_every_sign_in()
    {
        var login = await LoginAsync("panel@example.org");
        var refresh = login.GetProperty("refreshToken").GetString()!;
        var api = _app.CreateClient();

        var first = await api.PostAsJsonAsync("/api/identity/refresh", new { refreshToken = refresh });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var renewed = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Bearer(renewed).GetAsync("/api/tasks")).StatusCode);

        var second = await api.PostAsJsonAsync("/api/identity/refresh", new { refreshToken = refresh });
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        // Someone else had the token: the tokens it gave are ended too.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Bearer(renewed).GetAsync("/api/tasks")).StatusCode);
    }

    [GeneratedRegex(@"https?://\S+/Account/ResetPassword\S+")]
    private static partial Regex Link();
}
