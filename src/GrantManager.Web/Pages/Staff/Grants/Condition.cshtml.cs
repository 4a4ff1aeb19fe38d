using GrantManager.Core;
using GrantManager.Core.Applications;
using GrantManager.Core.Data;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Staff.Grants;

/// <summary>One condition of a grant with the holder's evidence; a grant officer records it met or not met. Finance sees it, and which payment it holds.</summary>
public sealed class ConditionModel(GrantConditionService conditions, AttachmentStore store, WorkflowActors actors, Core.Data.GrantDbContext db) : PageModel
{
    public GrantCondition Condition { get; private set; } = null!;
    public Grant Grant { get; private set; } = null!;
    public string OrganisationName { get; private set; } = "";
    public List<Attachment> Documents { get; private set; } = [];
    public bool MayDecide { get; private set; }
    [BindProperty] public string? Status { get; set; }
    [BindProperty] public string? Reason { get; set; }

    public async Task<IActionResult> OnGetAsync(int id) => await LoadAsync(id) ?? Page();

    public async Task<IActionResult> OnPostAsync(int id)
    {
        if (await LoadAsync(id) is { } refused) return refused;
        if (!MayDecide) return Forbid();
        try
        {
            var condition = await conditions.RecordOutcomeAsync(Grant.Id, id, await actors.ForAsync(User), Status, Reason);
            var released = condition.Status == ConditionStatus.Met
                && await db.Set<Instalment>().AnyAsync(i => i.GrantId == Grant.Id && i.Sequence == condition.HoldsPayment && i.WorkflowInstanceId != null && i.Status == InstalmentStatus.Due);
            TempData["Success"] = condition.Status == ConditionStatus.Met
                ? $"Condition {condition.Sequence} is met" + (released ? $". Payment {condition.HoldsPayment} has gone to finance" : "")
                : $"Condition {condition.Sequence} is not met. The grant holder sees your reason";
            return Redirect($"/Staff/Applications/{Grant.ApplicationId}#conditions");
        }
        catch (InputException e)
        {
            foreach (var (field, messages) in e.Errors)
                foreach (var message in messages) ModelState.AddModelError(field == "status" ? nameof(Status) : nameof(Reason), message);
        }
        catch (ConflictException e) { ModelState.AddModelError("", e.Message); }
        return await LoadAsync(id) ?? Page();
    }

    private async Task<IActionResult?> LoadAsync(int id)
    {
        var actor = await actors.ForAsync(User);
        try { (Condition, Grant) = await conditions.ForReadingAsync(id, actor); }
        catch (NotFoundException) { return NotFound(); }
        catch (ForbiddenException) { return Forbid(); }
        MayDecide = actor.HasRole(Roles.GrantOfficer);
        OrganisationName = await db.Organisations.Where(o => o.Id == Grant.OrganisationId).Select(o => o.Name).SingleAsync();
        Documents = await store.ForConditionAsync(id);
        return null;
    }
}
