using GrantManager.Core;
using GrantManager.Core.Panels;
using GrantManager.Core.Workflows;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;

namespace GrantManager.Web.Pages.Staff.Panels;

/// <summary>
/// The chair records the meeting's decision on every application in one form: approve with the amount and
/// conditions, or not fund with the reasons. Each moves that application's workflow as the panel task would.
/// </summary>
public sealed class DecisionsModel(PanelMeetings meetings, WorkflowActors actors) : MeetingPage(meetings, actors)
{
    public sealed class DecisionRow
    {
        public int ApplicationId { get; set; }
        public string? Outcome { get; set; }
        [Forms.Pounds, System.ComponentModel.DataAnnotations.Display(Name = "The amount to award")] public decimal? AmountAwarded { get; set; }
        public string? Conditions { get; set; }
        /// <summary>When the conditions must be met: before the first payment, before a named payment, or for the life of the grant.</summary>
        public string? ConditionKind { get; set; }
        [System.ComponentModel.DataAnnotations.Display(Name = "The payment number")] public int? ConditionPayment { get; set; }
        public string? MessageToApplicant { get; set; }
        public string? Note { get; set; }
    }

    [BindProperty] public List<DecisionRow> Decisions { get; set; } = [];

    /// <summary>The row's conditions, one a line, each of the kind chosen for them (the payment only for a named payment).</summary>
    private static List<Core.Grants.OfferCondition>? ConditionsOf(DecisionRow d)
    {
        var lines = (d.Conditions ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0) return null;
        var kind = string.IsNullOrWhiteSpace(d.ConditionKind) ? Core.Grants.ConditionKinds.Ongoing : d.ConditionKind;
        var payment = kind == Core.Grants.ConditionKinds.BeforePayment ? d.ConditionPayment : null;
        return lines.Select(l => new Core.Grants.OfferCondition(l, kind, payment)).ToList();
    }

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (await LoadAsync(id) is { } refused) return refused;
        if (!IsChair) return Forbid();
        Decisions = Pack.Items.Select(i => new DecisionRow { ApplicationId = i.Item.ApplicationId, AmountAwarded = i.Requested }).ToList();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        var posted = Decisions;
        if (await LoadAsync(id) is { } refused) return refused;
        if (!IsChair) return Forbid();
        Decisions = posted;
        // An approval needs its amount: a cleared box is not the full amount asked for.
        foreach (var (d, i) in posted.Select((d, i) => (d, i)))
            if (d.Outcome == "approve" && d.AmountAwarded is null
                && ModelState.GetFieldValidationState($"Decisions[{i}].AmountAwarded") != Microsoft.AspNetCore.Mvc.ModelBinding.ModelValidationState.Invalid)
                ModelState.AddModelError($"Decisions[{i}].AmountAwarded",
                    $"Enter the amount to award for {Pack.Items.FirstOrDefault(p => p.Item.ApplicationId == d.ApplicationId)?.Reference ?? $"application {d.ApplicationId}"}");
        // An amount that could not be read is named before anything is tried.
        if (!ModelState.IsValid) return Page();
        try
        {
            await Meetings.RecordDecisionsAsync(id, Actor, posted.Select(d => new PanelDecisionInput(d.ApplicationId, d.Outcome, d.AmountAwarded, d.Conditions,
                d.MessageToApplicant, d.Note, ConditionsOf(d))).ToList());
            TempData["Success"] = "The meeting's decisions are recorded and each application has moved on";
            return Redirect($"/Staff/Panels/{id}/Minutes");
        }
        catch (InputException e)
        {
            foreach (var (field, messages) in e.Errors)
                foreach (var message in messages) ModelState.AddModelError(PageField(field), message);
        }
        catch (ConflictException e) { ModelState.AddModelError("", e.Message); }
        return Page();
    }
}
