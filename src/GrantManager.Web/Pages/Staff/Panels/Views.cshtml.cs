using GrantManager.Core;
using GrantManager.Core.Panels;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;

namespace GrantManager.Web.Pages.Staff.Panels;

/// <summary>A member of the meeting records their view on each application: fund, do not fund or abstain, with a comment.</summary>
public sealed class ViewsModel(PanelMeetings meetings, WorkflowActors actors) : MeetingPage(meetings, actors)
{
    public sealed class ViewRow
    {
        public int ApplicationId { get; set; }
        public string? View { get; set; }
        public string? Comment { get; set; }
    }

    [BindProperty] public List<ViewRow> Views { get; set; } = [];

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (await LoadAsync(id) is { } refused) return refused;
        if (!IsMember) return Forbid();
        Views = Pack.Items.Select(i => i.Item.Views.FirstOrDefault(v => v.UserId == Actor.UserId) is { } mine
            ? new ViewRow { ApplicationId = i.Item.ApplicationId, View = mine.View, Comment = mine.Comment }
            : new ViewRow { ApplicationId = i.Item.ApplicationId }).ToList();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        var posted = Views;
        if (await LoadAsync(id) is { } refused) return refused;
        if (!IsMember) return Forbid();
        Views = posted;
        try
        {
            // Rows left without a view are left out: a member may speak to some applications only.
            var given = posted.Select((r, i) => (r, i)).Where(x => !string.IsNullOrEmpty(x.r.View)).ToList();
            await Meetings.RecordViewsAsync(id, Actor, given.Select(x => new PanelViewInput(x.r.ApplicationId, x.r.View, x.r.Comment)).ToList());
            TempData["Success"] = "Your views are recorded";
            return Redirect($"/Staff/Panels/{id}");
        }
        catch (InputException e)
        {
            var given = posted.Select((r, i) => (r, i)).Where(x => !string.IsNullOrEmpty(x.r.View)).Select(x => x.i).ToList();
            foreach (var (field, messages) in e.Errors)
                foreach (var message in messages)
                {
                    // The service numbers the views given; the page numbers every row.
                    var match = System.Text.RegularExpressions.Regex.Match(field, @"^views\[(\d+)\]\.(\w+)$");
                    var key = match.Success ? $"Views[{given[int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]}].{char.ToUpperInvariant(match.Groups[2].Value[0])}{match.Groups[2].Value[1..]}" : "Views[0].View";
                    ModelState.AddModelError(key, field == "views" ? "Choose your view on at least one application" : message);
                }
        }
        catch (ConflictException e) { ModelState.AddModelError("", e.Message); }
        return Page();
    }
}
