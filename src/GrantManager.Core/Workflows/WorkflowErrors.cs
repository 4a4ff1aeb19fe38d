namespace GrantManager.Core.Workflows;

// The runtime's refusals are the service's neutral ones (Core/Errors.cs), named for where they arise.

/// <summary>Someone else got there first: the task was completed or the instance moved on (409).</summary>
public sealed class WorkflowConflictException(string message) : ConflictException(message);

/// <summary>The actor may not do this (403).</summary>
public sealed class WorkflowForbiddenException(string message) : ForbiddenException(message);

/// <summary>No such instance or task (404).</summary>
public sealed class WorkflowNotFoundException(string message) : NotFoundException(message);

/// <summary>The request does not fit the workflow, e.g. an outcome the task does not offer (400).</summary>
public sealed class WorkflowInvalidException(string message, string? field = null) : RefusedException(message, 400)
{
    public string? Field { get; } = field;
}
