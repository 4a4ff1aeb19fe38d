using Microsoft.EntityFrameworkCore;

namespace GrantManager.Core.Workflows;

/// <summary>
/// A step of the host's own code that a state names in "handlers", run when the state is entered,
/// inside the transition's transaction: what it writes commits with the transition or not at all.
/// </summary>
public interface IStateHandler
{
    string Name { get; }
    Task OnEnterAsync(StateHandlerContext context, CancellationToken ct);
}

/// <summary>Starts another workflow inside the transition being made (its own emails, the same transaction), as the system.</summary>
public delegate Task<WorkflowInstance> StartWorkflow(string definitionId, WorkflowSubject subject, string? comment, CancellationToken ct);

/// <summary>
/// What a handler works with, all from the transition being made: the unit of work, the instance entering
/// the state (and its definition), who caused it, the time, and a way to start another workflow in the same
/// transaction. It is not the runtime: a handler cannot fire triggers or reach other instances through it.
/// </summary>
public sealed class StateHandlerContext(TransitionContext transition, StartWorkflow start)
{
    /// <summary>The transition's unit of work; the host's own context (<c>(GrantDbContext)Db</c> or <c>Db.Set&lt;T&gt;()</c>).</summary>
    public DbContext Db => transition.Db;
    public WorkflowInstance Instance => transition.Instance;
    /// <summary>The definition version the instance runs on.</summary>
    public WorkflowDefinition Definition => transition.Definition;
    /// <summary>The state being entered.</summary>
    public StateDefinition State => transition.Definition.State(transition.Instance.State);
    public Actor Actor => transition.Actor;
    public DateTime Now => transition.Now;

    public Task<WorkflowInstance> StartWorkflowAsync(string definitionId, WorkflowSubject subject, string? comment, CancellationToken ct) =>
        start(definitionId, subject, comment, ct);

    /// <summary>Re-times or ends another case in this transaction, as the system (a varied grant's returns).</summary>
    public ICaseChanges Cases { get; init; } = null!;
}
