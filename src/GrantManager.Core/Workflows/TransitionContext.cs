using GrantManager.Core.Email;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Workflows;

/// <summary>
/// Why a stage is being entered: the trigger and the note for the file that caused it, and what the
/// subject's party may read about it (the decider's message to them, or their own words). Emails to the
/// party get the message as both message and comment, never the note for the file.
/// </summary>
public sealed record TransitionReason(string? Trigger, string? Comment, string? Message)
{
    /// <summary>A start, a timer's email or a task opened by a timer: no trigger, note or message.</summary>
    public static readonly TransitionReason None = new(null, null, null);
}

/// <summary>
/// One runtime call's database work: the unit of work every row of the change is added to, and what it
/// has looked up once for all its emails (the holders of a role). Made when the call starts, dropped when it ends.
/// </summary>
public sealed class WorkflowUnitOfWork(DbContext db)
{
    private readonly Dictionary<string, IReadOnlyList<EmailRecipient>> _roleHolders = new(StringComparer.Ordinal);

    public DbContext Db => db;

    public async Task<IReadOnlyList<EmailRecipient>> RoleHoldersAsync(string role, IWorkflowParticipants people, CancellationToken ct)
    {
        if (!_roleHolders.TryGetValue(role, out var list))
            _roleHolders[role] = list = await people.RoleHoldersAsync(role, ct);
        return list;
    }
}

/// <summary>
/// The change being made to one instance, handed down every call that makes it: the definition version and
/// instance, who acts, why, the clock and the unit of work. Immutable: a nested change (a handler starting
/// another workflow) gets its own context, so nothing needs saving and restoring around it.
/// </summary>
public sealed record TransitionContext(WorkflowDefinition Definition, WorkflowInstance Instance, Actor Actor, TransitionReason Reason,
    TimeProvider Clock, WorkflowUnitOfWork Work)
{
    public DbContext Db => Work.Db;
    public DateTime Now => Clock.GetUtcNow().UtcDateTime;
}
