using GrantManager.Core;
using GrantManager.Core.Applications;
using GrantManager.Core.Grants;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace GrantManager.Web.Pages.Applicant.Conditions;

/// <summary>The grant holder's evidence that a condition of their grant is met: a note and documents, sent to the council together.</summary>
public sealed class EvidenceModel(GrantConditionService conditions, AttachmentStore store, Core.Cases.GrantEvidence evidence, WorkflowActors actors) : PageModel
{
    public GrantCondition Condition { get; private set; } = null!;
    public Grant Grant { get; private set; } = null!;
    public List<Attachment> Documents { get; private set; } = [];
    [BindProperty] public string? Note { get; set; }
    [BindProperty] public IFormFile? Upload { get; set; }

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        Note = Condition.EvidenceNote;
        return Page();
    }

    /// <summary>Adds the chosen file (if any) and sends the note with every document added so far.</summary>
    public async Task<IActionResult> OnPostAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (Condition.Status == ConditionStatus.Met) return RedirectToPage(new { id });
        var actor = await actors.ForAsync(User);
        if (Note is { Length: > GrantConditionService.MaxNote }) ModelState.AddModelError(nameof(Note), $"The note must be {GrantConditionService.MaxNote:#,0} characters or fewer");
        if (!ModelState.IsValid) return Page();
        try
        {
            if (Upload is { Length: > 0 })
            {
                await using var content = Upload.OpenReadStream();
                await evidence.AddConditionEvidenceAsync(id, actor, Upload.FileName, Upload.Length, content);
            }
            await conditions.SendEvidenceAsync(id, actor, Note);
            TempData["Success"] = "Your evidence has been sent. We will tell you on your grant page whether the condition is met";
            return Redirect($"/Applicant/Applications/{Grant.ApplicationId}");
        }
        catch (InputException e)
        {
            foreach (var (field, messages) in e.Errors)
                foreach (var message in messages) ModelState.AddModelError(field == "file" ? nameof(Upload) : nameof(Note), message);
        }
        catch (ConflictException e) { ModelState.AddModelError("", e.Message); }
        await LoadAsync(id);
        return Page();
    }

    private async Task<bool> LoadAsync(int id)
    {
        var actor = await actors.ForAsync(User);
        try { (Condition, Grant) = await conditions.ForReadingAsync(id, actor); }
        catch (RefusedException) { return false; }
        if (Grant.OrganisationId != actor.OrganisationId) return false;
        Documents = await store.ForConditionAsync(id);
        return true;
    }
}
