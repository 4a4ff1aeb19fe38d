namespace GrantManager.Core.Workflows;

/// <summary>Who is acting: a signed-in person with their roles, or the system (timers).</summary>
public sealed record Actor(string? UserId, string Name, IReadOnlySet<string> Roles, int? OrganisationId = null)
{
    public static readonly Actor System = new(null, "System", new HashSet<string>());
    public bool IsSystem => UserId is null;
    public bool HasRole(string role) => Roles.Contains(role);
}

/// <summary>A workflow request that cannot be carried out; the status says how an API should answer.</summary>
public class WorkflowException(string message, int status) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>Someone else got there first: the task was completed or the instance moved on (409).</summary>
public sealed class WorkflowConflictException(string message) : WorkflowException(message, 409);

/// <summary>The actor may not do this (403).</summary>
public sealed class WorkflowForbiddenException(string message) : WorkflowException(message, 403);

public sealed class WorkflowNotFoundException(string message) : WorkflowException(message, 404);

/// <summary>The request does not fit the workflow, e.g. an outcome the task does not offer (400).</summary>
public sealed class WorkflowInvalidException(string message, string? field = null) : WorkflowException(message, 400)
{
    public string? Field { get; } = field;
}

/// <summary>
/// A step of the application's own code that a state names in "handlers", run when the state is
/// entered, inside the transition's transaction: what it writes commits with the transition or not at all.
/// </summary>
public interface IStateHandler
{
    string Name { get; }
    Task OnEnterAsync(StateHandlerContext context, CancellationToken ct);
}

/// <summary>What a handler works with: the unit of work, the instance entering the state, and the runtime (to start other workflows in the same transaction).</summary>
public sealed record StateHandlerContext(Data.GrantDbContext Db, WorkflowInstance Instance, WorkflowRuntime Runtime, Actor Actor);
