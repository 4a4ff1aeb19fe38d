using GrantManager.Core.Applications;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using GrantManager.Core;

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
            TempData["Success"] = $"Application submitted. Your reference is {submitted.Reference}. We have emailed you a receipt.";
            return Redirect($"/Applicant/Applications/{id}");
        }
        catch (InputException e)
        {
            // Missing answers belong to other sections: each error links to the page where it is answered.
            AddErrors(e, k => k == "declaration" ? "Declaration" : k);
            ViewData["ErrorLinks"] = SectionLinks(id);
            return await ReloadAsync(id);
        }
        catch (RefusedException e)
        {
            ModelState.AddModelError("", e.Message);
            return await ReloadAsync(id);
        }
    }

    /// <summary>Where each answer the service checks is given.</summary>
    public static IReadOnlyDictionary<string, string> SectionLinks(int id)
    {
        var project = $"/Applicant/Applications/{id}/Project";
        return new Dictionary<string, string>
        {
            ["organisation"] = $"/Applicant/Organisation?application={id}",
            ["projectTitle"] = $"{project}#Input_ProjectTitle",
            ["projectSummary"] = $"{project}#Input_ProjectSummary",
            ["innovation"] = $"{project}#Input_Innovation",
            ["beneficiaries"] = $"{project}#Input_Beneficiaries",
            ["districts"] = $"{project}#Input_Districts",
            ["startDate"] = $"{project}#Input_StartDay",
            ["endDate"] = $"{project}#Input_EndDay",
            ["amountRequested"] = $"/Applicant/Applications/{id}/Budget#Input_AmountRequested",
            ["budget"] = $"/Applicant/Applications/{id}/Budget",
            ["outcomes"] = $"/Applicant/Applications/{id}/Outcomes",
            ["roundId"] = $"/Applicant/Applications/{id}",
        };
    }

    private async Task<IActionResult> ReloadAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        Documents = await store.ForApplicationAsync(id);
        return Page();
    }
}
