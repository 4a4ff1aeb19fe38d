using System.Net;
using System.Net.Http.Json;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace GrantManager.Tests.Workflows;

/// <summary>
/// A case's timers paused across its due reminders, then resumed over the API both ways: the missed reminders
/// arrive once ("fire") or never ("skip", recorded in the history), and the reminders still to come arrive as usual.
/// </summary>
public sealed class PausedTimersTests : IAsyncLifetime
{
    private static readonly DateOnly Start = new(2027, 4, 1), End = new(2028, 3, 31);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 2, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly GrantManagerFactory _app;

    public PausedTimersTests() => _app = new GrantManagerFactory { Clock = _clock }.Set("Workflows:RunTimers", "false");

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static DateTime Utc(int y, int m, int d, int h = 0) => new(y, m, d, h, 0, 0, DateTimeKind.Utc);


    /// <summary>The reminders the grant holder received about one grant's progress report (not the email that it is open), in the order sent.</summary>
    private List<string> RemindersAbout(string reference) =>
        _app.Smtp.To("applicant@example.org").Select(m => m.Subject ?? "")
            .Where(s => s.Contains(reference) && (s.StartsWith("Reminder: your progress report") || s.EndsWith("is due today") || s.EndsWith("is overdue"))).ToList();

    private async Task<(Grant Grant, Guid FirstReturn)> AwardAsync()
    {
        var grant = await _app.AwardAsync(Start, End);
        return (grant, grant.Returns.OrderBy(r => r.Sequence).First().WorkflowInstanceId!.Value);
    }

    [Fact]
    public async Task Reminders_that_fall_due_while_a_case_is_paused_fire_once_on_resume_or_are_skipped_as_the_administrator_chooses()
    {
        var (fired, firedReturn) = await AwardAsync();
        var (skipped, skippedReturn) = await AwardAsync();
        // The first progress reports (due 30 July 2027) open a fortnight before; their reminders are then waiting.
        await _app.RunTimersUntilAsync(_clock, Utc(2027, 7, 20, 10));
        var admin = await _app.ApiClientAsync("admin@example.org");
        foreach (var id in new[] { firedReturn, skippedReturn })
            Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"/api/workflow-instances/{id}/pause", new { reason = "Grant holder in hospital" })).StatusCode);

        // The three-day reminder (27 July) and the due-day reminder (30 July) fall due while paused: neither is sent.
        await _app.RunTimersUntilAsync(_clock, Utc(2027, 8, 1, 9));
        await _app.WaitForDeliveryAsync();
        Assert.Empty(RemindersAbout(fired.Reference));
        Assert.Empty(RemindersAbout(skipped.Reference));

        admin = await _app.ApiClientAsync("admin@example.org");
        var fire = await admin.PostAsJsonAsync($"/api/workflow-instances/{firedReturn}/resume", new { reason = "Back at work", missed = "fire" });
        Assert.Equal(HttpStatusCode.OK, fire.StatusCode);
        Assert.Equal(2, (await fire.Content.ReadFromJsonAsync<Resumed>())!.FellDue);
        var skip = await admin.PostAsJsonAsync($"/api/workflow-instances/{skippedReturn}/resume", new { reason = "Back at work", missed = "skip" });
        Assert.Equal(2, (await skip.Content.ReadFromJsonAsync<Resumed>())!.FellDue);

        await _app.RunTimersUntilAsync(_clock, Utc(2027, 8, 1, 10));
        await _app.WaitForDeliveryAsync();
        // Fired: each missed reminder once, now. Skipped: none, and the history says why.
        Assert.Equal(2, RemindersAbout(fired.Reference).Count);
        Assert.Single(RemindersAbout(fired.Reference), s => s.StartsWith("Reminder: your progress report"));
        Assert.Single(RemindersAbout(fired.Reference), s => s.EndsWith("is due today"));
        Assert.Empty(RemindersAbout(skipped.Reference));
        var history = await _app.WithDbAsync(db => db.WorkflowHistory.Where(h => h.InstanceId == skippedReturn).Select(h => h.Comment ?? "").ToListAsync());
        Assert.Contains(history, c => c.StartsWith("Timer reminder-before-due: skipped, it fell due") && c.EndsWith("while the case was paused"));
        Assert.Contains(history, c => c.StartsWith("Timer reminder-due-day: skipped, it fell due"));
        Assert.Contains(history, c => c.StartsWith("Timers resumed; 2 that fell due while paused skipped: Back at work"));

        // Running the timers again sends nothing more; the overdue reminder (a week after the due day) reaches both as usual.
        await _app.RunTimersUntilAsync(_clock, Utc(2027, 8, 8, 10));
        await _app.WaitForDeliveryAsync();
        Assert.Equal(3, RemindersAbout(fired.Reference).Count);
        Assert.Equal([$"Your progress report for {skipped.Reference} is overdue"], RemindersAbout(skipped.Reference));
    }

    [Fact]
    public async Task Resuming_needs_a_choice_for_the_missed_timers_and_a_case_not_paused_cannot_be_resumed()
    {
        var (_, firstReturn) = await AwardAsync();
        var admin = await _app.ApiClientAsync("admin@example.org");

        var notPaused = await admin.PostAsJsonAsync($"/api/workflow-instances/{firstReturn}/resume", new { reason = "r", missed = "fire" });
        Assert.Equal(HttpStatusCode.Conflict, notPaused.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"/api/workflow-instances/{firstReturn}/pause", new { reason = "r" })).StatusCode);
        var unchosen = await admin.PostAsJsonAsync($"/api/workflow-instances/{firstReturn}/resume", new { reason = "r", missed = "later" });
        Assert.Equal(HttpStatusCode.BadRequest, unchosen.StatusCode);
        Assert.Contains("missed", await unchosen.Content.ReadAsStringAsync());
        // Still paused: nothing was half-done.
        Assert.NotNull(await _app.WithDbAsync(db => db.WorkflowInstances.Where(i => i.Id == firstReturn).Select(i => i.PausedAt).SingleAsync()));
    }

    private sealed record Resumed(int FellDue);
}
