using GrantManager.Core.Panels;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;

namespace GrantManager.Web.Pages.Staff.Panels;

/// <summary>The panel pack: printable, each application ranked by weighted score with a running total against the round's budget.</summary>
public sealed class MeetingModel(PanelMeetings meetings, WorkflowActors actors) : MeetingPage(meetings, actors)
{
    public async Task<IActionResult> OnGetAsync(int id) => await LoadAsync(id) ?? Page();
}
