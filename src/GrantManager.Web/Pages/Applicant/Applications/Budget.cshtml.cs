using System.Globalization;
using GrantManager.Core.Applications;
using GrantManager.Web.Workflows;
using Microsoft.AspNetCore.Mvc;

namespace GrantManager.Web.Pages.Applicant.Applications;

public sealed class BudgetModel(ApplicationService applications, WorkflowActors actors) : ApplicantPage(applications, actors)
{
    private const int Rows = 8;

    public sealed class Line
    {
        public string? Item { get; set; }
        public string? Amount { get; set; }
    }

    public sealed class BudgetInput
    {
        public string? AmountRequested { get; set; }
        public List<Line> Lines { get; set; } = [];
    }

    [BindProperty] public BudgetInput Input { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!IsDraft) return Redirect($"/Applicant/Applications/{id}");
        Input.AmountRequested = Application.AmountRequested?.ToString("0.##", CultureInfo.InvariantCulture);
        Input.Lines = Application.Budget.Select(l => new Line { Item = l.Item, Amount = l.Amount.ToString("0.##", CultureInfo.InvariantCulture) }).ToList();
        Pad();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!IsDraft) return Redirect($"/Applicant/Applications/{id}");
        ModelState.Clear();
        decimal? amount = null;
        if (!string.IsNullOrWhiteSpace(Input.AmountRequested))
        {
            if (Money(Input.AmountRequested) is decimal a) amount = a;
            else ModelState.AddModelError("Input.AmountRequested", "Enter the amount in pounds, like 4500 or 4500.50");
        }
        var lines = new List<BudgetLineInput>();
        var rowOf = new List<int>();
        for (var i = 0; i < Input.Lines.Count; i++)
        {
            var line = Input.Lines[i];
            if (string.IsNullOrWhiteSpace(line.Item) && string.IsNullOrWhiteSpace(line.Amount)) continue;
            var value = Money(line.Amount);
            if (!string.IsNullOrWhiteSpace(line.Amount) && value is null)
                ModelState.AddModelError($"Input.Lines[{i}].Amount", $"Budget line {i + 1}: enter the amount in pounds, like 250 or 250.50");
            lines.Add(new BudgetLineInput(line.Item, value));
            rowOf.Add(i);
        }
        Pad();
        if (!ModelState.IsValid) return Page();
        try
        {
            await Applications.UpdateDraftAsync(id, Actor, new ApplicationInput { AmountRequested = amount, Budget = lines });
            var total = lines.Sum(l => l.Amount ?? 0);
            if (amount is decimal requested && lines.Count > 0 && total != requested)
            {
                TempData["Success"] = $"Budget saved. The lines add up to {Formats.Money(total)} but you are asking for {Formats.Money(requested)}: they must match before you submit";
                return RedirectToPage(new { id });
            }
            return Redirect($"/Applicant/Applications/{id}");
        }
        catch (InputException e)
        {
            // The service numbers lines without the blank rows; put each error on the row the person typed in.
            AddErrors(e, k => k.StartsWith("budget[") && int.TryParse(k[7..k.IndexOf(']')], out var n) && n < rowOf.Count
                ? $"Input.Lines[{rowOf[n]}].{Pascal(k[(k.IndexOf('.') + 1)..])}" : $"Input.{Pascal(k)}");
            return Page();
        }
    }

    private void Pad()
    {
        while (Input.Lines.Count < Rows) Input.Lines.Add(new Line());
    }

    private static decimal? Money(string? text) =>
        decimal.TryParse(text?.Replace("£", "").Replace(",", "").Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : null;
}
