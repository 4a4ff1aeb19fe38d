using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GrantManager.Tests.Support;

/// <summary>Drives a grant from application to award through the application's own services, for the monitoring tests.</summary>
public static class GrantJourney
{
    public static async Task<T> WithAsync<T>(this GrantManagerFactory app, Func<IServiceProvider, Task<T>> use)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider);
    }

    /// <summary>
    /// Moves a fake clock from timer to timer up to a moment, firing each as it falls due (as the timer
    /// processor would on a real clock), then sets the clock to that moment.
    /// </summary>
    public static async Task RunTimersUntilAsync(this GrantManagerFactory app, Microsoft.Extensions.Time.Testing.FakeTimeProvider clock, DateTime until)
    {
        var processor = app.Services.GetRequiredService<TimerProcessor>();
        while (true)
        {
            var next = await app.WithDbAsync(db => db.WorkflowTimers.Where(t => t.Status == WorkflowTimerStatus.Pending && t.RunAt <= until)
                .OrderBy(t => t.RunAt).Select(t => (DateTime?)t.RunAt).FirstOrDefaultAsync());
            if (next is null) break;
            if (next > clock.GetUtcNow().UtcDateTime) clock.SetUtcNow(new DateTimeOffset(next.Value));
            await processor.RunDueAsync();
        }
        if (until > clock.GetUtcNow().UtcDateTime) clock.SetUtcNow(new DateTimeOffset(until));
    }

    /// <summary>Waits until the outbox has nothing left to send (the dispatcher is woken by each commit), failing after 10 s.</summary>
    public static async Task WaitForDeliveryAsync(this GrantManagerFactory app)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await app.WithDbAsync(db => db.OutboxEmails.CountAsync(m => m.Status != Core.Email.OutboxStatus.Sent)) == 0) return;
            await Task.Delay(100);
        }
        Assert.Fail("The outbox was not delivered");
    }

    public static Task<Actor> ActorAsync(this GrantManagerFactory app, string email) => app.WithAsync(async sp =>
    {
        var users = sp.GetRequiredService<UserManager<User>>();
        var user = (await users.FindByEmailAsync(email))!;
        return new Actor(user.Id, user.DisplayName, (await users.GetRolesAsync(user)).ToHashSet(), user.OrganisationId);
    });

    public static Task<TransitionResult> CompleteAsync(this GrantManagerFactory app, long taskId, string email, TaskCompletion completion) =>
        app.WithAsync(async sp => await sp.GetRequiredService<Core.Tasks.TaskService>().CompleteAsync(taskId, await app.ActorAsync(email), completion));

    /// <summary>The open task on a subject (an application, a return or an instalment), by its key in the definition.</summary>
    public static Task<InboxTask?> OpenTaskAsync(this GrantManagerFactory app, string subjectType, int subjectId, string? taskKey = null) =>
        app.WithDbAsync(db => db.InboxTasks.Include(t => t.Instance)
            .Where(t => t.Status == InboxTaskStatus.Open && t.Instance!.SubjectType == subjectType && t.Instance.SubjectId == subjectId.ToString()
                && (taskKey == null || t.TaskKey == taskKey))
            .OrderBy(t => t.Id).FirstOrDefaultAsync());

    /// <summary>Applies and submits a project of the dates and amount given; returns the application's id.</summary>
    public static async Task<int> SubmitApplicationAsync(this GrantManagerFactory app, DateOnly start, DateOnly end, decimal amount = 3000m,
        string applicant = "applicant@example.org") =>
        (await app.CreateApplicationAsync(a => a.Running(start, end).Asking(amount).By(applicant).Submitted())).Id;

    /// <summary>Takes a submitted application through eligibility, two assessments and an approval: the offer is made.</summary>
    public static async Task OfferAsync(this GrantManagerFactory app, int applicationId)
    {
        await app.AssessAsync(applicationId);
        var decision = await app.OpenTaskAsync(ApplicationService.SubjectType, applicationId);
        await app.CompleteAsync(decision!.Id, decision.Role == Roles.PanelMember ? "panel@example.org" : "officer@example.org", new TaskCompletion("approve", null));
    }

    /// <summary>Takes a submitted application through eligibility and two assessments, to the decision.</summary>
    public static async Task AssessAsync(this GrantManagerFactory app, int applicationId)
    {
        const string type = ApplicationService.SubjectType;
        await app.CompleteAsync((await app.OpenTaskAsync(type, applicationId))!.Id, "officer@example.org", new TaskCompletion("eligible", null));
        var criteria = await app.WithDbAsync(db => db.Criteria.Where(c => c.FundId == db.Applications.Single(a => a.Id == applicationId).FundId).Select(c => c.Id).ToListAsync());
        foreach (var email in new[] { "assessor@example.org", "assessor2@example.org" })
        {
            var assessor = await app.ActorAsync(email);
            var task = await app.WithDbAsync(db => db.InboxTasks.Include(t => t.Instance)
                .FirstAsync(t => t.Status == InboxTaskStatus.Open && t.AssigneeId == null && t.Instance!.SubjectId == applicationId.ToString()));
            await app.WithAsync(async sp => { await sp.GetRequiredService<WorkflowRuntime>().DeclareConflictAsync(task.Id, false, null, assessor); return 0; });
            await app.CompleteAsync(task.Id, email, new TaskCompletion("fund", "Good", criteria.ToDictionary(c => c.ToString(), _ => 4)));
        }
    }

    /// <summary>Applies, passes eligibility, two assessments and the decision, and accepts the offer: the grant is made.</summary>
    public static Task<Grant> AwardAsync(this GrantManagerFactory app, DateOnly start, DateOnly end, decimal amount = 3000m,
        string applicant = "applicant@example.org") =>
        app.CreateGrantAsync(a => a.Running(start, end).Asking(amount).By(applicant));

    /// <summary>A complete return, as the grant holder would fill it in.</summary>
    public static ReturnInput FullReturn(int people, int hours, bool final = false) => new()
    {
        Progress = "Calls are running every week.", BeneficiariesReached = people,
        Spend = [new SpendInput("Volunteer training", 500m), new SpendInput("Phone costs", 200m)],
        Actuals = [new ActualInput("people-supported", people), new ActualInput("volunteer-hours", hours)],
        CaseStudy = final ? "Joan, 84, now calls two new friends every week." : null,
    };

    public static Task<MonitoringReturn> SubmitReturnAsync(this GrantManagerFactory app, int returnId, ReturnInput input, string applicant = "applicant@example.org") =>
        app.WithAsync(async sp => await sp.GetRequiredService<ReturnService>().SubmitAsync(returnId, await app.ActorAsync(applicant), input));
}
