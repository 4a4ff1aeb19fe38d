using GrantManager.Core;
using GrantManager.Core.Data;
using GrantManager.Core.Panels;
using GrantManager.Core.Workflows;
using GrantManager.Web.Pages.Shared;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace GrantManager.Web.Pages.Staff.Panels;

/// <summary>A grant officer sets up a panel meeting: the round, the date, the members and chair, and the applications it decides.</summary>
public sealed class NewModel(PanelMeetings meetings, GrantDbContext db, WorkflowActors actors) : PageModel
{
    public sealed class MeetingInput
    {
        public int? RoundId { get; set; }
        public string? Title { get; set; }
        [Forms.DateInput("the meeting's date", Example = "17 3 2027")] public Forms.GovUkDate MeetsOn { get; set; } = Forms.GovUkDate.Empty;
        public List<string> MemberIds { get; set; } = [];
        public string? ChairId { get; set; }
        public List<int> ApplicationIds { get; set; } = [];
    }

    [BindProperty(Name = "Input")] public MeetingInput Input { get; set; } = new();
    public sealed record RoundChoice(int Id, string Name, string Fund, int Awaiting);
    public List<RoundChoice> Rounds { get; private set; } = [];
    public RoundChoice? Round { get; private set; }
    public List<AwaitingPanel> Awaiting { get; private set; } = [];
    public List<User> Members { get; private set; } = [];
    public DateInputView MeetsOnInput => new("Input.MeetsOn", "Date of the meeting", "For example, 17 3 2027. Decisions are recorded from that day.",
        Input.MeetsOn);

    public async Task<IActionResult> OnGetAsync(int? roundId)
    {
        if (await LoadAsync(roundId) is { } refused) return refused;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await LoadAsync(Input.RoundId) is { } refused) return refused;
        var meetsOn = Input.MeetsOn.Date;
        // An impossible date (reported by its binder) is named with every other problem, not instead of them.
        var impossible = Input.MeetsOn.Problem is not null;
        try
        {
            var meeting = await meetings.CreateAsync(await actors.ForAsync(User),
                new PanelMeetingInput(Input.RoundId, meetsOn, Input.Title, Input.MemberIds, Input.ChairId, Input.ApplicationIds));
            TempData["Success"] = $"{meeting.Title} is set up for {meeting.MeetsOn.ToString("d MMMM yyyy", Formats.EnGb)}";
            return Redirect($"/Staff/Panels/{meeting.Id}");
        }
        catch (InputException e)
        {
            foreach (var (field, messages) in e.Errors.Where(f => !(impossible && f.Key == "meetsOn")))
                foreach (var message in messages)
                    ModelState.AddModelError(field switch
                    {
                        "meetsOn" => "Input.MeetsOnDay",
                        "memberIds" => "Input.MemberIds",
                        "chairId" => "Input.ChairId",
                        "applicationIds" => "Input.ApplicationIds",
                        "roundId" => "Input.RoundId",
                        _ => "Input.Title",
                    }, message);
        }
        catch (ForbiddenException) { return Forbid(); }
        return Page();
    }

    private async Task<IActionResult?> LoadAsync(int? roundId)
    {
        var actor = await actors.ForAsync(User);
        if (!actor.HasRole(Roles.GrantOfficer)) return Forbid();
        var rounds = await db.Rounds.AsNoTracking().OrderByDescending(r => r.OpensAt).Select(r => new { r.Id, r.Name, Fund = r.Fund!.Name }).ToListAsync();
        foreach (var r in rounds) Rounds.Add(new RoundChoice(r.Id, r.Name, r.Fund, (await meetings.AwaitingAsync(r.Id)).Count));
        // The round asked for, else the newest with applications waiting, else the newest.
        Round = Rounds.FirstOrDefault(r => r.Id == roundId) ?? Rounds.FirstOrDefault(r => r.Awaiting > 0) ?? Rounds.FirstOrDefault();
        if (Round is null) return NotFound();
        Input.RoundId = Round.Id;
        Awaiting = await meetings.AwaitingAsync(Round.Id);
        Members = await meetings.PanelMembersAsync();
        return null;
    }
}
