namespace GrantManager.Core.Workflows;

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
