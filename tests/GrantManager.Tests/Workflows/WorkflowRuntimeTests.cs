using GrantManager.Core.Email;
using GrantManager.Core.Workflows;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Tests.Workflows;

public sealed class WorkflowRuntimeTests : IAsyncLifetime
{
    private readonly WorkflowTestApp _t = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _t.DisposeAsync();

    [Fact]
    public async Task Starting_enters_the_initial_state_with_its_tasks_timers_emails_and_history()
    {
        var instance = await _t.StartEverythingAsync(amount: 3000, deadline: _t.Now.AddDays(30));

        Assert.Equal(("start", 1, 1), (instance.State, instance.DefinitionVersion, instance.StageEntry));
        var task = Assert.Single(await _t.TasksAsync(instance.Id));
        Assert.Equal(("Triage", "GrantOfficer", InboxTaskStatus.Open), (task.Title, task.Role, task.Status));
        Assert.Equal(_t.Now.AddDays(5), task.DueAt);
        Assert.Equal(["go", "stop"], task.OutcomeList);

        var timers = (await _t.TimersAsync(instance.Id)).OrderBy(t => t.DueAt).ToList();
        Assert.Equal(["nudge", "escalate", "deadline-passed"], timers.Select(t => t.TimerKey));
        Assert.Equal(_t.Now.AddDays(4), timers[0].DueAt);
        Assert.Equal(task.Id, timers[0].TaskId);
        Assert.Equal(_t.Now.AddDays(7), timers[1].DueAt);
        Assert.Equal(_t.Now.AddDays(30), timers[2].DueAt);

        var emails = await _t.OutboxAsync(instance.SubjectId);
        Assert.Equal(["applicant@example.org", "audit@example.net", "officer@example.org"], emails.Select(e => e.ToAddress).Order());
        var notice = emails.Single(e => e.ToAddress == "applicant@example.org");
        Assert.Equal($"Every element of a definition: {instance.SubjectReference} is at Start", notice.Subject);
        Assert.Contains("for £3,000 is now at the stage \"Start\"", notice.TextBody);

        var history = Assert.Single(await _t.HistoryAsync(instance.Id));
        Assert.Equal((HistoryKinds.Started, "start", "Olivia Officer"), (history.Kind, history.ToState, history.ActorName));
    }

    [Theory]
    [InlineData(3000, false, "review")]
    [InlineData(5000, false, "review")]
    [InlineData(5000.01, false, "panel")]
    [InlineData(2000, true, "panel")]
    public async Task A_task_outcome_takes_the_first_transition_whose_condition_holds(decimal amount, bool urgent, string expected)
    {
        var instance = await _t.StartEverythingAsync(amount: amount, urgent: urgent);
        var triage = (await _t.TasksAsync(instance.Id)).Single();
        var officer = await _t.ActorAsync("officer@example.org");

        var result = await _t.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(triage.Id, "go", officer, "Looks fine"));

        Assert.True(result.Moved);
        Assert.Equal(expected, (await _t.InstanceAsync(instance.Id)).State);
        var transition = (await _t.HistoryAsync(instance.Id)).Single(h => h.Kind == HistoryKinds.Transition);
        Assert.Equal(("start", expected, "go", "Looks fine", "Olivia Officer"),
            (transition.FromState, transition.ToState, transition.Trigger, transition.Comment, transition.ActorName));
        // Leaving the stage cancels its timers.
        Assert.All(await _t.TimersAsync(instance.Id), t => Assert.Equal(WorkflowTimerStatus.Cancelled, t.Status));
    }

    [Fact]
    public async Task Two_parallel_reviews_wait_for_both_and_each_must_be_a_different_assessor()
    {
        var (instance, reviews) = await InReviewAsync();
        var asha = await _t.ActorAsync("assessor@example.org");
        var aled = await _t.ActorAsync("assessor2@example.org");
        Assert.Equal(2, reviews.Count);

        // Completing before declaring a conflict of interest is refused.
        var undeclared = await Assert.ThrowsAsync<WorkflowInvalidException>(() => _t.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(reviews[0].Id, "yes", asha)));
        Assert.Equal("conflict", undeclared.Field);

        await _t.RuntimeAsync(async (rt, _) => { await rt.DeclareConflictAsync(reviews[0].Id, false, null, asha); return true; });
        var second = await Assert.ThrowsAsync<WorkflowConflictException>(() => _t.RuntimeAsync(async (rt, _) => { await rt.ClaimTaskAsync(reviews[1].Id, asha); return true; }));
        Assert.Contains("someone else must do this one", second.Message);

        var first = await _t.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(reviews[0].Id, "yes", asha));
        Assert.False(first.Moved);
        Assert.Equal("review", (await _t.InstanceAsync(instance.Id)).State);

        await _t.RuntimeAsync(async (rt, _) => { await rt.DeclareConflictAsync(reviews[1].Id, false, null, aled); return true; });
        var last = await _t.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(reviews[1].Id, "yes", aled));
        Assert.True(last.Moved);
        var done = await _t.InstanceAsync(instance.Id);
        Assert.Equal("done", done.State);
        Assert.NotNull(done.CompletedAt);
    }

    [Fact]
    public async Task One_no_closes_the_review_at_once_and_cancels_the_other_task()
    {
        var (instance, reviews) = await InReviewAsync();
        var asha = await _t.ActorAsync("assessor@example.org");
        await _t.RuntimeAsync(async (rt, _) => { await rt.DeclareConflictAsync(reviews[0].Id, false, null, asha); return true; });

        await _t.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(reviews[0].Id, "no", asha, "Not innovative"));

        Assert.Equal("closed", (await _t.InstanceAsync(instance.Id)).State);
        Assert.Equal(InboxTaskStatus.Cancelled, (await _t.TasksAsync(instance.Id)).Single(t => t.Id == reviews[1].Id).Status);
        var late = await Assert.ThrowsAsync<WorkflowConflictException>(() => _t.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(reviews[1].Id, "yes", asha)));
        Assert.Contains("moved on", late.Message);
    }

    [Fact]
    public async Task A_declared_conflict_returns_the_task_to_the_pool_and_bars_that_assessor()
    {
        var (_, reviews) = await InReviewAsync();
        var asha = await _t.ActorAsync("assessor@example.org");
        var aled = await _t.ActorAsync("assessor2@example.org");

        await _t.RuntimeAsync(async (rt, _) => { await rt.DeclareConflictAsync(reviews[0].Id, true, "My sister chairs the trust", asha); return true; });

        var task = (await _t.TasksAsync(reviews[0].InstanceId)).Single(t => t.Id == reviews[0].Id);
        Assert.Null(task.AssigneeId);
        Assert.True(await _t.App.WithDbAsync(db => db.InboxTaskExclusions.AnyAsync(x => x.TaskId == task.Id && x.UserId == asha.UserId && x.Conflict)));
        await Assert.ThrowsAsync<WorkflowForbiddenException>(() => _t.RuntimeAsync(async (rt, _) => { await rt.ClaimTaskAsync(reviews[0].Id, asha); return true; }));
        await _t.RuntimeAsync(async (rt, _) => { await rt.ClaimTaskAsync(reviews[0].Id, aled); return true; });
        var history = await _t.HistoryAsync(reviews[0].InstanceId);
        Assert.Contains(history, h => h.Kind == HistoryKinds.ConflictDeclared && h.Comment!.Contains("My sister chairs the trust"));
    }

    [Fact]
    public async Task Completing_an_already_completed_task_is_a_conflict_naming_who_did_it_and_when()
    {
        var instance = await _t.StartEverythingAsync();
        var triage = (await _t.TasksAsync(instance.Id)).Single();
        var officer = await _t.ActorAsync("officer@example.org");
        await _t.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(triage.Id, "stop", officer));

        var again = await Assert.ThrowsAsync<WorkflowConflictException>(() => _t.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(triage.Id, "go", officer)));

        // UK time in the service's one style (a summer time is checked in StalledTaskTests).
        Assert.Equal("This task was already completed by Olivia Officer on 4 January 2027 at 9am (Stop)", again.Message);
    }

    [Fact]
    public async Task Many_parallel_completions_of_one_task_make_exactly_one_transition()
    {
        var instance = await _t.StartEverythingAsync();
        var triage = (await _t.TasksAsync(instance.Id)).Single();
        var officer = await _t.ActorAsync("officer@example.org");

        var attempts = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try { await _t.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(triage.Id, i % 2 == 0 ? "go" : "stop", officer)); return "ok"; }
            catch (WorkflowConflictException) { return "conflict"; }
        })).ToList();
        var results = await Task.WhenAll(attempts);

        Assert.Equal(1, results.Count(r => r == "ok"));
        Assert.Equal(7, results.Count(r => r == "conflict"));
        var history = await _t.HistoryAsync(instance.Id);
        Assert.Single(history, h => h.Kind == HistoryKinds.Transition);
        Assert.Single(history, h => h.Kind == HistoryKinds.TaskCompleted);
        Assert.Equal(2, (await _t.InstanceAsync(instance.Id)).StageEntry);
    }

    [Fact]
    public async Task A_stale_version_is_refused_and_nothing_is_written()
    {
        var instance = await _t.StartEverythingAsync();
        var applicant = await _t.ActorAsync("applicant@example.org");

        var stale = await Assert.ThrowsAsync<WorkflowConflictException>(() =>
            _t.RuntimeAsync((rt, _) => rt.FireAsync(instance.Id, "cancel", applicant, expectedVersion: instance.Version - 1)));

        Assert.Contains("changed since you opened it", stale.Message);
        Assert.Equal("start", (await _t.InstanceAsync(instance.Id)).State);
        var done = await _t.RuntimeAsync((rt, _) => rt.FireAsync(instance.Id, "cancel", applicant, expectedVersion: instance.Version));
        Assert.Equal("closed", done.ToState);
    }

    [Fact]
    public async Task Direct_actions_are_limited_to_their_roles_and_organisation()
    {
        var instance = await _t.StartEverythingAsync();
        var officer = await _t.ActorAsync("officer@example.org");
        var applicant = await _t.ActorAsync("applicant@example.org");

        var notYours = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => _t.RuntimeAsync((rt, _) => rt.FireAsync(instance.Id, "cancel", officer)));
        Assert.Equal("Only a applicant can do this", notYours.Message.Replace("an applicant", "a applicant"));
        var timerOnly = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => _t.RuntimeAsync((rt, _) => rt.FireAsync(instance.Id, "timeout", officer)));
        Assert.Contains("through a task or a timer", timerOnly.Message);
        var unknown = await Assert.ThrowsAsync<WorkflowInvalidException>(() => _t.RuntimeAsync((rt, _) => rt.FireAsync(instance.Id, "approve", officer)));
        Assert.Contains("'approve' is not possible at the stage 'Start'", unknown.Message);

        var actions = await _t.RuntimeAsync((rt, _) => rt.AvailableActionsAsync(instance.Id, applicant));
        Assert.Equal(["cancel"], actions.Select(a => a.Trigger));
        Assert.Empty(await _t.RuntimeAsync((rt, _) => rt.AvailableActionsAsync(instance.Id, officer)));

        var triage = (await _t.TasksAsync(instance.Id)).Single();
        await Assert.ThrowsAsync<WorkflowNotFoundException>(() => _t.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(triage.Id, "go", applicant)));
        var wrongOutcome = await Assert.ThrowsAsync<WorkflowInvalidException>(() => _t.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(triage.Id, "maybe", officer)));
        Assert.Equal("Choose an outcome: Go or Stop", wrongOutcome.Message);
    }

    [Fact]
    public async Task A_failure_while_writing_effects_leaves_nothing_behind()
    {
        var (instance, reviews) = await InReviewAsync();
        var asha = await _t.ActorAsync("assessor@example.org");
        var aled = await _t.ActorAsync("assessor2@example.org");
        await _t.RuntimeAsync(async (rt, _) => { await rt.DeclareConflictAsync(reviews[0].Id, false, null, asha); return true; });
        await _t.RuntimeAsync(async (rt, _) => { await rt.DeclareConflictAsync(reviews[1].Id, false, null, aled); return true; });
        await _t.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(reviews[0].Id, "yes", asha));
        var before = await _t.InstanceAsync(instance.Id);
        var historyBefore = (await _t.HistoryAsync(instance.Id)).Count;
        var emailsBefore = (await _t.OutboxAsync(instance.SubjectId)).Count;
        // The database refuses the last write of the transition: the email the final stage sends.
        await _t.App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
            "CREATE TRIGGER refuse_outbox BEFORE INSERT ON OutboxEmails WHEN NEW.Subject LIKE '%is at Done' BEGIN SELECT RAISE(ABORT, 'disk full'); END"));

        var error = await Assert.ThrowsAsync<DbUpdateException>(() => _t.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(reviews[1].Id, "yes", aled)));
        Assert.Contains("disk full", error.InnerException!.Message);

        var after = await _t.InstanceAsync(instance.Id);
        Assert.Equal((before.State, before.Version, before.StageEntry, before.CompletedAt), (after.State, after.Version, after.StageEntry, after.CompletedAt));
        Assert.Equal(InboxTaskStatus.Open, (await _t.TasksAsync(instance.Id)).Single(t => t.Id == reviews[1].Id).Status);
        Assert.Equal(historyBefore, (await _t.HistoryAsync(instance.Id)).Count);
        Assert.Equal(emailsBefore, (await _t.OutboxAsync(instance.SubjectId)).Count);

        // Once the database accepts writes again the same completion goes through whole.
        await _t.App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("DROP TRIGGER refuse_outbox"));
        var retried = await _t.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(reviews[1].Id, "yes", aled));
        Assert.Equal("done", retried.ToState);
        Assert.Equal(emailsBefore + 1, (await _t.OutboxAsync(instance.SubjectId)).Count);
    }

    private async Task<(WorkflowInstance, List<InboxTask>)> InReviewAsync()
    {
        var instance = await _t.StartEverythingAsync(amount: 1000);
        var triage = (await _t.TasksAsync(instance.Id)).Single();
        var officer = await _t.ActorAsync("officer@example.org");
        await _t.RuntimeAsync((rt, _) => rt.CompleteTaskAsync(triage.Id, "go", officer));
        return (instance, (await _t.TasksAsync(instance.Id)).Where(t => t.State == "review" && t.Status == InboxTaskStatus.Open).ToList());
    }
}
