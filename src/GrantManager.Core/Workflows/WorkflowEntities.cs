namespace GrantManager.Core.Workflows;

/// <summary>One run of a workflow definition for one subject (an application, a grant's return).</summary>
public sealed class WorkflowInstance
{
    public Guid Id { get; set; }
    public string DefinitionId { get; set; } = "";
    /// <summary>The definition version it started on; it stays on it to the end.</summary>
    public int DefinitionVersion { get; set; }
    public string SubjectType { get; set; } = "";
    public string SubjectId { get; set; } = "";
    /// <summary>How people know the subject, e.g. LWK-2027-0001.</summary>
    public string? SubjectReference { get; set; }
    /// <summary>Where the subject's page is, relative to the site, for links in emails.</summary>
    public string? SubjectPath { get; set; }
    /// <summary>The organisation whose applicants act in this workflow (its Applicant tasks and emails).</summary>
    public int? OrganisationId { get; set; }
    public string? ContactEmail { get; set; }
    public string? ContactName { get; set; }
    /// <summary>The case the subject belongs to (an application, for its returns and payments too): what work lists filter by.</summary>
    public int? CaseId { get; set; }
    public string State { get; set; } = "";
    /// <summary>Counts the stages entered, so tasks and timers belong to one visit of a stage.</summary>
    public int StageEntry { get; set; }
    public DateTime StageEnteredAt { get; set; }
    /// <summary>The subject's fields as JSON, for conditions, timers and emails.</summary>
    public string Data { get; set; } = "{}";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    /// <summary>Set while an administrator has paused the case's timers: none of them fires until it is resumed.</summary>
    public DateTime? PausedAt { get; set; }
    /// <summary>Optimistic concurrency: bumped by every change, so a racing change fails instead of overwriting.</summary>
    public int Version { get; set; }
}

/// <summary>The journal: every stage change and task outcome, with who, when and why.</summary>
public sealed class WorkflowHistoryEntry
{
    public long Id { get; set; }
    public Guid InstanceId { get; set; }
    public DateTime At { get; set; }
    public string? ActorId { get; set; }
    public string ActorName { get; set; } = "";
    public string Kind { get; set; } = "";
    public string? FromState { get; set; }
    public string? ToState { get; set; }
    public string? Trigger { get; set; }
    public string? Comment { get; set; }
}

public static class HistoryKinds
{
    public const string Started = "started";
    public const string Transition = "transition";
    public const string TaskCompleted = "task-completed";
    public const string TaskClaimed = "task-claimed";
    public const string TaskReleased = "task-released";
    public const string TaskAssigned = "task-assigned";
    /// <summary>A grant officer set a task aside that nobody could take, with the reason.</summary>
    public const string TaskOverridden = "task-overridden";
    public const string ConflictDeclared = "conflict-declared";
    public const string Timer = "timer";
    /// <summary>An administrator paused or resumed the case's timers, rescheduled or cancelled one, moved the case or migrated it to another version.</summary>
    public const string Paused = "paused";
    public const string Resumed = "resumed";
    public const string TimerChanged = "timer-changed";
    public const string Moved = "moved";
    public const string Migrated = "migrated";
    /// <summary>The case was stopped before it finished (its grant ended early): its tasks and timers closed, with the reason.</summary>
    public const string Stopped = "stopped";
    /// <summary>The case was ended where it stood, its subject no longer needed (a return dropped when its grant was varied).</summary>
    public const string Ended = "ended";
}

/// <summary>Work waiting for a role, a person or the applicant, shown in the workflow inbox.</summary>
public sealed class InboxTask
{
    public long Id { get; set; }
    public Guid InstanceId { get; set; }
    public WorkflowInstance? Instance { get; set; }
    public string State { get; set; } = "";
    public int StageEntry { get; set; }
    /// <summary>The task's id in the definition.</summary>
    public string TaskKey { get; set; } = "";
    public string Title { get; set; } = "";
    public string Role { get; set; } = "";
    /// <summary>Allowed outcomes, separated by '|'.</summary>
    public string Outcomes { get; set; } = "";
    public string? Form { get; set; }
    public bool RequiresConflictDeclaration { get; set; }
    public string? AssigneeId { get; set; }
    public string? AssigneeName { get; set; }
    /// <summary>The people who may not take it: they declared a conflict of interest, or hold or did another copy of it.</summary>
    public List<InboxTaskExclusion> Exclusions { get; set; } = [];
    public bool ConflictDeclared { get; set; }
    public InboxTaskStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DueAt { get; set; }
    public string? Outcome { get; set; }
    public string? Comment { get; set; }
    /// <summary>What the task's form recorded (scores and the like), as JSON.</summary>
    public string? Data { get; set; }
    public string? CompletedById { get; set; }
    public string? CompletedByName { get; set; }
    public DateTime? CompletedAt { get; set; }
    public int Version { get; set; }

    public IReadOnlyList<string> OutcomeList => Outcomes.Split('|', StringSplitOptions.RemoveEmptyEntries);
    /// <summary>Whether the person declared a conflict of interest that bars them from it (read with <see cref="InboxTaskQueries.WithConflicts"/>).</summary>
    public bool IsExcluded(string userId) => Exclusions.Any(x => x.Conflict && x.UserId == userId);
}

/// <summary>
/// Someone who may not take a task. A declared conflict of interest is kept for good (the case's later tasks inherit it);
/// a row for another copy the person holds or did is kept while the task is open, so that "nobody may take it" is a count
/// of the task's rows against the role's holders rather than a look at every copy.
/// </summary>
public sealed class InboxTaskExclusion
{
    public long TaskId { get; set; }
    public string UserId { get; set; } = "";
    /// <summary>They declared a conflict of interest on the case (otherwise: they hold or did another copy of the task).</summary>
    public bool Conflict { get; set; }
}

public static class InboxTaskQueries
{
    /// <summary>The tasks with their declared conflicts, which <see cref="InboxTask.IsExcluded"/> and the runtime's checks of who may work on a task read.</summary>
    public static IQueryable<InboxTask> WithConflicts(this IQueryable<InboxTask> tasks) =>
        Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.Include(tasks, t => t.Exclusions.Where(x => x.Conflict));
}

/// <summary>SetAside: a grant officer went ahead without it (nobody could take it), with the reason in Comment.</summary>
public enum InboxTaskStatus { Open, Completed, Cancelled, SetAside }

/// <summary>A durable timer: a reminder, an escalation or a deadline, written with the change that set it.</summary>
public sealed class WorkflowTimer
{
    public long Id { get; set; }
    public Guid InstanceId { get; set; }
    public string State { get; set; } = "";
    public int StageEntry { get; set; }
    public string TimerKey { get; set; } = "";
    /// <summary>Set for timers that belong to one task (offsets from its due date).</summary>
    public long? TaskId { get; set; }
    public InboxTask? Task { get; set; }
    public DateTime DueAt { get; set; }
    /// <summary>When it may next be tried: the due time, later after a failure.</summary>
    public DateTime RunAt { get; set; }
    public WorkflowTimerStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime? LeaseUntil { get; set; }
    public Guid? LeaseOwner { get; set; }
    public DateTime? FiredAt { get; set; }
    public string? LastError { get; set; }
}

/// <summary>
/// Skipped: its moment had long passed when its stage began, so it was recorded and never fired (see <see cref="MissedTimers"/>).
/// Paused: its case's timers are paused; resuming makes it pending again.
/// </summary>
public enum WorkflowTimerStatus { Pending, Done, Cancelled, Failed, Skipped, Paused }

/// <summary>A timer that kept failing, for an administrator to see and retry.</summary>
public sealed class WorkflowIncident
{
    public long Id { get; set; }
    public long TimerId { get; set; }
    public Guid InstanceId { get; set; }
    public string Description { get; set; } = "";
    public string Error { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? ResolvedAt { get; set; }
    public string? ResolvedBy { get; set; }
}
