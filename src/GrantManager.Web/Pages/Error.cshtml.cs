using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages;

[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public int Code { get; private set; }
    public string Title => Code switch
    {
        404 => "Page not found",
        403 => "You do not have permission to see this page",
        400 => "Sorry, we could not understand that request",
        429 => "Too many attempts",
        503 => "Sorry, the service cannot save changes just now",
        _ => "Sorry, there is a problem with the service",
    };

    public void OnGet(int? code) => Handle(code);
    public void OnPost(int? code) => Handle(code);

    private void Handle(int? code)
    {
        // Only a real error or status shows here; typing /Error/500 or /Error/999 is just a page that does not exist.
        var reExecuted = HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is not null;
        var failure = HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Error;
        Code = failure is not null ? (Core.Data.DatabaseWrites.IsUnavailable(failure) ? 503 : 500)
            : reExecuted && code is >= 400 and <= 599 ? code.Value : 404;
        Response.StatusCode = Code;
        if (Code == 503) Response.Headers.RetryAfter = Core.Data.DatabaseWrites.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
