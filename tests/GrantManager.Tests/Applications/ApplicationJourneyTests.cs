using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Applications;

/// <summary>
/// The whole journey through the API, with every email caught by a real SMTP server: apply,
/// eligibility, more information, two assessments, a delegated or panel decision, the offer.
/// </summary>
public sealed class ApplicationJourneyTests : IAsyncLifetime
{
    private readonly GrantManagerFactory _app = new();
    private HttpClient _applicant = null!, _officer = null!, _assessor = null!, _assessor2 = null!, _panel = null!;
    private int _fundId;

    public async Task InitializeAsync()
    {
        _applicant = await _app.ApiClientAsync("applicant@example.org");
        _officer = await _app.ApiClientAsync("officer@example.org");
        _assessor = await _app.ApiClientAsync("assessor@example.org");
        _assessor2 = await _app.ApiClientAsync("assessor2@example.org");
        _panel = await _app.ApiClientAsync("panel@example.org");
        var funds = await _applicant.GetFromJsonAsync<JsonElement>("/api/funds");
        _fundId = funds.EnumerateArray().Single(f => f.GetProperty("code").GetString() == "LWK").GetProperty("id").GetInt32();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private object Draft(decimal amount) => new
    {
        fundId = _fundId,
        projectTitle = "Walk and Talk Folkestone",
        projectSummary = "Weekly led walks with peer supporters for people living with anxiety and depression.",
        innovation = "Pairs each walker with a trained peer who has lived experience.",
        beneficiaries = "Adults aged 18 and over in Folkestone and Hythe who are isolated.",
        districts = new[] { "Folkestone and Hythe", "Dover" },
        startDate = _app.Now().AddMonths(2).ToString("yyyy-MM-01"),
        endDate = _app.Now().AddMonths(13).ToString("yyyy-MM-01"),
        amountRequested = amount,
        budget = new[] { new { item = "Peer supporter sessions", amount = amount - 500 }, new { item = "Volunteer expenses", amount = 500m } },
        outcomes = new[] { new { measure = "people-supported", target = 120m }, new { measure = "volunteer-hours", target = 600m } },
    };

    private async Task<(int Id, string Reference)> SubmittedAsync(decimal amount)
    {
        var created = await _applicant.PostAsJsonAsync("/api/applications", Draft(amount));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetInt32();
        Assert.Equal("draft", body.GetProperty("status").GetString());
        var submitted = await _applicant.PostAsJsonAsync($"/api/applications/{id}/submit", new { declaration = true });
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        var view = await submitted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("submitted", "eligibility"), (view.GetProperty("status").GetString(), view.GetProperty("stage").GetString()));
        return (id, body.GetProperty("reference").GetString()!);
    }

    private static async Task<JsonElement> TaskForAsync(HttpClient client, int applicationId, string? title = null)
    {
        var tasks = await client.GetFromJsonAsync<JsonElement>("/api/tasks");
        return tasks.EnumerateArray().Single(t => t.GetProperty("applicationId").GetInt32() == applicationId
            && (title is null || t.GetProperty("title").GetString() == title));
    }

    private static async Task<HttpResponseMessage> CompleteAsync(HttpClient client, JsonElement task, object body) =>
        await client.PostAsJsonAsync($"/api/tasks/{task.GetProperty("id").GetInt64()}/complete", body);

    private async Task AssessAsync(HttpClient assessor, int id, string outcome, bool last)
    {
        var task = await TaskForAsync(assessor, id);
        Assert.True(task.GetProperty("requiresConflictDeclaration").GetBoolean());
        var criteria = task.GetProperty("criteria").EnumerateArray().ToList();
        Assert.Equal(["Need and benefit", "Innovation", "Deliverability", "Social value"], criteria.Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, (await assessor.GetAsync($"/api/applications/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await assessor.PostAsJsonAsync($"/api/tasks/{task.GetProperty("id").GetInt64()}/declare", new { hasConflict = false })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await assessor.GetAsync($"/api/applications/{id}")).StatusCode);
        var scores = criteria.ToDictionary(c => c.GetProperty("id").GetInt32().ToString(), _ => 4);
        var done = await CompleteAsync(assessor, task, new { outcome, comment = "Strong local need and a credible plan.", scores });
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal(last, (await done.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("moved").GetBoolean());
    }

    [Fact]
    public async Task Up_to_5000_pounds_the_officer_decides_and_the_applicant_hears_at_every_stage()
    {
        var (id, reference) = await SubmittedAsync(4500m);
        Assert.Matches(@"^LWK-\d{4}-\d{4}$", reference);
        var receipt = await _app.Smtp.WaitForAsync("applicant@example.org", $"We have received your application {reference}");
        Assert.Contains("Walk and Talk Folkestone", receipt.TextBody);
        await _app.Smtp.WaitForAsync("officer@example.org", $"New task: Check eligibility for {reference}");

        // Eligibility: more information is needed first, and the reason is required.
        var check = await TaskForAsync(_officer, id);
        var noReason = await CompleteAsync(_officer, check, new { outcome = "more-information-needed" });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal("Say what information you need", (await noReason.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("comment")[0].GetString());
        Assert.Equal(HttpStatusCode.OK, (await CompleteAsync(_officer, check, new { outcome = "more-information-needed", comment = "Please send your safeguarding policy." })).StatusCode);
        var request = await _app.Smtp.WaitForAsync("applicant@example.org", "We need more information");
        Assert.Contains("Please send your safeguarding policy.", request.TextBody);

        // The applicant answers through their own inbox; the application goes back to eligibility.
        var answer = await TaskForAsync(_applicant, id);
        Assert.Equal("Provide the information asked for", answer.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.OK, (await CompleteAsync(_applicant, answer, new { outcome = "information-provided", comment = "Our policy is attached to our profile; reviewed March." })).StatusCode);
        var recheck = await TaskForAsync(_officer, id);
        Assert.Equal(HttpStatusCode.OK, (await CompleteAsync(_officer, recheck, new { outcome = "eligible" })).StatusCode);
        await _app.Smtp.WaitForAsync("assessor@example.org", $"New task: Assess the application for {reference}");
        await _app.Smtp.WaitForAsync("assessor2@example.org", $"New task: Assess the application for {reference}");

        // Two assessors, each declaring no conflict before seeing it.
        await AssessAsync(_assessor, id, "fund", last: false);
        await AssessAsync(_assessor2, id, "fund", last: true);
        var afterAssessment = await _officer.GetFromJsonAsync<JsonElement>($"/api/applications/{id}");
        Assert.Equal("delegated-decision", afterAssessment.GetProperty("stage").GetString());

        // Delegated decision, offer, acceptance.
        var decide = await TaskForAsync(_officer, id);
        Assert.Equal("Decide under delegated authority", decide.GetProperty("title").GetString());
        var tooMuch = await CompleteAsync(_officer, decide, new { outcome = "approve", amountAwarded = 5000m });
        Assert.Equal("The amount awarded must be more than £0 and no more than the £4,500 requested",
            (await tooMuch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("amountAwarded")[0].GetString());
        Assert.Equal(HttpStatusCode.OK, (await CompleteAsync(_officer, decide, new
        {
            outcome = "approve", comment = "Approved under delegated authority.", amountAwarded = 4000m,
            conditions = "Send us your safeguarding policy before the first payment.",
        })).StatusCode);
        var offer = await _app.Smtp.WaitForAsync("applicant@example.org", $"Grant offer for {reference}");
        Assert.Contains("a grant of £4,000", offer.TextBody);
        Assert.Contains("Send us your safeguarding policy before the first payment.", offer.TextBody);
        Assert.Equal("approved", (await _applicant.GetFromJsonAsync<JsonElement>($"/api/applications/{id}")).GetProperty("status").GetString());

        var respond = await TaskForAsync(_applicant, id);
        Assert.Equal(["accept", "decline"], respond.GetProperty("outcomes").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(HttpStatusCode.OK, (await CompleteAsync(_applicant, respond, new { outcome = "accept" })).StatusCode);
        await _app.Smtp.WaitForAsync("applicant@example.org", $"Your grant {reference} is confirmed");
        await _app.Smtp.WaitForAsync("officer@example.org", $"Offer accepted: {reference}");

        var final = await _applicant.GetFromJsonAsync<JsonElement>($"/api/applications/{id}");
        Assert.Equal(("awarded", "awarded"), (final.GetProperty("status").GetString(), final.GetProperty("stage").GetString()));
        var stages = final.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("stage").GetString()).ToList();
        Assert.Equal(["Eligibility check", "More information needed", "Eligibility check", "Assessment", "Decision by the grant officer", "Offer made", "Awarded"], stages);
        // Applicants see the stages, not the officers' notes.
        Assert.All(final.GetProperty("history").EnumerateArray(), h => Assert.Equal(JsonValueKind.Null, h.GetProperty("comment").ValueKind));

        // Accepting made the grant: the amount awarded, the fund's payment plan, the targets from the application.
        var grants = await _applicant.GetFromJsonAsync<JsonElement>("/api/grants");
        var grant = grants.EnumerateArray().Single(g => g.GetProperty("applicationId").GetInt32() == id);
        Assert.Equal((reference, 4000m, "active"), (grant.GetProperty("reference").GetString(), grant.GetProperty("amount").GetDecimal(), grant.GetProperty("status").GetString()));
        // Plain words are one condition for the life of the grant, holding no payment.
        var condition = Assert.Single(grant.GetProperty("conditions").EnumerateArray());
        Assert.Equal(("Send us your safeguarding policy before the first payment.", "ongoing", "open"),
            (condition.GetProperty("text").GetString(), condition.GetProperty("kind").GetString(), condition.GetProperty("status").GetString()));
        Assert.Equal([(2000m, "acceptance", "due"), (1000m, "midpoint", "scheduled"), (1000m, "final", "scheduled")],
            grant.GetProperty("instalments").EnumerateArray().Select(i => (i.GetProperty("amount").GetDecimal(), i.GetProperty("releasedBy").GetString(), i.GetProperty("status").GetString())));
        Assert.Equal([("people-supported", 120m), ("volunteer-hours", 600m)],
            grant.GetProperty("targets").EnumerateArray().Select(t => (t.GetProperty("measure").GetString(), t.GetProperty("target").GetDecimal())));
        var grantId = grant.GetProperty("id").GetInt32();
        var returns = (await _applicant.GetFromJsonAsync<JsonElement>($"/api/grants/{grantId}/returns")).EnumerateArray().ToList();
        Assert.True(returns.Count >= 4, "quarterly returns and the final report");
        Assert.Equal("Final report", returns[^1].GetProperty("period").GetString());
        Assert.All(returns, r => Assert.Equal("upcoming", r.GetProperty("status").GetString()));
        Assert.Single(returns, r => r.GetProperty("releasesInstalment").ValueKind == JsonValueKind.Number && r.GetProperty("releasesInstalment").GetInt32() == 2);
        Assert.Equal(HttpStatusCode.OK, (await _officer.GetAsync($"/api/grants/{grantId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await (await _app.ApiClientAsync("applicant2@example.org")).GetAsync($"/api/grants/{grantId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _assessor.GetAsync("/api/grants")).StatusCode);

        // Officers see every email about the application and its delivery.
        var emails = await _officer.GetFromJsonAsync<JsonElement>($"/api/applications/{id}/emails");
        var subjects = emails.EnumerateArray().Select(e => e.GetProperty("subject").GetString()).ToList();
        Assert.Contains($"Grant offer for {reference}", subjects);
        Assert.Contains(emails.EnumerateArray(), e => e.GetProperty("to").GetString() == "assessor2@example.org");
        Assert.DoesNotContain(_app.Smtp.Messages, m => (m.TextBody ?? "").Contains("sort code", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Above_5000_pounds_the_panel_decides_and_a_rejection_carries_the_reasons()
    {
        var (id, reference) = await SubmittedAsync(8000m);
        await CompleteAsync(_officer, await TaskForAsync(_officer, id), new { outcome = "eligible" });
        await AssessAsync(_assessor, id, "fund", last: false);
        await AssessAsync(_assessor2, id, "do-not-fund", last: true);

        Assert.Equal("panel-decision", (await _officer.GetFromJsonAsync<JsonElement>($"/api/applications/{id}")).GetProperty("stage").GetString());
        Assert.DoesNotContain((await _officer.GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray(), t => t.GetProperty("applicationId").GetInt32() == id);
        await _app.Smtp.WaitForAsync("panel@example.org", $"New task: Panel decision for {reference}");
        var decide = await TaskForAsync(_panel, id);
        Assert.Equal(HttpStatusCode.OK, (await CompleteAsync(_panel, decide, new { outcome = "reject", comment = "The panel found the costs per participant too high." })).StatusCode);

        var letter = await _app.Smtp.WaitForAsync("applicant@example.org", $"The outcome of your application {reference}");
        Assert.Contains("The panel found the costs per participant too high.", letter.TextBody);
        Assert.Equal("rejected", (await _applicant.GetFromJsonAsync<JsonElement>($"/api/applications/{id}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_applicant_can_withdraw_before_the_decision()
    {
        var (id, reference) = await SubmittedAsync(3000m);
        await CompleteAsync(_officer, await TaskForAsync(_officer, id), new { outcome = "eligible" });

        var withdrawn = await _applicant.PostAsJsonAsync($"/api/applications/{id}/withdraw", new { reason = "We found other funding" });
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        Assert.Equal("withdrawn", (await withdrawn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        await _app.Smtp.WaitForAsync("applicant@example.org", $"Your application {reference} has been withdrawn");
        Assert.DoesNotContain((await _assessor.GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray(), t => t.GetProperty("applicationId").GetInt32() == id);
        var again = await _applicant.PostAsJsonAsync($"/api/applications/{id}/withdraw", new { });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task A_conflicted_assessor_hands_the_task_back_and_cannot_see_the_application()
    {
        var (id, _) = await SubmittedAsync(3000m);
        await CompleteAsync(_officer, await TaskForAsync(_officer, id), new { outcome = "eligible" });
        var task = await TaskForAsync(_assessor, id);

        var noDetails = await _assessor.PostAsJsonAsync($"/api/tasks/{task.GetProperty("id").GetInt64()}/declare", new { hasConflict = true });
        Assert.Equal(HttpStatusCode.BadRequest, noDetails.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _assessor.PostAsJsonAsync($"/api/tasks/{task.GetProperty("id").GetInt64()}/declare",
            new { hasConflict = true, details = "I volunteer for this charity" })).StatusCode);

        Assert.DoesNotContain((await _assessor.GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray(), t => t.GetProperty("applicationId").GetInt32() == id);
        Assert.Equal(HttpStatusCode.Forbidden, (await _assessor.GetAsync($"/api/applications/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await CompleteAsync(_assessor, task, new { outcome = "fund", comment = "x" })).StatusCode);
        var forOthers = await TaskForAsync(_assessor2, id);
        Assert.Equal(HttpStatusCode.NoContent, (await _assessor2.PostAsync($"/api/tasks/{forOthers.GetProperty("id").GetInt64()}/claim", null)).StatusCode);
    }

    [Fact]
    public async Task Two_officers_completing_one_task_get_one_success_and_one_409_naming_who()
    {
        var (id, _) = await SubmittedAsync(3000m);
        var officer2 = await _app.ApiClientAsync("officer@example.org");
        var task = await TaskForAsync(_officer, id);

        var results = await Task.WhenAll(CompleteAsync(_officer, task, new { outcome = "eligible" }), CompleteAsync(officer2, task, new { outcome = "eligible" }));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], results.Select(r => r.StatusCode).Order());
        var conflict = await results.Single(r => r.StatusCode == HttpStatusCode.Conflict).Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("This task was already completed by Olivia Officer", conflict.GetProperty("detail").GetString());
    }
}
