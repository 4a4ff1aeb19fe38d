using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace GrantManager.BrowserTests;

/// <summary>
/// The pages of a grant's conditions, at desktop width and at 375 pixels, pass axe: the decision's
/// condition rows, the grant holder's evidence page and the officer's page with its error summary.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class GrantConditionPagesTests(BrowserFixture browser)
{
    [Fact]
    public async Task Condition_pages_pass_axe_and_fit_a_phone_and_the_officer_records_a_condition_with_the_keyboard()
    {
        var (applicationId, decisionId, conditionId) = await GrantWithConditionAsync();
        foreach (var width in new[] { 1280, 375 })
        {
            var officer = await browser.NewPageAsync(width);
            await browser.SignInAsync(officer, "officer@example.org");
            foreach (var url in new[] { $"/Staff/Tasks/{decisionId}", $"/Staff/Grants/Conditions/{conditionId}", $"/Staff/Applications/{applicationId}" })
            {
                await officer.GotoAsync(url);
                await BrowserFixture.AssertFitsAsync(officer, $"{url} at {width}px");
                await browser.AssertAccessibleAsync(officer, $"conditions-{width}" + url.Replace('/', '-'));
            }
            var holder = await browser.NewPageAsync(width);
            await browser.SignInAsync(holder, "applicant@example.org");
            foreach (var url in new[] { $"/Applicant/Conditions/{conditionId}", $"/Applicant/Applications/{applicationId}" })
            {
                await holder.GotoAsync(url);
                await BrowserFixture.AssertFitsAsync(holder, $"{url} at {width}px");
                await browser.AssertAccessibleAsync(holder, $"conditions-holder-{width}" + url.Replace('/', '-'));
            }
        }

        // Not met without a reason, by keyboard: the error summary names the reason and passes axe.
        var page = await browser.NewPageAsync();
        await browser.SignInAsync(page, "officer@example.org");
        await page.GotoAsync($"/Staff/Grants/Conditions/{conditionId}");
        await page.GetByLabel("Not met").FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Locator(".govuk-error-summary").WaitForAsync();
        Assert.Equal("Enter the reason the condition is not met; the grant holder is shown it", (await page.Locator(".govuk-error-summary__list a").InnerTextAsync()).Trim());
        await browser.AssertAccessibleAsync(page, "conditions-officer-error");
    }

    /// <summary>An awarded grant whose first payment is held by a condition, and a second application waiting for the officer's decision.</summary>
    private async Task<(int ApplicationId, long DecisionId, int ConditionId)> GrantWithConditionAsync()
    {
        var first = await ToDecisionAsync("Weekly walks with a condition");
        await CompleteAsync((await OpenTaskAsync(first)).Id, "officer@example.org", new TaskCompletion("approve", null)
        {
            ConditionList = [new OfferCondition("Send us your safeguarding policy", ConditionKinds.BeforeFirstPayment), new OfferCondition("Credit the fund", ConditionKinds.Ongoing)],
        });
        await CompleteAsync((await OpenTaskAsync(first)).Id, "applicant@example.org", new TaskCompletion("accept", null));
        var conditionId = await WithDbAsync(db => db.Set<GrantCondition>().Where(c => db.Grants.Any(g => g.Id == c.GrantId && g.ApplicationId == first))
            .OrderBy(c => c.Sequence).Select(c => c.Id).FirstAsync());
        var second = await ToDecisionAsync("Singing with conditions");
        return (first, (await OpenTaskAsync(second)).Id, conditionId);
    }

    private async Task<int> ToDecisionAsync(string title)
    {
        var applicant = await ActorAsync("applicant@example.org");
        var id = await WithAsync(async sp =>
        {
            var service = sp.GetRequiredService<ApplicationService>();
            var fundId = await sp.GetRequiredService<GrantDbContext>().Funds.Where(f => f.Code == "LWK").Select(f => f.Id).SingleAsync();
            var year = DateTime.UtcNow.Year + 1;
            var draft = await service.CreateDraftAsync(applicant, new ApplicationInput
            {
                FundId = fundId, ProjectTitle = title, ProjectSummary = "Weekly walks.", Innovation = "Led by walkers.",
                Beneficiaries = "Isolated older people", Districts = ["Ashford"], StartDate = new DateOnly(year, 4, 1), EndDate = new DateOnly(year + 1, 3, 31),
                AmountRequested = 3000m, Budget = [new BudgetLineInput("Leaders", 2000m), new BudgetLineInput("Transport", 1000m)],
                Outcomes = [new OutcomeInput("people-supported", 50m), new OutcomeInput("volunteer-hours", 400m)],
            });
            await service.SubmitAsync(draft.Id, applicant, declaration: true);
            return draft.Id;
        });
        await CompleteAsync((await OpenTaskAsync(id)).Id, "officer@example.org", new TaskCompletion("eligible", null));
        var criteria = await WithDbAsync(db => db.Criteria.Select(c => c.Id).ToListAsync());
        foreach (var email in new[] { "assessor@example.org", "assessor2@example.org" })
        {
            var assessor = await ActorAsync(email);
            var task = await WithDbAsync(db => db.InboxTasks.Include(t => t.Instance)
                .FirstAsync(t => t.Status == InboxTaskStatus.Open && t.AssigneeId == null && t.Instance!.SubjectId == id.ToString()));
            await WithAsync(async sp => { await sp.GetRequiredService<WorkflowRuntime>().DeclareConflictAsync(task.Id, false, null, assessor); return 0; });
            await CompleteAsync(task.Id, email, new TaskCompletion("fund", "Good", criteria.ToDictionary(c => c.ToString(), _ => 4)));
        }
        return id;
    }

    private Task<T> WithDbAsync<T>(Func<GrantDbContext, Task<T>> use) => WithAsync(sp => use(sp.GetRequiredService<GrantDbContext>()));

    private async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> use)
    {
        await using var scope = browser.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider);
    }

    private Task<Actor> ActorAsync(string email) => WithAsync(async sp =>
    {
        var users = sp.GetRequiredService<UserManager<User>>();
        var user = (await users.FindByEmailAsync(email))!;
        return new Actor(user.Id, user.DisplayName, (await users.GetRolesAsync(user)).ToHashSet(), user.OrganisationId);
    });

    private async Task CompleteAsync(long taskId, string email, TaskCompletion completion)
    {
        var actor = await ActorAsync(email);
        await WithAsync(async sp => await sp.GetRequiredService<Core.Tasks.TaskService>().CompleteAsync(taskId, actor, completion));
    }

    private Task<InboxTask> OpenTaskAsync(int applicationId) => WithDbAsync(db => db.InboxTasks.Include(t => t.Instance)
        .Where(t => t.Status == InboxTaskStatus.Open && t.Instance!.SubjectType == ApplicationService.SubjectType && t.Instance.SubjectId == applicationId.ToString())
        .OrderBy(t => t.Id).FirstAsync());
}
