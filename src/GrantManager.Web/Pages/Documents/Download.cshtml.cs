using GrantManager.Core.Applications;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using GrantManager.Core;

namespace GrantManager.Web.Pages.Documents;

/// <summary>Hands a document to someone who may see its application; always as a download, never shown inline.</summary>
[Authorize]
public sealed class DownloadModel(AttachmentStore store, WorkflowActors actors) : PageModel
{
    public async Task<IActionResult> OnGetAsync(Guid id)
    {
        try
        {
            var (attachment, content) = await store.OpenAsync(id, await actors.ForAsync(User));
            return File(content, attachment.ContentType, attachment.FileName);
        }
        catch (NotFoundException) { return NotFound(); }
        catch (ForbiddenException) { return Forbid(); }
    }
}
