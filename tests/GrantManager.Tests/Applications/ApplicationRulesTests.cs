using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Applications;

/// <summary>Bad input, closed rounds and other organisations: clear refusals, nothing saved half-way.</summary>
public sealed class ApplicationRulesTests(GrantManagerFactory app) : IClassFixture<GrantManagerFactory>
{
    private async Task<int> FundIdAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/funds")).EnumerateArray().Single(f => f.GetProperty("code").GetString() == "LWK").GetProperty("id").GetInt32();

    private static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
    }

    [Fact]
    public async Task Bad_input_names_each_field_and_saves_nothing()
    {
        var applicant = await app.ApiClientAsync("applicant@example.org");
        var before = await app.WithDbAsync(db => db.Applications.CountAsync());

        var errors = await ErrorsAsync(await applicant.PostAsJsonAsync("/api/applications", new
        {
            fundId = await FundIdAsync(applicant),
            projectTitle = new string('x', 151),
            amountRequested = 25000m,
            startDate = "2027-06-01", endDate = "2027-05-01",
            districts = new[] { "Swale", "Narnia" },
            budget = new object[] { new { item = "", amount = 100m }, new { item = "Hall hire", amount = -5m } },
            outcomes = new[] { new { measure = "happiness", target = 10m } },
        }));

        Assert.Equal("Project title must be 150 characters or fewer", errors.GetProperty("projectTitle")[0].GetString());
        Assert.Equal("Amount requested must be between £500 and £10,000", errors.GetProperty("amountRequested")[0].GetString());
        Assert.Equal("End date must be after the start date", errors.GetProperty("endDate")[0].GetString());
        Assert.StartsWith("'Narnia' is not a district of Kent", errors.GetProperty("districts")[0].GetString());
        Assert.Equal("Budget line 1: say what the money is for", errors.GetProperty("budget[0].item")[0].GetString());
        Assert.Equal("Budget line 2: enter an amount more than £0", errors.GetProperty("budget[1].amount")[0].GetString());
        Assert.StartsWith("Outcome 1: choose one of people-supported", errors.GetProperty("outcomes[0].measure")[0].GetString());
        Assert.Equal(before, await app.WithDbAsync(db => db.Applications.CountAsync()));
    }

    [Fact]
    public async Task Unreadable_JSON_is_a_400_naming_the_field()
    {
        var applicant = await app.ApiClientAsync("applicant@example.org");
        var response = await applicant.PostAsync("/api/applications",
            new StringContent("""{ "fundId": 1, "amountRequested": "lots" }""", Encoding.UTF8, "application/json"));
        var errors = await ErrorsAsync(response);
        Assert.Equal("'amountRequested' is not in the expected form", errors.GetProperty("amountRequested")[0].GetString());
    }

    [Fact]
    public async Task Submitting_an_incomplete_application_lists_what_is_missing()
    {
        var applicant = await app.ApiClientAsync("applicant@example.org");
        var created = await (await applicant.PostAsJsonAsync("/api/applications", new
        {
            fundId = await FundIdAsync(applicant), projectTitle = "Half done", amountRequested = 2000m,
            budget = new[] { new { item = "Hall hire", amount = 1500m } },
        })).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetInt32();

        var errors = await ErrorsAsync(await applicant.PostAsJsonAsync($"/api/applications/{id}/submit", new { declaration = false }));

        foreach (var field in new[] { "projectSummary", "innovation", "beneficiaries", "districts", "startDate", "endDate", "outcomes", "declaration" })
            Assert.True(errors.TryGetProperty(field, out _), $"{field} should be reported");
        Assert.Equal("The budget lines add up to £1,500 but you are asking for £2,000; they must be the same", errors.GetProperty("budget")[0].GetString());
        var view = await applicant.GetFromJsonAsync<JsonElement>($"/api/applications/{id}");
        Assert.Equal("draft", view.GetProperty("status").GetString());
        Assert.False(await app.WithDbAsync(db => db.WorkflowInstances.AnyAsync(i => i.SubjectId == id.ToString())));
    }

    [Fact]
    public async Task Submitting_after_the_round_closes_is_refused_with_the_date()
    {
        var applicant = await app.ApiClientAsync("applicant2@example.org");
        var created = await (await applicant.PostAsJsonAsync("/api/applications", Complete(await FundIdAsync(applicant)))).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetInt32();
        // Closing at the start of today (UK): yesterday was the last day.
        var today = app.Today();
        var closed = GrantManager.Core.Configuration.UkTime.StartOfDay(today);
        var roundName = await app.WithDbAsync(db => db.Applications.Where(a => a.Id == id).Select(a => a.Round!.Name).SingleAsync());
        var original = await app.WithDbAsync(db => db.Applications.Where(a => a.Id == id).Select(a => a.Round!.ClosesAt).SingleAsync());
        await app.WithDbAsync(db => db.Rounds.Where(r => db.Applications.Any(a => a.Id == id && a.RoundId == r.Id)).ExecuteUpdateAsync(s => s.SetProperty(r => r.ClosesAt, closed)));
        try
        {
            var errors = await ErrorsAsync(await applicant.PostAsJsonAsync($"/api/applications/{id}/submit", new { declaration = true }));
            Assert.Equal($"{roundName} closed at 11:59pm on {today.AddDays(-1):d MMMM yyyy}, so applications can no longer be submitted", errors.GetProperty("roundId")[0].GetString());
        }
        finally
        {
            await app.WithDbAsync(db => db.Rounds.Where(r => db.Applications.Any(a => a.Id == id && a.RoundId == r.Id)).ExecuteUpdateAsync(s => s.SetProperty(r => r.ClosesAt, original)));
        }
    }

    [Fact]
    public async Task Another_organisation_cannot_see_or_change_an_application_or_its_emails()
    {
        var owner = await app.ApiClientAsync("applicant@example.org");
        var other = await app.ApiClientAsync("applicant2@example.org");
        var created = await (await owner.PostAsJsonAsync("/api/applications", Complete(await FundIdAsync(owner)))).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetInt32();
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsJsonAsync($"/api/applications/{id}/submit", new { declaration = true })).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/applications/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PutAsJsonAsync($"/api/applications/{id}", new { projectTitle = "Mine" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsJsonAsync($"/api/applications/{id}/withdraw", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync($"/api/applications/{id}/emails")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.GetAsync($"/api/applications/{id}/emails")).StatusCode);
        Assert.DoesNotContain((await other.GetFromJsonAsync<JsonElement>("/api/applications")).EnumerateArray(), a => a.GetProperty("id").GetInt32() == id);

        // A submitted application cannot be changed, even by its owner.
        var change = await owner.PutAsJsonAsync($"/api/applications/{id}", new { projectTitle = "Changed" });
        Assert.Equal(HttpStatusCode.Conflict, change.StatusCode);

        var officer = await app.ApiClientAsync("officer@example.org");
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PostAsJsonAsync("/api/applications", Complete(1))).StatusCode);
        var task = (await officer.GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray().First(t => t.GetProperty("applicationId").GetInt32() == id);
        // A staff task is not found for applicants, whoever's application it is about.
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsJsonAsync($"/api/tasks/{task.GetProperty("id").GetInt64()}/complete", new { outcome = "eligible" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.PostAsync($"/api/tasks/{task.GetProperty("id").GetInt64()}/claim", null)).StatusCode);
    }

    private object Complete(int fundId) => new
    {
        fundId, projectTitle = "Swale arts for wellbeing", projectSummary = "Monthly arts workshops.", innovation = "Co-designed with LGBT+ residents.",
        beneficiaries = "LGBT+ adults in Swale", districts = new[] { "Swale" }, startDate = app.Now().AddMonths(1).ToString("yyyy-MM-01"),
        endDate = app.Now().AddMonths(10).ToString("yyyy-MM-01"), amountRequested = 3000m,
        budget = new[] { new { item = "Artist fees", amount = 3000m } }, outcomes = new[] { new { measure = "people-supported", target = 40m } },
    };
}
