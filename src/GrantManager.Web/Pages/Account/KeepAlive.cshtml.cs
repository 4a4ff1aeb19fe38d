using GrantManager.Core.Configuration;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace GrantManager.Web.Pages.Account;

/// <summary>
/// "Stay signed in" from the timeout warning: a signed-in post here starts the idle time again
/// (the sign-in cookie is renewed on every signed-in request) and says how long it now lasts.
/// </summary>
[Authorize]
public sealed class KeepAliveModel(IOptions<SessionTimeoutOptions> session) : PageModel
{
    public IActionResult OnGet() => NotFound();

    public IActionResult OnPost() => new JsonResult(new { expiresInSeconds = (int)session.Value.IdleTimeout.TotalSeconds });
}
