using System.Net;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Site;

/// <summary>Who changed what and when, for the changes the workflow history does not hold: drafts, funds, users.</summary>
public sealed class AuditTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private static int _people;
    private static string NewEmail() => $"audited{Interlocked.Increment(ref _people)}@example.net";

    private async Task<int> FundIdAsync() => await app.WithDbAsync(db => db.Funds.Where(f => f.Code == "LWK").Select(f => f.Id).SingleAsync());

    [Fact]
    public async Task A_draft_edit_is_recorded_with_who_and_each_old_and_new_value()
    {
        var client = await NewApplicant.RegisterAsync(app, NewEmail(), "Hythe Tea Dance", fullName: "Maggie Audited");
        var started = await client.SubmitFormAsync($"/Applicant/Apply?fund={await FundIdAsync()}", new()
        {
            ["Input.InKent"] = "true", ["Input.Community"] = "true", ["Input.TwelveMonths"] = "true", ["Input.Wellbeing"] = "true",
        });
        var draft = started.Headers.Location!.OriginalString;
        var id = int.Parse(draft.Split('/').Last());
        await client.SubmitFormAsync($"{draft}/Project", new() { ["Input.ProjectTitle"] = "Tea dances" });
        await client.SubmitFormAsync($"{draft}/Project", new() { ["Input.ProjectTitle"] = "Tea dances for carers" });
        // Saving the same answers again changes nothing, so records nothing.
        await client.SubmitFormAsync($"{draft}/Project", new());
        await client.SubmitFormAsync($"{draft}/Budget", new() { ["Input.Lines[0].Item"] = "Hall hire", ["Input.Lines[0].Amount"] = "1,200" });

        var entries = await app.WithDbAsync(db => db.AuditEntries.Where(a => a.SubjectType == "application" && a.SubjectId == id.ToString()).OrderBy(a => a.Id).ToListAsync());
        Assert.Equal("created", entries[0].Action);
        var titles = entries.SelectMany(e => e.ChangeList).Where(c => c.Field == "Project title").Select(c => (c.From, c.To)).ToList();
        Assert.Equal([(null, "Tea dances"), ("Tea dances", "Tea dances for carers")], titles);
        Assert.Equal(2, entries.Count(e => e.ChangeList.Any(c => c.Field == "Project title")));
        var budget = Assert.Single(entries.SelectMany(e => e.ChangeList), c => c.Field == "Budget");
        Assert.Equal((null, "Hall hire: £1,200"), (budget.From, budget.To));
        var userId = await app.WithDbAsync(db => db.Users.Where(u => u.DisplayName == "Maggie Audited").Select(u => u.Id).SingleAsync());
        Assert.All(entries, e => Assert.Equal(userId, e.UserId));

        // An administrator reads it by name on the audit page.
        var admin = await app.SignedInAsync("admin@example.org");
        var filtered = await admin.SubmitFormAsync("/Admin/Audit", new() { ["kind"] = "application" }, "main form");
        Assert.Equal(HttpStatusCode.OK, filtered.StatusCode);
        Assert.Equal("?kind=application", filtered.RequestMessage!.RequestUri!.Query);
        var page = await filtered.ReadPageAsync();
        Assert.Equal("application", page.QuerySelector("#kind option[selected]")!.GetAttribute("value"));
        // A page with no error says none in its title (its paging parameter is not Razor's own "page" route value).
        Assert.StartsWith("Audit", (await admin.GetPageAsync("/Admin/Audit")).Title);
        var row = page.QuerySelectorAll("tbody tr").First(r => Squash(r.TextContent).Contains("Project title: Tea dances →"));
        Assert.Contains($"LWK-", row.QuerySelector($"a[href=\"/Staff/Applications/{id}\"]")!.TextContent);
        Assert.Contains("Maggie Audited", row.TextContent);
        Assert.Contains("Project title: Tea dances → Tea dances for carers", Squash(row.TextContent));

        // The case file shows the same changes to the officer.
        var officer = await app.SignedInAsync("officer@example.org");
        var file = await officer.GetPageAsync($"/Staff/Applications/{id}");
        Assert.Contains("Project title: Tea dances → Tea dances for carers", Squash(file.QuerySelector("#changes + .app-table-scroll, #changes ~ .app-table-scroll")!.TextContent));
    }

    private static string Squash(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

    [Fact]
    public async Task Fund_changes_and_roles_given_are_recorded_and_no_secret_ever_is()
    {
        var admin = await app.SignedInAsync("admin@example.org");
        var fundId = await FundIdAsync();
        var before = await app.WithDbAsync(db => db.Funds.Where(f => f.Id == fundId).Select(f => f.Budget).SingleAsync());
        var saved = await admin.SubmitFormAsync($"/Admin/Funds/Fund?id={fundId}", new() { ["Input.Budget"] = "250,000" }, "form[action*='handler=Details']");
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var email = NewEmail();
        var invited = await admin.SubmitFormAsync("/Admin/Users/Create", new() { ["Input.FullName"] = "Ravi Reviewer", ["Input.Email"] = email, ["Input.Role"] = "Assessor" });
        Assert.Equal(HttpStatusCode.Redirect, invited.StatusCode);

        var entries = await app.WithDbAsync(db => db.AuditEntries.OrderBy(a => a.Id).ToListAsync());
        var fund = Assert.Single(entries, e => e.EntityType == "Fund" && e.Action == "changed" && e.SubjectId == fundId.ToString() && e.ChangeList.Any(c => c.Field == "Budget"));
        Assert.Equal(("changed", Money.Format(before), "£250,000"), (fund.Action, fund.ChangeList.Single(c => c.Field == "Budget").From, fund.ChangeList.Single(c => c.Field == "Budget").To));
        var adminId = await app.WithDbAsync(db => db.Users.Where(u => u.Email == "admin@example.org").Select(u => u.Id).SingleAsync());
        Assert.Equal(adminId, fund.UserId);
        var newUserId = await app.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());
        var role = Assert.Single(entries, e => e.EntityType == "User role" && e.SubjectId == newUserId);
        Assert.Equal(("Role", null, "Assessor"), (role.ChangeList[0].Field, role.ChangeList[0].From, role.ChangeList[0].To));
        Assert.Equal(adminId, role.UserId);
        Assert.DoesNotContain(entries, e => e.Changes.Contains("Password hash") || e.Changes.Contains("Security stamp") || e.Changes.Contains("AQAAAA"));
    }

    [Theory]
    [InlineData("officer@example.org")]
    [InlineData("applicant@example.org")]
    public async Task Only_administrators_read_the_audit_trail(string email)
    {
        var client = await app.SignedInAsync(email);
        var response = await client.GetAsync("/Admin/Audit");
        Assert.StartsWith("/Account/AccessDenied", response.Headers.Location!.PathAndQuery);
    }
}
