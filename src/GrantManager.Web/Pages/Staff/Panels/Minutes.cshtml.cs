using GrantManager.Core.Panels;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;

namespace GrantManager.Web.Pages.Staff.Panels;

/// <summary>The printable minutes: who met, what each member thought and what the panel decided, against the round's budget.</summary>
public sealed class MinutesModel(PanelMeetings meetings, WorkflowActors actors) : MeetingPage(meetings, actors)
{
    public async Task<IActionResult> OnGetAsync(int id) => await LoadAsync(id) ?? Page();
}
