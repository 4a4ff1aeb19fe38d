using GrantManager.Core;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Applicant.Grants;

/// <summary>The grant holder declares, once the final report is accepted, how much of the grant was not spent (£0 allowed).</summary>
public sealed class UnderspendModel(GrantClosureService closure, WorkflowActors actors) : PageModel
{
    public Grant Grant { get; private set; } = null!;
    public decimal PaidSoFar { get; private set; }
    public bool AwaitsDeclaration { get; private set; }
    [BindProperty] public string? Amount { get; set; }

    public async Task<IActionResult> OnGetAsync(int id) => await LoadAsync(id) ?? Page();

    public async Task<IActionResult> OnPostAsync(int id)
    {
        if (await LoadAsync(id) is { } refused) return refused;
        if (!AwaitsDeclaration) return RedirectToPage(new { id });
        var read = Money.TryParse(Amount, out var pounds);
        if (read is not (Money.ParseResult.Ok or Money.ParseResult.Empty)) ModelState.AddModelError(nameof(Amount), Money.Problem(read, "The amount not spent"));
        if (!ModelState.IsValid) return Page();
        try
        {
            var grant = await closure.DeclareUnderspendAsync(id, await actors.ForAsync(User), read == Money.ParseResult.Ok ? pounds : null);
            TempData["Success"] = grant.Status == GrantStatus.Closed ? "Thank you. Your grant is now closed"
                : $"Thank you. We have emailed you about repaying {Money.Format(pounds)}; the grant closes once it reaches us";
            return Redirect($"/Applicant/Applications/{Grant.ApplicationId}#closure");
        }
        catch (InputException e)
        {
            foreach (var (_, messages) in e.Errors)
                foreach (var message in messages) ModelState.AddModelError(nameof(Amount), message);
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
        if (Grant.OrganisationId != actor.OrganisationId) return NotFound();
        PaidSoFar = GrantClosure.PaidSoFar(Grant);
        AwaitsDeclaration = await closure.AwaitsDeclarationAsync(Grant);
        return null;
    }
}
