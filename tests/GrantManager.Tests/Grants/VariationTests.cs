using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Core.Email;
using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using GrantManager.Core;

namespace GrantManager.Tests.Grants;

/// <summary>
/// Variations on a fake clock: an extension re-plans the returns and their reminders exactly once; an amount above
/// the delegated limit goes to the panel; money past the round's budget is refused; the page's form is stored as
/// posted; another organisation is refused.
/// </summary>
public sealed class VariationTests : IAsyncLifetime
{
    private static readonly DateOnly Start = new(2027, 4, 1), End = new(2027, 8, 31);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 2, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly GrantManagerFactory _app;

    public VariationTests()
    {
        _app = new GrantManagerFactory { Clock = _clock }.Set("Workflows:RunTimers", "false");
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task RunUntilAsync(DateTime until) => _app.RunTimersUntilAsync(_clock, until);

    /// <summary>Waits until the dispatcher has handed every email to the SMTP server.</summary>
    private async Task AllSentAsync()
    {
        for (var i = 0; i < 300; i++)
        {
            if (!await _app.WithDbAsync(db => db.OutboxEmails.AnyAsync(m => m.Status != OutboxStatus.Sent))) return;
            await Task.Delay(100);
        }
        Assert.Fail("The outbox did not empty");
    }

    private Task<GrantVariation> VariationAsync(int id) => _app.WithDbAsync(db => db.Set<GrantVariation>().SingleAsync(v => v.Id == id));
    private Task<Grant> GrantAsync(int id) => _app.WithDbAsync(db => db.Grants.Include(g => g.Instalments).Include(g => g.Returns).Include(g => g.Targets).SingleAsync(g => g.Id == id));

    private async Task<int> RequestAsync(int grantId, object body, string who = "applicant@example.org")
    {
        var api = await _app.ApiClientAsync(who);
        var response = await api.PostAsJsonAsync($"/api/grants/{grantId}/variations", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    [Fact]
    public async Task An_extension_moves_the_final_report_and_its_reminders_once_and_adds_the_new_quarter()
    {
        var grant = await _app.AwardAsync(Start, End);
        Assert.Equal(["Quarter to 30 June 2027", "Final report"], grant.Returns.OrderBy(r => r.Sequence).Select(r => r.Period));
        var final = grant.Returns.Single(r => r.IsFinal);
        Assert.Equal(new DateOnly(2027, 9, 30), final.DueOn);

        var id = await RequestAsync(grant.Id, new { endDate = "2027-11-30", reason = "The hall was closed for repairs over the summer." });
        var review = (await _app.OpenTaskAsync(GrantVariations.SubjectType, id, "review-variation"))!;
        await _app.CompleteAsync(review.Id, "officer@example.org", new TaskCompletion("approve", "Agreed: the closure was outside their control."));

        var varied = await GrantAsync(grant.Id);
        Assert.Equal(new DateOnly(2027, 11, 30), varied.EndDate);
        Assert.Equal(["Quarter to 30 June 2027", "Quarter to 30 September 2027", "Final report"], varied.Returns.OrderBy(r => r.Sequence).Select(r => r.Period));
        var moved = varied.Returns.Single(r => r.IsFinal);
        Assert.Equal(final.Id, moved.Id);
        Assert.Equal(new DateOnly(2027, 12, 30), moved.DueOn);
        var variation = await VariationAsync(id);
        Assert.Equal(VariationStatus.Approved, variation.Status);
        Assert.Equal(1, variation.Amendment);
        Assert.Equal(End, variation.EndDateBefore);
        Assert.Contains("Final report moved from 30 September 2027 to 30 December 2027", variation.Replanned);

        // A year on the clock: the final report's reminders go only by its new date, each once; the added quarter has its own.
        await RunUntilAsync(new DateTime(2028, 1, 20, 0, 0, 0, DateTimeKind.Utc));
        await AllSentAsync();
        var reference = grant.Reference;
        int Received(string subject) => _app.Smtp.To("applicant@example.org").Count(m => m.Subject == subject);
        Assert.Equal(0, Received($"Reminder: your progress report for {reference} is due on 30 September 2027"));
        var added = varied.Returns.Single(r => r.Period == "Quarter to 30 September 2027");
        Assert.Equal(new DateOnly(2027, 10, 30), added.DueOn);
        Assert.Equal(1, Received($"Reminder: your progress report for {reference} is due on 30 October 2027"));
        Assert.Equal(1, Received($"Reminder: your progress report for {reference} is due on 30 December 2027"));
        Assert.Equal(1, Received($"Your progress report for {reference} is due on 30 December 2027"));
        Assert.Equal(3, _app.Smtp.To("applicant@example.org").Count(m => m.Subject == $"Your progress report for {reference} is due today"));
        Assert.Single(_app.Smtp.To("applicant@example.org"), m => m.Subject == $"The change to grant {reference} is approved");

        // The offer letter carries the amendment; the case file lists the change with before and after.
        var applicant = await _app.SignedInAsync("applicant@example.org");
        var letter = await applicant.GetPageAsync($"/Applicant/Applications/{grant.ApplicationId}/Offer");
        Assert.StartsWith("Amendment 1: End date: from 31 August 2027 to 30 November 2027", letter.QuerySelector("#amendment-list li")!.TextContent.Trim());
        var officer = await _app.SignedInAsync("officer@example.org");
        var file = await officer.GetPageAsync($"/Staff/Applications/{grant.ApplicationId}");
        var row = file.QuerySelector("#variation-1 [data-change='End date']")!;
        Assert.Equal("31 August 2027", row.QuerySelector("[data-before]")!.TextContent.Trim());
        Assert.Equal("30 November 2027", row.QuerySelector("[data-after]")!.TextContent.Trim());
    }

    [Fact]
    public async Task An_amount_raised_above_the_delegated_limit_is_decided_by_the_panel_and_re_splits_the_payments_not_yet_made()
    {
        var grant = await _app.AwardAsync(Start, End, 3000m);
        var id = await RequestAsync(grant.Id, new
        {
            amount = 6000m, reason = "Twice as many people asked to join.",
            budget = new[] { new { item = "Volunteer training", amount = 4000m }, new { item = "Phone costs", amount = 2000m } },
        }, "officer@example.org");

        var review = (await _app.OpenTaskAsync(GrantVariations.SubjectType, id, "review-variation"))!;
        await _app.CompleteAsync(review.Id, "officer@example.org", new TaskCompletion("approve", "Recommended to the panel."));
        Assert.Equal(3000m, (await GrantAsync(grant.Id)).Amount);
        var panel = (await _app.OpenTaskAsync(GrantVariations.SubjectType, id))!;
        Assert.Equal("decide-variation", panel.TaskKey);
        Assert.Equal(Core.Data.Roles.PanelMember, panel.Role);
        await Assert.ThrowsAnyAsync<RefusedException>(() => _app.CompleteAsync(panel.Id, "officer@example.org", new TaskCompletion("approve", null)));
        await _app.CompleteAsync(panel.Id, "panel@example.org", new TaskCompletion("approve", "Agreed at the panel.") { MessageToApplicant = "Good luck with the extra groups." });

        var varied = await GrantAsync(grant.Id);
        Assert.Equal(6000m, varied.Amount);
        // The first payment went to finance on acceptance and stays; the two still to come share the rest.
        Assert.Equal([1500m, 2250m, 2250m], varied.Instalments.OrderBy(i => i.Sequence).Select(i => i.Amount));
        var upcoming = varied.Returns.Where(r => r.Status == ReturnStatus.Upcoming).Select(r => r.Id).ToList();
        var budgeted = await _app.WithDbAsync(db => db.Set<ReturnSpend>().Where(s => upcoming.Contains(s.ReturnId)).OrderBy(s => s.Id).Select(s => new { s.ReturnId, s.Budgeted }).ToListAsync());
        Assert.Equal(2, upcoming.Count);
        Assert.All(upcoming, id => Assert.Equal([4000m, 2000m], budgeted.Where(b => b.ReturnId == id).Select(b => b.Budgeted)));

        var api = await _app.ApiClientAsync("applicant@example.org");
        var shown = await api.GetFromJsonAsync<JsonElement>($"/api/grants/{grant.Id}");
        var v = shown.GetProperty("variations")[0];
        Assert.Equal("approved", v.GetProperty("status").GetString());
        Assert.Equal(3000m, v.GetProperty("amountBefore").GetDecimal());
        Assert.Equal(6000m, v.GetProperty("amount").GetDecimal());
        Assert.Equal("Good luck with the extra groups.", v.GetProperty("decisionMessage").GetString());
        var email = await _app.Smtp.WaitForAsync("applicant@example.org", $"The change to grant {grant.Reference} is approved");
        Assert.Contains("Amount: from £3,000 to £6,000", email.TextBody);
    }

    [Fact]
    public async Task Money_added_past_the_rounds_budget_is_refused_and_the_grant_stays_as_it_was()
    {
        await _app.WithDbAsync(async db =>
        {
            var round = await db.Rounds.Include(r => r.Fund).SingleAsync(r => r.Fund!.Code == "LWK");
            round.Budget = 4000m;
            return await db.SaveChangesAsync();
        });
        var grant = await _app.AwardAsync(Start, End, 3000m);
        var id = await RequestAsync(grant.Id, new
        {
            amount = 4500m, reason = "More sessions.",
            budget = new[] { new { item = "Volunteer training", amount = 3500m }, new { item = "Phone costs", amount = 1000m } },
        });
        var review = (await _app.OpenTaskAsync(GrantVariations.SubjectType, id))!;
        var officer = await _app.ApiClientAsync("officer@example.org");
        var answer = await officer.PostAsJsonAsync($"/api/tasks/{review.Id}/complete", new { outcome = "approve" });
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var problem = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Awarding £1,500 would take Round 1 2027 past its budget of £4,000: £3,000 is committed, so £1,000 is left. An administrator can raise the round's budget.",
            problem.GetProperty("errors").GetProperty("outcome")[0].GetString());
        Assert.Equal(3000m, (await GrantAsync(grant.Id)).Amount);
        Assert.Equal(VariationStatus.Requested, (await VariationAsync(id)).Status);

        // Refusing it tells the grant holder why; the grant stays as it was.
        await _app.CompleteAsync(review.Id, "officer@example.org", new TaskCompletion("reject", null) { MessageToApplicant = "The round's money is all committed." });
        Assert.Equal(VariationStatus.Refused, (await VariationAsync(id)).Status);
        var email = await _app.Smtp.WaitForAsync("applicant@example.org", $"The change to grant {grant.Reference} has not been approved");
        Assert.Contains("The round's money is all committed.", email.TextBody);
    }

    [Fact]
    public async Task Bad_requests_name_the_field_and_another_organisation_is_refused_on_the_page_and_the_api()
    {
        var grant = await _app.AwardAsync(Start, End, 3000m);
        var api = await _app.ApiClientAsync("applicant@example.org");
        async Task<string> FieldOf(object body)
        {
            var response = await api.PostAsJsonAsync($"/api/grants/{grant.Id}/variations", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return string.Join(",", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        }
        Assert.Equal("endDate", await FieldOf(new { endDate = "2027-03-01", reason = "Earlier" }));
        Assert.Equal("endDate", await FieldOf(new { endDate = End.ToString("yyyy-MM-dd"), reason = "Nothing" }));
        Assert.Equal("budget", await FieldOf(new { budget = new[] { new { item = "Training", amount = 100m } }, reason = "Sums" }));
        Assert.Equal("reason", await FieldOf(new { endDate = "2027-10-31" }));
        Assert.Empty(await _app.WithDbAsync(db => db.Set<GrantVariation>().ToListAsync()));

        var other = await _app.ApiClientAsync("applicant2@example.org");
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsJsonAsync($"/api/grants/{grant.Id}/variations", new { endDate = "2027-10-31", reason = "Not ours" })).StatusCode);
        var page = await (await _app.SignedInAsync("applicant2@example.org")).GetAsync($"/Applicant/Grants/{grant.Id}/Variation");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        var assessor = await _app.ApiClientAsync("assessor@example.org");
        Assert.Equal(HttpStatusCode.Forbidden, (await assessor.PostAsJsonAsync($"/api/grants/{grant.Id}/variations", new { endDate = "2027-10-31", reason = "No" })).StatusCode);
    }

    [Fact]
    public async Task The_form_posted_as_rendered_stores_each_value_asked_for()
    {
        var grant = await _app.AwardAsync(Start, End, 3000m);
        var applicant = await _app.SignedInAsync("applicant@example.org");
        var home = await applicant.GetPageAsync($"/Applicant/Applications/{grant.ApplicationId}");
        Assert.Equal($"/Applicant/Grants/{grant.Id}/Variation", home.QuerySelector("#ask-for-change")!.GetAttribute("href"));
        var url = $"/Applicant/Grants/{grant.Id}/Variation";

        // Lines that do not add up are refused on the page, naming the budget.
        var refused = await applicant.SubmitFormAsync(url, new() { ["Input.Lines[0].Amount"] = "1500", ["Input.Reason"] = "Moving money" });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Equal(["The budget lines add up to £2,500; they must add up to the grant's amount, £3,000"], (await refused.ReadPageAsync()).ErrorSummary());
        // The end date is asked for: emptied, it is asked for by name; impossible, it is named as such.
        var blank = await applicant.SubmitFormAsync(url, new() { ["Input.EndDay"] = "", ["Input.EndMonth"] = "", ["Input.EndYear"] = "", ["Input.Reason"] = "More time" });
        Assert.Equal(["Enter the end date"], (await blank.ReadPageAsync()).ErrorSummary());
        var impossible = await applicant.SubmitFormAsync(url, new() { ["Input.EndDay"] = "31", ["Input.EndMonth"] = "9", ["Input.Reason"] = "More time" });
        Assert.Equal(["The end date must be a real date, like 31 3 2028"], (await impossible.ReadPageAsync()).ErrorSummary());

        var sent = await applicant.SubmitFormAsync(url, new()
        {
            ["Input.EndDay"] = "31", ["Input.EndMonth"] = "10", ["Input.EndYear"] = "2027",
            ["Input.Lines[0].Amount"] = "1500", ["Input.Lines[1].Amount"] = "1000", ["Input.Lines[2].Item"] = "Room hire", ["Input.Lines[2].Amount"] = "500",
            ["Input.Targets[people-supported]"] = "60", ["Input.Reason"] = "A room closed, so we need a new one and more time.",
        });
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        var v = await _app.WithDbAsync(db => db.Set<GrantVariation>().SingleAsync());
        Assert.Equal(new DateOnly(2027, 10, 31), v.NewEndDate);
        Assert.Null(v.NewAmount);
        Assert.Equal([new VariationBudgetLine("Volunteer training", 1500m), new VariationBudgetLine("Phone costs", 1000m), new VariationBudgetLine("Room hire", 500m)], v.BudgetAfterLines);
        Assert.Equal(new Dictionary<string, decimal> { ["people-supported"] = 60m, ["volunteer-hours"] = 400m }, v.TargetsAfterMap);
        Assert.Equal("A room closed, so we need a new one and more time.", v.Reason);
        Assert.False(v.RequestedByStaff);
        Assert.NotNull(await _app.OpenTaskAsync(GrantVariations.SubjectType, v.Id, "review-variation"));

        // A second change waits for the first to be decided.
        var again = await applicant.SubmitFormAsync(url, new() { ["Input.Reason"] = "Another" });
        Assert.Contains("already being reviewed", string.Join(" ", (await again.ReadPageAsync()).ErrorSummary()));
    }
}
