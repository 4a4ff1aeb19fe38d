using GrantManager.Core.Applications;
using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GrantManager.Tests.Applications;

/// <summary>
/// A grant awarded after some of its reporting periods have already ended: each late return opens
/// once, with one message, instead of every reminder whose moment has passed arriving in the same few seconds.
/// </summary>
public sealed class LateAwardTimerTests : IAsyncLifetime
{
    private static readonly DateOnly Start = new(2027, 4, 1), End = new(2028, 3, 31);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 2, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly GrantManagerFactory _app;

    public LateAwardTimerTests() => _app = new GrantManagerFactory { Clock = _clock }.Set("Workflows:RunTimers", "false");

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static DateTime Utc(int y, int m, int d, int h = 0) => new(y, m, d, h, 0, 0, DateTimeKind.Utc);

    private Task RunUntilAsync(DateTime until) => _app.RunTimersUntilAsync(_clock, until);


    private List<string> SubjectsTo(string address, string reference) =>
        _app.Smtp.To(address).Select(m => m.Subject ?? "").Where(s => s.Contains(reference)).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task An_award_after_two_periods_have_ended_sends_one_message_per_late_return_and_no_burst_of_reminders()
    {
        // Applied and offered in February; the offer is accepted only in November, when the first two quarters' returns
        // (due 30 July and 30 October) are long past, with all their reminders and escalations.
        var id = await _app.SubmitApplicationAsync(Start, End);
        await _app.OfferAsync(id);
        _clock.SetUtcNow(new DateTimeOffset(Utc(2027, 11, 20, 10)));
        await _app.CompleteAsync((await _app.OpenTaskAsync(ApplicationService.SubjectType, id))!.Id, "applicant@example.org", new TaskCompletion("accept", null));
        var grant = await _app.WithDbAsync(db => db.Grants.Include(g => g.Returns).SingleAsync(g => g.ApplicationId == id));
        var returns = grant.Returns.OrderBy(r => r.Sequence).ToList();
        Assert.Equal([new DateOnly(2027, 7, 30), new DateOnly(2027, 10, 30), new DateOnly(2028, 1, 31), new DateOnly(2028, 4, 30)], returns.Select(r => r.DueOn));

        await RunUntilAsync(Utc(2027, 11, 20, 11));
        await _app.WaitForDeliveryAsync();

        // Each late return opens once: the grant holder hears once per return, and no "due in three days", "due today"
        // or "overdue" for dates long gone; a grant officer gets one chase task for each.
        var reference = grant.Reference;
        Assert.Equal([$"Your progress report for {reference} is due on 30 July 2027", $"Your progress report for {reference} is due on 30 October 2027"],
            SubjectsTo("applicant@example.org", reference).Where(s => s.Contains("progress report")));
        Assert.Equal(2, SubjectsTo("officer@example.org", reference).Count(s => s.StartsWith("Late progress report")));
        foreach (var r in returns.Take(2))
        {
            Assert.Equal(ReturnStatus.Due, (await _app.WithDbAsync(db => db.Set<MonitoringReturn>().SingleAsync(x => x.Id == r.Id))).Status);
            Assert.NotNull(await _app.OpenTaskAsync(GrantWorkflows.ReturnSubject, r.Id, "chase-return"));
            // The reminders are recorded as skipped, not lost without trace.
            var history = await _app.WithDbAsync(db => db.WorkflowHistory.Where(h => h.InstanceId == r.WorkflowInstanceId && h.Kind == HistoryKinds.Timer)
                .Select(h => h.Comment!).ToListAsync());
            Assert.Equal(3, history.Count(c => c.Contains("skipped")));
            Assert.Contains(history, c => c.StartsWith("Timer reminder-due-day: skipped"));
        }

        // Nothing else about them arrives later; the third return, not yet open, reminds as usual.
        await RunUntilAsync(Utc(2028, 1, 31, 12));
        await _app.WaitForDeliveryAsync();
        var toApplicant = SubjectsTo("applicant@example.org", reference).Where(s => s.Contains("progress report")).ToList();
        Assert.Equal(2, toApplicant.Count(s => s.Contains("is due on 30 July 2027") || s.Contains("is due on 30 October 2027")));
        Assert.DoesNotContain(toApplicant, s => s.Contains("30 July 2027") && s.StartsWith("Reminder"));
        Assert.Single(toApplicant, s => s == $"Your progress report for {reference} is due on 31 January 2028");
        Assert.Single(toApplicant, s => s == $"Reminder: your progress report for {reference} is due on 31 January 2028");
        Assert.Single(toApplicant, s => s == $"Your progress report for {reference} is due today");
        Assert.DoesNotContain(toApplicant, s => s.EndsWith("is overdue"));
    }
}
