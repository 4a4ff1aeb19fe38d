using GrantManager.Core.Workflows;
using Microsoft.AspNetCore.Diagnostics;
using GrantManager.Core;

namespace GrantManager.Web.Api;

/// <summary>
/// The one place the API answers a refusal (<see cref="Core.RefusedException"/>: not found, forbidden,
/// conflict, from the workflow runtime or any other service) with problem details and its status:
/// 409 when someone else got there first, 403 when the caller may not, 404, or 400 naming the field.
/// </summary>
internal sealed class WorkflowProblems(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is Core.InputException input)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context, Exception = exception,
                ProblemDetails = new Microsoft.AspNetCore.Mvc.ValidationProblemDetails(input.Errors) { Status = 400, Title = "Some answers need correcting" },
            });
        }
        if (exception is BadHttpRequestException bad)
        {
            // Unreadable JSON: name the field the parser stopped at.
            var json = bad.InnerException as System.Text.Json.JsonException;
            var name = json?.Path?.TrimStart('$', '.') is { Length: > 0 } p ? System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p) : "body";
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context, Exception = exception,
                ProblemDetails = new Microsoft.AspNetCore.Mvc.ValidationProblemDetails(new Dictionary<string, string[]>
                {
                    [name] = [json is null ? "The request body is missing or is not JSON" : $"'{name}' is not in the expected form"],
                }) { Status = 400, Title = "The request could not be read" },
            });
        }
        if (exception is Account.TooManyAttemptsException many)
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = many.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context, Exception = exception,
                ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = 429, Title = "Too many requests", Detail = many.Message },
            });
        }
        if (exception is not RefusedException e) return false;
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
