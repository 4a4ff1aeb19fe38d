using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GrantManager.Tests.Applications;

/// <summary>The grant application's own deadlines, on a fake clock: the more-information reminder and the offer that lapses.</summary>
public sealed class GrantFlowTimerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 2, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly GrantManagerFactory _app;

    public GrantFlowTimerTests()
    {
        _app = new GrantManagerFactory { Clock = _clock };
        _app.Set("Workflows:RunTimers", "false");
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> use)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider);
    }

    private Task<Actor> ActorAsync(string email) => WithAsync(async sp =>
    {
        var users = sp.GetRequiredService<UserManager<User>>();
        var user = (await users.FindByEmailAsync(email))!;
        return new Actor(user.Id, user.DisplayName, (await users.GetRolesAsync(user)).ToHashSet(), user.OrganisationId);
    });

    private Task<InboxTask> OpenTaskAsync(int applicationId) => _app.WithDbAsync(db =>
        db.InboxTasks.Include(t => t.Instance).Where(t => t.Status == InboxTaskStatus.Open && t.Instance!.SubjectId == applicationId.ToString()).SingleAsync());

    private async Task<int> SubmittedAsync()
    {
        var applicant = await ActorAsync("applicant@example.org");
        return await WithAsync(async sp =>
        {
            var service = sp.GetRequiredService<ApplicationService>();
            var fundId = await sp.GetRequiredService<GrantDbContext>().Funds.Where(f => f.Code == "LWK").Select(f => f.Id).SingleAsync();
            var draft = await service.CreateDraftAsync(applicant, new ApplicationInput
            {
                FundId = fundId, ProjectTitle = "Befriending by phone", ProjectSummary = "Weekly calls.", Innovation = "Volunteers who were once isolated.",
                Beneficiaries = "Isolated older people", Districts = ["Maidstone"], StartDate = new DateOnly(2027, 4, 1), EndDate = new DateOnly(2028, 3, 31),
                AmountRequested = 3000m, Budget = [new BudgetLineInput("Volunteer training", 3000m)], Outcomes = [new OutcomeInput("people-supported", 50m)],
            });
            await service.SubmitAsync(draft.Id, applicant, declaration: true);
            return draft.Id;
        });
    }

    private Task<int> RunTimersAsync() => _app.Services.GetRequiredService<TimerProcessor>().RunDueAsync();

    [Fact]
    public async Task The_applicant_is_reminded_three_days_before_more_information_is_due_and_only_once()
    {
        var id = await SubmittedAsync();
        var officer = await ActorAsync("officer@example.org");
        var check = await OpenTaskAsync(id);
        await WithAsync(sp => sp.GetRequiredService<ApplicationService>().CompleteTaskAsync(check.Id, officer, "more-information-needed", "Please send your latest accounts.", null));
        var request = await OpenTaskAsync(id);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime.AddDays(14), request.DueAt);

        _clock.Advance(TimeSpan.FromDays(11) - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await RunTimersAsync());
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await RunTimersAsync());
        Assert.Equal(0, await RunTimersAsync());

        var reminder = await _app.Smtp.WaitForAsync("applicant@example.org", "Reminder: we are waiting for information");
        Assert.Contains("by 15 February 2027", reminder.TextBody);
        _clock.Advance(TimeSpan.FromDays(10));
        await RunTimersAsync();
        Assert.Single(_app.Smtp.Messages, m => (m.Subject ?? "").StartsWith("Reminder: we are waiting for information"));
    }

    [Fact]
    public async Task An_offer_not_answered_in_21_days_lapses_after_a_reminder()
    {
        var id = await SubmittedAsync();
        var officer = await ActorAsync("officer@example.org");
        var service = (IServiceProvider sp) => sp.GetRequiredService<ApplicationService>();
        await WithAsync(async sp => await service(sp).CompleteTaskAsync((await OpenTaskAsync(id)).Id, officer, "eligible", null, null));
        foreach (var email in new[] { "assessor@example.org", "assessor2@example.org" })
        {
            var assessor = await ActorAsync(email);
            var task = await _app.WithDbAsync(db => db.InboxTasks.Include(t => t.Instance)
                .FirstAsync(t => t.Status == InboxTaskStatus.Open && t.AssigneeId == null && t.Instance!.SubjectId == id.ToString()));
            await WithAsync(async sp => { await sp.GetRequiredService<WorkflowRuntime>().DeclareConflictAsync(task.Id, false, null, assessor); return 0; });
            var criteria = await _app.WithDbAsync(db => db.Criteria.Select(c => c.Id).ToListAsync());
            await WithAsync(sp => service(sp).CompleteTaskAsync(task.Id, assessor, "fund", "Good", criteria.ToDictionary(c => c.ToString(), _ => 3)));
        }
        await WithAsync(async sp => await service(sp).CompleteTaskAsync((await OpenTaskAsync(id)).Id, officer, "approve", null, null));
        await _app.Smtp.WaitForAsync("applicant@example.org", "Grant offer for");

        _clock.Advance(TimeSpan.FromDays(14));
        Assert.Equal(1, await RunTimersAsync());
        await _app.Smtp.WaitForAsync("applicant@example.org", "Reminder: please respond to your grant offer");
        _clock.Advance(TimeSpan.FromDays(7));
        Assert.Equal(1, await RunTimersAsync());

        var instance = await _app.WithDbAsync(db => db.WorkflowInstances.SingleAsync(i => i.SubjectId == id.ToString()));
        Assert.Equal("declined", instance.State);
        var lapsed = await _app.Smtp.WaitForAsync("officer@example.org", "Offer declined or lapsed");
        Assert.Contains("was not answered in time and has lapsed", lapsed.TextBody);
    }
}
