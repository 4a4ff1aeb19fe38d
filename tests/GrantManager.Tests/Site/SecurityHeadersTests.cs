using System.Net;
using GrantManager.Tests.Support;

namespace GrantManager.Tests.Site;

/// <summary>Found in a security review: no Content-Security-Policy, no HSTS, no Permissions-Policy, signed-in pages cacheable.</summary>
public sealed class SecurityHeadersTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    [Theory]
    [InlineData("/", false)]
    [InlineData("/Account/Login", false)]
    [InlineData("/Staff", true)]
    [InlineData("/Staff/Workflows/Definition?id=grant-application", true)]
    [InlineData("/Staff/Inbox", true)]
    public async Task Pages_run_no_inline_script_and_say_so_in_their_policy(string url, bool signedIn)
    {
        var client = signedIn ? await app.SignedInAsync("officer@example.org") : app.Browser();
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        var scripts = policy.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src "));
        Assert.Equal("script-src 'self'", scripts);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Contains("camera=()", response.Headers.GetValues("Permissions-Policy").Single());
        var page = await response.ReadPageAsync();
        Assert.All(page.QuerySelectorAll("script"), s => Assert.True(s.HasAttribute("src") && s.TextContent.Trim() == "", $"inline script on {url}: {s.OuterHtml}"));
        Assert.All(page.All, e => Assert.DoesNotContain(e.Attributes, a => a.Name.StartsWith("on") || a.Value.TrimStart().StartsWith("javascript:")));
    }

    [Fact]
    public async Task Signed_in_pages_and_the_API_are_never_stored_by_a_cache()
    {
        var officer = await app.SignedInAsync("officer@example.org");
        Assert.Equal("no-store", (await officer.GetAsync("/Staff")).Headers.CacheControl?.ToString());
        var api = await app.ApiClientAsync("officer@example.org");
        Assert.Equal("no-store", (await api.GetAsync("/api/tasks")).Headers.CacheControl?.ToString());
        Assert.Equal("no-store", (await app.CreateClient().GetAsync("/api/funds")).Headers.CacheControl?.ToString());
        // Public files may be cached.
        Assert.NotEqual("no-store", (await app.CreateClient().GetAsync("/js/session.js")).Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Over_plain_HTTP_there_is_no_HSTS_and_cookies_are_not_forced_secure()
    {
        var response = await app.Browser().GetAsync("/Account/Login");
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Served_over_HTTPS_it_redirects_plain_HTTP_sends_HSTS_and_marks_cookies_secure()
    {
        await using var https = new GrantManagerFactory().Set("Security:HttpsOnly", "true");
        var plain = await https.CreateClient(new() { AllowAutoRedirect = false, BaseAddress = new Uri("http://grants.example.gov.uk") }).GetAsync("/Account/Login");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, plain.StatusCode);
        Assert.Equal("https://grants.example.gov.uk/Account/Login", plain.Headers.Location!.ToString());

        var client = https.CreateClient(new() { AllowAutoRedirect = false, BaseAddress = new Uri("https://grants.example.gov.uk") });
        var page = await client.GetAsync("/Account/Login");
        Assert.StartsWith("max-age=31536000", page.Headers.GetValues("Strict-Transport-Security").Single());
        var signIn = await client.PostFormAsync("/Account/Login", new() { ["Input.Email"] = "officer@example.org", ["Input.Password"] = Core.Data.DemoData.Password });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookies = signIn.Headers.GetValues("Set-Cookie").ToList();
        Assert.Contains(cookies, c => c.StartsWith("GrantManager="));
        Assert.All(cookies, c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));
    }
}
