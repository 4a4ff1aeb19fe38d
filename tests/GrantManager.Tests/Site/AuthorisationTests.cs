using System.Net;
using System.Net.Http.Json;
using GrantManager.Tests.Support;

namespace GrantManager.Tests.Site;

public sealed class AuthorisationTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    [Theory]
    [InlineData("/Staff")]
    [InlineData("/Staff/Inbox")]
    [InlineData("/Staff/Tasks/1")]
    [InlineData("/Staff/Workflows")]
    [InlineData("/Admin/Users")]
    [InlineData("/Admin/Users/Create")]
    [InlineData("/Admin/Funds")]
    [InlineData("/Admin/Funds/Fund")]
    [InlineData("/Admin/Incidents")]
    public async Task An_applicant_is_refused_staff_pages(string url)
    {
        var applicant = await app.SignedInAsync("applicant@example.org");
        var response = await applicant.GetAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/AccessDenied", response.Headers.Location!.PathAndQuery);
        var denied = await applicant.GetAsync(response.Headers.Location);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
    }

    [Theory]
    [InlineData("/Staff")]
    [InlineData("/Applicant")]
    [InlineData("/Admin/Users")]
    public async Task Anyone_signed_out_is_sent_to_sign_in(string url)
    {
        var response = await app.Browser().GetAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/Login", response.Headers.Location!.PathAndQuery);
    }

    [Theory]
    [InlineData("/Applicant")]
    [InlineData("/Applicant/Apply?fund=1")]
    [InlineData("/Applicant/Organisation")]
    [InlineData("/Applicant/Applications/1")]
    [InlineData("/Applicant/Applications/1/Budget")]
    public async Task Staff_are_refused_the_applicants_pages(string url)
    {
        foreach (var email in new[] { "officer@example.org", "assessor@example.org", "admin@example.org" })
        {
            var staff = await app.SignedInAsync(email);
            Assert.StartsWith("/Account/AccessDenied", (await staff.GetAsync(url)).Headers.Location!.PathAndQuery);
        }
    }

    [Theory]
    [InlineData("/api/applications/1/emails")]
    [InlineData("/api/workflows")]
    [InlineData("/api/workflows/grant-application/diagram")]
    [InlineData("/api/workflow-incidents")]
    public async Task An_applicant_is_refused_staff_endpoints(string url)
    {
        var applicant = await app.ApiClientAsync("applicant@example.org");
        Assert.Equal(HttpStatusCode.Forbidden, (await applicant.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task Staff_are_refused_drafts_and_assessors_the_register()
    {
        var officer = await app.ApiClientAsync("officer@example.org");
        Assert.Equal(HttpStatusCode.OK, (await officer.GetAsync("/api/applications")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.ApiClientAsync("assessor@example.org")).GetAsync("/api/applications")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PostAsync("/api/applications", JsonContent.Create(new { fundId = 1 }))).StatusCode);
    }

    [Fact]
    public async Task An_officer_is_refused_the_administrators_pages_and_the_applicant_home()
    {
        var officer = await app.SignedInAsync("officer@example.org");
        Assert.Equal(HttpStatusCode.OK, (await officer.GetAsync("/Staff")).StatusCode);
        Assert.StartsWith("/Account/AccessDenied", (await officer.GetAsync("/Admin/Users")).Headers.Location!.PathAndQuery);
        Assert.StartsWith("/Account/AccessDenied", (await officer.GetAsync("/Applicant")).Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task The_staff_home_greets_the_officer_by_name_and_role()
    {
        var officer = await app.SignedInAsync("officer@example.org");
        var page = await officer.GetPageAsync("/Staff");
        Assert.Contains("Olivia Officer (Grant officer)", page.QuerySelector("main")!.TextContent);
        Assert.Contains("Live Well Kent innovation grant", page.QuerySelector("table")!.TextContent);
    }

    [Fact]
    public async Task The_applicant_home_shows_only_their_own_organisation()
    {
        var applicant = await app.SignedInAsync("applicant2@example.org");
        var page = await applicant.GetPageAsync("/Applicant");
        var main = page.QuerySelector("main")!.TextContent;
        Assert.Contains("Swale Arts Collective CIC", main);
        Assert.DoesNotContain("Shepway Sports Trust", main);
    }

    [Fact]
    public async Task A_form_posted_without_the_antiforgery_token_is_refused()
    {
        var client = app.Browser();
        var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = "officer@example.org", ["Input.Password"] = Core.Data.DemoData.Password,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }
}
