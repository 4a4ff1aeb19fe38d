using GrantManager.Core.Data;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GrantManager.Web.Hosting;

/// <summary>
/// An API call that fails because the database will not write (locked past the command timeout, a
/// read-only file) answers 503 with Retry-After and problem details, not a bare 500. Pages get the
/// same status from the error page (<see cref="Pages.ErrorModel"/>).
/// </summary>
internal sealed class DatabaseUnavailableProblems(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (!DatabaseWrites.IsUnavailable(exception) || !context.Request.Path.StartsWithSegments("/api")) return false;
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = DatabaseWrites.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context, Exception = exception,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = 503, Title = "The service cannot save changes just now",
                Detail = $"Nothing was changed. Try again in {DatabaseWrites.RetryAfterSeconds} seconds.",
            },
        });
    }
}

/// <summary>/health is unhealthy (503) while this node cannot write to its database, so a load balancer takes it out.</summary>
internal sealed class DatabaseWriteHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var problem = await DatabaseWrites.ProbeAsync(scope.ServiceProvider.GetRequiredService<GrantDbContext>(), timeoutSeconds: 2, ct);
        return problem is null ? HealthCheckResult.Healthy("The database takes writes") : HealthCheckResult.Unhealthy($"The database will not write: {problem}");
    }
}
