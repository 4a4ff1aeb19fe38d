using GrantManager.Core.Applications;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;

namespace GrantManager.Web.Pages.Applicant.Applications;

public sealed class SubmitModel(ApplicationService applications, WorkflowActors actors, AttachmentStore store) : ApplicantPage(applications, actors)
{
    public List<Attachment> Documents { get; private set; } = [];

    [BindProperty] public bool Declaration { get; set; }

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        Documents = await store.ForApplicationAsync(id);
        return IsDraft ? Page() : Redirect($"/Applicant/Applications/{id}");
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!IsDraft) return Redirect($"/Applicant/Applications/{id}");
        try
        {
            var submitted = await Applications.SubmitAsync(id, Actor, Declaration);
            TempData["Success"] = $"Application submitted. Your reference is {submitted.Reference}. We have emailed you a receipt";
            return Redirect($"/Applicant/Applications/{id}");
        }
        catch (InputException e)
        {
            // Missing answers belong to other sections; the summary says which.
            AddErrors(e, k => k == "declaration" ? "Declaration" : "");
            return await ReloadAsync(id);
        }
        catch (WorkflowException e)
        {
            ModelState.AddModelError("", e.Message);
            return await ReloadAsync(id);
        }
    }

    private async Task<IActionResult> ReloadAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        Documents = await store.ForApplicationAsync(id);
        return Page();
    }
}
