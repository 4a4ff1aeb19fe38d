using GrantManager.Core.Workflows;
using Microsoft.AspNetCore.Diagnostics;

namespace GrantManager.Web.Api;

/// <summary>
/// Turns a workflow refusal anywhere in the API into problem details with its status: 409 when
/// someone else got there first, 403 when the caller may not, 404, or 400 naming the field.
/// </summary>
internal sealed class WorkflowProblems(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is not WorkflowException e) return false;
        context.Response.StatusCode = e.Status;
        var details = new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = e.Status,
            Title = e.Status switch { 409 => "Conflict", 403 => "Forbidden", 404 => "Not found", _ => "This cannot be done" },
            Detail = e.Message,
        };
        if (e is WorkflowInvalidException { Field: { } field })
            details.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [e.Message] };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = details, Exception = exception });
    }
}
