using GrantManager.Core.Panels;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using GrantManager.Core;

namespace GrantManager.Web.Pages.Staff.Panels;

/// <summary>A page about one panel meeting: its pack, for grant officers and the meeting's own members only.</summary>
public abstract class MeetingPage(PanelMeetings meetings, WorkflowActors actors) : PageModel
{
    protected PanelMeetings Meetings => meetings;
    public PanelPack Pack { get; private set; } = null!;
    public PanelMeeting Meeting => Pack.Meeting;
    public Actor Actor { get; private set; } = null!;
    public bool IsMember => Meeting.HasMember(Actor.UserId);
    public bool IsChair => Meeting.Chair?.UserId == Actor.UserId;

    /// <summary>Loads the pack, or says why not: not found, or refused (someone not on the meeting, an applicant).</summary>
    protected async Task<IActionResult?> LoadAsync(int id)
    {
        Actor = await actors.ForAsync(User);
        try { Pack = await meetings.PackAsync(id, Actor); }
        catch (NotFoundException) { return Actor.HasRole(Core.Data.Roles.GrantOfficer) || Actor.HasRole(Core.Data.Roles.PanelMember) ? NotFound() : Forbid(); }
        catch (ForbiddenException) { return Forbid(); }
        return null;
    }

    /// <summary>The page's field for an API field such as decisions[1].amountAwarded.</summary>
    protected static string PageField(string field)
    {
        // A condition's problem is shown on the row's field for it: the words, when they must be met, or the payment.
        var condition = System.Text.RegularExpressions.Regex.Match(field, @"^decisions\[(\d+)\]\.conditions(?:\[\d+\])?(?:\.(\w+))?$");
        if (condition.Success)
            return $"Decisions[{condition.Groups[1].Value}]." + condition.Groups[2].Value switch { "kind" => "ConditionKind", "payment" => "ConditionPayment", _ => "Conditions" };
        var match = System.Text.RegularExpressions.Regex.Match(field, @"^(\w+)\[(\d+)\]\.(\w+)$");
        return match.Success
            ? $"{Upper(match.Groups[1].Value)}[{match.Groups[2].Value}].{Upper(match.Groups[3].Value)}"
            : "";
        static string Upper(string s) => char.ToUpperInvariant(s[0]) + s[1..];
    }
}
