using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Email;
using GrantManager.Core.Grants;
using GrantManager.Core.Monitoring;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GrantManager.Tests.Applications;

/// <summary>
/// A whole year of a grant on a fake clock: every return's reminders at their moments (counted from
/// 09:00 UK time on the due day), the escalation, changes requested with their own reminders, the
/// instalments released to finance with remittance emails, and the final report closing the grant.
/// </summary>
public sealed class MonitoringYearTests : IAsyncLifetime
{
    private static readonly DateOnly Start = new(2027, 4, 1), End = new(2028, 3, 31);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 2, 1, 10, 0, 0, TimeSpan.Zero));
    private GrantManagerFactory _app;

    public MonitoringYearTests()
    {
        _app = new GrantManagerFactory { Clock = _clock }.Set("Workflows:RunTimers", "false");
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static DateTime Utc(int y, int m, int d, int h = 0) => new(y, m, d, h, 0, 0, DateTimeKind.Utc);

    private Task RunUntilAsync(DateTime until) => _app.RunTimersUntilAsync(_clock, until);

    /// <summary>When each email about a return was written, by template.</summary>
    private Task<List<(string Template, string To, DateTime At)>> EmailsAboutAsync(string subjectType, int id) =>
        _app.WithDbAsync(async db => (await db.OutboxEmails.Where(m => m.SubjectType == subjectType && m.SubjectId == id.ToString())
            .OrderBy(m => m.CreatedAt).Select(m => new { m.Template, m.ToAddress, m.CreatedAt }).ToListAsync())
            .Select(m => (m.Template, m.ToAddress, m.CreatedAt)).ToList());

    private Task<MonitoringReturn> ReturnAsync(int id) => _app.WithDbAsync(db => db.Set<MonitoringReturn>().SingleAsync(r => r.Id == id));

    private async Task PayAsync(int instalmentId, string reference)
    {
        var task = await _app.OpenTaskAsync(GrantWorkflows.InstalmentSubject, instalmentId, "pay-instalment");
        Assert.NotNull(task);
        Assert.Equal(Roles.FinanceOfficer, task.Role);
        await _app.CompleteAsync(task.Id, "finance@example.org", new TaskCompletion("paid", null) { PaymentReference = reference });
    }

    private async Task AcceptAsync(int returnId)
    {
        var review = await _app.OpenTaskAsync(GrantWorkflows.ReturnSubject, returnId, "review-return");
        Assert.NotNull(review);
        await _app.CompleteAsync(review.Id, "officer@example.org", new TaskCompletion("accept-report", "Thank you: clear and complete."));
    }

    [Fact]
    public async Task A_year_of_returns_reminds_on_time_escalates_pays_and_closes_the_grant()
    {
        var grant = await _app.AwardAsync(Start, End);
        var returns = grant.Returns.OrderBy(r => r.Sequence).ToList();
        Assert.Equal(["Quarter to 30 June 2027", "Quarter to 30 September 2027", "Quarter to 31 December 2027", "Final report"], returns.Select(r => r.Period));
        var instalments = grant.Instalments.OrderBy(i => i.Sequence).ToList();

        // The 50% due on acceptance goes to finance at once; paying it sends the remittance advice.
        await PayAsync(instalments[0].Id, "BACS-1001");
        var remittance = await _app.Smtp.WaitForAsync("applicant@example.org", "Remittance advice: payment 1");
        Assert.Contains("£1,500", remittance.TextBody);
        Assert.Contains("BACS-1001", remittance.TextBody);

        // Return 1, for the quarter to 30 June, is due a month later (dueAfter) and left late: it opens 14 days before,
        // reminds 3 days before, on the day and 7 days after, and escalates at 14 days.
        var r1 = returns[0];
        Assert.Equal(ReturnStatus.Upcoming, (await ReturnAsync(r1.Id)).Status);
        Assert.Equal(new DateOnly(2027, 7, 30), r1.DueOn);
        await RunUntilAsync(Utc(2027, 8, 14, 12));
        var r1Emails = await EmailsAboutAsync(GrantWorkflows.ReturnSubject, r1.Id);
        Assert.Equal(
        [
            ("return-open", "applicant@example.org", Utc(2027, 7, 16, 8)), // 09:00 British Summer Time
            ("return-reminder", "applicant@example.org", Utc(2027, 7, 27, 8)),
            ("return-due-today", "applicant@example.org", Utc(2027, 7, 30, 8)),
            ("return-overdue", "applicant@example.org", Utc(2027, 8, 6, 8)),
            ("return-late-staff", "officer@example.org", Utc(2027, 8, 13, 8)),
        ], r1Emails);
        var chase = await _app.OpenTaskAsync(GrantWorkflows.ReturnSubject, r1.Id, "chase-return");
        Assert.NotNull(chase);
        Assert.Equal(Roles.GrantOfficer, chase.Role);
        var late = await _app.WithAsync(sp => sp.GetRequiredService<FundReports>().LateReturnsAsync(_clock.GetUtcNow().UtcDateTime));
        Assert.Equal(15, Assert.Single(late, l => l.ReturnId == r1.Id).DaysLate);
        // The inbox shows the most late few and counts them all in the database.
        var (none, counted) = await _app.WithAsync(sp => sp.GetRequiredService<FundReports>().LateReturnsAsync(_clock.GetUtcNow().UtcDateTime, null, 0));
        Assert.Empty(none);
        Assert.Equal(late.Count, counted);

        // Sent at last; the officer asks for changes by a new date, which brings its own reminders.
        await _app.SubmitReturnAsync(r1.Id, GrantJourney.FullReturn(12, 80));
        Assert.Null(await _app.OpenTaskAsync(GrantWorkflows.ReturnSubject, r1.Id, "chase-return"));
        var review = await _app.OpenTaskAsync(GrantWorkflows.ReturnSubject, r1.Id, "review-return");
        await _app.CompleteAsync(review!.Id, "officer@example.org",
            new TaskCompletion("request-changes", "Please split the phone costs by month.") { NewDueOn = new DateOnly(2027, 8, 29) });
        var changed = await ReturnAsync(r1.Id);
        Assert.Equal(ReturnStatus.ChangesRequested, changed.Status);
        Assert.Equal(new DateOnly(2027, 8, 29), changed.ChangesDueOn);
        var asked = await _app.Smtp.WaitForAsync("applicant@example.org", "Please change your progress report");
        Assert.Contains("Please split the phone costs by month.", asked.TextBody);
        Assert.Contains("by 29 August 2027", asked.TextBody);
        await RunUntilAsync(Utc(2027, 8, 29, 12));
        var changeReminders = (await EmailsAboutAsync(GrantWorkflows.ReturnSubject, r1.Id)).Where(e => e.At > Utc(2027, 8, 14, 12)).ToList();
        Assert.Equal(
        [
            ("return-reminder", "applicant@example.org", Utc(2027, 8, 26, 8)),
            ("return-due-today", "applicant@example.org", Utc(2027, 8, 29, 8)),
        ], changeReminders);
        await _app.SubmitReturnAsync(r1.Id, GrantJourney.FullReturn(12, 80));
        await AcceptAsync(r1.Id);
        Assert.Equal(ReturnStatus.Accepted, (await ReturnAsync(r1.Id)).Status);

        // Return 2 (the midpoint) is sent as soon as it opens: no more reminders; accepting it releases payment 2.
        var r2 = returns[1];
        await RunUntilAsync(Utc(2027, 10, 16, 12));
        await _app.SubmitReturnAsync(r2.Id, GrantJourney.FullReturn(30, 200));
        await RunUntilAsync(Utc(2027, 11, 30));
        Assert.Equal(["return-open", "return-received"], (await EmailsAboutAsync(GrantWorkflows.ReturnSubject, r2.Id)).Where(e => e.To == "applicant@example.org").Select(e => e.Template));
        Assert.Null(await _app.OpenTaskAsync(GrantWorkflows.InstalmentSubject, instalments[1].Id));
        await AcceptAsync(r2.Id);
        await PayAsync(instalments[1].Id, "BACS-2002");
        await _app.Smtp.WaitForAsync("applicant@example.org", "Remittance advice: payment 2");

        // Return 3 comes after the three-day reminder (09:00 GMT in winter).
        var r3 = returns[2];
        await RunUntilAsync(Utc(2028, 1, 28, 12));
        Assert.Equal([("return-open", Utc(2028, 1, 17, 9)), ("return-reminder", Utc(2028, 1, 28, 9))],
            (await EmailsAboutAsync(GrantWorkflows.ReturnSubject, r3.Id)).Where(e => e.To == "applicant@example.org").Select(e => (e.Template, e.At)));
        await _app.SubmitReturnAsync(r3.Id, GrantJourney.FullReturn(41, 300));
        await AcceptAsync(r3.Id);

        // The final report needs a case study; accepting it opens the grant's closure and releases the last payment.
        var r4 = returns[3];
        await RunUntilAsync(Utc(2028, 4, 16, 12));
        var refused = await Assert.ThrowsAsync<InputException>(() => _app.SubmitReturnAsync(r4.Id, GrantJourney.FullReturn(55, 420)));
        Assert.Contains("caseStudy", refused.Errors.Keys);
        await _app.SubmitReturnAsync(r4.Id, GrantJourney.FullReturn(55, 420, final: true));
        await AcceptAsync(r4.Id);
        var closing = await _app.WithDbAsync(db => db.Grants.Include(g => g.Instalments).SingleAsync(g => g.Id == grant.Id));
        Assert.Equal((GrantStatus.Active, "declaring"), (closing.Status, GrantClosure.State(closing)));
        await _app.Smtp.WaitForAsync("applicant@example.org", $"Closing your grant {grant.Reference}");
        await PayAsync(instalments[2].Id, "BACS-3003");
        await _app.Smtp.WaitForAsync("applicant@example.org", "Remittance advice: payment 3");
        // All of it spent: the grant closes as soon as the holder says so.
        await _app.WithAsync(async sp => await sp.GetRequiredService<GrantClosureService>().DeclareUnderspendAsync(grant.Id, await _app.ActorAsync("applicant@example.org"), 0m));
        var closed = await _app.WithDbAsync(db => db.Grants.Include(g => g.Instalments).SingleAsync(g => g.Id == grant.Id));
        Assert.Equal(GrantStatus.Closed, closed.Status);
        Assert.All(closed.Instalments, i => Assert.Equal(InstalmentStatus.Paid, i.Status));
        Assert.Equal(["BACS-1001", "BACS-2002", "BACS-3003"], closed.Instalments.OrderBy(i => i.Sequence).Select(i => i.PaymentReference));

        // Nothing is left to fire, and every reminder reached the applicant's mailbox exactly once.
        await RunUntilAsync(Utc(2028, 12, 31));
        Assert.Equal(0, await _app.WithDbAsync(db => db.WorkflowTimers.CountAsync(t => t.Status == WorkflowTimerStatus.Pending)));
        await _app.WaitForDeliveryAsync();
        int Count(string subject) => _app.Smtp.To("applicant@example.org").Count(m => (m.Subject ?? "").StartsWith(subject));
        Assert.Equal(4, Count($"Your progress report for {grant.Reference} is due on"));
        Assert.Equal(3, Count($"Reminder: your progress report for {grant.Reference}"));
        Assert.Equal(2, Count($"Your progress report for {grant.Reference} is due today"));
        Assert.Equal(1, Count($"Your progress report for {grant.Reference} is overdue"));
        Assert.Equal(4, Count($"Your progress report for {grant.Reference} has been accepted"));
        Assert.Equal(1, _app.Smtp.To("officer@example.org").Count(m => (m.Subject ?? "").StartsWith("Late progress report")));
    }


    [Fact]
    public async Task A_restart_mid_year_neither_loses_nor_repeats_a_reminder()
    {
        var grant = await _app.AwardAsync(Start, End);
        var r1 = grant.Returns.OrderBy(r => r.Sequence).First();
        await RunUntilAsync(Utc(2027, 7, 28));
        await _app.WaitForDeliveryAsync();

        // On the due day a node claims the reminder and dies before firing it: its lease holds the timer.
        _clock.SetUtcNow(new DateTimeOffset(Utc(2027, 7, 30, 8)));
        await _app.WithDbAsync(db => db.WorkflowTimers.Where(t => t.TimerKey == "reminder-due-day" && t.Status == WorkflowTimerStatus.Pending
                && t.InstanceId == db.Set<MonitoringReturn>().Where(r => r.Id == r1.Id).Select(r => r.WorkflowInstanceId).Single())
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LeaseOwner, Guid.NewGuid()).SetProperty(t => t.LeaseUntil, Utc(2027, 7, 30, 8).AddMinutes(5))));
        var smtp = _app.Smtp;
        var first = _app;
        first.HandOver = true;
        _app = GrantManagerFactory.After(first, _clock).Set("Workflows:RunTimers", "false");
        await first.DisposeAsync();

        var processor = _app.Services.GetRequiredService<TimerProcessor>();
        Assert.Equal(0, await processor.RunDueAsync());
        _clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(1, await processor.RunDueAsync());
        Assert.Equal(0, await processor.RunDueAsync());
        await RunUntilAsync(Utc(2027, 8, 8));
        await _app.WaitForDeliveryAsync();

        int Count(string subject) => smtp.To("applicant@example.org").Count(m => (m.Subject ?? "").StartsWith(subject));
        Assert.Equal(1, Count($"Your progress report for {grant.Reference} is due on"));
        Assert.Equal(1, Count($"Reminder: your progress report for {grant.Reference}"));
        Assert.Equal(1, Count($"Your progress report for {grant.Reference} is due today"));
        Assert.Equal(1, Count($"Your progress report for {grant.Reference} is overdue"));
        // The second host owns neither: the first's folder and SMTP server are cleared here.
        await _app.DisposeAsync();
        _app = first;
        first.HandOver = false;
    }
}
