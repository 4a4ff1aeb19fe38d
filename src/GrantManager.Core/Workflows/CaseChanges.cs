using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Workflows;

/// <summary>
/// Changes a handler makes to another case inside the transition being made (the same transaction), as the
/// system: its dates changed, or the case ended because what it was about is no longer needed. Each is journaled
/// on that case. A re-planned grant moves and cancels its returns' cases this way.
/// </summary>
public interface ICaseChanges
{
    /// <summary>
    /// Replaces fields of the case's data and re-times what counts from them at its current stage: each waiting
    /// timer (from a field, or from its task's due date) and each open task's due date, so every reminder moves
    /// once and none is added or lost.
    /// </summary>
    Task RetimeAsync(Guid instanceId, IReadOnlyDictionary<string, object?> values, string comment, CancellationToken ct);

    /// <summary>Ends the case where it stands: its open tasks closed and waiting timers cancelled; it never moves again.</summary>
    Task EndAsync(Guid instanceId, string comment, CancellationToken ct);
}

public sealed partial class WorkflowRuntime
{
    /// <summary>The <see cref="ICaseChanges"/> handed to handlers of a transition, working in its unit of work.</summary>
    private sealed class CaseChanges(WorkflowRuntime runtime, WorkflowUnitOfWork work) : ICaseChanges
    {
        public Task RetimeAsync(Guid instanceId, IReadOnlyDictionary<string, object?> values, string comment, CancellationToken ct) =>
            runtime.RetimeCoreAsync(work, instanceId, values, comment, ct);

        public Task EndAsync(Guid instanceId, string comment, CancellationToken ct) => runtime.EndCoreAsync(work, instanceId, comment, ct);
    }

    private async Task RetimeCoreAsync(WorkflowUnitOfWork work, Guid instanceId, IReadOnlyDictionary<string, object?> values, string comment, CancellationToken ct)
    {
        var db = work.Db;
        var instance = await LoadInstanceAsync(db, instanceId, ct);
        if (instance.CompletedAt is not null) return;
        instance.Data = SubjectData.With(instance.Data, values, DataJson);
        var definition = registry.Get(instance.DefinitionId, instance.DefinitionVersion);
        var state = definition.State(instance.State);
        var now = Now;
        var tasks = await db.Set<InboxTask>().Where(t => t.InstanceId == instance.Id && t.StageEntry == instance.StageEntry && t.Status == InboxTaskStatus.Open).ToListAsync(ct);
        foreach (var task in tasks)
        {
            var spec = state.Tasks.FirstOrDefault(t => t.Id == task.TaskKey);
            if (spec?.Due is not null && Anchor(instance, spec.DueFrom) is DateTime anchor)
            {
                task.DueAt = WorkflowDuration.Parse(spec.Due).AddTo(anchor);
                task.Version++;
            }
        }
        var timers = await db.Set<WorkflowTimer>().Where(t => t.InstanceId == instance.Id && t.StageEntry == instance.StageEntry
            && (t.Status == WorkflowTimerStatus.Pending || t.Status == WorkflowTimerStatus.Paused)).ToListAsync(ct);
        var moved = 0;
        foreach (var timer in timers)
        {
            var spec = state.Timers.FirstOrDefault(t => t.Id == timer.TimerKey);
            if (spec is null) continue;
            DateTime? from = spec.From == "taskDue" ? tasks.FirstOrDefault(t => t.Id == timer.TaskId)?.DueAt : spec.From == "entered" ? null : Anchor(instance, spec.From);
            if (from is not DateTime anchor) continue;
            var due = WorkflowDuration.Parse(spec.Offset).AddTo(anchor);
            if (due == timer.DueAt) continue;
            timer.DueAt = due;
            // A moment brought into the past fires at once, as a timer set late does.
            timer.RunAt = due < now ? now : due;
            timer.Attempts = 0;
            timer.LastError = null;
            timer.LeaseOwner = null;
            timer.LeaseUntil = null;
            moved++;
        }
        AddHistory(db, instance, Actor.System, HistoryKinds.TimerChanged, null, null, null, $"{comment} ({Wording.Count(moved, "timer")} moved)");
        Touch(db, instance);
        await SaveAsync(db, ct);
    }

    private async Task EndCoreAsync(WorkflowUnitOfWork work, Guid instanceId, string comment, CancellationToken ct)
    {
        var db = work.Db;
        var instance = await LoadInstanceAsync(db, instanceId, ct);
        if (instance.CompletedAt is not null) return;
        await LeaveAsync(db, instance, ct);
        instance.CompletedAt = Now;
        AddHistory(db, instance, Actor.System, HistoryKinds.Ended, instance.State, null, null, comment);
        Touch(db, instance);
        await SaveAsync(db, ct);
    }
}
