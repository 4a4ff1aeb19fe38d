using GrantManager.Core.Applications;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;

namespace GrantManager.Web.Pages.Applicant.Applications;

/// <summary>A printable copy of every answer as submitted, with the reference and the date.</summary>
public sealed class PrintModel(ApplicationService applications, WorkflowActors actors, AttachmentStore store) : ApplicantPage(applications, actors)
{
    public List<Attachment> Documents { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!await LoadAsync(id) || IsDraft) return NotFound();
        Documents = await store.ForApplicationAsync(id);
        return Page();
    }
}
