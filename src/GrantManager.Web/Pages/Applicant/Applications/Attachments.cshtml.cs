using GrantManager.Core.Applications;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using GrantManager.Core;

namespace GrantManager.Web.Pages.Applicant.Applications;

[RequestFormLimits(MultipartBodyLengthLimit = 110 * 1024 * 1024)]
[RequestSizeLimit(110 * 1024 * 1024)]
public sealed class AttachmentsModel(ApplicationService applications, WorkflowActors actors, AttachmentStore store, IOptions<AttachmentOptions> options)
    : ApplicantPage(applications, actors)
{
    [BindProperty] public string? Kind { get; set; }
    [BindProperty] public IFormFile? Upload { get; set; }
    public List<Attachment> Documents { get; private set; } = [];
    public int MaxMegabytes => options.Value.MaxMegabytes;

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!IsDraft) return Redirect($"/Applicant/Applications/{id}");
        Documents = await store.ForApplicationAsync(id);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!IsDraft) return Redirect($"/Applicant/Applications/{id}");
        ModelState.Clear();
        try
        {
            await using var content = Upload?.OpenReadStream() ?? Stream.Null;
            var added = await store.AddAsync(id, Actor, Kind, Upload?.FileName, Upload?.Length ?? 0, content);
            TempData["Success"] = $"{added.FileName} has been added";
            return RedirectToPage(new { id });
        }
        catch (InputException e) { AddErrors(e, k => k == "kind" ? "Kind" : "Upload"); }
        catch (RefusedException e) { ModelState.AddModelError("", e.Message); }
        Documents = await store.ForApplicationAsync(id);
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveAsync(int id, Guid document)
    {
        if (!await LoadAsync(id)) return NotFound();
        try
        {
            await store.RemoveAsync(document, Actor);
            TempData["Success"] = "The document has been removed";
        }
        catch (NotFoundException) { return NotFound(); }
        catch (RefusedException e) { TempData["Success"] = e.Message; }
        return RedirectToPage(new { id });
    }
}
