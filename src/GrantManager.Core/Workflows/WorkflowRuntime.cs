using System.Text.Json;
using GrantManager.Core.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace GrantManager.Core.Workflows;

/// <summary>What a workflow runs for: the subject's identity, who acts for it, and its fields.</summary>
public sealed record WorkflowSubject(string Type, string Id, IReadOnlyDictionary<string, object?> Data)
{
    public string? Reference { get; init; }
    public string? Path { get; init; }
    public int? OrganisationId { get; init; }
    public string? ContactEmail { get; init; }
    public string? ContactName { get; init; }
    /// <summary>The case the subject belongs to (for grants, the application), so work lists can be filtered by it.</summary>
    public int? CaseId { get; init; }
}

public sealed record TransitionResult(Guid InstanceId, string FromState, string ToState, bool Moved, int Version);

/// <summary>
/// Runs workflow definitions with the state on our own <see cref="WorkflowInstance"/> row. Every change
/// is one database transaction: the new state, its history entry, the tasks opened and closed, the timers
/// scheduled and cancelled and the emails written to the outbox commit together or not at all. A change
/// that loses a race gets a <see cref="WorkflowConflictException"/>. When the caller already has a
/// transaction open, the runtime works inside it and leaves the commit to the caller.
/// <para>
/// Each change is described by an immutable <see cref="TransitionContext"/> handed down every call that
/// makes it; the runtime keeps nothing of a change in its fields. A trigger takes the transition
/// <see cref="WorkflowDefinition.Choose"/> picks (the first whose condition holds, each evaluated once).
/// Roles, who may do what, who may take a task and the words for cases and people come from the host
/// (<see cref="IWorkflowParticipants"/>); handlers get the context, not the runtime.
/// </para>
/// </summary>
public sealed partial class WorkflowRuntime(DbContext db, WorkflowRegistry registry, Outbox outbox, IWorkflowParticipants people,
    TimeProvider time, ILogger<WorkflowRuntime> logger, IEnumerable<IStateHandler>? handlers = null)
{
    private readonly Dictionary<string, IStateHandler> _handlers = (handlers ?? []).ToDictionary(h => h.Name);

    private static readonly JsonSerializerOptions DataJson = new() { PropertyNamingPolicy = null };

    /// <summary>The key in a task's data that holds the message to the subject's party (the applicant).</summary>
    public const string MessageKey = "messageToApplicant";

    public WorkflowRegistry Registry => registry;

    private WorkflowWording Words => people.Wording;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    // ---- Starting and firing -------------------------------------------------------------

    /// <summary>Starts the newest version of a definition for a subject and enters its initial state.</summary>
    public Task<WorkflowInstance> StartAsync(string definitionId, WorkflowSubject subject, Actor actor, string? comment = null, CancellationToken ct = default) =>
        InTransactionAsync(work => StartCoreAsync(work, definitionId, subject, actor, comment, ct), ct);

    private async Task<WorkflowInstance> StartCoreAsync(WorkflowUnitOfWork work, string definitionId, WorkflowSubject subject, Actor actor, string? comment, CancellationToken ct)
    {
            var definition = registry.Find(definitionId) ?? throw new WorkflowNotFoundException($"No workflow '{definitionId}' is loaded");
            var now = Now;
            var instance = new WorkflowInstance
            {
                Id = Guid.CreateVersion7(time.GetUtcNow()),
                DefinitionId = definition.Id,
                DefinitionVersion = definition.Version,
                SubjectType = subject.Type,
                SubjectId = subject.Id,
                SubjectReference = subject.Reference,
                SubjectPath = subject.Path,
                OrganisationId = subject.OrganisationId,
                ContactEmail = subject.ContactEmail,
                ContactName = subject.ContactName,
                CaseId = subject.CaseId,
                Data = JsonSerializer.Serialize(subject.Data, DataJson),
                CreatedAt = now,
                UpdatedAt = now,
                Version = 1,
            };
            work.Db.Add(instance);
            AddHistory(work.Db, instance, actor, HistoryKinds.Started, null, definition.InitialState, null, comment);
            // A start inside another instance's transition (a handler starting a return) has its own context: its emails are its own.
            await EnterAsync(new TransitionContext(definition, instance, actor, TransitionReason.None, time, work), definition.InitialState, ct);
            return instance;
    }

    /// <summary>Fires a trigger directly (an applicant's or officer's action, not a task outcome).</summary>
    public Task<TransitionResult> FireAsync(Guid instanceId, string trigger, Actor actor, string? comment = null, int? expectedVersion = null, CancellationToken ct = default) =>
        InTransactionAsync(async work =>
        {
            var instance = await LoadInstanceAsync(work.Db, instanceId, ct);
            if (expectedVersion is int v && v != instance.Version)
                throw new WorkflowConflictException("The record has changed since you opened it. Reload it to see the latest.");
            var definition = registry.Get(instance.DefinitionId, instance.DefinitionVersion);
            var conditions = await ConditionContextAsync(work.Db, definition, instance, null, null, ct);
            var from = instance.State;
            // The subject's party reads their own words; anyone else's comment is a note for the file.
            var message = actor.HasRole(people.SubjectRole) ? comment : null;
            var transition = new TransitionContext(definition, instance, actor, new TransitionReason(trigger, comment, message), time, work);
            var moved = await FireCoreAsync(transition, conditions, checkRoles: true, stayIfGuardsUnmet: false, ct);
            return new TransitionResult(instance.Id, from, instance.State, moved, instance.Version);
        }, ct);

    /// <summary>Replaces fields of the instance's data (the subject changed), without moving it.</summary>
    public Task UpdateDataAsync(Guid instanceId, IReadOnlyDictionary<string, object?> values, CancellationToken ct = default) =>
        InTransactionAsync(async work =>
        {
            var instance = await LoadInstanceAsync(work.Db, instanceId, ct);
            instance.Data = SubjectData.With(instance.Data, values, DataJson);
            Touch(work.Db, instance);
            return true;
        }, ct);

    /// <summary>What the actor could fire now, in definition order, with each transition's label.</summary>
    public async Task<IReadOnlyList<TransitionDefinition>> AvailableActionsAsync(Guid instanceId, Actor actor, CancellationToken ct = default)
    {
        var instance = await db.Set<WorkflowInstance>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == instanceId, ct)
            ?? throw new WorkflowNotFoundException("No such workflow instance");
        var definition = registry.Get(instance.DefinitionId, instance.DefinitionVersion);
        var state = definition.State(instance.State);
        var taskTriggers = state.Tasks.SelectMany(t => t.Outcomes).ToHashSet();
        var conditions = await ConditionContextAsync(db, definition, instance, null, null, ct);
        // The transition each trigger would take, chosen as firing it would choose it.
        return state.Transitions.Select(t => t.Trigger).Distinct().Where(t => !taskTriggers.Contains(t))
            .Select(t => definition.Choose(instance.State, t, conditions).Chosen)
            .OfType<TransitionDefinition>()
            .Where(t => actor.IsSystem || t.Roles.Any(actor.HasRole))
            .ToList();
    }

    // ---- Tasks ---------------------------------------------------------------------------

    /// <summary>
    /// Completes an inbox task with one of its outcomes. The outcome is then fired as a trigger;
    /// when its guards are not met yet (say, the other assessor has still to finish) the instance
    /// stays where it is and the outcome is recorded.
    /// </summary>
    public Task<TransitionResult> CompleteTaskAsync(long taskId, string outcome, Actor actor, string? comment = null,
        IReadOnlyDictionary<string, object?>? data = null, CancellationToken ct = default) =>
        InTransactionAsync(async work =>
        {
            var task = await LoadOpenTaskAsync(work.Db, taskId, actor, ct);
            EnsureMayWork(task, actor);
            if (!task.OutcomeList.Contains(outcome))
                throw new WorkflowInvalidException($"Choose an outcome: {WorkflowText.Choices(task.OutcomeList)}", "outcome");
            if (task.RequiresConflictDeclaration && !task.ConflictDeclared)
                throw new WorkflowInvalidException("Declare whether you have a conflict of interest before completing this task", "conflict");

            var instance = await LoadInstanceAsync(work.Db, task.InstanceId, ct);
            var definition = registry.Get(instance.DefinitionId, instance.DefinitionVersion);
            var now = Now;
            if (task.AssigneeId is null && actor.UserId is not null) await HoldAsync(work.Db, task, actor.UserId, ct);
            await ClosedAsync(work.Db, task, ct);
            task.Status = InboxTaskStatus.Completed;
            task.Outcome = outcome;
            task.Comment = comment;
            task.Data = data is null ? null : JsonSerializer.Serialize(data, DataJson);
            task.AssigneeId ??= actor.UserId;
            task.AssigneeName ??= actor.Name;
            task.CompletedById = actor.UserId;
            task.CompletedByName = actor.Name;
            task.CompletedAt = now;
            task.Version++;
            await CancelTimersAsync(work.Db, instance, null, task.Id, ct);
            var message = data?.GetValueOrDefault(MessageKey) as string;
            AddHistory(work.Db, instance, actor, HistoryKinds.TaskCompleted, instance.State, instance.State, outcome,
                message is null ? comment : comment is null ? $"To the {Words.Party}: {message}" : $"{comment} (to the {Words.Party}: {message})", task.Title);

            var from = instance.State;
            var moved = false;
            if (task.StageEntry == instance.StageEntry && task.State == instance.State)
            {
                var conditions = await ConditionContextAsync(work.Db, definition, instance, task, outcome, ct);
                var reason = new TransitionReason(outcome, comment, message ?? (task.Role == people.SubjectRole ? comment : null));
                moved = await FireCoreAsync(new TransitionContext(definition, instance, actor, reason, time, work), conditions,
                    checkRoles: false, stayIfGuardsUnmet: true, ct);
            }
            Touch(work.Db, instance);
            return new TransitionResult(instance.Id, from, instance.State, moved, instance.Version);
        }, ct);

    /// <summary>Takes an unassigned task for yourself.</summary>
    public Task ClaimTaskAsync(long taskId, Actor actor, CancellationToken ct = default) =>
        InTransactionAsync(async work =>
        {
            var task = await LoadOpenTaskAsync(work.Db, taskId, actor, ct);
            EnsureMayWork(task, actor);
            if (task.AssigneeId == actor.UserId) return true;
            if (task.AssigneeId is not null)
                throw new WorkflowConflictException($"{task.AssigneeName} has already taken this task");
            await EnsureNotDoingAnotherOfTheSameAsync(work.Db, task, actor.UserId!, ct);
            await HoldAsync(work.Db, task, actor.UserId!, ct);
            task.AssigneeId = actor.UserId;
            task.AssigneeName = actor.Name;
            task.Version++;
            var instance = await LoadInstanceAsync(work.Db, task.InstanceId, ct);
            AddHistory(work.Db, instance, actor, HistoryKinds.TaskClaimed, null, null, null, null, task.Title);
            Touch(work.Db, instance);
            return true;
        }, ct);

    /// <summary>Puts your task back in the pool for its role.</summary>
    public Task ReleaseTaskAsync(long taskId, Actor actor, CancellationToken ct = default) =>
        InTransactionAsync(async work =>
        {
            var task = await LoadOpenTaskAsync(work.Db, taskId, actor, ct);
            if (task.AssigneeId != actor.UserId && !people.Coordinates(actor))
                throw new WorkflowForbiddenException($"Only the person doing the task, or {Words.ACoordinator}, can release it");
            if (task.AssigneeId is not null) await LetGoAsync(work.Db, task, task.AssigneeId, ct);
            task.AssigneeId = null;
            task.AssigneeName = null;
            task.ConflictDeclared = false;
            task.Version++;
            var instance = await LoadInstanceAsync(work.Db, task.InstanceId, ct);
            AddHistory(work.Db, instance, actor, HistoryKinds.TaskReleased, null, null, null, null, task.Title);
            Touch(work.Db, instance);
            return true;
        }, ct);

    /// <summary>
    /// An overseer gives a task to a named person who may take it (the host's <see cref="IWorkflowParticipants.EligibilityAsync"/>):
    /// someone holding the task's role or, when nobody holding it may, a coordinator standing in.
    /// </summary>
    public Task AssignTaskAsync(long taskId, string userId, Actor actor, CancellationToken ct = default) => AssignTaskAsync(taskId, userId, actor, true, ct);

    /// <summary>
    /// Gives a task to a named person; with <paramref name="tell"/> they are emailed that it is theirs (<see cref="AssignedTasksEmail"/>),
    /// without it the caller tells them (a bulk assignment sends one email for all the tasks it gave).
    /// </summary>
    public Task AssignTaskAsync(long taskId, string userId, Actor actor, bool tell, CancellationToken ct = default) =>
        InTransactionAsync(async work =>
        {
            if (!people.Oversees(actor))
                throw new WorkflowForbiddenException($"Only {Words.Coordinators} can assign tasks");
            var task = await LoadOpenTaskAsync(work.Db, taskId, actor, ct);
            if (task.Role == people.SubjectRole) throw new WorkflowInvalidException($"This task is the {Words.Party}'s to do", "assignee");
            var user = await people.FindAsync(userId, ct)
                ?? throw new WorkflowInvalidException("Choose someone to assign the task to", "assignee");
            if (await IsExcludedAsync(work.Db, task.Id, userId, ct)) throw new WorkflowInvalidException($"{user.Name} declared a conflict of interest for this {Words.Subject}", "assignee");
            await EnsureNotDoingAnotherOfTheSameAsync(work.Db, task, userId, ct, user.Name);
            var eligibility = await people.EligibilityAsync(task, ct);
            var candidate = eligibility.Candidates.FirstOrDefault(c => c.Id == userId);
            if (candidate is null)
                throw new WorkflowInvalidException(eligibility.NobodyEligible
                    ? $"{user.Name} is not {ARole(task.Role)} or {Words.ACoordinator}"
                    : $"{user.Name} is not {ARole(task.Role)}", "assignee");
            if (task.AssigneeId is not null && task.AssigneeId != userId) await LetGoAsync(work.Db, task, task.AssigneeId, ct);
            await HoldAsync(work.Db, task, userId, ct);
            task.AssigneeId = userId;
            task.AssigneeName = user.Name;
            task.ConflictDeclared = false;
            task.Version++;
            var instance = await LoadInstanceAsync(work.Db, task.InstanceId, ct);
            AddHistory(work.Db, instance, actor, HistoryKinds.TaskAssigned, null, null, null,
                candidate.StandIn ? $"Assigned to {user.Name}, {Words.ACoordinator} standing in: no {people.DescribeRole(task.Role).ToLowerInvariant()} may take it"
                    : $"Assigned to {user.Name}", task.Title);
            Touch(work.Db, instance);
            if (tell)
                AssignedTasksEmail.Add(outbox, work.Db, user, actor, [new(task.Id, task.Title, instance.SubjectReference ?? instance.SubjectId, task.DueAt)], instance.SubjectType, instance.SubjectId);
            return true;
        }, ct);

    /// <summary>
    /// A grant officer sets aside a parallel task that nobody may take (say, the second assessment
    /// when one assessor declared a conflict and the other did the first), with the reason. The
    /// stage then goes on as if that copy were not there: when no other task is open it moves on
    /// with the outcomes already given. The history records who set it aside and why.
    /// </summary>
    public Task<TransitionResult> OverrideTaskAsync(long taskId, string? reason, Actor actor, CancellationToken ct = default) =>
        InTransactionAsync(async work =>
        {
            if (!people.Coordinates(actor))
                throw new WorkflowForbiddenException($"Only {Words.Coordinators} can set a task aside");
            if (string.IsNullOrWhiteSpace(reason))
                throw new WorkflowInvalidException("Give the reason for going ahead without this task", "reason");
            if (reason.Length > 2000)
                throw new WorkflowInvalidException("The reason must be 2,000 characters or fewer", "reason");
            var task = await LoadOpenTaskAsync(work.Db, taskId, actor, ct);
            if (task.Role == people.SubjectRole) throw new WorkflowInvalidException($"This task is the {Words.Party}'s to do", "reason");
            if (task.AssigneeId is not null)
                throw new WorkflowConflictException($"{task.AssigneeName} is doing this task; it cannot be set aside");
            var eligibility = await people.EligibilityAsync(task, ct);
            if (!eligibility.NobodyEligible)
                throw new WorkflowConflictException($"{string.Join(", ", eligibility.RoleHolders.Select(c => c.Name))} can still take this task: assign it instead");
            var copies = await work.Db.Set<InboxTask>().Where(t => t.InstanceId == task.InstanceId && t.StageEntry == task.StageEntry
                && t.TaskKey == task.TaskKey && t.Id != task.Id && (t.Status == InboxTaskStatus.Open || t.Status == InboxTaskStatus.Completed)).AnyAsync(ct);
            if (!copies)
                throw new WorkflowInvalidException($"This is the only '{task.Title}' task at this stage, so it cannot be set aside: give it to someone", "reason");

            var instance = await LoadInstanceAsync(work.Db, task.InstanceId, ct);
            var definition = registry.Get(instance.DefinitionId, instance.DefinitionVersion);
            await ClosedAsync(work.Db, task, ct);
            task.Status = InboxTaskStatus.SetAside;
            task.Comment = reason.Trim();
            task.CompletedByName = actor.Name;
            task.CompletedAt = Now;
            task.Version++;
            await CancelTimersAsync(work.Db, instance, null, task.Id, ct);
            AddHistory(work.Db, instance, actor, HistoryKinds.TaskOverridden, null, null, null, $"not needed: {reason.Trim()}", task.Title);
            await work.Db.SaveChangesAsync(ct);

            var from = instance.State;
            var moved = false;
            if (task.StageEntry == instance.StageEntry && task.State == instance.State)
            {
                // The stage goes on with the outcome last given, as it would have when that task was the last one done.
                var last = await work.Db.Set<InboxTask>().Where(t => t.InstanceId == instance.Id && t.StageEntry == instance.StageEntry && t.Status == InboxTaskStatus.Completed)
                    .OrderByDescending(t => t.CompletedAt).ThenByDescending(t => t.Id).Select(t => t.Outcome).FirstOrDefaultAsync(ct);
                if (last is not null)
                {
                    var conditions = await ConditionContextAsync(work.Db, definition, instance, null, last, ct);
                    var because = new TransitionReason(last, $"{task.Title} not needed: {reason.Trim()}", null);
                    moved = await FireCoreAsync(new TransitionContext(definition, instance, actor, because, time, work), conditions,
                        checkRoles: false, stayIfGuardsUnmet: true, ct);
                }
            }
            Touch(work.Db, instance);
            return new TransitionResult(instance.Id, from, instance.State, moved, instance.Version);
        }, ct);

    /// <summary>
    /// Records a conflict-of-interest declaration. Without a conflict the task is yours to do;
    /// with one, it goes back to the pool and you cannot take it again.
    /// </summary>
    public Task DeclareConflictAsync(long taskId, bool hasConflict, string? details, Actor actor, CancellationToken ct = default) =>
        InTransactionAsync(async work =>
        {
            var task = await LoadOpenTaskAsync(work.Db, taskId, actor, ct);
            EnsureMayWork(task, actor);
            if (task.AssigneeId is null) await EnsureNotDoingAnotherOfTheSameAsync(work.Db, task, actor.UserId!, ct);
            var instance = await LoadInstanceAsync(work.Db, task.InstanceId, ct);
            if (hasConflict)
            {
                // A conflict is with the application, so it bars the person from every task on it that asks for a declaration.
                var others = await work.Db.Set<InboxTask>().Where(t => t.InstanceId == task.InstanceId && t.Status == InboxTaskStatus.Open
                    && t.RequiresConflictDeclaration && t.Id != task.Id).ToListAsync(ct);
                foreach (var t in others.Append(task).OrderBy(t => t.Id))
                {
                    if (t.AssigneeId == actor.UserId) await LetGoAsync(work.Db, t, actor.UserId!, ct);
                    await work.Db.Database.ExecuteSqlAsync($"""
                        INSERT INTO "InboxTaskExclusions" ("TaskId", "UserId", "Conflict") VALUES ({t.Id}, {actor.UserId!}, TRUE)
                        ON CONFLICT ("TaskId", "UserId") DO UPDATE SET "Conflict" = TRUE
                        """, ct);
                    if (t.AssigneeId == actor.UserId)
                    {
                        t.AssigneeId = null;
                        t.AssigneeName = null;
                        t.ConflictDeclared = false;
                    }
                    t.Version++;
                }
            }
            else
            {
                if (task.AssigneeId is null) await HoldAsync(work.Db, task, actor.UserId!, ct);
                task.AssigneeId = actor.UserId;
                task.AssigneeName = actor.Name;
                task.ConflictDeclared = true;
                task.Version++;
            }
            AddHistory(work.Db, instance, actor, HistoryKinds.ConflictDeclared, null, null, hasConflict ? "conflict" : "no-conflict",
                hasConflict ? details : null, task.Title);
            Touch(work.Db, instance);
            return true;
        }, ct);

    /// <summary>
    /// Whether this actor may see and act on the task: its role (or, for the subject's own role, the subject's
    /// organisation). A coordinator given a task as a stand-in (nobody holding its role could take it) may do it too.
    /// </summary>
    public bool MayWork(InboxTask task, WorkflowInstance instance, Actor actor) =>
        task.Role == people.SubjectRole
            ? actor.HasRole(people.SubjectRole) && actor.OrganisationId is not null && actor.OrganisationId == instance.OrganisationId
            : (actor.HasRole(task.Role) || (actor.UserId is not null && task.AssigneeId == actor.UserId && people.Coordinates(actor)))
                && !task.IsExcluded(actor.UserId ?? "") && (task.AssigneeId is null || task.AssigneeId == actor.UserId);

    /// <summary>
    /// Whether the actor may know of the task at all (its state, who did it, its outcome): those who oversee
    /// the work; holders of its role; whoever holds or did it; for a task of the subject's own role, that
    /// organisation's people in it. The task's Instance must be loaded.
    /// </summary>
    public bool MaySee(InboxTask task, Actor actor) =>
        actor.IsSystem || people.Oversees(actor)
        || (task.Role == people.SubjectRole
            ? actor.HasRole(people.SubjectRole) && actor.OrganisationId is not null && actor.OrganisationId == task.Instance!.OrganisationId
            : actor.HasRole(task.Role) || (actor.UserId is not null && (task.AssigneeId == actor.UserId || task.CompletedById == actor.UserId)));

    /// <summary>Refuses (403) an actor who may not work on the task; the task's Instance must be loaded.</summary>
    public void EnsureMayWork(InboxTask task, Actor actor)
    {
        if (actor.IsSystem) return;
        if (task.Role != people.SubjectRole && actor.HasRole(task.Role) && task.AssigneeId is not null && task.AssigneeId != actor.UserId)
            throw new WorkflowForbiddenException($"This task is assigned to {task.AssigneeName}");
        if (task.Role != people.SubjectRole && task.IsExcluded(actor.UserId ?? ""))
            throw new WorkflowForbiddenException($"You declared a conflict of interest for this {Words.Subject}");
        if (!MayWork(task, task.Instance!, actor))
            throw new WorkflowForbiddenException("You cannot work on this task");
    }

    /// <summary>"a grant officer", "an assessor": a role in a sentence, in the host's words.</summary>
    private string ARole(string role) => Data.Roles.WithArticle(people.DescribeRole(role).ToLowerInvariant());

    /// <summary>Whether the person declared a conflict of interest that bars them from the task.</summary>
    private static Task<bool> IsExcludedAsync(DbContext db, long taskId, string userId, CancellationToken ct) =>
        db.Set<InboxTaskExclusion>().AnyAsync(x => x.TaskId == taskId && x.UserId == userId && x.Conflict, ct);

    /// <summary>
    /// The person now holds the task, so they may not take its other open copies: rows of their own, written at once in this
    /// transaction. The copies' rows are not changed, so two people taking two copies at once do not wait on each other.
    /// </summary>
    private static async Task HoldAsync(DbContext db, InboxTask task, string userId, CancellationToken ct) =>
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "InboxTaskExclusions" ("TaskId", "UserId", "Conflict")
            SELECT "Id", {userId}, FALSE FROM "InboxTasks"
            WHERE "InstanceId" = {task.InstanceId} AND "StageEntry" = {task.StageEntry} AND "TaskKey" = {task.TaskKey} AND "Id" <> {task.Id} AND "Status" = 'Open'
            ORDER BY "Id"
            ON CONFLICT DO NOTHING
            """, ct);

    /// <summary>The person no longer holds the task: they may take its other copies again (unless they declared a conflict).</summary>
    private static async Task LetGoAsync(DbContext db, InboxTask task, string userId, CancellationToken ct) =>
        await db.Database.ExecuteSqlAsync($"""
            DELETE FROM "InboxTaskExclusions" WHERE "UserId" = {userId} AND NOT "Conflict" AND "TaskId" IN
                (SELECT "Id" FROM "InboxTasks" WHERE "InstanceId" = {task.InstanceId} AND "StageEntry" = {task.StageEntry} AND "TaskKey" = {task.TaskKey} AND "Id" <> {task.Id})
            """, ct);

    /// <summary>The task is closed: who may not take it matters no more, but for the conflicts, which the case's later tasks inherit.</summary>
    private static async Task ClosedAsync(DbContext db, InboxTask task, CancellationToken ct) =>
        await db.Database.ExecuteSqlAsync($"""DELETE FROM "InboxTaskExclusions" WHERE "TaskId" = {task.Id} AND NOT "Conflict" """, ct);

    /// <param name="name">Who is being given the task, when it is not the actor themselves.</param>
    private async Task EnsureNotDoingAnotherOfTheSameAsync(DbContext db, InboxTask task, string userId, CancellationToken ct, string? name = null)
    {
        // With parallel tasks (two assessors), each must be a different person.
        var other = await db.Set<InboxTask>().AnyAsync(t => t.InstanceId == task.InstanceId && t.StageEntry == task.StageEntry
            && t.TaskKey == task.TaskKey && t.Id != task.Id && (t.AssigneeId == userId || t.CompletedById == userId), ct);
        if (other) throw name is null
            ? new WorkflowConflictException($"You already have one of these tasks for this {Words.Subject}; someone else must do this one")
            : new WorkflowInvalidException($"{name} is doing or has done the other '{task.Title}' task for this {Words.Subject}; someone else must do this one", "assignee");
    }

    // ---- Timers --------------------------------------------------------------------------

    /// <summary>
    /// Fires one claimed timer, saved as any other change (not in sets), so a timer that failed among
    /// others is tried alone on the ordinary path. Returns false if it was no longer this node's to fire.
    /// </summary>
    public async Task<bool> FireTimerAsync(long timerId, Guid leaseOwner, CancellationToken ct = default) =>
        await FireTimersAsync([timerId], leaseOwner, inSets: false, ct) == 1;

    /// <summary>
    /// Fires a set of claimed timers in one transaction: their timers and instances read in two queries,
    /// everything they write (emails, history, tasks) saved together, and what the timers that only
    /// send email write (the timer done, the instance's version, the email, the journal entry) saved in
    /// sets, a statement prepared once per kind of row. All or nothing: if one fails, none is kept, and
    /// the caller fires them again one at a time. Returns how many fired.
    /// </summary>
    public Task<int> FireTimersAsync(IReadOnlyCollection<long> timerIds, Guid leaseOwner, CancellationToken ct = default) =>
        FireTimersAsync(timerIds, leaseOwner, inSets: true, ct);

    private Task<int> FireTimersAsync(IReadOnlyCollection<long> timerIds, Guid leaseOwner, bool inSets, CancellationToken ct) =>
        InTransactionAsync(async work =>
        {
            var ids = timerIds.ToList();
            var timers = await work.Db.Set<WorkflowTimer>().Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, ct);
            var instanceIds = timers.Values.Select(t => t.InstanceId).Distinct().ToList();
            var instances = await work.Db.Set<WorkflowInstance>().Where(i => instanceIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
            var fired = 0;
            foreach (var id in ids)
            {
                if (!timers.TryGetValue(id, out var timer) || timer.Status != WorkflowTimerStatus.Pending || timer.LeaseOwner != leaseOwner) continue;
                // A timer that moves its case or opens tasks is saved before the next, which may ask about them.
                if (await FireLoadedTimerAsync(work, timer, instances.GetValueOrDefault(timer.InstanceId) ?? throw new WorkflowNotFoundException("No such workflow instance"), ct))
                    await SaveAsync(work.Db, ct);
                fired++;
            }
            if (inSets) await SaveInSetsAsync(work.Db, ct);
            return fired;
        }, ct);

    /// <summary>What timers that only send email write, in the order a row follows those it refers to.</summary>
    private static readonly Type[] TimerRows = [typeof(WorkflowTimer), typeof(WorkflowInstance), typeof(OutboxEmail), typeof(WorkflowHistoryEntry)];

    /// <summary>Saves the unit of work in sets when it is only what such timers write (see <see cref="SaveInSets"/>), otherwise as usual.</summary>
    private static async Task SaveInSetsAsync(DbContext db, CancellationToken ct)
    {
        try
        {
            if (await Data.SaveInSets.TryWriteAsync(db, TimerRows, ct)) return;
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new WorkflowConflictException("Someone else changed this at the same moment. Reload to see what they did.");
        }
        await SaveAsync(db, ct);
    }

    /// <summary>Fires a timer read with its instance; true if it did more than send email (moved the case, opened tasks).</summary>
    private async Task<bool> FireLoadedTimerAsync(WorkflowUnitOfWork work, WorkflowTimer timer, WorkflowInstance instance, CancellationToken ct)
    {
        var definition = registry.Get(instance.DefinitionId, instance.DefinitionVersion);
        timer.Status = WorkflowTimerStatus.Done;
        timer.FiredAt = Now;
        timer.LeaseOwner = null;
        timer.LeaseUntil = null;
        if (instance.State != timer.State || instance.StageEntry != timer.StageEntry)
        {
            timer.Status = WorkflowTimerStatus.Cancelled;
            return false;
        }
        var state = definition.State(timer.State);
        var spec = state.Timers.First(t => t.Id == timer.TimerKey);
        var task = timer.TaskId is long id ? await work.Db.Set<InboxTask>().SingleOrDefaultAsync(t => t.Id == id, ct) : null;
        var system = new TransitionContext(definition, instance, Actor.System, TransitionReason.None, time, work);
        if (spec.Fire is not null)
        {
            var conditions = await ConditionContextAsync(work.Db, definition, instance, null, null, ct);
            var moved = await FireCoreAsync(system with { Reason = new TransitionReason(spec.Fire, $"Timer {spec.Id}", null) }, conditions,
                checkRoles: false, stayIfGuardsUnmet: true, ct);
            if (!moved) AddHistory(work.Db, instance, Actor.System, HistoryKinds.Timer, null, null, spec.Fire, $"Timer {spec.Id}: not applicable now");
        }
        if (spec.Email is not null)
        {
            await SendAsync(system, spec.Email, task, ct);
            AddHistory(work.Db, instance, Actor.System, HistoryKinds.Timer, null, null, null, $"Timer {spec.Id}: emailed {spec.Email.Template}", task?.Title);
        }
        if (spec.Task is not null)
        {
            await OpenTasksAsync(system, spec.Task, ct);
            AddHistory(work.Db, instance, Actor.System, HistoryKinds.Timer, null, null, null, $"Timer {spec.Id}: opened task {spec.Task.Title}");
        }
        Touch(work.Db, instance);
        return spec.Fire is not null || spec.Task is not null;
    }

    // ---- The core ------------------------------------------------------------------------

    /// <summary>
    /// Fires the context's trigger: the definition chooses the transition (each condition evaluated once),
    /// the actor's right to take it is checked, then the stage is left and the chosen one entered.
    /// </summary>
    private async Task<bool> FireCoreAsync(TransitionContext transition, ConditionContext conditions, bool checkRoles, bool stayIfGuardsUnmet, CancellationToken ct)
    {
        var (definition, instance, actor) = (transition.Definition, transition.Instance, transition.Actor);
        var trigger = transition.Reason.Trigger ?? throw new ArgumentException("A transition needs a trigger", nameof(transition));
        if (instance.CompletedAt is not null)
            throw new WorkflowConflictException("This workflow has finished; nothing more can happen to it");
        var choice = definition.Choose(instance.State, trigger, conditions);
        if (choice.Chosen is not { } chosen)
        {
            if (stayIfGuardsUnmet) return false;
            throw new WorkflowInvalidException(choice.TriggerKnown
                ? $"'{trigger}' is not possible now: {string.Join("; ", choice.Unmet)}"
                : $"'{trigger}' is not possible at the stage '{definition.State(instance.State).Title ?? instance.State}'", "trigger");
        }
        // A transition that names no roles is for task outcomes and timers only, never a direct action.
        if (checkRoles && !actor.IsSystem && !chosen.Roles.Any(actor.HasRole))
            throw new WorkflowForbiddenException(chosen.Roles.Count == 0
                ? $"'{trigger}' happens through a task or a timer, not directly"
                : $"Only {string.Join(" or ", chosen.Roles.Select(ARole))} can do this");

        // The subject's party acts only for their own organisation's cases.
        if (checkRoles && actor.HasRole(people.SubjectRole) && !chosen.Roles.Any(r => r != people.SubjectRole && actor.HasRole(r))
            && (actor.OrganisationId is null || actor.OrganisationId != instance.OrganisationId))
            throw new WorkflowForbiddenException($"You can only act on your own organisation's {Words.Subjects}");

        var from = instance.State;
        await LeaveAsync(transition.Db, instance, ct);
        AddHistory(transition.Db, instance, actor, HistoryKinds.Transition, from, chosen.To, trigger, transition.Reason.Comment);
        await EnterAsync(transition, chosen.To, ct);
        return true;
    }

    private static async Task LeaveAsync(DbContext db, WorkflowInstance instance, CancellationToken ct)
    {
        var entry = instance.StageEntry;
        // Tasks and timers this unit of work holds change in memory; the rest in one statement each. The
        // statements leave versions alone: a task saved later in this unit still matches its version, and
        // every racing change is caught on the instance's version.
        foreach (var t in db.ChangeTracker.Entries<InboxTask>().Select(e => e.Entity)
                     .Where(t => t.InstanceId == instance.Id && t.StageEntry == entry && t.Status == InboxTaskStatus.Open).ToList())
            t.Status = InboxTaskStatus.Cancelled;
        await db.Database.ExecuteSqlAsync($"""
            DELETE FROM "InboxTaskExclusions" WHERE NOT "Conflict" AND "TaskId" IN
                (SELECT "Id" FROM "InboxTasks" WHERE "InstanceId" = {instance.Id} AND "StageEntry" = {entry} AND "Status" = 'Open')
            """, ct);
        await db.Database.ExecuteSqlAsync($"""
            UPDATE "InboxTasks" SET "Status" = 'Cancelled' WHERE "InstanceId" = {instance.Id} AND "StageEntry" = {entry} AND "Status" = 'Open'
            """, ct);
        await CancelTimersAsync(db, instance, entry, null, ct);
    }

    /// <summary>Cancels the instance's pending timers of one stage visit, or of one task.</summary>
    private static async Task CancelTimersAsync(DbContext db, WorkflowInstance instance, int? stageEntry, long? taskId, CancellationToken ct)
    {
        foreach (var t in db.ChangeTracker.Entries<WorkflowTimer>().Select(e => e.Entity)
                     .Where(t => t.InstanceId == instance.Id && t.Status is WorkflowTimerStatus.Pending or WorkflowTimerStatus.Paused
                         && (stageEntry is null || t.StageEntry == stageEntry) && (taskId is null || t.TaskId == taskId)).ToList())
            t.Status = WorkflowTimerStatus.Cancelled;
        if (stageEntry is int entry)
            await db.Database.ExecuteSqlAsync($"""
                UPDATE "WorkflowTimers" SET "Status" = 'Cancelled' WHERE "InstanceId" = {instance.Id} AND "StageEntry" = {entry} AND "Status" IN ('Pending', 'Paused')
                """, ct);
        else
            await db.Database.ExecuteSqlAsync($"""
                UPDATE "WorkflowTimers" SET "Status" = 'Cancelled' WHERE "InstanceId" = {instance.Id} AND "TaskId" = {taskId} AND "Status" IN ('Pending', 'Paused')
                """, ct);
    }

    /// <summary>Enters a stage: its tasks, its handlers (given the context, and a way to start other workflows in it), its emails and timers.</summary>
    private async Task EnterAsync(TransitionContext transition, string stateName, CancellationToken ct)
    {
        var (definition, instance, db) = (transition.Definition, transition.Instance, transition.Db);
        var state = definition.State(stateName);
        var now = Now;
        instance.State = stateName;
        instance.StageEntry++;
        instance.StageEnteredAt = now;
        if (state.Final) instance.CompletedAt = now;
        Touch(db, instance);

        var tasks = new List<InboxTask>();
        foreach (var spec in state.Tasks) tasks.AddRange(await OpenTasksAsync(transition, spec, ct));
        if (state.Handlers.Count > 0)
        {
            // Another workflow started by a step is started by the system, in this unit of work, and saved as a start on its own would be.
            var handlerContext = new StateHandlerContext(transition, async (id, subject, comment, token) =>
            {
                var started = await StartCoreAsync(transition.Work, id, subject, Actor.System, comment, token);
                await SaveAsync(transition.Db, token);
                return started;
            }) { Cases = new CaseChanges(this, transition.Work) };
            foreach (var name in state.Handlers)
                await (_handlers.GetValueOrDefault(name) ?? throw new InvalidOperationException($"No handler '{name}' is registered"))
                    .OnEnterAsync(handlerContext, ct);
        }
        foreach (var email in state.Emails)
            if (!email.Once || await FirstEntryAsync(db, instance, stateName, ct)) await SendAsync(transition, email, null, ct);
        var planned = new List<MissedTimers.Planned>();
        foreach (var spec in state.Timers)
        {
            var offset = WorkflowDuration.Parse(spec.Offset);
            if (spec.From == "taskDue")
            {
                foreach (var task in tasks.Where(t => t.DueAt is not null))
                    planned.Add(new(spec, offset.AddTo(task.DueAt!.Value), task));
            }
            else if (Anchor(instance, spec.From) is DateTime anchor)
                planned.Add(new(spec, offset.AddTo(anchor), null));
            else
                logger.LogWarning("Workflow {Instance}: timer {Timer} not set: field {Field} has no date", instance.Id, spec.Id, spec.From);
        }
        var skip = MissedTimers.ToSkip(planned, now, state.Emails.Select(e => e.To));
        foreach (var p in planned) Schedule(db, instance, p, skip.Contains(p));
    }

    /// <summary>Whether the instance is entering this stage for the first time (an email marked "once" goes only then).</summary>
    private static async Task<bool> FirstEntryAsync(DbContext db, WorkflowInstance instance, string state, CancellationToken ct)
    {
        var pending = db.ChangeTracker.Entries<WorkflowHistoryEntry>()
            .Count(e => e.State == EntityState.Added && e.Entity.InstanceId == instance.Id && e.Entity.ToState == state && e.Entity.Kind is HistoryKinds.Started or HistoryKinds.Transition);
        var saved = await db.Set<WorkflowHistoryEntry>()
            .CountAsync(h => h.InstanceId == instance.Id && h.ToState == state && (h.Kind == HistoryKinds.Started || h.Kind == HistoryKinds.Transition), ct);
        return pending + saved <= 1;
    }

    private void Schedule(DbContext db, WorkflowInstance instance, MissedTimers.Planned timer, bool skipped)
    {
        // A timer whose moment has already passed fires at once rather than never, unless MissedTimers skips it.
        var runAt = timer.DueAt < instance.StageEnteredAt ? instance.StageEnteredAt : timer.DueAt;
        db.Add(new WorkflowTimer
        {
            InstanceId = instance.Id, State = instance.State, StageEntry = instance.StageEntry, TimerKey = timer.Spec.Id,
            Task = timer.Task, DueAt = timer.DueAt, RunAt = runAt,
            // A paused case's new timers wait for it to be resumed, like the rest.
            Status = skipped ? WorkflowTimerStatus.Skipped : instance.PausedAt is null ? WorkflowTimerStatus.Pending : WorkflowTimerStatus.Paused,
        });
        if (skipped)
            AddHistory(db, instance, Actor.System, HistoryKinds.Timer, null, null, null,
                string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"Timer {timer.Spec.Id}: skipped, its moment ({timer.DueAt:d MMMM yyyy HH:mm} UTC) had passed when this stage began"), timer.Task?.Title);
    }

    private static DateTime? Anchor(WorkflowInstance instance, string from)
    {
        if (from == "entered") return instance.StageEnteredAt;
        return SubjectData.Moment(instance.Data, from);
    }

    /// <param name="emails">Whether to send the task's emails (a migration opens tasks without telling anyone).</param>
    private async Task<List<InboxTask>> OpenTasksAsync(TransitionContext transition, TaskDefinition spec, CancellationToken ct, bool emails = true)
    {
        var (instance, db) = (transition.Instance, transition.Db);
        DateTime? due = spec.Due is null ? null
            : Anchor(instance, spec.DueFrom) is DateTime anchor ? WorkflowDuration.Parse(spec.Due).AddTo(anchor) : null;
        // Whoever declared a conflict on this case earlier stays barred from it.
        var excluded = spec.RequiresConflictDeclaration
            ? await (from x in db.Set<InboxTaskExclusion>()
                     join t in db.Set<InboxTask>() on x.TaskId equals t.Id
                     where t.InstanceId == instance.Id && x.Conflict
                     select x.UserId).Distinct().ToListAsync(ct)
            : [];
        // A copy opened later (by a timer) is barred to whoever holds or did the copies already open at this stage.
        var holding = (await db.Set<InboxTask>().Where(t => t.InstanceId == instance.Id && t.StageEntry == instance.StageEntry && t.TaskKey == spec.Id
                && (t.AssigneeId != null || t.CompletedById != null))
            .Select(t => new { t.AssigneeId, t.CompletedById }).ToListAsync(ct))
            .SelectMany(t => new[] { t.AssigneeId, t.CompletedById }).OfType<string>().Except(excluded).Distinct().ToList();
        var opened = new List<InboxTask>();
        for (var i = 0; i < spec.Count; i++)
        {
            var task = new InboxTask
            {
                InstanceId = instance.Id, Instance = instance, State = instance.State, StageEntry = instance.StageEntry,
                TaskKey = spec.Id, Title = spec.Title, Role = spec.Role, Outcomes = string.Join('|', spec.Outcomes),
                Form = spec.Form, RequiresConflictDeclaration = spec.RequiresConflictDeclaration,
                Exclusions = [.. excluded.Select(u => new InboxTaskExclusion { UserId = u, Conflict = true }), .. holding.Select(u => new InboxTaskExclusion { UserId = u })],
                Status = InboxTaskStatus.Open, CreatedAt = Now, DueAt = due, Version = 1,
            };
            db.Add(task);
            opened.Add(task);
        }
        // One email per task definition, not per copy: the role hears once that there is work.
        if (emails) foreach (var email in spec.Emails) await SendAsync(transition, email, opened[0], ct);
        return opened;
    }

    private async Task SendAsync(TransitionContext transition, EmailDefinition email, InboxTask? task, CancellationToken ct)
    {
        var (definition, instance, because) = (transition.Definition, transition.Instance, transition.Reason);
        var recipients = await RecipientsAsync(transition, email.To, task, ct);
        if (recipients.Count == 0)
        {
            logger.LogWarning("Workflow {Instance}: nobody to send {Template} to ({To})", instance.Id, email.Template, email.To);
            return;
        }
        var model = TemplateModel(definition, instance, task);
        model["trigger"] = because.Trigger;
        // The subject's party reads only what was meant for them; staff also get the note for the file.
        var toParty = email.To == "applicant" || email.To == "role:" + people.SubjectRole || (email.To == "assignee" && task?.Role == people.SubjectRole);
        model["message"] = because.Message;
        model["comment"] = toParty ? because.Message : because.Comment;
        foreach (var to in recipients)
            outbox.Add(transition.Db, email.Template, to, model, instance.SubjectType, instance.SubjectId);
    }

    /// <summary>Who an email goes to: "applicant" (the subject's contact), "assignee", "role:NAME" (through the host) or "email:ADDRESS".</summary>
    private async Task<IReadOnlyList<EmailRecipient>> RecipientsAsync(TransitionContext transition, string to, InboxTask? task, CancellationToken ct)
    {
        var instance = transition.Instance;
        if (to == "applicant")
            return instance.ContactEmail is null ? [] : [new EmailRecipient(instance.ContactEmail, instance.ContactName)];
        if (to.StartsWith("email:", StringComparison.Ordinal)) return [new EmailRecipient(to[6..], null)];
        if (to == "assignee")
        {
            if (task is null) return [];
            if (task.Role == people.SubjectRole) return await RecipientsAsync(transition, "applicant", null, ct);
            if (task.AssigneeId is not null)
                return await people.FindAsync(task.AssigneeId, ct) is { } person ? [new EmailRecipient(person.Email, person.Name)] : [];
            to = "role:" + task.Role;
        }
        var role = to[5..];
        if (role == people.SubjectRole) return await RecipientsAsync(transition, "applicant", null, ct);
        return await transition.Work.RoleHoldersAsync(role, people, ct);
    }

    /// <summary>What a case's emails are rendered with: its data, reference, stage and, for a task's email, the task.</summary>
    public Dictionary<string, object?> TemplateModel(WorkflowDefinition definition, WorkflowInstance instance, InboxTask? task)
    {
        var model = new Dictionary<string, object?>(StringComparer.Ordinal);
        var data = instance.Fields();
        foreach (var (k, v) in data)
            model[k] = v.ValueKind switch
            {
                JsonValueKind.Number => v.GetDecimal(),
                JsonValueKind.String => v.TryGetDateTime(out var d) && definition.Fields.GetValueOrDefault(k)?.Type == "date" ? d : v.GetString(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => v.ToString(),
            };
        var state = definition.State(instance.State);
        model["reference"] = instance.SubjectReference;
        model["path"] = instance.SubjectPath;
        model["workflow"] = definition.Name;
        model["stage"] = state.Title ?? instance.State;
        model["status"] = state.Status;
        if (task is not null)
            model["task"] = new Dictionary<string, object?>
            {
                ["title"] = task.Title, ["due_at"] = task.DueAt, ["outcomes"] = task.OutcomeList, ["role"] = people.DescribeRole(task.Role),
            };
        return model;
    }

    // ---- Plumbing ------------------------------------------------------------------------

    private static async Task<ConditionContext> ConditionContextAsync(DbContext db, WorkflowDefinition definition, WorkflowInstance instance, InboxTask? completing, string? outcome, CancellationToken ct)
    {
        var fields = instance.Fields();
        // Only a stage whose transitions have conditions needs to know about its tasks.
        if (!definition.State(instance.State).Transitions.Any(t => t.When is not null))
            return new ConditionContext { Fields = fields, Outcome = outcome };
        // A task set aside counts neither as open nor as an outcome.
        var stage = await db.Set<InboxTask>().Where(t => t.InstanceId == instance.Id && t.StageEntry == instance.StageEntry
                && (t.Status == InboxTaskStatus.Open || t.Status == InboxTaskStatus.Completed))
            .Select(t => new { t.Id, t.Status, t.Outcome }).ToListAsync(ct);
        var completed = stage.Where(t => t.Status == InboxTaskStatus.Completed && t.Id != completing?.Id).Select(t => t.Outcome!).ToList();
        if (completing is not null) completed.Add(outcome!);
        var open = stage.Count(t => t.Status == InboxTaskStatus.Open && t.Id != completing?.Id);
        return new ConditionContext { Fields = fields, CompletedOutcomes = completed, OpenTasks = open, Outcome = outcome };
    }

    // Compiled once per model (a compiled query belongs to one): the instance is read at the start of every change.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Microsoft.EntityFrameworkCore.Metadata.IModel,
        Func<DbContext, Guid, CancellationToken, Task<WorkflowInstance?>>> InstanceById = new();

    private static async Task<WorkflowInstance> LoadInstanceAsync(DbContext db, Guid id, CancellationToken ct)
    {
        var query = InstanceById.GetValue(db.Model, _ =>
            EF.CompileAsyncQuery((DbContext c, Guid key, CancellationToken _) => c.Set<WorkflowInstance>().SingleOrDefault(i => i.Id == key)));
        return await query(db, id, ct) ?? throw new WorkflowNotFoundException("No such workflow instance");
    }

    /// <summary>The task if it is still open; one the actor may not see is not found, whatever its state (ids are sequential).</summary>
    private async Task<InboxTask> LoadOpenTaskAsync(DbContext db, long id, Actor actor, CancellationToken ct)
    {
        var task = await db.Set<InboxTask>().Include(t => t.Instance).WithConflicts().SingleOrDefaultAsync(t => t.Id == id, ct);
        if (task is null || !MaySee(task, actor)) throw new WorkflowNotFoundException("No such task");
        return task.Status switch
        {
            InboxTaskStatus.Completed => throw new WorkflowConflictException(
                $"This task was already completed by {task.CompletedByName} on {Configuration.UkTime.DateAndTime(task.CompletedAt!.Value)} ({WorkflowText.Outcome(task.Outcome ?? "")})"),
            InboxTaskStatus.SetAside => throw new WorkflowConflictException(
                $"This task was set aside by {task.CompletedByName} on {Configuration.UkTime.DateAndTime(task.CompletedAt!.Value)}: {task.Comment}"),
            InboxTaskStatus.Cancelled => throw new WorkflowConflictException($"This task is closed: the {Words.Subject} has moved on to another stage"),
            _ => task,
        };
    }

    private void Touch(DbContext db, WorkflowInstance instance)
    {
        var entry = db.Entry(instance);
        if (entry.State == EntityState.Added) return;
        // Bump once per unit of work: the concurrency check compares with the version we read.
        if (entry.Property(i => i.Version).IsModified) return;
        instance.Version++;
        instance.UpdatedAt = Now;
    }

    private void AddHistory(DbContext db, WorkflowInstance instance, Actor actor, string kind, string? from, string? to, string? trigger, string? comment, string? about = null) =>
        db.Add(new WorkflowHistoryEntry
        {
            InstanceId = instance.Id, At = Now, ActorId = actor.UserId, ActorName = actor.Name, Kind = kind,
            FromState = from, ToState = to, Trigger = trigger, Comment = about is null ? comment : comment is null ? about : $"{about}: {comment}",
        });

    /// <summary>Runs one call's work in its own unit of work and transaction, or inside the caller's transaction when one is open.</summary>
    private async Task<T> InTransactionAsync<T>(Func<WorkflowUnitOfWork, Task<T>> work, CancellationToken ct)
    {
        var unit = new WorkflowUnitOfWork(db);
        if (db.Database.CurrentTransaction is not null)
        {
            var inner = await work(unit);
            await SaveAsync(db, ct);
            return inner;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // A failure rolls back the whole transaction, so per-save savepoints would be wasted statements.
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            var result = await work(unit);
            await SaveAsync(db, ct);
            await tx.CommitAsync(ct);
            return result;
        }
        catch
        {
            // Nothing of a failed change may linger in this unit of work either.
            db.ChangeTracker.Clear();
            throw;
        }
    }

    private static async Task SaveAsync(DbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new WorkflowConflictException("Someone else changed this at the same moment. Reload to see what they did.");
        }
    }
}
