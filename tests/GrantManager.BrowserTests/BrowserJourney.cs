using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GrantManager.BrowserTests;

/// <summary>Steps a browser test does not need to click through, done through the application's own services.</summary>
public static class BrowserJourney
{
    public static Task<T> WithDbAsync<T>(this BrowserFixture browser, Func<GrantDbContext, Task<T>> use) =>
        browser.WithAsync(sp => use(sp.GetRequiredService<GrantDbContext>()));

    public static async Task<T> WithAsync<T>(this BrowserFixture browser, Func<IServiceProvider, Task<T>> use)
    {
        await using var scope = browser.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider);
    }

    public static Task<Actor> ActorAsync(this BrowserFixture browser, string email) => browser.WithAsync(async sp =>
    {
        var users = sp.GetRequiredService<UserManager<User>>();
        var user = (await users.FindByEmailAsync(email))!;
        return new Actor(user.Id, user.DisplayName, (await users.GetRolesAsync(user)).ToHashSet(), user.OrganisationId);
    });

    public static async Task CompleteAsync(this BrowserFixture browser, long taskId, string email, TaskCompletion completion)
    {
        var actor = await browser.ActorAsync(email);
        await browser.WithAsync(async sp => await sp.GetRequiredService<Core.Tasks.TaskService>().CompleteAsync(taskId, actor, completion));
    }

    /// <summary>The application's first open task.</summary>
    public static Task<InboxTask> OpenTaskAsync(this BrowserFixture browser, int applicationId) => browser.WithDbAsync(db => db.InboxTasks.Include(t => t.Instance)
        .Where(t => t.Status == InboxTaskStatus.Open && t.Instance!.SubjectType == ApplicationService.SubjectType && t.Instance.SubjectId == applicationId.ToString())
        .OrderBy(t => t.Id).FirstAsync());

    /// <summary>The demo applicant's application for next year, submitted; returns its id.</summary>
    public static async Task<int> SubmitAsync(this BrowserFixture browser, string title, decimal amount)
    {
        var applicant = await browser.ActorAsync("applicant@example.org");
        return await browser.WithAsync(async sp =>
        {
            var service = sp.GetRequiredService<ApplicationService>();
            var fundId = await sp.GetRequiredService<GrantDbContext>().Funds.Where(f => f.Code == "LWK").Select(f => f.Id).SingleAsync();
            var year = DateTime.UtcNow.Year + 1;
            var draft = await service.CreateDraftAsync(applicant, new ApplicationInput
            {
                FundId = fundId, ProjectTitle = title, ProjectSummary = "Weekly calls.", Innovation = "Volunteers who were once isolated.",
                Beneficiaries = "Isolated older people", Districts = ["Maidstone", "Swale"], StartDate = new DateOnly(year, 4, 1), EndDate = new DateOnly(year + 1, 3, 31),
                AmountRequested = amount, Budget = [new BudgetLineInput("Volunteer training and supervision", amount - 1000m), new BudgetLineInput("Phone costs", 1000m)],
                Outcomes = [new OutcomeInput("people-supported", 50m), new OutcomeInput("volunteer-hours", 400m)],
            });
            await service.SubmitAsync(draft.Id, applicant, declaration: true);
            return draft.Id;
        });
    }

    /// <summary>Takes a submitted application through eligibility and both assessments, to its decision.</summary>
    public static async Task AssessAsync(this BrowserFixture browser, int id)
    {
        await browser.CompleteAsync((await browser.OpenTaskAsync(id)).Id, "officer@example.org", new TaskCompletion("eligible", null));
        var criteria = await browser.WithDbAsync(db => db.Criteria.Select(c => c.Id).ToListAsync());
        foreach (var email in new[] { "assessor@example.org", "assessor2@example.org" })
        {
            var assessor = await browser.ActorAsync(email);
            var task = await browser.WithDbAsync(db => db.InboxTasks.Include(t => t.Instance)
                .FirstAsync(t => t.Status == InboxTaskStatus.Open && t.AssigneeId == null && t.Instance!.SubjectId == id.ToString()));
            await browser.WithAsync(async sp => { await sp.GetRequiredService<WorkflowRuntime>().DeclareConflictAsync(task.Id, false, null, assessor); return 0; });
            await browser.CompleteAsync(task.Id, email, new TaskCompletion("fund", "Good", criteria.ToDictionary(c => c.ToString(), _ => 4)));
        }
    }
}
