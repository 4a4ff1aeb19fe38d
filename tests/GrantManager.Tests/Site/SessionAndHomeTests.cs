using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using System.Net;
using GrantManager.Core.Applications;
using GrantManager.Core.Configuration;
using GrantManager.Core.Grants;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Site;

/// <summary>The sign-in's idle time, "Stay signed in", the way back after it ends, and the applicant's "Needs your action".</summary>
public sealed class SessionAndHomeTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    [Fact]
    public async Task Signed_in_pages_carry_the_timeout_warning()
    {
        var client = await app.SignedInAsync("officer@example.org");
        var page = await client.GetPageAsync("/Staff");
        var dialog = page.QuerySelector("dialog#session-timeout")!;
        Assert.Equal("1800", dialog.GetAttribute("data-timeout"));
        Assert.Equal("120", dialog.GetAttribute("data-warning"));
        Assert.Contains("You will be signed out in 2 minutes", dialog.TextContent);
        Assert.Null(dialog.GetAttribute("open"));
        Assert.NotNull(dialog.QuerySelector("form[action='/Account/Logout'] input[name=__RequestVerificationToken]"));
        Assert.Null((await app.Browser().GetPageAsync("/")).QuerySelector("#session-timeout"));
    }

    [Fact]
    public async Task The_sign_in_lasts_30_minutes_from_the_last_page_and_then_ends()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var timed = new GrantManagerFactory { Clock = clock };
        var client = await timed.SignedInAsync("officer@example.org");
        foreach (var _ in Enumerable.Range(0, 3))
        {
            clock.Advance(TimeSpan.FromMinutes(29));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Staff")).StatusCode);
        }
        clock.Advance(TimeSpan.FromMinutes(31));
        var after = await client.GetAsync("/Staff");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Contains("/Account/Login?ReturnUrl=%2FStaff", after.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Stay_signed_in_answers_only_a_signed_in_post()
    {
        var client = await app.SignedInAsync("applicant@example.org");
        var page = await client.GetPageAsync("/Applicant");
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var stay = await client.PostAsync("/Account/KeepAlive", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.OK, stay.StatusCode);
        Assert.Contains("\"expiresInSeconds\":1800", await stay.Content.ReadAsStringAsync());
        Assert.Contains(stay.Headers.GetValues("Set-Cookie"), c => c.StartsWith("GrantManager="));

        var anonymous = app.Browser();
        anonymous.DefaultRequestHeaders.Add("X-Requested-With", "XMLHttpRequest");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/Account/KeepAlive", new FormUrlEncodedContent([]))).StatusCode);
    }

    [Fact]
    public async Task A_form_posted_after_the_sign_in_ended_goes_to_sign_in_and_back_to_its_page()
    {
        var anonymous = app.Browser();
        var response = await anonymous.PostAsync("/Applicant/Applications/1/Project?handler=Save", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Login?ReturnUrl=%2FApplicant%2FApplications%2F1%2FProject", response.Headers.Location!.OriginalString);

        var login = await anonymous.SubmitFormAsync(response.Headers.Location.OriginalString,
            new() { ["Input.Email"] = "applicant@example.org", ["Input.Password"] = Core.Data.DemoData.Password });
        Assert.Equal("/Applicant/Applications/1/Project", login.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task The_sign_in_page_says_why_after_the_timeout()
    {
        var page = await app.Browser().GetPageAsync("/Account/Login?timedOut=true&ReturnUrl=%2FStaff");
        Assert.Contains("You have been signed out because you had not used the service for a while", page.QuerySelector("#signed-out-notice")!.TextContent);
        Assert.Equal("/Staff", page.QuerySelector("input[name=ReturnUrl]")!.GetAttribute("value"));
    }

    [Fact]
    public async Task The_applicant_home_lists_what_needs_their_action_with_overdue_reports_in_red()
    {
        var today = app.Today();
        var id = await app.SubmitApplicationAsync(today.AddDays(7), today.AddMonths(12), 4000m, "applicant2@example.org");
        await app.OfferAsync(id);
        var client = await app.SignedInAsync("applicant2@example.org");
        var home = await client.GetPageAsync("/Applicant");
        var item = home.QuerySelectorAll(".govuk-task-list__item").Single();
        Assert.Contains("Accept or decline the offer of a grant", item.TextContent);
        Assert.Equal($"/Applicant/Applications/{id}", item.QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("To do", item.QuerySelector(".govuk-tag")!.TextContent.Trim());

        var offer = await app.OpenTaskAsync(ApplicationService.SubjectType, id);
        await app.CompleteAsync(offer!.Id, "applicant2@example.org", new TaskCompletion("accept", null));
        // The first report is late: its last day has passed and it has not been sent.
        await app.WithDbAsync(async db =>
        {
            var r = await db.Set<MonitoringReturn>().Where(r => db.Grants.Any(g => g.Id == r.GrantId && g.ApplicationId == id)).OrderBy(r => r.Sequence).FirstAsync();
            r.MoveTo(ReturnStatus.Due);
            r.DueOn = today.AddDays(-3);
            return await db.SaveChangesAsync();
        });

        home = await client.GetPageAsync("/Applicant");
        var first = home.QuerySelectorAll(".govuk-task-list__item").First();
        Assert.Contains("Send your progress report", first.TextContent);
        Assert.Contains($"by {today.AddDays(-3).ToString("d MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-GB"))}", first.TextContent);
        var tag = first.QuerySelector(".govuk-tag")!;
        Assert.Equal("Overdue", tag.TextContent.Trim());
        Assert.Contains("govuk-tag--red", tag.ClassName);
        Assert.DoesNotContain(home.QuerySelectorAll(".govuk-task-list__item"), i => i.TextContent.Contains("Accept or decline"));
    }
}
