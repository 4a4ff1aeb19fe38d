using Microsoft.AspNetCore.Mvc.Filters;

namespace GrantManager.Web.Forms;

/// <summary>
/// In tests, refuses a form post carrying a field that nothing on the page binds
/// (a page that renders <c>Input.OrganisationType</c> to a model that binds <c>Input.Type</c> would
/// otherwise drop the answer without a word). In Development it logs the problem instead, so someone
/// trying the service never meets an error page for it. Production never runs it.
/// </summary>
public sealed class UnboundFieldsFilter(bool refuse, ILogger<UnboundFieldsFilter>? logger = null) : IAsyncPageFilter
{
    private static readonly HashSet<string> Framework = new(StringComparer.OrdinalIgnoreCase) { "__RequestVerificationToken", "handler" };

    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var request = context.HttpContext.Request;
        // An error page shown in place of the page posted to (a refused token, an exception) binds nothing, rightly.
        var reExecuted = context.HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is not null
            || context.HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerPathFeature>() is not null;
        if (!reExecuted && HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            // A field left empty loses nothing (and a browser posts an empty file input as an empty field); one with a value must be bound.
            var unbound = form.Keys.Where(k => !Framework.Contains(k) && !context.ModelState.ContainsKey(k) && !(context.HandlerInstance is IReadsOwnFields own && own.Reads(k)) && form[k].Any(v => !string.IsNullOrEmpty(v))).ToList();
            if (unbound.Count > 0)
            {
                var problem = $"The form posted to {request.Path} has fields that nothing binds: {string.Join(", ", unbound)}. Rename the field or bind it.";
                if (refuse) throw new InvalidOperationException(problem);
                logger?.LogError("{Problem}", problem);
            }
        }
        await next();
    }
}

/// <summary>A page that reads some posted fields itself, not through model binding (the workflow editor's fields named by JSON path).</summary>
public interface IReadsOwnFields
{
    bool Reads(string field);
}

/// <summary>The Development form of the check: logs, never refuses.</summary>
public sealed class DevelopmentUnboundFieldsFilter(ILogger<UnboundFieldsFilter> logger) : IAsyncPageFilter
{
    private readonly UnboundFieldsFilter _check = new(refuse: false, logger);
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => _check.OnPageHandlerSelectionAsync(context);
    public Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next) => _check.OnPageHandlerExecutionAsync(context, next);
}
