using GrantManager.Core.Applications;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;

namespace GrantManager.Web.Pages.Applicant.Applications;

/// <summary>Deleting a draft, after saying what will go.</summary>
public sealed class DeleteModel(ApplicationService applications, WorkflowActors actors, AttachmentStore store) : ApplicantPage(applications, actors)
{
    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        return IsDraft ? Page() : Redirect($"/Applicant/Applications/{id}");
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!IsDraft) return Redirect($"/Applicant/Applications/{id}");
        var reference = Application.Reference;
        store.DeleteFiles(await Applications.DeleteDraftAsync(id, Actor));
        TempData["Success"] = $"Draft {reference} has been deleted";
        return Redirect("/Applicant");
    }
}
