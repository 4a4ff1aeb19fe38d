using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrantManager.Core.Workflows;
using GrantManager.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace GrantManager.Tests.Workflows;

/// <summary>Durable timers on a fake clock: each pass of the processor is driven by the test.</summary>
public sealed class WorkflowTimerTests : IAsyncLifetime
{
    private readonly WorkflowTestApp _t = new();

    /// <summary>These tests read what the timers stored; a delivery pass claiming an email meanwhile would change its lease.</summary>
    public WorkflowTimerTests() => _t.App.Set("Email:RunDispatcher", "false");

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _t.DisposeAsync();

    [Fact]
    public async Task Reminders_escalations_and_deadlines_fire_at_their_moment_and_once()
    {
        var instance = await _t.StartEverythingAsync(deadline: WorkflowTestApp.Start.UtcDateTime.AddDays(10));
        var officer = await _t.ActorAsync("officer@example.org");
        var triage = (await _t.TasksAsync(instance.Id)).Single();
        await _t.RuntimeAsync(async (rt, _) => { await rt.ClaimTaskAsync(triage.Id, officer); return true; });

        // Nothing is due in the first four days.
        _t.Clock.Advance(TimeSpan.FromDays(4) - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await _t.RunTimersAsync());

        // One day before the task is due: a reminder to the officer who took it, once.
        _t.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await _t.RunTimersAsync());
        Assert.Equal(0, await _t.RunTimersAsync());
        var nudges = (await _t.OutboxAsync(instance.SubjectId)).Where(e => e.Subject.StartsWith("Task Triage") && e.CreatedAt == _t.Now).ToList();
        Assert.Equal("officer@example.org", Assert.Single(nudges).ToAddress);
        Assert.Contains($"due {WorkflowTestApp.Start.AddDays(5):d MMMM yyyy}", nudges[0].TextBody);

        // After a week: an escalation task for an administrator.
        _t.Clock.Advance(TimeSpan.FromDays(3));
        Assert.Equal(1, await _t.RunTimersAsync());
        var chase = (await _t.TasksAsync(instance.Id)).Single(t => t.TaskKey == "chase");
        Assert.Equal(("Chase the triage", "Administrator", InboxTaskStatus.Open), (chase.Title, chase.Role, chase.Status));

        // At the subject's deadline the timer fires its trigger as the system.
        _t.Clock.Advance(TimeSpan.FromDays(3));
        Assert.Equal(1, await _t.RunTimersAsync());
        var closed = await _t.InstanceAsync(instance.Id);
        Assert.Equal("closed", closed.State);
        var transition = (await _t.HistoryAsync(instance.Id)).Last(h => h.Kind == HistoryKinds.Transition);
        Assert.Equal(("System", "timeout", "Timer deadline-passed"), (transition.ActorName, transition.Trigger, transition.Comment));
        Assert.All(await _t.TasksAsync(instance.Id), t => Assert.Equal(InboxTaskStatus.Cancelled, t.Status));
        _t.Clock.Advance(TimeSpan.FromDays(60));
        Assert.Equal(0, await _t.RunTimersAsync());
    }

    [Fact]
    public async Task Completing_a_task_cancels_its_reminder()
    {
        var instance = await _t.StartEverythingAsync(amount: 9000);
        var officer = await _t.ActorAsync("officer@example.org");
        var triage = (await _t.TasksAsync(instance.Id)).Single();
        await _t.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(triage.Id, "go", officer));

        _t.Clock.Advance(TimeSpan.FromDays(8));
        Assert.Equal(0, await _t.RunTimersAsync());
        Assert.DoesNotContain(await _t.OutboxAsync(instance.SubjectId), e => e.Subject.StartsWith("Task Triage") && e.CreatedAt > WorkflowTestApp.Start.UtcDateTime);
        Assert.Equal("panel", (await _t.InstanceAsync(instance.Id)).State);
    }

    [Fact]
    public async Task A_timer_claimed_by_a_node_that_died_fires_after_its_lease()
    {
        var instance = await _t.StartEverythingAsync();
        var nudge = (await _t.TimersAsync(instance.Id)).Single(t => t.TimerKey == "nudge");
        _t.Clock.Advance(TimeSpan.FromDays(4));
        var now = _t.Now;
        await _t.App.WithDbAsync(db => db.WorkflowTimers.Where(t => t.Id == nudge.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LeaseOwner, Guid.NewGuid()).SetProperty(t => t.LeaseUntil, now.AddMinutes(2))));

        Assert.Equal(0, await _t.RunTimersAsync());
        _t.Clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await _t.RunTimersAsync());
        Assert.Equal(WorkflowTimerStatus.Done, (await _t.TimersAsync(instance.Id)).Single(t => t.Id == nudge.Id).Status);
    }

    [Fact]
    public async Task A_timer_that_keeps_failing_becomes_an_incident_an_administrator_can_retry()
    {
        var instance = await _t.StartEverythingAsync();
        var nudge = (await _t.TimersAsync(instance.Id)).Single(t => t.TimerKey == "nudge");
        await _t.App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
            "CREATE TRIGGER refuse_nudge BEFORE INSERT ON OutboxEmails WHEN NEW.Subject LIKE 'Task Triage%' BEGIN SELECT RAISE(ABORT, 'mail store offline'); END"));
        _t.Clock.Advance(TimeSpan.FromDays(4));

        // Five attempts (Workflows:TimerMaxAttempts), backing off 30 s, 1, 2 and 4 minutes.
        foreach (var wait in new[] { 0, 30, 60, 120, 240 })
        {
            _t.Clock.Advance(TimeSpan.FromSeconds(wait));
            Assert.Equal(0, await _t.RunTimersAsync());
        }
        var failed = (await _t.TimersAsync(instance.Id)).Single(t => t.Id == nudge.Id);
        Assert.Equal((WorkflowTimerStatus.Failed, 5), (failed.Status, failed.Attempts));
        Assert.Contains("mail store offline", failed.LastError);

        var admin = await _t.App.ApiClientAsync("admin@example.org");
        var incidents = await admin.GetFromJsonAsync<JsonElement>("/api/workflow-incidents");
        var incident = Assert.Single(incidents.EnumerateArray());
        Assert.Equal(nudge.Id, incident.GetProperty("timerId").GetInt64());
        Assert.Contains("failed 5 times", incident.GetProperty("description").GetString());

        var officer = await _t.App.ApiClientAsync("officer@example.org");
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PostAsync($"/api/workflow-incidents/{incident.GetProperty("id").GetInt64()}/retry", null)).StatusCode);

        await _t.App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("DROP TRIGGER refuse_nudge"));
        var retry = await admin.PostAsync($"/api/workflow-incidents/{incident.GetProperty("id").GetInt64()}/retry", null);
        Assert.Equal(HttpStatusCode.NoContent, retry.StatusCode);
        Assert.Equal(1, await _t.RunTimersAsync());
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement>("/api/workflow-incidents")).EnumerateArray());
    }

    /// <summary>
    /// Reminders due together are written in sets; one due alone is saved the ordinary way. Every stored
    /// value of the email, the journal entry, the timer and the case must come out the same either way.
    /// </summary>
    [Fact]
    public async Task Reminders_fired_together_are_stored_exactly_as_one_fired_alone()
    {
        var alone = await _t.StartEverythingAsync();
        _t.Clock.Advance(TimeSpan.FromMinutes(1));
        var together = new List<WorkflowInstance>();
        for (var i = 0; i < 12; i++) together.Add(await _t.StartEverythingAsync());

        _t.Clock.Advance(TimeSpan.FromDays(4) - TimeSpan.FromMinutes(1));
        var aloneAt = _t.Now;
        Assert.Equal(1, await _t.RunTimersAsync());
        _t.Clock.Advance(TimeSpan.FromMinutes(1));
        var togetherAt = _t.Now;
        Assert.Equal(12, await _t.RunTimersAsync());

        var expected = await StoredReminderAsync(alone, aloneAt);
        Assert.Contains("Dear Olivia Officer,", expected.Email);
        Assert.Contains($"is due {WorkflowTestApp.Start.AddDays(5):d MMMM yyyy}", expected.Email);
        foreach (var instance in together)
            Assert.Equal(expected, await StoredReminderAsync(instance, togetherAt));
    }

    /// <summary>One reminder whose email cannot be stored, or whose case changed meanwhile, fails alone; the others are sent.</summary>
    [Theory]
    [InlineData("CREATE TRIGGER refuse BEFORE INSERT ON OutboxEmails WHEN NEW.SubjectId = '{0}' BEGIN SELECT RAISE(ABORT, 'mail store offline'); END", "mail store offline")]
    [InlineData("CREATE TRIGGER refuse BEFORE UPDATE ON WorkflowInstances WHEN OLD.SubjectId = '{0}' BEGIN SELECT RAISE(IGNORE); END", "Someone else changed this")]
    public async Task A_reminder_that_fails_among_many_fails_alone(string trigger, string error)
    {
        var instances = new List<WorkflowInstance>();
        for (var i = 0; i < 8; i++) instances.Add(await _t.StartEverythingAsync());
        var failing = instances[3];
        var versionBefore = (await _t.InstanceAsync(failing.Id)).Version;
        await _t.App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(string.Format(trigger, failing.SubjectId)));
        _t.Clock.Advance(TimeSpan.FromDays(4));

        Assert.Equal(7, await _t.RunTimersAsync());

        var nudge = (await _t.TimersAsync(failing.Id)).Single(t => t.TimerKey == "nudge");
        Assert.Equal((WorkflowTimerStatus.Pending, 1), (nudge.Status, nudge.Attempts));
        Assert.Contains(error, nudge.LastError);
        Assert.DoesNotContain(await _t.OutboxAsync(failing.SubjectId), e => e.CreatedAt == _t.Now);
        Assert.Equal(versionBefore, (await _t.InstanceAsync(failing.Id)).Version);
        foreach (var other in instances.Where(i => i != failing))
        {
            Assert.Single(await _t.OutboxAsync(other.SubjectId), e => e.CreatedAt == _t.Now && e.Subject.StartsWith("Task Triage"));
            Assert.Equal(WorkflowTimerStatus.Done, (await _t.TimersAsync(other.Id)).Single(t => t.TimerKey == "nudge").Status);
        }
    }

    private sealed record StoredReminder(string Email, string Journal, string Timer, string Case);

    /// <summary>What a reminder left in the database, with the case's own reference, ids and the moment it fired written generically.</summary>
    private async Task<StoredReminder> StoredReminderAsync(WorkflowInstance started, DateTime firedAt)
    {
        var instance = await _t.InstanceAsync(started.Id);
        var emails = (await _t.OutboxAsync(started.SubjectId)).Where(e => e.CreatedAt == firedAt).ToList();
        var journal = (await _t.HistoryAsync(started.Id)).Last();
        var timer = (await _t.TimersAsync(started.Id)).Single(t => t.TimerKey == "nudge");
        string Generic(string text) => text.Replace(instance.SubjectReference!, "REF").Replace(instance.SubjectId, "SUBJECT")
            .Replace(started.Id.ToString(), "INSTANCE").Replace(JsonSerializer.Serialize(firedAt).Trim('"'), "FIRED");
        string Row(object row) => Generic(JsonSerializer.Serialize(row));
        return new StoredReminder(
            Row(emails.Select(e => new
            {
                e.ToAddress, e.ToName, e.Subject, e.TextBody, e.HtmlBody, e.Template, e.SubjectType, e.SubjectId, e.Status, e.Priority,
                e.Attempts, e.CreatedAt, e.NextAttemptAt, e.LeaseUntil, e.LeaseOwner, e.SentAt, e.LastError,
            })),
            Row(new { journal.InstanceId, journal.At, journal.ActorId, journal.ActorName, journal.Kind, journal.FromState, journal.ToState, journal.Trigger, journal.Comment }),
            Row(new { timer.InstanceId, timer.State, timer.StageEntry, timer.Status, timer.Attempts, timer.FiredAt, timer.LeaseOwner, timer.LeaseUntil, timer.LastError, Task = timer.TaskId is null ? "none" : "its task" }),
            Row(new { instance.State, VersionAfterStart = instance.Version - started.Version, instance.UpdatedAt, instance.CompletedAt }));
    }
}

/// <summary>A timer set by one host fires in a new host over the same database, once.</summary>
public sealed class WorkflowRestartTests
{
    [Fact]
    public async Task A_timer_scheduled_before_a_restart_fires_once_afterwards()
    {
        using var directory = new TempDirectory();
        var database = directory.File("grantmanager.db");
        using var folder = new WorkflowFolder();
        var clock = new FakeTimeProvider(WorkflowTestApp.Start);
        Guid id;

        await using (var first = new WorkflowTestApp(folder, clock, database))
        {
            var instance = await first.StartEverythingAsync(deadline: WorkflowTestApp.Start.UtcDateTime.AddDays(45));
            id = instance.Id;
            Assert.Equal(0, await first.RunTimersAsync());
        }

        // A month and a half later, a new process over the same file.
        var later = new FakeTimeProvider(WorkflowTestApp.Start.AddDays(45));
        await using var second = new WorkflowTestApp(new WorkflowFolder(), later, database);
        var fired = await second.RunTimersAsync();

        Assert.Equal(3, fired); // the reminder and the escalation are overdue too; each fires once
        Assert.Equal("closed", (await second.InstanceAsync(id)).State);
        Assert.Equal(0, await second.RunTimersAsync());
        Assert.Single(await second.HistoryAsync(id), h => h.Trigger == "timeout");
    }
}

/// <summary>A running instance stays on the version it started with; new instances take the newest.</summary>
public sealed class WorkflowVersionTests
{
    [Fact]
    public async Task An_instance_keeps_its_version_when_a_new_one_is_loaded()
    {
        using var directory = new TempDirectory();
        var database = directory.File("grantmanager.db");
        Guid old;
        await using (var v1 = new WorkflowTestApp(new WorkflowFolder(), databasePath: database))
            old = (await v1.StartEverythingAsync(amount: 1000)).Id;

        // Version 2 sends every "go" to the panel, whatever the amount.
        var folder = new WorkflowFolder();
        var text = File.ReadAllText(Path.Combine(folder.Path, "everything.json"));
        folder.Write("everything-v2.json", text.Replace("\"version\": 1", "\"version\": 2").Replace("\"when\": \"amount <= 5000 and not urgent\"", "\"when\": \"amount < 0\""));
        await using var v2 = new WorkflowTestApp(folder, databasePath: database);
        var fresh = await v2.StartEverythingAsync(amount: 1000);
        var officer = await v2.ActorAsync("officer@example.org");

        Assert.Equal(2, fresh.DefinitionVersion);
        var oldTriage = (await v2.TasksAsync(old)).Single();
        var newTriage = (await v2.TasksAsync(fresh.Id)).Single();
        Assert.Equal("review", (await v2.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(oldTriage.Id, "go", officer))).ToState);
        Assert.Equal("panel", (await v2.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(newTriage.Id, "go", officer))).ToState);
        Assert.Equal(1, (await v2.InstanceAsync(old)).DefinitionVersion);
    }
}
