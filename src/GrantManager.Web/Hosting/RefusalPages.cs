using GrantManager.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace GrantManager.Web.Hosting;

/// <summary>
/// The one place a page answers a refusal it does not handle itself: not found is the 404 page and
/// forbidden the 403, as the API answers them (<see cref="Api.WorkflowProblems"/>). A page that can
/// say more (a conflict's message beside the form) still catches the refusal where it happens.
/// </summary>
public sealed class RefusalPages : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var executed = await next();
        if (executed.ExceptionHandled) return;
        IActionResult? result = executed.Exception switch
        {
            NotFoundException => new NotFoundResult(),
            ForbiddenException => new ForbidResult(),
            _ => null,
        };
        if (result is null) return;
        executed.Result = result;
        executed.ExceptionHandled = true;
    }
}
