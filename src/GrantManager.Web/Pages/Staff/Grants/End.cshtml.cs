using GrantManager.Core;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Staff.Grants;

/// <summary>A grant officer or administrator ends a grant early, with the reason the grant holder is sent.</summary>
public sealed class EndModel(GrantClosureService closure, WorkflowActors actors) : PageModel
{
    public Grant Grant { get; private set; } = null!;
    [BindProperty] public string? Reason { get; set; }

    public async Task<IActionResult> OnGetAsync(int id) => await LoadAsync(id) ?? Page();

    public async Task<IActionResult> OnPostAsync(int id)
    {
        if (await LoadAsync(id) is { } refused) return refused;
        try
        {
            await closure.EndEarlyAsync(id, await actors.ForAsync(User), Reason);
            TempData["Success"] = "The grant has ended. Payments not yet made and reports not yet accepted are cancelled, and the grant holder has been emailed";
            return Redirect($"/Staff/Applications/{Grant.ApplicationId}#closure");
        }
        catch (InputException e)
        {
            foreach (var (_, messages) in e.Errors)
                foreach (var message in messages) ModelState.AddModelError(nameof(Reason), message);
        }
        catch (ConflictException e) { ModelState.AddModelError("", e.Message); }
        return await LoadAsync(id) ?? Page();
    }

    private async Task<IActionResult?> LoadAsync(int id)
    {
        var actor = await actors.ForAsync(User);
        try { Grant = await closure.ForReadingAsync(id, actor); }
        catch (NotFoundException) { return NotFound(); }
        catch (ForbiddenException) { return Forbid(); }
        return GrantClosureService.MayEnd(actor) ? null : Forbid();
    }
}
