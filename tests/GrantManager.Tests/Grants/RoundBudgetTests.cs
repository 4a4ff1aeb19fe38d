using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Core;
using GrantManager.Core.Applications;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GrantManager.Tests.Grants;

/// <summary>
/// A round's budget against what is committed from it (grants and offers waiting for an answer): the decision
/// page shows it, an approval past it is refused on the page and over the API until an administrator raises it,
/// two approvals at once cannot both take the last of it, and the dashboard shows what is left.
/// </summary>
public sealed class RoundBudgetTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 2, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly GrantManagerFactory _app;
    private static readonly DateOnly Start = new(2027, 4, 1), End = new(2028, 3, 31);
    private const string CompleteForm = "form[action*='handler=Complete']";

    public RoundBudgetTests()
    {
        _app = new GrantManagerFactory { Clock = _clock };
        _app.Set("Workflows:RunTimers", "false").Set("Email:RunDispatcher", "false");
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>The budget an administrator entered for the open round, set before the test's applications.</summary>
    private Task<(int FundId, int RoundId)> BudgetOfAsync(decimal budget) => _app.WithDbAsync(async db =>
    {
        var round = await db.Rounds.Include(r => r.Fund).SingleAsync(r => r.Fund!.Code == "LWK");
        round.Budget = budget;
        await db.SaveChangesAsync();
        return (round.FundId, round.Id);
    });

    private Task<string> StageAsync(int applicationId) =>
        _app.WithDbAsync(db => db.Applications.Where(a => a.Id == applicationId).Join(db.WorkflowInstances, a => a.WorkflowInstanceId, i => (Guid?)i.Id, (a, i) => i.State).SingleAsync());

    [Fact]
    public async Task An_approval_past_the_rounds_budget_is_refused_on_the_page_and_over_the_api_until_an_administrator_raises_it()
    {
        var (fundId, roundId) = await BudgetOfAsync(6000m);
        await _app.AwardAsync(Start, End, 3000m);
        var offered = await _app.SubmitApplicationAsync(Start, End, 2500m);
        await _app.OfferAsync(offered);
        var deciding = await _app.SubmitApplicationAsync(Start, End, 2000m);
        await _app.AssessAsync(deciding);
        var decide = (await _app.OpenTaskAsync(ApplicationService.SubjectType, deciding))!;

        // The decision page shows the round's budget, what the grant and the offer waiting for an answer commit, and what this award would leave.
        var officer = await _app.SignedInAsync("officer@example.org");
        var url = $"/Staff/Tasks/{decide.Id}";
        var page = await officer.GetPageAsync(url);
        string Figure(AngleSharp.Html.Dom.IHtmlDocument p, string key) => p.QuerySelector($"#round-budget [data-figure={key}] dd")!.TextContent.Trim();
        Assert.Equal("£6,000", Figure(page, "budget"));
        Assert.StartsWith("£5,500", Figure(page, "committed"));
        Assert.Contains("1 grant and 1 offer", Figure(page, "committed"));
        Assert.Equal("£1,500 over the budget", Figure(page, "left"));

        // Approving on the page is refused with the sentence, on the amount's field; nothing moves.
        var refused = await officer.SubmitFormAsync(url, new() { ["Input.Outcome"] = "approve" }, CompleteForm);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var refusal = "Awarding £2,000 would take Round 1 2027 past its budget of £6,000: £5,500 is committed, so £500 is left. An administrator can raise the round's budget.";
        var refusedPage = await refused.ReadPageAsync();
        Assert.Equal([refusal], refusedPage.ErrorSummary());
        Assert.Contains(refusal, refusedPage.QuerySelector("#Input_AmountAwarded-error")!.TextContent);
        Assert.Equal("delegated-decision", await StageAsync(deciding));

        // Over the API: 400 with the sentence keyed by the field.
        var api = await _app.ApiClientAsync("officer@example.org");
        var answer = await api.PostAsJsonAsync($"/api/tasks/{decide.Id}/complete", new { outcome = "approve", amountAwarded = 2000m });
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var problem = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(refusal, problem.GetProperty("errors").GetProperty("amountAwarded")[0].GetString());
        Assert.Equal("delegated-decision", await StageAsync(deciding));
        Assert.Equal(InboxTaskStatus.Open, (await _app.WithDbAsync(db => db.InboxTasks.SingleAsync(t => t.Id == decide.Id))).Status);

        // A grant officer cannot change a budget; an administrator cannot set it below what is committed, and raises it.
        var adminUrl = $"/Admin/Funds/Fund?id={fundId}";
        Assert.NotEqual(HttpStatusCode.OK, (await officer.GetAsync(adminUrl)).StatusCode);
        var admin = await _app.SignedInAsync("admin@example.org");
        var tooLow = await admin.SubmitFormAsync(adminUrl, new() { ["ChangeBudget.RoundId"] = roundId.ToString(), ["ChangeBudget.NewBudget"] = "5,000" }, "#round-budget-form");
        Assert.Equal(["The round's budget cannot be less than the £5,500 already committed from it"], (await tooLow.ReadPageAsync()).ErrorSummary());
        var raised = await admin.SubmitFormAsync(adminUrl, new() { ["ChangeBudget.RoundId"] = roundId.ToString(), ["ChangeBudget.NewBudget"] = "7,500" }, "#round-budget-form");
        Assert.Equal(HttpStatusCode.Redirect, raised.StatusCode);
        Assert.Equal(7500m, await _app.WithDbAsync(db => db.Rounds.Where(r => r.Id == roundId).Select(r => r.Budget).SingleAsync()));

        // Now the approval goes through, leaving nothing in the round, as the dashboard shows.
        Assert.Equal("£0", Figure(await officer.GetPageAsync(url), "left"));
        Assert.Equal(HttpStatusCode.Redirect, (await officer.SubmitFormAsync(url, new() { ["Input.Outcome"] = "approve" }, CompleteForm)).StatusCode);
        Assert.Equal("offer", await StageAsync(deciding));
        var dashboard = $"/Staff/Funds/{fundId}/Dashboard";
        string Remaining(AngleSharp.Html.Dom.IHtmlDocument p) => p.QuerySelector($"#round-budgets-table tr[data-round='{roundId}'] [data-figure=remaining]")!.TextContent.Trim();
        Assert.Equal("£0", Remaining(await officer.GetPageAsync(dashboard)));

        // An offer declined gives its money back to the round.
        var respond = (await _app.OpenTaskAsync(ApplicationService.SubjectType, offered))!;
        await _app.CompleteAsync(respond.Id, "applicant@example.org", new TaskCompletion("decline", null));
        Assert.Equal("£2,500", Remaining(await officer.GetPageAsync(dashboard)));
    }

    [Fact]
    public async Task Two_approvals_at_once_cannot_both_take_the_last_of_the_budget()
    {
        var (_, roundId) = await BudgetOfAsync(5000m);
        var first = await _app.SubmitApplicationAsync(Start, End, 3000m);
        var second = await _app.SubmitApplicationAsync(Start, End, 3000m);
        await _app.AssessAsync(first);
        await _app.AssessAsync(second);
        var (firstTask, secondTask) = ((await _app.OpenTaskAsync(ApplicationService.SubjectType, first))!, (await _app.OpenTaskAsync(ApplicationService.SubjectType, second))!);
        var officer = await _app.ActorAsync("officer@example.org");

        // The first approval is recorded and not yet committed when the second starts: the second's first look at the
        // budget sees £5,000 free, so only the check inside its own transaction can stop it.
        await using var holding = _app.Services.CreateAsyncScope();
        var db = holding.ServiceProvider.GetRequiredService<Core.Data.GrantDbContext>();
        var tx = await db.Database.BeginTransactionAsync();
        await holding.ServiceProvider.GetRequiredService<Core.Tasks.TaskService>().CompleteAsync(firstTask.Id, officer, new TaskCompletion("approve", null));

        var racing = Task.Run(() => _app.CompleteAsync(secondTask.Id, "officer@example.org", new TaskCompletion("approve", null)));
        // It waits for the first to finish rather than deciding on what it read.
        Assert.NotSame(racing, await Task.WhenAny(racing, Task.Delay(TimeSpan.FromSeconds(1))));
        await tx.CommitAsync();

        var refused = await Assert.ThrowsAsync<InputException>(() => racing);
        Assert.StartsWith("Awarding £3,000 would take Round 1 2027 past its budget of £5,000: £3,000 is committed, so £2,000 is left", refused.Errors["amountAwarded"][0]);
        Assert.Equal("offer", await StageAsync(first));
        Assert.Equal("delegated-decision", await StageAsync(second));
        var budget = await _app.WithAsync(sp => sp.GetRequiredService<Core.Funds.RoundBudgets>().ForRoundAsync(roundId));
        Assert.Equal(3000m, budget!.Committed);
        Assert.Equal(1, budget.Offers);
    }
}
