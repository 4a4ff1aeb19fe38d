using GrantManager.Core.Panels;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using GrantManager.Core;

namespace GrantManager.Web.Pages.Staff.Panels;

/// <summary>Panel meetings: all of them for grant officers, the ones they sit on for panel members.</summary>
public sealed class IndexModel(PanelMeetings meetings, WorkflowActors actors) : PageModel
{
    public List<PanelMeeting> List { get; private set; } = [];
    public bool MaySetUp { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var actor = await actors.ForAsync(User);
        try { List = await meetings.ListAsync(actor); }
        catch (ForbiddenException) { return Forbid(); }
        MaySetUp = actor.HasRole(Core.Data.Roles.GrantOfficer);
        return Page();
    }
}
