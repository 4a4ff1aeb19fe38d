using System.Globalization;
using GrantManager.Core.Applications;
using GrantManager.Core.Funds;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;

namespace GrantManager.Web.Pages.Applicant.Applications;

public sealed class OutcomesModel(ApplicationService applications, WorkflowActors actors) : ApplicantPage(applications, actors)
{
    public sealed class OutcomesInput
    {
        public Dictionary<string, string?> Targets { get; set; } = new();
    }

    [BindProperty(Name = "Input")] public OutcomesInput Input { get; set; } = new();
    public List<OutcomeMeasure> Measures => Application.Fund!.Measures.OrderBy(m => m.Order).ToList();

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!IsDraft) return Redirect($"/Applicant/Applications/{id}");
        Input.Targets = Application.Outcomes.ToDictionary(o => o.MeasureCode, o => (string?)o.Target.ToString("0.##", CultureInfo.InvariantCulture));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!IsDraft) return Redirect($"/Applicant/Applications/{id}");
        ModelState.Clear();
        var chosen = new List<OutcomeInput>();
        foreach (var m in Measures)
        {
            var text = Input.Targets.GetValueOrDefault(m.Code)?.Replace(",", "").Trim();
            if (m.InPounds) text = text?.TrimStart('£').Trim();
            if (string.IsNullOrEmpty(text)) continue;
            if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var target) || target <= 0)
                ModelState.AddModelError($"Input.Targets[{m.Code}]", m.InPounds
                    ? $"{m.Name}: enter an amount in pounds more than 0, like £1,500.50, or leave it blank"
                    : $"{m.Name}: enter a number more than 0, like 120, or leave it blank");
            else chosen.Add(new OutcomeInput(m.Code, target));
        }
        if (ModelState.IsValid && chosen.Count == 0)
            ModelState.AddModelError($"Input.Targets[{Measures[0].Code}]", "Set a target for at least one outcome");
        try { Applications.CheckDraft(Application, new ApplicationInput { Outcomes = chosen }); }
        catch (InputException e) { AddErrors(e, k => TargetField(k, chosen)); }
        if (!ModelState.IsValid) return Page();
        try
        {
            await Applications.UpdateDraftAsync(id, Actor, new ApplicationInput { Outcomes = chosen });
            return Redirect($"/Applicant/Applications/{id}");
        }
        catch (InputException e)
        {
            AddErrors(e, k => TargetField(k, chosen));
            return Page();
        }
    }

    /// <summary>The service numbers the targets chosen; put each error on its measure's field.</summary>
    private static string TargetField(string key, List<OutcomeInput> chosen) =>
        key.StartsWith("outcomes[", StringComparison.Ordinal) && int.TryParse(key[9..key.IndexOf(']')], out var n) && n < chosen.Count
            ? $"Input.Targets[{chosen[n].Measure}]" : "";
}
