using GrantManager.Core.Applications;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
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

    private async Task<InboxTask> OpenTaskAsync(int applicationId) =>
        await _app.OpenTaskAsync(ApplicationService.SubjectType, applicationId) ?? throw new InvalidOperationException("No open task");

    private Task<int> SubmittedAsync() => _app.SubmitApplicationAsync(new DateOnly(2027, 4, 1), new DateOnly(2028, 3, 31));

    private Task<int> RunTimersAsync() => _app.Services.GetRequiredService<TimerProcessor>().RunDueAsync();

    [Fact]
    public async Task The_applicant_is_reminded_three_days_before_more_information_is_due_and_only_once()
    {
        var id = await SubmittedAsync();
        var check = await OpenTaskAsync(id);
        await _app.CompleteAsync(check.Id, "officer@example.org", new TaskCompletion("more-information-needed", "Please send your latest accounts."));
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
        await _app.OfferAsync(id);
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
