using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Workflows;

/// <summary>What to do, on resuming a case, with the timers that fell due while it was paused.</summary>
public enum MissedWhilePaused
{
    /// <summary>Each fires once, straight away.</summary>
    Fire,
    /// <summary>Each is recorded as skipped and never fires.</summary>
    Skip,
}

/// <summary>What migrating one case did, or in a dry run would do.</summary>
public sealed record MigrationOutcome(Guid Id, string From, string To, int TasksOpened, int TasksClosed, int TimersScheduled, int TimersCancelled);

/// <summary>
/// Which cases to move from one version of a definition to another, and where each old stage goes: a stage
/// the map leaves out goes to the stage of the same name. <paramref name="InstanceIds"/> narrows the cases.
/// </summary>
public sealed record MigrationPlan(string WorkflowId, int FromVersion, int ToVersion, IReadOnlyDictionary<string, string>? StateMap,
    IReadOnlyCollection<Guid>? InstanceIds, bool DryRun, string? Reason);

/// <summary>
/// An administrator's operations on one case (the host decides who may: administrators), each with a reason and journaled: pause and resume its timers,
/// reschedule or cancel one timer, move it to another stage, migrate it to another version of its definition.
/// </summary>
public sealed partial class WorkflowRuntime
{
    public const int ReasonLength = 500;

    private static string Reason(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new WorkflowInvalidException("Give the reason: it is kept in the case's history", "reason");
        if (reason.Trim().Length > ReasonLength) throw new WorkflowInvalidException($"The reason must be {ReasonLength} characters or fewer", "reason");
        return reason.Trim();
    }

    /// <summary>Pauses the case's timers: none fires, and none set meanwhile fires, until it is resumed.</summary>
    public Task PauseAsync(Guid instanceId, string? reason, Actor actor, CancellationToken ct = default) =>
        InTransactionAsync(async work =>
        {
            var why = Reason(reason);
            var instance = await LoadInstanceAsync(work.Db, instanceId, ct);
            if (instance.CompletedAt is not null) throw new WorkflowConflictException("This case has finished: it has no timers to pause");
            if (instance.PausedAt is not null) throw new WorkflowConflictException("This case's timers are already paused");
            instance.PausedAt = Now;
            var timers = await work.Db.Set<WorkflowTimer>().Where(t => t.InstanceId == instance.Id && t.Status == WorkflowTimerStatus.Pending).ToListAsync(ct);
            foreach (var t in timers)
            {
                t.Status = WorkflowTimerStatus.Paused;
                t.LeaseOwner = null;
                t.LeaseUntil = null;
            }
            AddHistory(work.Db, instance, actor, HistoryKinds.Paused, null, null, null, $"Timers paused ({timers.Count} waiting): {why}");
            Touch(work.Db, instance);
            return true;
        }, ct);

    /// <summary>Resumes the case's timers; those that fell due while it was paused fire once now, or are skipped, as chosen.</summary>
    public Task<int> ResumeAsync(Guid instanceId, MissedWhilePaused missed, string? reason, Actor actor, CancellationToken ct = default) =>
        InTransactionAsync(async work =>
        {
            var why = Reason(reason);
            var instance = await LoadInstanceAsync(work.Db, instanceId, ct);
            if (instance.PausedAt is null) throw new WorkflowConflictException("This case's timers are not paused");
            var now = Now;
            instance.PausedAt = null;
            var timers = await work.Db.Set<WorkflowTimer>().Where(t => t.InstanceId == instance.Id && t.Status == WorkflowTimerStatus.Paused).ToListAsync(ct);
            var due = 0;
            foreach (var t in timers)
            {
                t.Status = WorkflowTimerStatus.Pending;
                if (t.DueAt > now)
                {
                    t.RunAt = t.DueAt;
                    continue;
                }
                due++;
                if (missed == MissedWhilePaused.Fire) t.RunAt = now;
                else
                {
                    t.Status = WorkflowTimerStatus.Skipped;
                    AddHistory(work.Db, instance, actor, HistoryKinds.Timer, null, null, null,
                        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Timer {t.TimerKey}: skipped, it fell due ({t.DueAt:d MMMM yyyy HH:mm} UTC) while the case was paused"));
                }
            }
            AddHistory(work.Db, instance, actor, HistoryKinds.Resumed, null, null, missed == MissedWhilePaused.Fire ? "fire" : "skip",
                $"Timers resumed; {due} that fell due while paused {(missed == MissedWhilePaused.Fire ? "fire once now" : "skipped")}: {why}");
            Touch(work.Db, instance);
            return due;
        }, ct);

    /// <summary>Moves one waiting timer to another moment.</summary>
    public Task RescheduleTimerAsync(Guid instanceId, long timerId, DateTime dueAt, string? reason, Actor actor, CancellationToken ct = default) =>
        InTransactionAsync(async work =>
        {
            var why = Reason(reason);
            if (dueAt <= Now) throw new WorkflowInvalidException("Choose a moment in the future", "dueAt");
            var (instance, timer) = await WaitingTimerAsync(work.Db, instanceId, timerId, ct);
            var before = timer.DueAt;
            timer.DueAt = timer.RunAt = dueAt;
            timer.Attempts = 0;
            timer.LastError = null;
            AddHistory(work.Db, instance, actor, HistoryKinds.TimerChanged, null, null, timer.TimerKey,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Timer {timer.TimerKey} moved from {before:d MMMM yyyy HH:mm} to {dueAt:d MMMM yyyy HH:mm} UTC: {why}"));
            Touch(work.Db, instance);
            return true;
        }, ct);

    /// <summary>Cancels one waiting timer: it never fires.</summary>
    public Task CancelTimerAsync(Guid instanceId, long timerId, string? reason, Actor actor, CancellationToken ct = default) =>
        InTransactionAsync(async work =>
        {
            var why = Reason(reason);
            var (instance, timer) = await WaitingTimerAsync(work.Db, instanceId, timerId, ct);
            timer.Status = WorkflowTimerStatus.Cancelled;
            timer.LeaseOwner = null;
            timer.LeaseUntil = null;
            AddHistory(work.Db, instance, actor, HistoryKinds.TimerChanged, null, null, timer.TimerKey, $"Timer {timer.TimerKey} cancelled: {why}");
            Touch(work.Db, instance);
            return true;
        }, ct);

    /// <summary>Puts the case's failed timer (an incident) back in the queue, with the reason, journaled.</summary>
    public Task RetryIncidentAsync(Guid instanceId, long incidentId, string? reason, Actor actor, CancellationToken ct = default) =>
        InTransactionAsync(async work =>
        {
            var why = Reason(reason);
            var instance = await LoadInstanceAsync(work.Db, instanceId, ct);
            var incident = await work.Db.Set<WorkflowIncident>().SingleOrDefaultAsync(i => i.Id == incidentId && i.InstanceId == instanceId, ct)
                ?? throw new WorkflowNotFoundException("This case has no such incident");
            if (incident.ResolvedAt is not null) throw new WorkflowConflictException("This incident was already resolved");
            var timer = await work.Db.Set<WorkflowTimer>().SingleAsync(t => t.Id == incident.TimerId, ct);
            var now = Now;
            timer.Status = instance.PausedAt is null ? WorkflowTimerStatus.Pending : WorkflowTimerStatus.Paused;
            timer.Attempts = 0;
            timer.RunAt = now;
            incident.ResolvedAt = now;
            incident.ResolvedBy = actor.Name;
            AddHistory(work.Db, instance, actor, HistoryKinds.TimerChanged, null, null, timer.TimerKey, $"Timer {timer.TimerKey} tried again after it failed: {why}");
            Touch(work.Db, instance);
            return true;
        }, ct);

    private static async Task<(WorkflowInstance, WorkflowTimer)> WaitingTimerAsync(DbContext db, Guid instanceId, long timerId, CancellationToken ct)
    {
        var instance = await LoadInstanceAsync(db, instanceId, ct);
        var timer = await db.Set<WorkflowTimer>().SingleOrDefaultAsync(t => t.Id == timerId && t.InstanceId == instanceId, ct)
            ?? throw new WorkflowNotFoundException("This case has no such timer");
        if (timer.Status is not (WorkflowTimerStatus.Pending or WorkflowTimerStatus.Paused))
            throw new WorkflowConflictException("This timer is no longer waiting: it has fired or been cancelled");
        return (instance, timer);
    }

    /// <summary>
    /// Moves the case to another stage of its definition, as a transition would: the stage's open tasks and
    /// timers are closed, and the new stage is entered (its tasks, handlers, emails and timers).
    /// </summary>
    public Task<TransitionResult> MoveAsync(Guid instanceId, string? state, string? reason, Actor actor, CancellationToken ct = default) =>
        InTransactionAsync(async work =>
        {
            var why = Reason(reason);
            var instance = await LoadInstanceAsync(work.Db, instanceId, ct);
            var definition = registry.Get(instance.DefinitionId, instance.DefinitionVersion);
            if (string.IsNullOrWhiteSpace(state) || !definition.States.ContainsKey(state))
                throw new WorkflowInvalidException($"Choose a stage of {definition.Name} version {definition.Version}", "state");
            if (instance.CompletedAt is not null) throw new WorkflowConflictException("This case has finished; it cannot be moved");
            if (state == instance.State) throw new WorkflowInvalidException("The case is already at that stage: choose another", "state");
            var from = instance.State;
            await LeaveAsync(work.Db, instance, ct);
            AddHistory(work.Db, instance, actor, HistoryKinds.Moved, from, state, null, why);
            await EnterAsync(new TransitionContext(definition, instance, actor, new TransitionReason("moved", why, null), time, work), state, ct);
            return new TransitionResult(instance.Id, from, instance.State, true, instance.Version);
        }, ct);

    // ---- Migrating live cases to another version -------------------------------------------

    /// <summary>
    /// Moves each chosen case of one version to another, one transaction per case, each journaled with who and
    /// why. A case keeps its visit to its stage: open tasks and waiting timers the new stage also has are kept,
    /// the others closed; tasks and timers the new stage has and the case never had at this visit are opened and
    /// scheduled, once (a second migration finds them there), without emails. A dry run does the same work and
    /// rolls it back, so it reports exactly what applying would do. Refused before any case is touched when the
    /// map names a stage that does not exist or one with no way out.
    /// </summary>
    public async Task<List<MigrationOutcome>> MigrateAsync(MigrationPlan plan, Actor actor, CancellationToken ct = default)
    {
        var errors = new Errors();
        var why = plan.Reason?.Trim();
        if (!plan.DryRun && string.IsNullOrWhiteSpace(why)) errors.Add("reason", "Give the reason: it is kept in each case's history");
        if (why?.Length > ReasonLength) errors.Add("reason", $"The reason must be {ReasonLength} characters or fewer");
        var from = registry.Find(plan.WorkflowId ?? "", plan.FromVersion);
        var to = registry.Find(plan.WorkflowId ?? "", plan.ToVersion);
        if (registry.Find(plan.WorkflowId ?? "") is null) errors.Add("workflowId", $"No workflow '{plan.WorkflowId}' is loaded");
        else
        {
            if (from is null) errors.Add("fromVersion", $"Version {plan.FromVersion} of '{plan.WorkflowId}' is not loaded");
            if (to is null) errors.Add("toVersion", $"Version {plan.ToVersion} of '{plan.WorkflowId}' is not loaded");
            else if (plan.FromVersion == plan.ToVersion) errors.Add("toVersion", "Choose a different version to move the cases to");
        }
        errors.ThrowIfAny();

        var query = db.Set<WorkflowInstance>().AsNoTracking()
            .Where(i => i.DefinitionId == plan.WorkflowId && i.DefinitionVersion == plan.FromVersion && i.CompletedAt == null);
        if (plan.InstanceIds is { Count: > 0 } ids) query = query.Where(i => ids.Contains(i.Id));
        var cases = await query.OrderBy(i => i.CreatedAt).Select(i => new { i.Id, i.State }).ToListAsync(ct);
        if (plan.InstanceIds is { Count: > 0 } asked && asked.Except(cases.Select(c => c.Id)).FirstOrDefault() is var stray && stray != Guid.Empty)
            errors.Add("instanceIds", $"{stray} is not an unfinished case on {plan.WorkflowId} version {plan.FromVersion}");

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (old, target) in plan.StateMap ?? new Dictionary<string, string>())
        {
            if (!from!.States.ContainsKey(old)) errors.Add($"stateMap.{old}", $"Version {plan.FromVersion} has no stage '{old}'");
            else map[old] = target;
        }
        foreach (var state in cases.Select(c => c.State).Distinct().Order(StringComparer.Ordinal))
        {
            var target = map.GetValueOrDefault(state, state);
            if (!to!.States.TryGetValue(target, out var s))
                errors.Add($"stateMap.{state}", map.ContainsKey(state)
                    ? $"Version {plan.ToVersion} has no stage '{target}'"
                    : $"Version {plan.ToVersion} has no stage '{state}': map it to one of {string.Join(", ", to.States.Keys)}");
            else if (!HasWayOut(s))
                errors.Add($"stateMap.{state}", $"The stage '{target}' of version {plan.ToVersion} has no way out for a case that is still running: choose another");
        }
        foreach (var (old, target) in map.Where(m => !cases.Any(c => c.State == m.Key)))
            if (!to!.States.ContainsKey(target)) errors.Add($"stateMap.{old}", $"Version {plan.ToVersion} has no stage '{target}'");
        errors.ThrowIfAny();

        var outcomes = new List<MigrationOutcome>();
        foreach (var c in cases)
        {
            db.ChangeTracker.Clear();
            outcomes.Add(await MigrateOneAsync(c.Id, from!, to!, map, plan.DryRun, why, actor, ct));
        }
        db.ChangeTracker.Clear();
        return outcomes;
    }

    /// <summary>Whether a running case could ever leave the stage: a final stage, or one whose triggers nobody and nothing can fire, has none.</summary>
    public static bool HasWayOut(StateDefinition state)
    {
        if (state.Final) return false;
        var fired = state.Tasks.SelectMany(t => t.Outcomes)
            .Concat(state.Timers.Where(t => t.Fire is not null).Select(t => t.Fire!))
            .ToHashSet(StringComparer.Ordinal);
        return state.Transitions.Any(t => t.Roles.Count > 0 || fired.Contains(t.Trigger));
    }

    private async Task<MigrationOutcome> MigrateOneAsync(Guid id, WorkflowDefinition from, WorkflowDefinition to, Dictionary<string, string> map,
        bool dryRun, string? why, Actor actor, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            var work = new WorkflowUnitOfWork(db);
            var instance = await LoadInstanceAsync(db, id, ct);
            if (instance.DefinitionVersion != from.Version || instance.CompletedAt is not null)
                throw new WorkflowConflictException($"Case {instance.SubjectReference ?? id.ToString()} changed while it was being migrated: run it again");
            var oldState = instance.State;
            var newState = map.GetValueOrDefault(oldState, oldState);
            var target = to.State(newState);
            var entry = instance.StageEntry;
            var now = Now;

            var tasks = await db.Set<InboxTask>().Where(t => t.InstanceId == id && t.StageEntry == entry).ToListAsync(ct);
            var timers = await db.Set<WorkflowTimer>().Where(t => t.InstanceId == id && t.StageEntry == entry).ToListAsync(ct);
            var taskKeys = target.Tasks.Select(t => t.Id).Concat(target.Timers.Where(t => t.Task is not null).Select(t => t.Task!.Id)).ToHashSet(StringComparer.Ordinal);
            var timerKeys = target.Timers.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);

            int opened = 0, closed = 0, scheduled = 0, cancelled = 0;
            foreach (var task in tasks.Where(t => t.Status == InboxTaskStatus.Open))
            {
                if (taskKeys.Contains(task.TaskKey)) { task.State = newState; continue; }
                task.Status = InboxTaskStatus.Cancelled;
                task.Version++;
                closed++;
            }
            foreach (var timer in timers.Where(t => t.Status is WorkflowTimerStatus.Pending or WorkflowTimerStatus.Paused))
            {
                var ofClosedTask = timer.TaskId is long tid && tasks.Any(t => t.Id == tid && t.Status == InboxTaskStatus.Cancelled);
                if (timerKeys.Contains(timer.TimerKey) && !ofClosedTask) { timer.State = newState; continue; }
                timer.Status = WorkflowTimerStatus.Cancelled;
                timer.LeaseOwner = null;
                timer.LeaseUntil = null;
                cancelled++;
            }
            // Any record of a timer at this visit stops it being set again, whatever became of it.
            foreach (var timer in timers.Where(t => t.Status is not (WorkflowTimerStatus.Pending or WorkflowTimerStatus.Paused) && timerKeys.Contains(t.TimerKey)))
                timer.State = newState;

            instance.DefinitionVersion = to.Version;
            instance.State = newState;
            Touch(db, instance);
            AddHistory(db, instance, actor, HistoryKinds.Migrated, oldState, newState, null,
                $"Moved from version {from.Version} to version {to.Version}" + (why is null ? "" : $": {why}"));
            var context = new TransitionContext(to, instance, actor, new TransitionReason("migrated", why, null), time, work);

            var current = tasks.Where(t => t.Status is InboxTaskStatus.Open or InboxTaskStatus.Completed or InboxTaskStatus.SetAside).ToList();
            foreach (var spec in target.Tasks.Where(s => !tasks.Any(t => t.TaskKey == s.Id)))
            {
                var added = await OpenTasksAsync(context, spec, ct, emails: false);
                opened += added.Count;
                current.AddRange(added);
            }

            var planned = new List<MissedTimers.Planned>();
            foreach (var spec in target.Timers)
            {
                var offset = WorkflowDuration.Parse(spec.Offset);
                if (spec.From == "taskDue")
                {
                    foreach (var task in current.Where(t => t.Status == InboxTaskStatus.Open && t.DueAt is not null))
                        if (!timers.Any(t => t.TimerKey == spec.Id && t.TaskId == task.Id && t.Status != WorkflowTimerStatus.Cancelled))
                            planned.Add(new(spec, offset.AddTo(task.DueAt!.Value), task));
                }
                else if (!timers.Any(t => t.TimerKey == spec.Id && t.Status != WorkflowTimerStatus.Cancelled) && Anchor(instance, spec.From) is DateTime anchor)
                    planned.Add(new(spec, offset.AddTo(anchor), null));
            }
            var skip = MissedTimers.ToSkip(planned, now, []);
            foreach (var p in planned)
            {
                var skipped = skip.Contains(p);
                db.Add(new WorkflowTimer
                {
                    InstanceId = instance.Id, State = newState, StageEntry = entry, TimerKey = p.Spec.Id, Task = p.Task,
                    DueAt = p.DueAt, RunAt = p.DueAt < now ? now : p.DueAt,
                    Status = skipped ? WorkflowTimerStatus.Skipped : instance.PausedAt is null ? WorkflowTimerStatus.Pending : WorkflowTimerStatus.Paused,
                });
                if (skipped)
                    AddHistory(db, instance, actor, HistoryKinds.Timer, null, null, null,
                        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Timer {p.Spec.Id}: skipped, its moment ({p.DueAt:d MMMM yyyy HH:mm} UTC) had passed when the case was migrated"), p.Task?.Title);
                else scheduled++;
            }
            await SaveAsync(db, ct);
            if (dryRun) await tx.RollbackAsync(ct);
            else await tx.CommitAsync(ct);
            return new MigrationOutcome(id, oldState, newState, opened, closed, scheduled, cancelled);
        }
        catch
        {
            db.ChangeTracker.Clear();
            throw;
        }
    }
}

/// <summary>A case's waiting timer in words: what it does when it fires.</summary>
public static class TimerDescriptions
{
    public static string Describe(WorkflowDefinition? definition, WorkflowTimer timer)
    {
        var spec = definition?.States.GetValueOrDefault(timer.State)?.Timers.FirstOrDefault(t => t.Id == timer.TimerKey);
        var what = spec switch
        {
            null => timer.TimerKey,
            { Fire: { } trigger } => $"Moves the case on ({WorkflowText.Outcome(trigger)})",
            { Email: { } email } => $"Sends the email {email.Template} to {email.To}",
            { Task: { } task } => $"Opens the task {task.Title}",
            _ => timer.TimerKey,
        };
        return timer.Status == WorkflowTimerStatus.Paused ? $"{what} (paused)" : what;
    }
}
