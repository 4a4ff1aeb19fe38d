using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Core.Data;
using GrantManager.Tests.Support;

namespace GrantManager.Tests.Site;

public sealed class ApiIdentityTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    [Fact]
    public async Task Login_without_cookies_returns_a_bearer_token_that_opens_the_API()
    {
        var client = app.CreateClient();
        var login = await client.PostAsJsonAsync("/api/identity/login?useCookies=false",
            new { email = "applicant@example.org", password = DemoData.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var body = await login.Content.ReadFromJsonAsync<JsonElement>();
        var token = body.GetProperty("accessToken").GetString();
        Assert.False(string.IsNullOrEmpty(token));
        Assert.Equal("Bearer", body.GetProperty("tokenType").GetString());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/funds");
        request.Headers.Authorization = new("Bearer", token);
        var funds = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, funds.StatusCode);
        var list = await funds.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(list.EnumerateArray(), f => f.GetProperty("name").GetString() == "Live Well Kent innovation grant"
            && f.GetProperty("maximumAward").GetDecimal() == 10_000m);
    }

    [Fact]
    public async Task A_wrong_password_is_401_problem_details()
    {
        var login = await app.CreateClient().PostAsJsonAsync("/api/identity/login?useCookies=false",
            new { email = "applicant2@example.org", password = "not-the-password-1" });
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Equal("application/problem+json", login.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_API_without_a_token_is_401()
    {
        var response = await app.CreateClient().GetAsync("/api/funds");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Registering_through_the_API_is_refused_with_a_pointer_to_the_site()
    {
        var response = await app.CreateClient().PostAsJsonAsync("/api/identity/register", new { email = "x@example.org", password = "abcdefghij1" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("/Account/Register", problem.GetProperty("detail").GetString());
        Assert.False(await app.WithDbAsync(db => Task.FromResult(db.Users.Any(u => u.Email == "x@example.org"))));
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_funds_endpoint()
    {
        var doc = await app.CreateClient().GetStringAsync("/openapi/v1.json");
        Assert.Contains("/api/funds", doc);
    }
}
